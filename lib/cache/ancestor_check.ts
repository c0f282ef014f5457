/**
 * The ancestor rule shared by store and restore (CACHE-020 step 1, CACHE-032, CACHE-036): every
 * existing directory between the workspace root and a path must be a real directory, never a
 * symbolic link, so nothing is read or written through a link.
 *
 * @module
 */

import { lstatSync } from "node:fs";
import { join } from "node:path";
import { isNotFound } from "./io_error.ts";

/** The verdict on a path's ancestors. */
export type AncestorCheck =
  /** Every existing ancestor is a real directory; `missing` is the first absent one, if any. */
  | { readonly kind: "ok"; readonly missing: string | null }
  /** `ancestor` (workspace-absolute) is a symlink or not a directory. */
  | { readonly kind: "blocked"; readonly ancestor: string; readonly reason: string };

/**
 * Checks the ancestors of a workspace-absolute path below the workspace root, top down, with
 * `lstat`. Throws the `node:fs` error for I/O failures other than "not found".
 *
 * @example
 * ```ts
 * await checkAncestors("/work", "/app/dist/a.js"); // { kind: "ok", missing: null }
 * ```
 */
export function checkAncestors(workspaceRoot: string, path: string): Promise<AncestorCheck> {
  // The executor turns a thrown I/O error into the rejection.
  return new Promise((resolve) => resolve(checkAncestorsSync(workspaceRoot, path)));
}

/**
 * {@link checkAncestors}, synchronously (a restore plans every hit's outputs with it). `checkedDown`,
 * a workspace-absolute ancestor the caller has just verified (or created), skips it and the ones above.
 *
 * @example
 * ```ts
 * checkAncestorsSync("/work", "/app/dist/a.js"); // { kind: "ok", missing: null }
 * checkAncestorsSync("/work", "/app/dist/a.js", "/app"); // checks only /app/dist
 * ```
 */
export function checkAncestorsSync(workspaceRoot: string, path: string, checkedDown = ""): AncestorCheck {
  const segments = path.slice(1).split("/");
  const first = checkedDown === "" ? 1 : checkedDown.split("/").length;
  for (let depth = first; depth < segments.length; depth++) {
    const ancestor = "/" + segments.slice(0, depth).join("/");
    try {
      // Synchronous: a local lstat costs a few microseconds, far less than a promise round trip,
      // and a cached run checks every output's ancestors.
      const stat = lstatSync(join(workspaceRoot, ancestor));
      if (stat.isSymbolicLink()) {
        return { kind: "blocked", ancestor, reason: `\`${ancestor}\` is a symbolic link` };
      }
      if (!stat.isDirectory()) {
        return { kind: "blocked", ancestor, reason: `\`${ancestor}\` is not a directory` };
      }
    } catch (error) {
      if (isNotFound(error)) return { kind: "ok", missing: ancestor };
      throw error;
    }
  }
  return { kind: "ok", missing: null };
}
