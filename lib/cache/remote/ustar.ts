/**
 * The strict POSIX ustar profile of an artifact's archive (07-remote-cache.md REMOTE-041): one
 * header layout for writing and the checks for reading.
 *
 * @module
 */

/** Size of a header and of a data block. */
export const BLOCK = 512;

/** The largest member the 11 octal digits of `size` can describe (REMOTE-041). */
export const MAX_MEMBER_BYTES = 8589934591;

const ASCII = new TextEncoder();

/**
 * The header of one member, exactly as REMOTE-041 prescribes.
 *
 * @example
 * ```ts
 * ustarHeader("stdout", 0).length; // 512
 * ```
 */
export function ustarHeader(name: string, size: number): Uint8Array {
  const header = new Uint8Array(BLOCK);
  const put = (offset: number, text: string) => header.set(ASCII.encode(text), offset);
  put(0, name);
  put(100, "0000644\0");
  put(108, "0000000\0");
  put(116, "0000000\0");
  put(124, size.toString(8).padStart(11, "0") + "\0");
  put(136, "00000000000\0");
  put(148, "        ");
  put(156, "0");
  put(257, "ustar\0");
  put(263, "00");
  put(148, checksumOf(header).toString(8).padStart(6, "0") + "\0 ");
  return header;
}

/** A parsed header: the member's name and data size. */
export interface UstarMember {
  readonly name: string;
  readonly size: number;
}

/**
 * Reads one header with the REMOTE-044 step 3 checks; a string is the reason it is not one.
 *
 * @example
 * ```ts
 * parseUstarHeader(ustarHeader("stdout", 5)); // { name: "stdout", size: 5 }
 * ```
 */
export function parseUstarHeader(header: Uint8Array): UstarMember | string {
  // `apply` over the bytes, not a spread: no iterator per call (this runs for every member).
  const text = (offset: number, length: number) =>
    String.fromCharCode.apply(null, header.subarray(offset, offset + length) as unknown as number[]);
  const stored = text(148, 8);
  if (!/^[0-7]{6}\0 $/.test(stored) || parseInt(stored.slice(0, 6), 8) !== checksumOf(header)) {
    return "header checksum mismatch";
  }
  if (text(257, 6) !== "ustar\0" || text(263, 2) !== "00") return "not a ustar header";
  if (header[156] !== 0x30) return "member is not a regular file";
  if (!allZero(header.subarray(157, 257)) || !allZero(header.subarray(345, 500))) {
    return "member has a link name or a name prefix";
  }
  const size = text(124, 12);
  if (!/^[0-7]{11}\0$/.test(size)) return "malformed member size";
  const nameBytes = header.subarray(0, 100);
  const end = nameBytes.indexOf(0);
  const name = text(0, end === -1 ? 100 : end);
  return { name, size: parseInt(size.slice(0, 11), 8) };
}

/**
 * True when every byte is zero (an end block).
 *
 * @example
 * ```ts
 * allZero(new Uint8Array(512)); // true
 * ```
 */
export function allZero(bytes: Uint8Array): boolean {
  // Indexed, not `for … of`: the iterator protocol costs a call per byte before the code is compiled.
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * Zero bytes that pad a member of `size` bytes to a whole number of blocks.
 *
 * @example
 * ```ts
 * paddingOf(6); // 506
 * ```
 */
export function paddingOf(size: number): number {
  return (BLOCK - size % BLOCK) % BLOCK;
}

function checksumOf(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  return sum;
}
