/**
 * Buffered output (04-execution.md §9.2, EXEC-016, EXEC-108): nothing of a task is written while it
 * runs; at its terminal event its status line, whole stdout and whole stderr are written as one
 * uninterrupted unit.
 *
 * @module
 */

import { formatTaskId, type TaskId } from "../../domain/task_id.ts";
import type { ChannelWriter, OutputStream } from "./output_channel.ts";
import type { PresenterOptions } from "./presenter_port.ts";
import { PresenterBase, type TerminalUnit } from "./presenter_base.ts";
import { warningText } from "./run_diagnostics.ts";
import { SPILL_THRESHOLD_BYTES, SpillBuffer, type SpillSettings } from "./spill_buffer.ts";

const NEWLINE_BYTES = new Uint8Array([0x0a]);

interface TaskStreams {
  readonly stdout: SpillBuffer;
  readonly stderr: SpillBuffer;
}

/**
 * The buffered presenter. Streams stay in memory up to 1 MiB each, then spill to a temp file
 * (`haz-<pid>-<random>.out`, mode 0600, in `tempDir`). Units are written in terminal-event order; one
 * being copied from a spill file holds later output back. Temp files are deleted once their unit is
 * written, and by `close()` at the latest.
 *
 * @example
 * ```ts
 * import type { Clock } from "../../util/clock.ts";
 * import type { CompletedRecord } from "../records.ts";
 * declare const clock: Clock;
 * declare const done: CompletedRecord; // p:a, fresh run, succeeded
 * const observer = new BufferedOutputObserver({
 *   mode: "buffered", stdout: { write() {} }, stderr: { write() {} }, color: false, progress: false,
 *   columns: () => 80, clock, tempDir: "/tmp", cancelGraceMs: 5000, runSetSize: 1,
 * });
 * observer.onStdout({ project: "p", task: "a" }, new TextEncoder().encode("hi")); // nothing yet
 * observer.onTaskFinished(done); // "✓ done p:a (…)\n" then "hi" then "\n"
 * await observer.close();
 * ```
 */
export class BufferedOutputObserver extends PresenterBase {
  readonly #tasks = new Map<string, TaskStreams>();
  readonly #spill: SpillSettings;
  #spillWarned = false;

  /** Creates a buffered presenter; a stream that cannot spill warns once on stderr (EXEC-108). */
  constructor(options: PresenterOptions) {
    super(options);
    this.#spill = {
      tempDir: options.tempDir,
      thresholdBytes: SPILL_THRESHOLD_BYTES,
      onSpillFailure: (message) => {
        // EXEC-108: one warning, however many streams cannot spill.
        if (this.#spillWarned) return;
        this.#spillWarned = true;
        this.writeStderrLine(warningText(message, options.color));
      },
    };
  }

  /** Holds the chunk until the task's terminal event, spilling past 1 MiB (EXEC-108). */
  onStdout(task: TaskId, chunk: Uint8Array): void {
    this.#streamsOf(task).stdout.append(chunk);
  }

  /** Holds the chunk until the task's terminal event, spilling past 1 MiB (EXEC-108). */
  onStderr(task: TaskId, chunk: Uint8Array): void {
    this.#streamsOf(task).stderr.append(chunk);
  }

  /** Writes the status line, then the whole stdout, then the whole stderr, as one uninterrupted unit. */
  protected writeTerminalUnit({ task, status, withOutput }: TerminalUnit): void {
    const id = formatTaskId(task);
    const streams = this.#tasks.get(id);
    this.#tasks.delete(id);
    if (streams === undefined || !withOutput) {
      streams?.stdout.discard();
      streams?.stderr.discard();
      this.channel.submit("terminal-event", (writer) => writer.writeText("stdout", status));
      return;
    }
    if (!streams.stdout.hasFile && !streams.stderr.hasFile) {
      this.channel.submit("terminal-event", (writer) => {
        writer.writeText("stdout", status);
        writeMemoryBlock(writer, { stream: "stdout", buffer: streams.stdout });
        writeMemoryBlock(writer, { stream: "stderr", buffer: streams.stderr });
      });
      return;
    }
    this.channel.submit("terminal-event", async (writer) => {
      try {
        writer.writeText("stdout", status);
        const { color } = this.options;
        await copyBlock(writer, { stream: "stdout", buffer: streams.stdout, taskId: id, color });
        await copyBlock(writer, { stream: "stderr", buffer: streams.stderr, taskId: id, color });
      } finally {
        streams.stdout.discard();
        streams.stderr.discard();
      }
    });
  }

  /** Discards the held streams, spill files included, of tasks that never reached a terminal event. */
  protected releaseTaskOutput(): void {
    for (const streams of this.#tasks.values()) {
      streams.stdout.discard();
      streams.stderr.discard();
    }
    this.#tasks.clear();
  }

  #streamsOf(task: TaskId): TaskStreams {
    const id = formatTaskId(task);
    let streams = this.#tasks.get(id);
    if (streams === undefined) {
      streams = { stdout: new SpillBuffer(this.#spill), stderr: new SpillBuffer(this.#spill) };
      this.#tasks.set(id, streams);
    }
    return streams;
  }
}

/** One stream of a unit. */
interface UnitBlock {
  readonly stream: OutputStream;
  readonly buffer: SpillBuffer;
}

/** One stream of a unit that spilled, with what a warning about it needs. */
interface SpilledBlock extends UnitBlock {
  readonly taskId: string;
  readonly color: boolean;
}

/** Writes a block held in memory, adding a newline to a non-empty block that lacks one. */
function writeMemoryBlock(writer: ChannelWriter, { stream, buffer }: UnitBlock): void {
  if (buffer.byteLength === 0) return;
  writer.write(stream, buffer.memoryBytes());
  if (!buffer.endsWithNewline) writer.write(stream, NEWLINE_BYTES);
}

/** Copies a block that spilled (file, then memory), adding a missing final newline. */
async function copyBlock(
  writer: ChannelWriter,
  { stream, buffer, taskId, color }: SpilledBlock,
): Promise<void> {
  try {
    await buffer.copyTo((bytes) => writer.write(stream, bytes));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // The block is cut short; end it on a line of its own so the warning stays readable.
    writer.write(stream, NEWLINE_BYTES);
    writer.writeText("stderr", `${warningText(`${taskId}: ${stream} output lost: ${reason}`, color)}\n`);
    return;
  }
  if (!buffer.endsWithNewline) writer.write(stream, NEWLINE_BYTES);
}
