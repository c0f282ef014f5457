/**
 * The bounded directory walk behind `haz init`'s candidate discovery (05-cli.md §7.1): real
 * directories only, never into `node_modules` or a directory whose name starts with `.`.
 *
 * @module
 */

import { lstat, readdir, stat } from "node:fs/promises";
import { join } from "node:path";

/** What {@link walkDirectories} visits. */
export interface DirectoryWalk {
  /** Host path of `<dir>`. */
  readonly root: string;
  /** `/`-separated path relative to `root` where the walk starts (`.` for `root` itself). */
  readonly start: string;
  /** Deepest level listed below `start` (0 lists `start` alone). */
  readonly maxDepth: number;
}

/**
 * Lists `start` (when it is a real directory) and the directories below it down to `maxDepth`, as
 * `/`-separated paths relative to `root` (`.` for the root). Symlinked directories are neither
 * listed nor entered; `node_modules` and names starting with `.` (so `.git` and `.haz`) are skipped.
 * Unreadable directories are skipped silently.
 *
 * @example
 * ```ts
 * await walkDirectories({ root: "/repo", start: "packages", maxDepth: 1 });
 * // ["packages", "packages/a", "packages/b"]
 * ```
 */
export async function walkDirectories(walk: DirectoryWalk): Promise<string[]> {
  if (!(await isRealDirectory(hostPath(walk.root, walk.start)))) return [];
  const found: string[] = [];
  let level = [walk.start];
  for (let depth = 0; depth <= walk.maxDepth && level.length > 0; depth++) {
    found.push(...level);
    if (depth === walk.maxDepth) break;
    const next: string[] = [];
    for (const directory of level) next.push(...(await childDirectories(walk.root, directory)));
    level = next;
  }
  return found;
}

/**
 * Whether a path is a directory that is not a symbolic link.
 *
 * @example
 * ```ts
 * await isRealDirectory("/repo/packages"); // true
 * ```
 */
export async function isRealDirectory(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Whether a path is a regular file or a symbolic link to one.
 *
 * @example
 * ```ts
 * await isFile("/repo/package.json"); // true
 * ```
 */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * The host path of a `/`-separated path relative to `root` (`.` is `root`).
 *
 * @example
 * ```ts
 * hostPath("/repo", "packages/a"); // "/repo/packages/a"
 * ```
 */
export function hostPath(root: string, relative: string): string {
  return relative === "." ? root : join(root, ...relative.split("/"));
}

async function childDirectories(root: string, directory: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(hostPath(root, directory), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.isDirectory() && entry.name !== "node_modules" && !entry.name.startsWith("."))
    .map((entry) => (directory === "." ? entry.name : `${directory}/${entry.name}`));
}
