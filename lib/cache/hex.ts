/**
 * Lowercase hexadecimal text for digests (03-cache.md §0: hex is lowercase everywhere).
 *
 * @module
 */

/** 64 lowercase hex characters: a digest's text form and an entry's name. */
export const DIGEST_HEX = /^[0-9a-f]{64}$/;

/**
 * Decodes lowercase or uppercase hex into bytes; the text must have even length.
 *
 * @example
 * ```ts
 * hexToBytes("00ff"); // Uint8Array [0, 255]
 * ```
 */
export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new TypeError(`not hex: ${hex}`);
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    const high = nibble(hex.charCodeAt(2 * i));
    const low = nibble(hex.charCodeAt(2 * i + 1));
    if (high < 0 || low < 0) throw new TypeError(`not hex: ${hex}`);
    bytes[i] = (high << 4) | low;
  }
  return bytes;
}

/** The value of one hex digit's character code, or -1 (key derivation decodes thousands of digests). */
function nibble(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  return -1;
}

/**
 * Encodes bytes as lowercase hex.
 *
 * @example
 * ```ts
 * bytesToHex(Uint8Array.of(0, 255)); // "00ff"
 * ```
 */
export function bytesToHex(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += byte.toString(16).padStart(2, "0");
  return text;
}
