/**
 * Streaming file reads with hashing (CACHE-006, CACHE-038): bounded memory for any file size.
 *
 * @module
 */

import { readFileSync, statSync } from "node:fs";
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
 * Hashes a file's content (through symlinks): a small file in one read, a larger one chunk by chunk
 * (bounded memory). Throws the `node:fs` error on I/O failure.
 *
 * @example
 * ```ts
 * const { digest, size } = await hashFile("/work/app/msg.txt", sha256);
 * ```
 */
export async function hashFile(hostPath: string, hash: HashAlgorithm): Promise<FileDigest> {
  // Most inputs and outputs are small: a synchronous stat and whole-file read take microseconds,
  // far less than the four promise round trips of the streamed path (open, stat, read, close),
  // which larger files keep for bounded memory.
  const seen = statSync(hostPath);
  if (seen.isFile() && seen.size <= CHUNK_BYTES) {
    const bytes = readFileSync(hostPath);
    const hasher = hash.create();
    hasher.update(bytes);
    return { digest: hasher.digestHex(), size: bytes.length, mtimeMs: seen.mtimeMs, ino: seen.ino };
  }
  return await hashStreamed(hostPath, hash);
}

async function hashStreamed(hostPath: string, hash: HashAlgorithm): Promise<FileDigest> {
  const handle = await open(hostPath, "r");
  try {
    const stat = await handle.stat();
    const hasher = hash.create();
    // One byte more than the file holds, so a small file is read, end of file included, in one call.
    const buffer = new Uint8Array(Math.min(CHUNK_BYTES, stat.size + 1));
    const regular = stat.isFile();
    let size = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hasher.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
      // A short read of a regular file happens only at its end (POSIX), so no final empty read.
      if (regular && bytesRead < buffer.length && size >= stat.size) break;
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
