/**
 * Streaming file reads with hashing (CACHE-006, CACHE-038): bounded memory for any file size.
 *
 * @module
 */

import { open } from "node:fs/promises";
import type { HashAlgorithm } from "./hash_algorithm.ts";

/** Size of one read; also the replay chunk limit (CACHE-019). */
export const CHUNK_BYTES = 64 * 1024;

/** A file's digest, byte count and the metadata seen when it was opened. */
export interface FileDigest {
  readonly digest: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

/**
 * Hashes a file's content (through symlinks) chunk by chunk. Throws the `node:fs` error on I/O failure.
 *
 * @example
 * ```ts
 * const { digest, size } = await hashFile("/work/app/msg.txt", sha256);
 * ```
 */
export async function hashFile(hostPath: string, hash: HashAlgorithm): Promise<FileDigest> {
  const handle = await open(hostPath, "r");
  try {
    const stat = await handle.stat();
    const hasher = hash.create();
    const buffer = new Uint8Array(CHUNK_BYTES);
    let size = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hasher.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { digest: hasher.digestHex(), size, mtimeMs: stat.mtimeMs, ino: stat.ino };
  } finally {
    await handle.close();
  }
}

/**
 * Reads a file in chunks of at most {@link CHUNK_BYTES}, handing each chunk (a fresh buffer) to
 * `onChunk`. Throws the `node:fs` error on I/O failure.
 *
 * @example
 * ```ts
 * await readChunks("/work/.haz/cache/db/db17…/stdout", (chunk) => sink.write(chunk));
 * ```
 */
export async function readChunks(hostPath: string, onChunk: (chunk: Uint8Array) => void): Promise<void> {
  const handle = await open(hostPath, "r");
  try {
    for (;;) {
      const buffer = new Uint8Array(CHUNK_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      onChunk(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
}
