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
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new TypeError(`not hex: ${hex}`);
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
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
