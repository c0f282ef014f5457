/**
 * Path patterns (01-workspace.md §9): validation (PATH-002..016), glob detection (PATH-008) and the
 * canonical workspace-absolute form (PATH-001).
 *
 * @module
 */

import { escapeGlob, expandBraces, scanGlob } from "./glob.ts";
import type { PathPattern, PatternSpec } from "./workspace.ts";

/**
 * Why a pattern is invalid. The CLI/loader prints ``invalid path pattern `<p>`: <reason>`` under `rule`.
 */
export interface PatternProblem {
  /** `PATH-002` … `PATH-016`. */
  readonly rule: string;
  /** A short lower-case phrase, e.g. "empty segment". */
  readonly reason: string;
}

/** PATH-005: general categories Cc, Cf, Cn, Co, Cs (lone surrogates), Zl and Zp. */
const FORBIDDEN_CODE_POINT = /[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}\p{Zl}\p{Zp}]/u;
const GLOB_CHARACTER = /[*?[{\\]/;
/** Glob characters that are not escaped (used to tell a literal segment of a glob). */
const UNESCAPED_GLOB_CHARACTER = /(?:^|[^\\])(?:\\\\)*[*?[{]/;

/**
 * PATH-008: a pattern is a glob iff it contains `*`, `?`, `[`, `{` or `\`.
 *
 * @example
 * ```ts
 * isGlobPattern("src/**"); // true
 * isGlobPattern("dist/index.js"); // false
 * ```
 */
export function isGlobPattern(text: string): boolean {
  return GLOB_CHARACTER.test(text);
}

/** The literal value of a glob segment without unescaped glob characters, else null. */
function literalValue(segment: string, glob: boolean): string | null {
  if (!glob) return segment;
  if (UNESCAPED_GLOB_CHARACTER.test(segment)) return null;
  return segment.replace(/\\(.)/gsu, "$1");
}

/** PATH-002..004 and PATH-006 on the segments of a pattern body (the text after a leading `/`). */
function checkSegments(body: string, glob: boolean): PatternProblem | null {
  if (body === "") return { rule: "PATH-002", reason: "the pattern is empty" };
  const segments = body.split("/");
  const empty = segments.indexOf("");
  if (empty === segments.length - 1) return { rule: "PATH-003", reason: "trailing `/`" };
  if (empty >= 0) return { rule: "PATH-003", reason: "empty segment" };
  const values = segments.map((segment) => literalValue(segment, glob));
  for (const value of values) {
    if (value === "." || value === "..") {
      return { rule: "PATH-004", reason: `\`${value}\` segments are not allowed` };
    }
  }
  for (const value of values) {
    if (value === ".haz" || value === ".git") {
      return { rule: "PATH-006", reason: `\`${value}\` segments are not allowed` };
    }
  }
  return null;
}

/**
 * Checks PATH-002..016 on a pattern as written (without the `!` of an exclusion) and returns the first
 * problem, or null when the pattern is valid. Order: emptiness, code points, glob syntax, segments, then
 * every brace alternative (a bad alternative is PATH-013, e.g. `a/{,b}/c` expands to `a//c`).
 *
 * @example
 * ```ts
 * checkPattern("src/**\/*.ts"); // null
 * checkPattern("../x"); // { rule: "PATH-004", reason: "`..` segments are not allowed" }
 * checkPattern("[!a]*"); // { rule: "PATH-012", reason: "use `[^` to negate a class" }
 * ```
 */
export function checkPattern(text: string): PatternProblem | null {
  // Generated workspaces repeat the same workspace-absolute patterns across thousands of tasks.
  if (checkedPatterns.has(text)) return checkedPatterns.get(text)!;
  const problem = uncachedCheckPattern(text);
  if (checkedPatterns.size >= CHECKED_PATTERNS_MAX) checkedPatterns.clear();
  checkedPatterns.set(text, problem);
  return problem;
}

/** Memo of {@linkcode checkPattern}: pure on the text; cleared when it grows past the bound. */
const checkedPatterns = new Map<string, PatternProblem | null>();
const CHECKED_PATTERNS_MAX = 100_000;

function uncachedCheckPattern(text: string): PatternProblem | null {
  const absolute = text.startsWith("/");
  const body = absolute ? text.slice(1) : text;
  if (body === "") return { rule: "PATH-002", reason: "the pattern is empty" };
  const forbidden = FORBIDDEN_CODE_POINT.exec(text);
  if (forbidden !== null) {
    const codePoint = forbidden[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
    return { rule: "PATH-005", reason: `contains the disallowed character U+${codePoint}` };
  }
  const glob = isGlobPattern(text);
  if (glob) {
    const syntax = scanGlob(text);
    if (syntax !== null) return syntax;
  }
  const segments = checkSegments(body, glob);
  if (segments !== null || !glob) return segments;
  for (const alternative of expandBraces(text)) {
    const issue = checkSegments(absolute ? alternative.slice(1) : alternative, true);
    if (issue !== null) {
      return { rule: "PATH-013", reason: `alternative \`${alternative}\`: ${issue.reason}` };
    }
  }
  return null;
}

/**
 * PATH-001: the canonical, workspace-absolute text of a pattern owned by the project at `projectRoot`
 * (`/` or `/libs/core`). A project-relative glob gets the project part glob-escaped.
 *
 * @example
 * ```ts
 * canonicalPattern("src/**\/*.ts", "/apps/web"); // "/apps/web/src/**\/*.ts"
 * canonicalPattern("dist", "/"); // "/dist"
 * canonicalPattern("src/*.ts", "/pkgs/[x]"); // "/pkgs/\\[x]/src/*.ts"
 * ```
 */
export function canonicalPattern(text: string, projectRoot: string): string {
  return canonicalText(text, projectRoot, isGlobPattern(text));
}

function canonicalText(text: string, projectRoot: string, isGlob: boolean): string {
  if (text.startsWith("/")) return text;
  const root = isGlob ? escapeGlob(projectRoot) : projectRoot;
  return root === "/" ? `/${text}` : `${root}/${text}`;
}

/**
 * Resolves a checked pattern spec into the {@link PathPattern} of a project (PATH-001, PATH-008).
 *
 * @example
 * ```ts
 * resolvePattern({ text: "dist", exclude: false }, "/web");
 * // { written: "dist", canonical: "/web/dist", isGlob: false }
 * ```
 */
export function resolvePattern(spec: PatternSpec, projectRoot: string): PathPattern {
  const written = spec.text;
  const isGlob = isGlobPattern(written);
  const canonical = canonicalText(written, projectRoot, isGlob);
  return spec.location === undefined
    ? { written, canonical, isGlob }
    : { written, canonical, isGlob, location: spec.location };
}
