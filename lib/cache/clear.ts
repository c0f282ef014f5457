/**
 * `haz cache clear` (03-cache.md CACHE-021, AUX-029): removes `.haz/cache` recursively, following
 * no symbolic link.
 *
 * @module
 */

import { lstat } from "node:fs/promises";
import { relative, sep } from "node:path";
import { errorMessage, isNotFound } from "./io_error.ts";
import { CACHE_ROOT_DISPLAY, cacheRootOf } from "./layout.ts";
import { removeTree } from "./remove_tree.ts";

/** What `haz cache clear` prints: `text` for stdout, `error` for stderr (then exit 2); each ends with a newline. */
export interface ClearResult {
  readonly text: string;
  readonly error: string | null;
}

/**
 * Removes the cache root (a symlink there is itself removed). An absent root is not an error.
 *
 * @example
 * ```ts
 * const { text, error } = await clearCache("/work");
 * text; // "cleared .haz/cache\n"
 * ```
 */
export async function clearCache(workspaceRoot: string): Promise<ClearResult> {
  const root = cacheRootOf(workspaceRoot);
  try {
    await lstat(root);
  } catch (error) {
    if (isNotFound(error)) {
      return { text: `nothing to clear: ${CACHE_ROOT_DISPLAY} does not exist\n`, error: null };
    }
    return failure(CACHE_ROOT_DISPLAY, error);
  }
  const removed = await removeTree(root);
  if (!removed.ok) return failure(displayPath(workspaceRoot, removed.hostPath), removed.error);
  return { text: `cleared ${CACHE_ROOT_DISPLAY}\n`, error: null };
}

function failure(path: string, error: unknown): ClearResult {
  return { text: "", error: `error: cache clear: could not remove ${path}: ${errorMessage(error)}\n` };
}

/** A host path below the workspace root as reports print it (relative, `/`-separated). */
function displayPath(workspaceRoot: string, hostPath: string): string {
  return relative(workspaceRoot, hostPath).split(sep).join("/");
}
