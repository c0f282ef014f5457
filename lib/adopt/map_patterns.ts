/**
 * Mapping turbo and Deno path entries to haz patterns (08-adoption.md ADOPT-043, ADOPT-045).
 *
 * @module
 */

import { posix } from "node:path";
import { checkPattern, isGlobPattern } from "../domain/path_pattern.ts";

/** The result of mapping one source entry. */
export type MappedPattern =
  /** `$TURBO_DEFAULT$`: the package's source set. */
  | { readonly kind: "default" }
  /** A haz entry: `text` relative to the package unless it starts with `/`. */
  | { readonly kind: "pattern"; readonly text: string; readonly exclude: boolean }
  /** Not expressible (W-PATTERN): the PATH rule's reason. */
  | { readonly kind: "invalid"; readonly reason: string };

const TURBO_ROOT = "$TURBO_ROOT$/";

/**
 * Maps one entry declared in the package at `packageDir` (`.` for the root).
 *
 * @example
 * ```ts
 * mapSourcePattern("tsconfig.json", "packages/ui"); // { kind: "pattern", text: "tsconfig.json{,/**}", exclude: false }
 * mapSourcePattern("!README.md", "."); // { kind: "pattern", text: "README.md{,/**}", exclude: true }
 * mapSourcePattern("$TURBO_ROOT$/tsconfig.json", "apps/web").kind; // "pattern" ("/tsconfig.json{,/**}")
 * ```
 */
export function mapSourcePattern(entry: string, packageDir: string): MappedPattern {
  const exclude = entry.startsWith("!");
  let text = exclude ? entry.slice(1) : entry;
  if (text === "$TURBO_DEFAULT$") return exclude ? invalidEntry() : { kind: "default" };
  let absolute = false;
  if (text.startsWith(TURBO_ROOT)) {
    text = text.slice(TURBO_ROOT.length);
    absolute = true;
  }
  while (text.startsWith("./")) text = text.slice(2);
  if (!absolute && (text === ".." || text.startsWith("../"))) {
    const joined = posix.normalize(packageDir === "." ? text : `${packageDir}/${text}`);
    if (joined === ".." || joined.startsWith("../")) {
      return { kind: "invalid", reason: "`..` segments are not allowed" };
    }
    text = joined === "." ? "" : joined;
    absolute = true;
  }
  if (text.endsWith("/") && text.length > 1) text = `${text.replace(/\/+$/, "")}/**`;
  text = text.replaceAll("[!", "[^");
  if (text === "" || text === ".") return invalidEntry();
  const glob = isGlobPattern(text);
  if (!glob || (exclude && !text.endsWith("/**"))) text = `${text}{,/**}`;
  if (absolute) text = `/${text}`;
  const problem = checkPattern(text);
  if (problem !== null) return { kind: "invalid", reason: problem.reason };
  return { kind: "pattern", text, exclude };
}

function invalidEntry(): MappedPattern {
  return { kind: "invalid", reason: "the pattern is empty" };
}
