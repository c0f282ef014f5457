/**
 * An in-memory {@link Sink} for presenter and CLI tests: records every write separately so tests can
 * check both the exact bytes and how they were split into writes.
 *
 * @module
 */

import type { Sink } from "../../lib/exec/output/sink.ts";

/** How a {@link MemorySink} misbehaves. */
export interface MemorySinkOptions {
  /** Writes accepted before every later write throws an EPIPE error. */
  readonly failAfterWrites?: number;
}

/**
 * Records writes; optionally starts throwing like a closed pipe.
 *
 * @example
 * ```ts
 * const sink = new MemorySink();
 * sink.write(new TextEncoder().encode("hi\n"));
 * sink.text(); // "hi\n"
 * sink.writes.length; // 1
 * ```
 */
export class MemorySink implements Sink {
  /** Copies of the accepted writes, in order. */
  readonly writes: Uint8Array[] = [];
  readonly #failAfterWrites: number;
  #attempts = 0;

  constructor(options: MemorySinkOptions = {}) {
    this.#failAfterWrites = options.failAfterWrites ?? Number.POSITIVE_INFINITY;
  }

  /** Number of calls to {@link write}, including those that threw. */
  get attempts(): number {
    return this.#attempts;
  }

  write(bytes: Uint8Array): void {
    this.#attempts++;
    if (this.writes.length >= this.#failAfterWrites) {
      throw Object.assign(new Error("EPIPE: broken pipe, write"), { code: "EPIPE" });
    }
    this.writes.push(bytes.slice());
  }

  /** All accepted bytes, concatenated. */
  bytes(): Uint8Array {
    const total = this.writes.reduce((sum, write) => sum + write.length, 0);
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const write of this.writes) {
      bytes.set(write, offset);
      offset += write.length;
    }
    return bytes;
  }

  /** All accepted bytes, decoded as UTF-8. */
  text(): string {
    return new TextDecoder().decode(this.bytes());
  }

  /** Each accepted write, decoded as UTF-8. */
  writeTexts(): string[] {
    const decoder = new TextDecoder();
    return this.writes.map((write) => decoder.decode(write));
  }
}
