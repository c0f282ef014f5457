/**
 * Streaming file reads with hashing (CACHE-006, CACHE-038): bounded memory for any file size.
 *
 * @module
 */

import { type BigIntStats, readFileSync, statSync } from "node:fs";
import { fileIdentity, identityOf } from "../util/file_identity.ts";
import type { HashAlgorithm } from "./hash_algorithm.ts";
import type { InputDigestMemo } from "./input_stat_cache.ts";
import { nodeFsPromises } from "../util/builtin_modules.ts";

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
  const known = hashFileNow(hostPath, hash, memo, seen);
  if (known !== null) return known;
  const result = await hashStreamed(hostPath, hash);
  rememberDigest(hostPath, memo, seen, result.digest);
  return result;
}

/**
 * {@link hashFile} synchronously, for the files it can answer without the streamed read: one whose
 * digest `memo` remembers, or a regular file of at most {@link CHUNK_BYTES}. Null for any other
 * (the caller then uses {@link hashFile}). Throws the `node:fs` error on I/O failure.
 *
 * @example
 * ```ts
 * const known = hashFileNow("/work/app/msg.txt", sha256, memo, statSync("/work/app/msg.txt", { bigint: true }));
 * known?.digest; // "5891b5b5…"
 * ```
 */
export function hashFileNow(
  hostPath: string,
  hash: HashAlgorithm,
  memo: InputDigestMemo | undefined,
  seen: BigIntStats,
): FileDigest | null {
  // Most inputs and outputs are small: a synchronous stat and whole-file read take microseconds,
  // far less than the four promise round trips of the streamed path (open, stat, read, close),
  // which larger files keep for bounded memory.
  if (memo !== undefined && seen.isFile()) {
    const digest = memo.recall(hostPath, identityOf(seen).key);
    if (digest !== undefined) {
      return { digest, size: Number(seen.size), mtimeNs: seen.mtimeNs, ino: seen.ino };
    }
  }
  if (!seen.isFile() || seen.size > CHUNK_BYTES) return null;
  const bytes = readFileSync(hostPath);
  const hasher = hash.create();
  hasher.update(bytes);
  const digest = hasher.digestHex();
  rememberDigest(hostPath, memo, seen, digest);
  return { digest, size: bytes.length, mtimeNs: seen.mtimeNs, ino: seen.ino };
}

/** Offers a digest to the memo when the file kept, from before the read to after it, the identity `seen`. */
function rememberDigest(
  hostPath: string,
  memo: InputDigestMemo | undefined,
  seen: BigIntStats,
  digest: string,
): void {
  if (memo === undefined || !seen.isFile()) return;
  const identity = identityOf(seen);
  if (fileIdentity(hostPath).key === identity.key) memo.remember(hostPath, identity, digest);
}

async function hashStreamed(hostPath: string, hash: HashAlgorithm): Promise<FileDigest> {
  const handle = await nodeFsPromises().open(hostPath, "r");
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
  const handle = await nodeFsPromises().open(hostPath, "r");
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
