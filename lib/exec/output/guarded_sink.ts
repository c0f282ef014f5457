/**
 * A sink that stops writing after its first failure (04-execution.md §9: `haz run | head` keeps
 * running and keeps its exit code).
 *
 * @module
 */

import type { Sink } from "./sink.ts";

const encoder = new TextEncoder();

/**
 * Wraps a {@link Sink}: a write that throws (EPIPE, EIO, …) marks the sink failed and every later
 * write is dropped silently.
 *
 * @example
 * ```ts
 * const sink = new GuardedSink({ write() { throw new Error("EPIPE"); } });
 * sink.writeText("lost\n"); // no throw
 * sink.failed; // true
 * ```
 */
export class GuardedSink implements Sink {
  readonly #sink: Sink;
  #failed = false;

  constructor(sink: Sink) {
    this.#sink = sink;
  }

  /** True once a write has thrown. */
  get failed(): boolean {
    return this.#failed;
  }

  /** Writes `bytes`, or nothing once the sink failed. */
  write(bytes: Uint8Array): void {
    if (this.#failed) return;
    try {
      this.#sink.write(bytes);
    } catch {
      this.#failed = true;
    }
  }

  /** Writes `text` as UTF-8. */
  writeText(text: string): void {
    if (!this.#failed) this.write(encoder.encode(text));
  }
}
