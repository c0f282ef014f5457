/**
 * The primitive encodings of the cache key's byte stream (03-cache.md CACHE-009), written into one
 * growing buffer.
 *
 * @module
 */

/**
 * Accumulates CACHE-009 primitives (`u8`, `u32`, `str`, `digest`, `list`) and already framed bytes.
 *
 * @example
 * ```ts
 * const out = new FrameWriter(64);
 * out.str("/app/msg.txt");
 * out.digest("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
 * out.bytes().length; // 4 + 12 + 32
 * ```
 */
export class FrameWriter {
  #buffer: Uint8Array;
  #view: DataView;
  #length = 0;

  /** `capacity`: the expected size, so a long input list is not copied through every doubling. */
  constructor(capacity: number) {
    this.#buffer = new Uint8Array(Math.max(512, capacity));
    this.#view = new DataView(this.#buffer.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#length;
  }

  u8(value: number): void {
    this.#reserve(1);
    this.#buffer[this.#length++] = value;
  }

  u32(value: number): void {
    // Unreachable for JavaScript strings and arrays, whose lengths stay far below 2^32.
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new RangeError(`cache key field length ${value} does not fit in u32`);
    }
    this.#reserve(4);
    this.#view.setUint32(this.#length, value);
    this.#length += 4;
  }

  str(text: string): void {
    // At most three UTF-8 bytes per UTF-16 unit; TextEncoder writes a lone surrogate as U+FFFD,
    // as CACHE-009 requires.
    this.#reserve(4 + 3 * text.length);
    const { written } = ENCODER.encodeInto(text, this.#buffer.subarray(this.#length + 4));
    this.u32(written);
    this.#length += written;
  }

  digest(hex: string): void {
    // Lowercase only (03-cache.md §0). Checked and decoded natively: a key holds a digest per input
    // and two per predecessor.
    if (!LOWER_HEX_DIGEST.test(hex)) throw new TypeError(`not a 64-hex digest: ${hex}`);
    this.#reserve(32);
    this.#buffer.set(Buffer.from(hex, "hex"), this.#length);
    this.#length += 32;
  }

  list<T>(items: readonly T[], encodeItem: (item: T) => void): void {
    this.u32(items.length);
    for (const item of items) encodeItem(item);
  }

  /** Bytes framed elsewhere (the input entries a run shares between keys), copied as they are. */
  framed(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /** A copy of the bytes written. */
  bytes(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }

  /** The bytes written, without a copy: valid until the next write or {@linkcode reset}. */
  view(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }

  /** Starts over, keeping the buffer (a run derives a thousand keys of similar size). */
  reset(): void {
    this.#length = 0;
  }

  #reserve(extra: number): void {
    if (this.#length + extra <= this.#buffer.length) return;
    const grown = new Uint8Array(Math.max(2 * this.#buffer.length, this.#length + extra));
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
    this.#view = new DataView(grown.buffer);
  }
}

const ENCODER = new TextEncoder();

/** A digest as CACHE-009 frames it: 64 lowercase hex digits. */
const LOWER_HEX_DIGEST = /^[0-9a-f]{64}$/;
