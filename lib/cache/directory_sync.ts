/**
 * Directory fsync for the store's durability order (CACHE-017 steps 4 and 6).
 *
 * @module
 */

import { open } from "node:fs/promises";
import { errorCode } from "./io_error.ts";

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
    if (UNSUPPORTED.has(errorCode(error) ?? "")) return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!UNSUPPORTED.has(errorCode(error) ?? "")) throw error;
  } finally {
    await handle.close();
  }
}
