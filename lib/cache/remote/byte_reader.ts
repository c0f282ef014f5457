/**
 * Exact-length reads over an async stream of chunks, for parsing the decompressed archive without
 * holding more than one chunk (REMOTE-110 item 6).
 *
 * @module
 */

/**
 * Reads a chunk stream in exact pieces.
 *
 * @example
 * ```ts
 * const reader = new ByteReader(gunzip[Symbol.asyncIterator]());
 * const header = await reader.exact(512); // null at the end of the stream
 * ```
 */
export class ByteReader {
  readonly #source: AsyncIterator<Uint8Array>;
  #buffer: Uint8Array = new Uint8Array(0);
  #ended = false;

  /** Reads from `source`. */
  constructor(source: AsyncIterator<Uint8Array>) {
    this.#source = source;
  }

  async #fill(): Promise<boolean> {
    if (this.#ended) return false;
    const next = await this.#source.next();
    if (next.done) {
      this.#ended = true;
      return false;
    }
    const chunk = next.value instanceof Uint8Array ? next.value : new Uint8Array(next.value);
    this.#buffer = this.#buffer.length === 0 ? chunk : concat(this.#buffer, chunk);
    return true;
  }

  /** Exactly `n` bytes; null when the stream ended first (the bytes read so far are lost). */
  async exact(n: number): Promise<Uint8Array | null> {
    while (this.#buffer.length < n) if (!await this.#fill()) return null;
    const piece = this.#buffer.subarray(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return piece;
  }

  /** `n` bytes as they arrive, in pieces; throws `truncated` when the stream ends first. */
  async *pieces(n: number): AsyncGenerator<Uint8Array> {
    let left = n;
    while (left > 0) {
      if (this.#buffer.length === 0 && !await this.#fill()) throw new Error("truncated");
      const piece = this.#buffer.subarray(0, Math.min(left, this.#buffer.length));
      this.#buffer = this.#buffer.subarray(piece.length);
      left -= piece.length;
      yield piece;
    }
  }

  /** True when no byte is left. */
  async atEnd(): Promise<boolean> {
    while (this.#buffer.length === 0) if (!await this.#fill()) return true;
    return false;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}
