/**
 * Expansion of the member patterns that `package.json` `workspaces` and `deno.json` `workspace`
 * declare (05-cli.md §7.1, candidate sources 1 and 2).
 *
 * @module
 */

import picomatch from "picomatch";
import { hostPath, isRealDirectory, walkDirectories } from "./directory_walk.ts";

/** How {@link expandMemberPatterns} reads its patterns. */
export interface MemberPatterns {
  /** Host path of `<dir>`. */
  readonly root: string;
  /** Patterns as declared; a leading `!` excludes what it matches. */
  readonly patterns: readonly string[];
}

/**
 * The real directories under `root` that a positive pattern names or matches and no `!` pattern
 * matches, as `/`-separated relative paths (`.` for the root), unsorted and without duplicates.
 * A leading `./` and a trailing `/` are ignored; absolute patterns and patterns that climb out with
 * `..` name nothing inside `<dir>` and are ignored. Globs follow picomatch (`*` and `**` skip names
 * starting with `.`) and never descend into `node_modules` or symlinked directories.
 *
 * @example
 * ```ts
 * await expandMemberPatterns({ root: "/repo", patterns: ["packages/*", "!packages/legacy"] });
 * // ["packages/a", "packages/b"]
 * ```
 */
export async function expandMemberPatterns(members: MemberPatterns): Promise<string[]> {
  const included = new Set<string>();
  const exclusions: ((path: string) => boolean)[] = [];
  for (const declared of members.patterns) {
    const negated = declared.startsWith("!");
    const pattern = normalizePattern(negated ? declared.slice(1) : declared);
    if (pattern === null) continue;
    if (negated) {
      exclusions.push(picomatch(pattern));
      continue;
    }
    for (const path of await patternDirectories(members.root, pattern)) included.add(path);
  }
  return [...included].filter((path) => !exclusions.some((excluded) => excluded(path)));
}

/** Strips `./` prefixes and trailing `/`; null for patterns that cannot name a directory inside. */
function normalizePattern(declared: string): string | null {
  let pattern = declared.trim();
  if (pattern === "") return null;
  while (pattern.startsWith("./")) pattern = pattern.slice(2);
  pattern = pattern.replace(/\/+$/, "");
  if (pattern === "" || pattern === ".") return ".";
  if (pattern.startsWith("/") || pattern.split("/").includes("..")) return null;
  return pattern.split("/").filter((segment) => segment !== "" && segment !== ".").join("/");
}

async function patternDirectories(root: string, pattern: string): Promise<string[]> {
  const scan = picomatch.scan(pattern);
  if (!scan.isGlob) return (await isRealDirectory(hostPath(root, pattern))) ? [pattern] : [];
  const start = scan.base === "" ? "." : scan.base;
  const maxDepth = scan.glob.includes("**") ? Number.POSITIVE_INFINITY : scan.glob.split("/").length;
  const matches = picomatch(pattern);
  const directories = await walkDirectories({ root, start, maxDepth });
  return directories.filter((path) => path !== "." && matches(path));
}
