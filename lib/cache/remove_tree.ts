/**
 * Recursive removal that never follows a symbolic link (AUX-023, AUX-029) and reports which path
 * could not be removed (the runtimes' own `rm` errors do not always name it).
 *
 * @module
 */

import { lstat, readdir, rmdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import { errorCode, isNotFound } from "./io_error.ts";

/** Times a directory is emptied again when a concurrent `haz run` adds to it meanwhile (XPROC-005). */
const REFILL_ROUNDS = 5;

/** The outcome of a removal: the first path that could not be removed, with its error. */
export type RemoveTreeResult = { ok: true } | { ok: false; hostPath: string; error: unknown };

/**
 * Removes a file, a symlink (the link itself) or a directory with everything below it. Goes on
 * after a failure (best effort) and returns the first one. Paths that vanish meanwhile are fine; a
 * directory that a concurrent run fills meanwhile (a store or restore directory) is emptied again.
 *
 * @example
 * ```ts
 * const removed = await removeTree("/work/.haz/cache");
 * if (!removed.ok) report(removed.hostPath, removed.error);
 * ```
 */
export async function removeTree(hostPath: string): Promise<RemoveTreeResult> {
  let isDirectory: boolean;
  try {
    isDirectory = (await lstat(hostPath)).isDirectory();
  } catch (error) {
    return isNotFound(error) ? { ok: true } : { ok: false, hostPath, error };
  }
  if (!isDirectory) {
    try {
      await unlink(hostPath);
    } catch (error) {
      if (!isNotFound(error)) return { ok: false, hostPath, error };
    }
    return { ok: true };
  }
  for (let round = 1;; round++) {
    let firstFailure: RemoveTreeResult = { ok: true };
    let names: string[] = [];
    try {
      names = await readdir(hostPath);
    } catch (error) {
      if (!isNotFound(error)) return { ok: false, hostPath, error };
    }
    for (const name of names) {
      const removed = await removeTree(join(hostPath, name));
      if (firstFailure.ok && !removed.ok) firstFailure = removed;
    }
    try {
      await rmdir(hostPath);
    } catch (error) {
      if (isNotFound(error)) return firstFailure;
      if (
        firstFailure.ok && ["ENOTEMPTY", "EEXIST"].includes(errorCode(error) ?? "") && round < REFILL_ROUNDS
      ) continue;
      // A failure below explains why this directory is not empty; report that one.
      if (firstFailure.ok) firstFailure = { ok: false, hostPath, error };
    }
    return firstFailure;
  }
}
