/**
 * Copies a file while hashing it (CACHE-017 step 1, CACHE-020 step 2).
 *
 * @module
 */

import { chmodSync, closeSync, fstatSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { CHUNK_BYTES } from "./file_hash.ts";
import type { HashAlgorithm } from "./hash_algorithm.ts";
import { nodeFsPromises } from "../util/builtin_modules.ts";

/** What a copy saw: the content digest and length, and the source's permission bits. */
export interface CopyResult {
  readonly digest: string;
  readonly size: number;
  readonly mode: number;
}

/** Options of {@link copyHashing}. */
export interface CopyOptions {
  readonly source: string;
  /** Created exclusively; must not exist. */
  readonly destination: string;
  readonly hash: HashAlgorithm;
  /** Permission bits given to the copy. */
  readonly destinationMode: number;
}

/**
 * Streams `source` into a new file `destination`, hashing the bytes. Throws the `node:fs` error on
 * I/O failure (the partial copy is left for the caller's cleanup of its directory).
 *
 * @example
 * ```ts
 * const { digest, size, mode } = await copyHashing({
 *   source: "/work/app/out.txt", destination: "/work/.haz/cache/db/.tmp-…/outputs/3fa9…",
 *   hash: sha256, destinationMode: 0o644,
 * });
 * ```
 */
export async function copyHashing(options: CopyOptions): Promise<CopyResult> {
  const small = copySmallHashing(options);
  if (small !== null) return small;
  const input = await nodeFsPromises().open(options.source, "r");
  try {
    const mode = (await input.stat()).mode & 0o777;
    const output = await nodeFsPromises().open(options.destination, "wx", options.destinationMode);
    try {
      const hasher = options.hash.create();
      const buffer = new Uint8Array(CHUNK_BYTES);
      let size = 0;
      for (;;) {
        const { bytesRead } = await input.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        const chunk = buffer.subarray(0, bytesRead);
        hasher.update(chunk);
        await writeAll(output, chunk);
        size += bytesRead;
      }
      // The umask may have narrowed the requested mode.
      await output.chmod(options.destinationMode);
      return { digest: hasher.digestHex(), size, mode };
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
}

/**
 * The copy of a file of at most one chunk, with synchronous calls: a few microseconds each, where
 * the promise round trips of the streaming copy cost more than the bytes (most task outputs are
 * small). Null, having created nothing, when the file is larger; {@link copyHashing} then streams it.
 *
 * @example
 * ```ts
 * copySmallHashing({ source: blob, destination: staged, hash: sha256, destinationMode: 0o644 })?.digest;
 * ```
 */
export function copySmallHashing(options: CopyOptions): CopyResult | null {
  const input = openSync(options.source, "r");
  let bytes: Uint8Array;
  let mode: number;
  try {
    const stat = fstatSync(input);
    if (stat.size > CHUNK_BYTES) return null;
    mode = stat.mode & 0o777;
    bytes = readFileSync(input);
  } finally {
    closeSync(input);
  }
  const hasher = options.hash.create();
  hasher.update(bytes);
  writeFileSync(options.destination, bytes, { flag: "wx", mode: options.destinationMode });
  // The umask may have narrowed the requested mode.
  chmodSync(options.destination, options.destinationMode);
  return { digest: hasher.digestHex(), size: bytes.length, mode };
}

/**
 * Writes every byte of `chunk` at the handle's current position (a write may be partial).
 *
 * @example
 * ```ts
 * await writeAll(handle, new TextEncoder().encode("hello\n"));
 * ```
 */
export async function writeAll(
  handle: { write(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }> },
  chunk: Uint8Array,
): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}
