/**
 * Which recorded output paths an entry may name (03-cache.md CACHE-030): the containment rules
 * that keep a restore inside the workspace and out of `.haz/` and `.git/` (CACHE-036).
 *
 * @module
 */

import { coverageMatchesPath } from "../domain/glob.ts";
import type { TaskDefinition } from "../domain/workspace.ts";

/** Code points of general category Cc, Cf, Cn, Co, Cs (lone surrogates), Zl or Zp (§0, PATH-005). */
const FORBIDDEN_CODE_POINT = /[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}\p{Zl}\p{Zp}]/u;

/**
 * A valid manifest path: workspace-absolute, not `/`, no empty, `.`, `..` or `.git` segment, no
 * forbidden code point, and not under `/.haz`.
 *
 * @example
 * ```ts
 * isValidManifestPath("/app/out.txt"); // true
 * isValidManifestPath("/app/../../etc/x"); // false
 * ```
 */
export function isValidManifestPath(path: string): boolean {
  if (!path.startsWith("/") || path === "/" || FORBIDDEN_CODE_POINT.test(path)) return false;
  const segments = path.slice(1).split("/");
  if (segments[0] === ".haz") return false;
  return segments.every((segment) =>
    segment !== "" && segment !== "." && segment !== ".." && segment !== ".git"
  );
}

/**
 * CACHE-030 for lookup: the path is valid and one of the task's declared outputs covers it (equal
 * to a literal, under a literal taken as a directory, or matched by a glob).
 *
 * @example
 * ```ts
 * isRestorablePath(task, "/app/out.txt"); // true when `outputs: [out.txt]` in project `app`
 * ```
 */
export function isRestorablePath(task: TaskDefinition, path: string): boolean {
  return isValidManifestPath(path) && task.outputs.some((output) => coverageMatchesPath(output, path));
}
