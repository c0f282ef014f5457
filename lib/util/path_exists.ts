/**
 * Whether a path names anything at all, without following a final symbolic link.
 *
 * @module
 */

import { lstat } from "node:fs/promises";

/**
 * True when `lstat` succeeds on `path`: any file type counts, a dangling link included; any failure
 * (absent, unreadable parent) counts as absent.
 *
 * @example
 * ```ts
 * await pathExists("/work/shop/haz.yml"); // true
 * ```
 */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
