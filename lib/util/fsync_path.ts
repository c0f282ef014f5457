/**
 * fsync by path, for durable files and renames: the cache store (CACHE-017), atomic file writes and
 * `haz init`.
 *
 * @module
 */

import { open } from "node:fs/promises";

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
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    if (UNSUPPORTED.has(codeOf(error))) return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!UNSUPPORTED.has(codeOf(error))) throw error;
  } finally {
    await handle.close();
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
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function codeOf(error: unknown): string {
  return String((error as { code?: unknown } | null)?.code ?? "");
}
