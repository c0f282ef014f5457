/**
 * fsync by path, for durable files and renames: the cache store (CACHE-017), atomic file writes and
 * `haz init`.
 *
 * The descriptor is opened and closed synchronously (a metadata operation on a name the caller just
 * wrote: microseconds) and only the fsync itself goes to the thread pool: one round trip per file
 * instead of three (open, sync, close), which on a loaded machine is most of a small file's cost.
 *
 * @module
 */

import { closeSync, fsync, openSync } from "node:fs";

/** Codes by which a platform says it cannot open or sync a directory (CACHE-017). */
const UNSUPPORTED = new Set(["EISDIR", "EINVAL", "EPERM", "ENOTSUP", "EOPNOTSUPP"]);

/**
 * fsyncs a directory so that the names created or renamed in it are durable. Skipped silently where
 * the platform rejects opening or syncing a directory; other errors are thrown.
 *
 * @example
 * ```ts
 * await syncDirectory("/work/.haz/cache/db");
 * ```
 */
export async function syncDirectory(path: string): Promise<void> {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    if (UNSUPPORTED.has(codeOf(error))) return;
    throw error;
  }
  try {
    await syncDescriptor(fd);
  } catch (error) {
    if (!UNSUPPORTED.has(codeOf(error))) throw error;
  } finally {
    closeSync(fd);
  }
}

/**
 * fsyncs a file that was written and closed earlier, so that a batch of files can be made durable
 * side by side. Throws the `node:fs` error.
 *
 * @example
 * ```ts
 * await Promise.all(["/tmp/a", "/tmp/b"].map(syncFile));
 * ```
 */
export async function syncFile(path: string): Promise<void> {
  const fd = openSync(path, "r");
  try {
    await syncDescriptor(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * fsyncs a file through a descriptor the caller still holds (and closes afterwards): a file just
 * written needs no second open to be made durable.
 *
 * @example
 * ```ts
 * const fd = openSync("/tmp/a", "wx");
 * writeSync(fd, bytes);
 * await syncOpenFile(fd);
 * closeSync(fd);
 * ```
 */
export function syncOpenFile(fd: number): Promise<void> {
  return syncDescriptor(fd);
}

function syncDescriptor(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (error) => error ? reject(error) : resolve()));
}

function codeOf(error: unknown): string {
  return String((error as { code?: unknown } | null)?.code ?? "");
}
