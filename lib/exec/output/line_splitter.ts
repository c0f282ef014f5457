/**
 * Splitting a byte stream into lines for live output (04-execution.md §9.1, EXEC-016).
 *
 * @module
 */

const NEWLINE = 0x0a;

/** The longest line content written as one line: 64 KiB. */
export const MAX_LINE_BYTES = 64 * 1024;

/**
 * Splits chunks at `0x0A`, joining lines split across chunks and holding a trailing partial line
 * until its newline or {@link LineSplitter.flush}. Lines never include the newline. A line longer than
 * `maxLineBytes` is cut after `maxLineBytes` bytes and the rest continues as a new line; the cut does
 * not depend on how the bytes were chunked (a line of exactly `maxLineBytes` bytes stays whole), and
 * at most `maxLineBytes` bytes are ever held.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const emit = (line: Uint8Array) => lines.push(new TextDecoder().decode(line));
 * const splitter = new LineSplitter();
 * splitter.push(new TextEncoder().encode("hel"), emit);
 * splitter.push(new TextEncoder().encode("lo\nwor"), emit);
 * splitter.flush(emit);
 * lines; // ["hello", "wor"]
 * ```
 */
export class LineSplitter {
  readonly #maxLineBytes: number;
  #held: Uint8Array[] = [];
  #heldBytes = 0;

  constructor(maxLineBytes: number = MAX_LINE_BYTES) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** Bytes of the partial line currently held. */
  get heldBytes(): number {
    return this.#heldBytes;
  }

  /** Feeds one chunk; `emit` receives each completed line in order. */
  push(chunk: Uint8Array, emit: (line: Uint8Array) => void): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      start += this.#cutOverlongLines(chunk.subarray(start, end), emit);
      if (newline === -1) {
        if (start < end) this.#hold(chunk.subarray(start, end));
        return;
      }
      emit(this.#takeLine(chunk.subarray(start, end)));
      start = newline + 1;
    }
  }

  /** Emits the held partial line, if any. */
  flush(emit: (line: Uint8Array) => void): void {
    if (this.#heldBytes > 0) emit(this.#takeLine(new Uint8Array(0)));
  }

  /**
   * Emits full-length lines while the held bytes plus the rest of `segment` (a newline-free run of
   * bytes) exceed the limit; returns how many bytes of `segment` were consumed.
   */
  #cutOverlongLines(segment: Uint8Array, emit: (line: Uint8Array) => void): number {
    let consumed = 0;
    while (this.#heldBytes + (segment.length - consumed) > this.#maxLineBytes) {
      const take = this.#maxLineBytes - this.#heldBytes;
      emit(this.#takeLine(segment.subarray(consumed, consumed + take)));
      consumed += take;
    }
    return consumed;
  }

  #hold(piece: Uint8Array): void {
    // A copy, so the producer may reuse its chunk buffer.
    this.#held.push(piece.slice());
    this.#heldBytes += piece.length;
  }

  #takeLine(tail: Uint8Array): Uint8Array {
    if (this.#heldBytes === 0) return tail;
    const line = new Uint8Array(this.#heldBytes + tail.length);
    let offset = 0;
    for (const piece of this.#held) {
      line.set(piece, offset);
      offset += piece.length;
    }
    line.set(tail, offset);
    this.#held = [];
    this.#heldBytes = 0;
    return line;
  }
}
