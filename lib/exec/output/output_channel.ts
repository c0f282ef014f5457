/**
 * The single ordered path from a presenter to its two sinks. Jobs run one at a time in submission
 * order; a job that returns a promise (copying a spilled unit) holds every later job back until it
 * settles, so units never interleave. The progress footer is erased before a job's first write and
 * redrawn after the job.
 *
 * @module
 */

import type { GuardedSink } from "./guarded_sink.ts";
import type { ProgressFooter } from "./progress_footer.ts";

/** The streams a job writes to. */
export type OutputStream = "stdout" | "stderr";

/** What a job writes with. */
export interface ChannelWriter {
  write(stream: OutputStream, bytes: Uint8Array): void;
  writeText(stream: OutputStream, text: string): void;
}

/** A unit of output; returning a promise keeps later jobs waiting until it settles. */
export type OutputJob = (writer: ChannelWriter) => void | Promise<void>;

/**
 * When the footer comes back after a job: at once (`terminal-event`), at most every 100 ms
 * (`output`), or not at all (`final`, the epilogue).
 */
export type FooterRedraw = "terminal-event" | "output" | "final";

/** The sinks and footer of a channel. */
export interface OutputChannelOptions {
  readonly stdout: GuardedSink;
  readonly stderr: GuardedSink;
  /** Null when the footer is off: then no `\r` or erase sequence is ever written. */
  readonly footer: ProgressFooter | null;
}

interface QueuedJob {
  readonly redraw: FooterRedraw;
  readonly job: OutputJob;
}

/**
 * Serialises output jobs. A job submitted while the channel is idle runs synchronously inside
 * {@link OutputChannel.submit}.
 *
 * @example
 * ```ts
 * import { GuardedSink } from "./guarded_sink.ts";
 * const out: Uint8Array[] = [];
 * const sink = new GuardedSink({ write: (bytes) => out.push(bytes) });
 * const channel = new OutputChannel({ stdout: sink, stderr: sink, footer: null });
 * channel.submit("output", (writer) => writer.writeText("stdout", "[p:a] one\n"));
 * await channel.idle();
 * ```
 */
export class OutputChannel {
  readonly #options: OutputChannelOptions;
  readonly #writer: ChannelWriter;
  #queue: QueuedJob[] = [];
  #draining: Promise<void> | null = null;
  #failure: { error: unknown } | null = null;

  constructor(options: OutputChannelOptions) {
    this.#options = options;
    const sinkOf = (stream: OutputStream) => stream === "stdout" ? options.stdout : options.stderr;
    this.#writer = {
      write: (stream, bytes) => {
        options.footer?.erase();
        sinkOf(stream).write(bytes);
      },
      writeText: (stream, text) => {
        options.footer?.erase();
        sinkOf(stream).writeText(text);
      },
    };
  }

  /** True while an asynchronous job or the jobs queued behind it are pending. */
  get busy(): boolean {
    return this.#draining !== null;
  }

  /** Runs `job` now when idle, else after every job submitted before it. */
  submit(redraw: FooterRedraw, job: OutputJob): void {
    if (this.#draining !== null) {
      this.#queue.push({ redraw, job });
      return;
    }
    const pending = this.#run({ redraw, job });
    if (pending !== null) this.#draining = this.#drain(pending);
  }

  /** Resolves when every submitted job has run; rejects with the error of a job that threw. */
  async idle(): Promise<void> {
    while (this.#draining !== null) await this.#draining;
    if (this.#failure !== null) throw this.#failure.error;
  }

  #run(queued: QueuedJob): Promise<void> | null {
    const result = queued.job(this.#writer);
    if (result instanceof Promise) return result.then(() => this.#redraw(queued.redraw));
    this.#redraw(queued.redraw);
    return null;
  }

  async #drain(first: Promise<void>): Promise<void> {
    try {
      await first;
      while (this.#queue.length > 0) {
        const pending = this.#run(this.#queue.shift()!);
        if (pending !== null) await pending;
      }
    } catch (error) {
      // A job that throws is a haz bug; keep it for idle() and drop the rest.
      this.#failure ??= { error };
      this.#queue = [];
    } finally {
      this.#draining = null;
    }
  }

  #redraw(redraw: FooterRedraw): void {
    const footer = this.#options.footer;
    if (footer === null || redraw === "final") return;
    if (redraw === "terminal-event") footer.draw();
    else footer.drawThrottled();
  }
}
