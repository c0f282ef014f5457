/**
 * Streaming file reads with hashing (CACHE-006, CACHE-038): bounded memory for any file size.
 *
 * @module
 */

import { type BigIntStats, readFileSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { fileIdentity, identityOf } from "../util/file_identity.ts";
import type { HashAlgorithm } from "./hash_algorithm.ts";
import type { InputDigestMemo } from "./input_stat_cache.ts";

/** Size of one read; also the replay chunk limit (CACHE-019). */
export const CHUNK_BYTES = 64 * 1024;

/** A file's digest, byte count and the metadata seen when it was opened (CACHE-035 compares them). */
export interface FileDigest {
  readonly digest: string;
  readonly size: number;
  readonly mtimeNs: bigint;
  readonly ino: bigint;
}

/**
 * Hashes a file's content (through symlinks): a small file in one read, a larger one chunk by chunk
 * (bounded memory). With `memo` (the input stat cache, PERF-002) a regular file whose identity is
 * remembered is not read, and a file read with the same identity before and after is offered to it.
 * `seen` is a `stat` of the file (through symlinks) the caller took just before, which saves asking
 * again. Throws the `node:fs` error on I/O failure.
 *
 * @example
 * ```ts
 * const { digest, size } = await hashFile("/work/app/msg.txt", sha256);
 * ```
 */
export async function hashFile(
  hostPath: string,
  hash: HashAlgorithm,
  memo?: InputDigestMemo,
  seen: BigIntStats = statSync(hostPath, { bigint: true }),
): Promise<FileDigest> {
  // Most inputs and outputs are small: a synchronous stat and whole-file read take microseconds,
  // far less than the four promise round trips of the streamed path (open, stat, read, close),
  // which larger files keep for bounded memory.
  const identity = memo !== undefined && seen.isFile() ? identityOf(seen) : null;
  if (identity !== null) {
    const digest = memo?.recall(hostPath, identity.key);
    if (digest !== undefined) {
      return { digest, size: Number(seen.size), mtimeNs: seen.mtimeNs, ino: seen.ino };
    }
  }
  let result: FileDigest;
  if (seen.isFile() && seen.size <= CHUNK_BYTES) {
    const bytes = readFileSync(hostPath);
    const hasher = hash.create();
    hasher.update(bytes);
    result = { digest: hasher.digestHex(), size: bytes.length, mtimeNs: seen.mtimeNs, ino: seen.ino };
  } else {
    result = await hashStreamed(hostPath, hash);
  }
  // Unchanged from before the read to after it: the digest belongs to this identity.
  if (identity !== null && fileIdentity(hostPath).key === identity.key) {
    memo?.remember(hostPath, identity, result.digest);
  }
  return result;
}

async function hashStreamed(hostPath: string, hash: HashAlgorithm): Promise<FileDigest> {
  const handle = await open(hostPath, "r");
  try {
    const stat = await handle.stat({ bigint: true });
    const hasher = hash.create();
    // One byte more than the file holds, so a small file is read, end of file included, in one call.
    const buffer = new Uint8Array(Math.min(CHUNK_BYTES, Number(stat.size) + 1));
    const regular = stat.isFile();
    let size = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hasher.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
      // A short read of a regular file happens only at its end (POSIX), so no final empty read.
      if (regular && bytesRead < buffer.length && size >= Number(stat.size)) break;
    }
    return { digest: hasher.digestHex(), size, mtimeNs: stat.mtimeNs, ino: stat.ino };
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
