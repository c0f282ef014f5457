/**
 * The directory walk shared by the file-watching adapters (WATCH-101, WATCH-102): included
 * directories without following symlinks, and every entry found on the way.
 *
 * @module
 */

import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { WatchError, type WatchErrorReason } from "../exec/file_watcher.ts";

/** What a walk found. */
export interface WalkedTree {
  /** `start` and every included directory below it, parents first. */
  readonly directories: string[];
  /** Every entry (files, symlinks, excluded and included directories) below `start`. */
  readonly entries: string[];
}

/**
 * Walks `start` (a directory that is watched) and every directory below it that `include` accepts;
 * symlinks are never followed. A directory that vanished during the walk is skipped.
 *
 * @example
 * ```ts
 * walkIncluded("/w", (dir) => !dir.endsWith("/node_modules")).directories; // ["/w", "/w/src"]
 * ```
 */
export function walkIncluded(start: string, include: (directory: string) => boolean): WalkedTree {
  const directories: string[] = [];
  const entries: string[] = [];
  const stack = [start];
  while (stack.length > 0) {
    const directory = stack.pop()!;
    directories.push(directory);
    let listing;
    try {
      listing = readdirSync(directory, { withFileTypes: true });
    } catch (error) {
      if (codeOf(error) === "ENOENT" || codeOf(error) === "ENOTDIR") continue;
      throw watchErrorOf(error, directory);
    }
    for (const entry of listing) {
      const path = join(directory, entry.name);
      entries.push(path);
      if (entry.isDirectory() && !entry.isSymbolicLink() && include(path)) stack.push(path);
    }
  }
  return { directories, entries };
}

/**
 * Places the watches of a new {@link FileWatch} on its root and everything included below it; on a
 * failure closes it and rejects with the {@link WatchError} (WATCH-105).
 *
 * @example
 * ```ts
 * const watch = await placeRoot(new NodeFileWatch(request.include), request.root);
 * ```
 */
export async function placeRoot<T extends { place(start: string): unknown; close(): Promise<void> }>(
  fileWatch: T,
  root: string,
): Promise<T> {
  try {
    lstatSync(root);
    await fileWatch.place(root);
  } catch (error) {
    await fileWatch.close();
    throw watchErrorOf(error, root);
  }
  return fileWatch;
}

/**
 * WATCH-105: the reason of a runtime error (`ENOSPC` and Deno's "OS file watch limit reached" are the
 * limit).
 *
 * @example
 * ```ts
 * watchErrorOf(Object.assign(new Error("no space"), { code: "ENOSPC" }), "/w").reason; // "limit"
 * ```
 */
export function watchErrorOf(error: unknown, path: string): WatchError {
  if (error instanceof WatchError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = codeOf(error);
  let reason: WatchErrorReason = "other";
  if (code === "ENOSPC" || code === "EMFILE" || /watch limit/i.test(message)) reason = "limit";
  else if (code === "ENOENT" || (error instanceof Error && error.name === "NotFound")) reason = "not-found";
  else if (
    code === "EACCES" || code === "EPERM" || (error instanceof Error && error.name === "PermissionDenied")
  ) {
    reason = "permission-denied";
  }
  return new WatchError(reason, path, message);
}

function codeOf(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}
