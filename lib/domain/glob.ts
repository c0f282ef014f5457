/**
 * The glob grammar of 01-workspace.md §9 (PATH-009..016): syntax checks, brace expansion, static
 * prefixes, and a segment-wise matcher with EX-113 semantics. Patterns are compiled once and memoised.
 *
 * A compiled alternative is a list of segments; `**` segments match zero or more whole segments, and
 * a final `**` is rewritten as `*` followed by `**` so that it matches one or more (PATH-011). Matching
 * runs a small automaton over the path's segments, which also lets directory walks prune early.
 *
 * @module
 */

import type { PathPattern } from "./workspace.ts";

/** A violated glob rule (PATH-012..015) with a short lower-case reason. */
export interface GlobProblem {
  readonly rule: string;
  readonly reason: string;
}

/**
 * A set of code points as sorted, disjoint, inclusive ranges `[lo0, hi0, lo1, hi1, …]`. Sets built here
 * never contain `/`, which no glob token can match.
 */
export type CodePointSet = readonly number[];

/** One token of a segment: a run of any characters (`*`) or one character out of a set. */
export type GlobToken =
  | { readonly kind: "star" }
  | { readonly kind: "char"; readonly set: CodePointSet };

/** One `/`-separated segment of a compiled alternative. */
export interface GlobSegment {
  /** A whole-segment `**` (zero or more whole segments). */
  readonly globstar: boolean;
  /** Tokens with consecutive stars merged; empty for a globstar. */
  readonly tokens: readonly GlobToken[];
  /** The unescaped text when the segment is a plain literal, else null. */
  readonly literal: string | null;
  /** True for a lone `*`, which matches every (non-empty) segment. */
  readonly anyName: boolean;
  /** Whole-segment matcher for the other segments. */
  readonly regex: RegExp | null;
}

/** One brace-free alternative, compiled. */
export interface CompiledAlternative {
  readonly segments: readonly GlobSegment[];
  /** How many leading segments are plain literals. */
  readonly literalPrefixLength: number;
  /** Those leading literal segments, unescaped, as a workspace-absolute path (`/` when none). */
  readonly literalPrefix: string;
}

/** PATH-013: the most alternatives a pattern may expand to. */
export const MAX_ALTERNATIVES = 256;

const MAX_CODE_POINT = 0x10ffff;
const SLASH = 0x2f;
const BACKSLASH = 0x5c;
/** Every character a path segment can hold (`?` matches one of them). */
export const ANY_CHARACTER: CodePointSet = [0, SLASH - 1, SLASH + 1, MAX_CODE_POINT];
const GLOB_SPECIAL = /[*?[{\\]/;
const REGEX_SYNTAX = new Set([..."^$\\.*+?()[]{}|/"].map((c) => c.codePointAt(0)!));

type BracePiece = string | BraceGroup;
interface BraceGroup {
  readonly options: BracePiece[][];
}

function problem(rule: string, reason: string): GlobProblem {
  return { rule, reason };
}

function isProblem(value: object): value is GlobProblem {
  return "rule" in value;
}

function codePointLength(codePoint: number): number {
  return codePoint > 0xffff ? 2 : 1;
}

/** Reads one class member character at `at`, resolving `\` escapes. */
function readClassCharacter(text: string, at: number): { codePoint: number; next: number } | GlobProblem {
  let codePoint = text.codePointAt(at)!;
  let next = at + codePointLength(codePoint);
  if (codePoint === BACKSLASH) {
    if (next >= text.length) return problem("PATH-014", "a trailing `\\` escapes nothing");
    codePoint = text.codePointAt(next)!;
    next += codePointLength(codePoint);
  } else if (codePoint === 0x5b && text[next] === ":") {
    return problem("PATH-012", "character classes such as `[:alpha:]` are not supported");
  }
  if (codePoint === SLASH) return problem("PATH-012", "a class cannot contain `/`");
  return { codePoint, next };
}

/** Sorts and merges ranges, then removes `/`. */
function normaliseRanges(ranges: number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < ranges.length; i += 2) pairs.push([ranges[i], ranges[i + 1]]);
  pairs.sort((a, b) => a[0] - b[0]);
  const merged: number[] = [];
  for (const [low, high] of pairs) {
    const last = merged.length - 1;
    if (merged.length > 0 && low <= merged[last] + 1) merged[last] = Math.max(merged[last], high);
    else merged.push(low, high);
  }
  return intersectSets(merged, ANY_CHARACTER);
}

function complementSet(set: CodePointSet): number[] {
  const result: number[] = [];
  let next = 0;
  for (let i = 0; i < set.length; i += 2) {
    if (set[i] > next) result.push(next, set[i] - 1);
    next = set[i + 1] + 1;
  }
  if (next <= MAX_CODE_POINT) result.push(next, MAX_CODE_POINT);
  return intersectSets(result, ANY_CHARACTER);
}

/**
 * The intersection of two code point sets.
 *
 * @example
 * ```ts
 * intersectSets([0x61, 0x62], [0x62, 0x63]); // [0x62, 0x62]
 * ```
 */
export function intersectSets(a: CodePointSet, b: CodePointSet): number[] {
  const result: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const low = Math.max(a[i], b[j]);
    const high = Math.min(a[i + 1], b[j + 1]);
    if (low <= high) result.push(low, high);
    if (a[i + 1] < b[j + 1]) i += 2;
    else j += 2;
  }
  return result;
}

/**
 * Reads the class opening at `open` (PATH-012) and returns the index after its `]` and its set.
 */
function readClass(text: string, open: number): { end: number; set: CodePointSet } | GlobProblem {
  let at = open + 1;
  if (text[at] === "!") return problem("PATH-012", "use `[^` to negate a class");
  const negated = text[at] === "^";
  if (negated) at++;
  const ranges: number[] = [];
  let first = true;
  for (;;) {
    if (at >= text.length) return problem("PATH-015", "unclosed `[`");
    if (text[at] === "]" && !first) break;
    first = false;
    const low = readClassCharacter(text, at);
    if (isProblem(low)) return low;
    at = low.next;
    let high = low.codePoint;
    if (text[at] === "-" && at + 1 < text.length && text[at + 1] !== "]") {
      const end = readClassCharacter(text, at + 1);
      if (isProblem(end)) return end;
      if (end.codePoint < low.codePoint) {
        const range = `${String.fromCodePoint(low.codePoint)}-${String.fromCodePoint(end.codePoint)}`;
        return problem("PATH-012", `reversed range \`${range}\``);
      }
      high = end.codePoint;
      at = end.next;
    }
    ranges.push(low.codePoint, high);
  }
  const set = normaliseRanges(ranges);
  return { end: at + 1, set: negated ? complementSet(set) : set };
}

/** Splits a pattern into literal text and brace groups, checking PATH-012..015 on the way. */
function parseBraces(text: string): BracePiece[] | GlobProblem {
  const root: BracePiece[] = [];
  const open: { group: BraceGroup; parent: BracePiece[]; start: number }[] = [];
  let current = root;
  let buffer = "";
  const flush = () => {
    if (buffer !== "") current.push(buffer);
    buffer = "";
  };
  let at = 0;
  while (at < text.length) {
    const character = text[at];
    if (character === "\\") {
      if (at + 1 >= text.length) return problem("PATH-014", "a trailing `\\` escapes nothing");
      const escaped = String.fromCodePoint(text.codePointAt(at + 1)!);
      buffer += "\\" + escaped;
      at += 1 + escaped.length;
    } else if (character === "[") {
      const cls = readClass(text, at);
      if (isProblem(cls)) return cls;
      buffer += text.slice(at, cls.end);
      at = cls.end;
    } else if (character === "{") {
      flush();
      const group: BraceGroup = { options: [[]] };
      current.push(group);
      open.push({ group, parent: current, start: at });
      current = group.options[0];
      at++;
    } else if (character === "," && open.length > 0) {
      flush();
      const options = open[open.length - 1].group.options;
      current = [];
      options.push(current);
      at++;
    } else if (character === "}" && open.length > 0) {
      flush();
      const closed = open.pop()!;
      if (closed.group.options.length < 2) return groupWithoutComma(text.slice(closed.start, at + 1));
      current = closed.parent;
      at++;
    } else {
      buffer += character;
      at++;
    }
  }
  if (open.length > 0) return problem("PATH-015", "unclosed `{`");
  flush();
  return root;
}

function groupWithoutComma(group: string): GlobProblem {
  if (group.includes("..")) {
    return problem("PATH-013", `ranges such as \`${group}\` are not supported; list the alternatives`);
  }
  return problem("PATH-013", `\`${group}\` needs a top-level comma, e.g. \`{a,b}\``);
}

function countAlternatives(pieces: readonly BracePiece[]): number {
  let count = 1;
  for (const piece of pieces) {
    if (typeof piece === "string") continue;
    let sum = 0;
    for (const option of piece.options) sum += countAlternatives(option);
    count = Math.min(count * sum, MAX_ALTERNATIVES + 1);
  }
  return count;
}

function expandPieces(pieces: readonly BracePiece[]): string[] {
  let results = [""];
  for (const piece of pieces) {
    if (typeof piece === "string") {
      results = results.map((result) => result + piece);
      continue;
    }
    const suffixes = piece.options.flatMap(expandPieces);
    results = results.flatMap((result) => suffixes.map((suffix) => result + suffix));
  }
  return results;
}

/**
 * Checks the glob syntax of a pattern: classes (PATH-012), groups and the alternative limit (PATH-013),
 * escapes (PATH-014) and unclosed brackets (PATH-015). Returns the first problem from the left, or
 * null. Segment rules (PATH-002..006) are checked by `checkPattern` in `path_pattern.ts`.
 *
 * @example
 * ```ts
 * scanGlob("src/**\/*.ts"); // null
 * scanGlob("[!a]*"); // { rule: "PATH-012", reason: "use `[^` to negate a class" }
 * ```
 */
export function scanGlob(text: string): GlobProblem | null {
  const pieces = parseBraces(text);
  if (isProblem(pieces)) return pieces;
  if (countAlternatives(pieces) > MAX_ALTERNATIVES) {
    return problem("PATH-013", `expands to more than ${MAX_ALTERNATIVES} alternatives`);
  }
  return null;
}

/**
 * PATH-013 expansion of a checked glob into its brace-free alternatives (at most 256), left to right,
 * duplicates removed. Escapes and classes are kept as written.
 *
 * @example
 * ```ts
 * expandBraces("/w/{a,b/{c,d}}.txt"); // ["/w/a.txt", "/w/b/c.txt", "/w/b/d.txt"]
 * ```
 */
export function expandBraces(pattern: string): string[] {
  const pieces = parseBraces(pattern);
  if (isProblem(pieces)) throw new Error(`unchecked glob \`${pattern}\`: ${pieces.reason}`);
  return [...new Set(expandPieces(pieces))];
}

/**
 * Escapes the glob characters `*`, `?`, `[`, `{` and `\` of a literal text (PATH-001).
 *
 * @example
 * ```ts
 * escapeGlob("/pkgs/[x]"); // "/pkgs/\\[x]"
 * ```
 */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[{\\]/g, "\\$&");
}

/**
 * PATH-016: the static prefix of one brace-free alternative, the leading segments that contain none of
 * `* ? [ { \`. A workspace-absolute alternative yields `/` when no segment is static.
 *
 * @example
 * ```ts
 * staticPrefix("/web/src/**\/*.ts"); // "/web/src"
 * staticPrefix("/*.json"); // "/"
 * ```
 */
export function staticPrefix(alternative: string): string {
  const absolute = alternative.startsWith("/");
  const segments = (absolute ? alternative.slice(1) : alternative).split("/");
  const fixed: string[] = [];
  for (const segment of segments) {
    if (GLOB_SPECIAL.test(segment)) break;
    fixed.push(segment);
  }
  return absolute ? "/" + fixed.join("/") : fixed.join("/");
}

/** Tokenises a brace-free alternative into raw segments (tokens and whether the segment is `**`). */
function tokeniseAlternative(alternative: string): { tokens: GlobToken[]; globstar: boolean }[] {
  const segments: { tokens: GlobToken[]; globstar: boolean }[] = [];
  let tokens: GlobToken[] = [];
  let raw = "";
  const endSegment = () => {
    segments.push({ tokens, globstar: raw === "**" });
    tokens = [];
    raw = "";
  };
  let at = alternative.startsWith("/") ? 1 : 0;
  while (at < alternative.length) {
    let codePoint = alternative.codePointAt(at)!;
    let next = at + codePointLength(codePoint);
    if (codePoint === BACKSLASH) {
      codePoint = alternative.codePointAt(next)!;
      next += codePointLength(codePoint);
      if (codePoint === SLASH) {
        endSegment();
      } else {
        tokens.push({ kind: "char", set: [codePoint, codePoint] });
        raw += "\\" + String.fromCodePoint(codePoint);
      }
    } else if (codePoint === SLASH) {
      endSegment();
    } else if (codePoint === 0x2a) {
      tokens.push({ kind: "star" });
      raw += "*";
    } else if (codePoint === 0x3f) {
      tokens.push({ kind: "char", set: ANY_CHARACTER });
      raw += "?";
    } else if (codePoint === 0x5b) {
      const cls = readClass(alternative, at);
      if (isProblem(cls)) throw new Error(`unchecked glob \`${alternative}\`: ${cls.reason}`);
      tokens.push({ kind: "char", set: cls.set });
      raw += "[";
      next = cls.end;
    } else {
      tokens.push({ kind: "char", set: [codePoint, codePoint] });
      raw += String.fromCodePoint(codePoint);
    }
    at = next;
  }
  endSegment();
  return segments;
}

function regexSource(tokens: readonly GlobToken[]): string {
  let source = "";
  for (const token of tokens) {
    if (token.kind === "star") {
      source += "[^/]*";
    } else if (token.set.length === 2 && token.set[0] === token.set[1]) {
      const codePoint = token.set[0];
      source += REGEX_SYNTAX.has(codePoint)
        ? "\\" + String.fromCodePoint(codePoint)
        : String.fromCodePoint(codePoint);
    } else {
      let members = "";
      for (let i = 0; i < token.set.length; i += 2) {
        const low = `\\u{${token.set[i].toString(16)}}`;
        members += token.set[i] === token.set[i + 1] ? low : `${low}-\\u{${token.set[i + 1].toString(16)}}`;
      }
      source += `[${members}]`;
    }
  }
  return `^${source}$`;
}

function literalText(tokens: readonly GlobToken[]): string | null {
  let text = "";
  for (const token of tokens) {
    if (token.kind === "star" || token.set.length !== 2 || token.set[0] !== token.set[1]) return null;
    text += String.fromCodePoint(token.set[0]);
  }
  return text;
}

const GLOBSTAR: GlobSegment = { globstar: true, tokens: [], literal: null, anyName: false, regex: null };
const ANY_NAME: GlobSegment = {
  globstar: false,
  tokens: [{ kind: "star" }],
  literal: null,
  anyName: true,
  regex: null,
};

function makeSegment(tokens: readonly GlobToken[]): GlobSegment {
  const merged: GlobToken[] = [];
  for (const token of tokens) {
    if (token.kind === "star" && merged.at(-1)?.kind === "star") continue;
    merged.push(token);
  }
  if (merged.length === 1 && merged[0].kind === "star") return ANY_NAME;
  const literal = literalText(merged);
  const regex = literal === null ? new RegExp(regexSource(merged), "u") : null;
  return { globstar: false, tokens: merged, literal, anyName: false, regex };
}

function literalSegment(text: string): GlobSegment {
  const tokens: GlobToken[] = [];
  for (const character of text) {
    const codePoint = character.codePointAt(0)!;
    tokens.push({ kind: "char", set: [codePoint, codePoint] });
  }
  return { globstar: false, tokens, literal: text, anyName: false, regex: null };
}

/** Collapses repeated `**` and rewrites a final `**` as `*` + `**` (one or more segments). */
function finishAlternative(raw: readonly GlobSegment[]): CompiledAlternative {
  const segments: GlobSegment[] = [];
  for (const segment of raw) {
    if (segment.globstar && segments.at(-1)?.globstar) continue;
    segments.push(segment);
  }
  if (segments.at(-1)?.globstar) segments.splice(segments.length - 1, 0, ANY_NAME);
  let literalPrefixLength = 0;
  while (literalPrefixLength < segments.length && segments[literalPrefixLength].literal !== null) {
    literalPrefixLength++;
  }
  const literalPrefix = "/" + segments.slice(0, literalPrefixLength).map((s) => s.literal).join("/");
  return { segments, literalPrefixLength, literalPrefix };
}

/**
 * Compiles one brace-free alternative of a checked glob.
 *
 * @example
 * ```ts
 * compileAlternative("/web/src/**").literalPrefix; // "/web/src"
 * ```
 */
export function compileAlternative(alternative: string): CompiledAlternative {
  if (alternative.includes("\\") || alternative.includes("[")) {
    return finishAlternative(tokeniseAlternative(alternative).map(compiledSegment));
  }
  // Without escapes and classes a segment ends at every `/`: names without glob characters (most of
  // them) become shared literal segments, the others are tokenised alone.
  const body = alternative.startsWith("/") ? alternative.slice(1) : alternative;
  return finishAlternative(
    body.split("/").map((segment) =>
      GLOB_SPECIAL.test(segment)
        ? compiledSegment(tokeniseAlternative(segment)[0])
        : sharedLiteralSegment(segment)
    ),
  );
}

function compiledSegment(raw: { tokens: GlobToken[]; globstar: boolean }): GlobSegment {
  return raw.globstar ? GLOBSTAR : makeSegment(raw.tokens);
}

/** Literal segments by name: an imported workspace compiles the same directory names thousands of times. */
const literalSegments = new Map<string, GlobSegment>();

function sharedLiteralSegment(name: string): GlobSegment {
  let segment = literalSegments.get(name);
  if (segment === undefined) {
    segment = literalSegment(name);
    literalSegments.set(name, segment);
  }
  return segment;
}

/**
 * The alternative of a literal path (no glob syntax), optionally extended by `/**` (everything below).
 *
 * @example
 * ```ts
 * literalAlternative("/w/dist", true).segments.length; // 4: w, dist, *, **
 * ```
 */
export function literalAlternative(path: string, below: boolean): CompiledAlternative {
  const segments = pathSegments(path).map(literalSegment);
  return finishAlternative(below ? [...segments, GLOBSTAR] : segments);
}

/**
 * The segments of a path: `/a/b` → `["a", "b"]` (a leading `/` is dropped; `/` → `[]`).
 *
 * @example
 * ```ts
 * pathSegments("/web/src/a.ts"); // ["web", "src", "a.ts"]
 * ```
 */
export function pathSegments(path: string): string[] {
  const body = path.startsWith("/") ? path.slice(1) : path;
  return body === "" ? [] : body.split("/");
}

const compiledGlobs = new Map<string, readonly CompiledAlternative[]>();
const compiledLiterals = new Map<string, readonly CompiledAlternative[]>();
const compiledCoverage = new Map<string, readonly CompiledAlternative[]>();
const globMatchers = new Map<string, (path: string) => boolean>();

/**
 * The compiled alternatives of a checked canonical glob (memoised).
 *
 * @example
 * ```ts
 * compileGlobAlternatives("/w/{a,b}/*").length; // 2
 * ```
 */
export function compileGlobAlternatives(canonicalGlob: string): readonly CompiledAlternative[] {
  let alternatives = compiledGlobs.get(canonicalGlob);
  if (alternatives === undefined) {
    alternatives = expandBraces(canonicalGlob).map(compileAlternative);
    compiledGlobs.set(canonicalGlob, alternatives);
  }
  return alternatives;
}

/**
 * The compiled alternatives of a pattern: a glob's expansion, or the literal path itself (memoised).
 *
 * @example
 * ```ts
 * compilePattern({ written: "dist", canonical: "/w/dist", isGlob: false }).length; // 1
 * ```
 */
export function compilePattern(pattern: PathPattern): readonly CompiledAlternative[] {
  if (pattern.isGlob) return compileGlobAlternatives(pattern.canonical);
  let alternatives = compiledLiterals.get(pattern.canonical);
  if (alternatives === undefined) {
    alternatives = [literalAlternative(pattern.canonical, false)];
    compiledLiterals.set(pattern.canonical, alternatives);
  }
  return alternatives;
}

/**
 * The coverage of a pattern as alternatives (DAG-013): a literal `L` covers `L` and `L/**`; a glob
 * covers what it matches (memoised).
 *
 * @example
 * ```ts
 * coverageAlternatives({ written: "dist", canonical: "/w/dist", isGlob: false }).length; // 2
 * ```
 */
export function coverageAlternatives(pattern: PathPattern): readonly CompiledAlternative[] {
  if (pattern.isGlob) return compileGlobAlternatives(pattern.canonical);
  let alternatives = compiledCoverage.get(pattern.canonical);
  if (alternatives === undefined) {
    alternatives = [
      literalAlternative(pattern.canonical, false),
      literalAlternative(pattern.canonical, true),
    ];
    compiledCoverage.set(pattern.canonical, alternatives);
  }
  return alternatives;
}

/**
 * Does one compiled segment match one path segment (never empty, never containing `/`)?
 *
 * @example
 * ```ts
 * segmentMatches(compileAlternative("/*.ts").segments[0], "a.ts"); // true
 * ```
 */
export function segmentMatches(segment: GlobSegment, name: string): boolean {
  if (segment.literal !== null) return segment.literal === name;
  if (segment.anyName) return true;
  return segment.regex!.test(name);
}

function addWithClosure(alternative: CompiledAlternative, states: number[], state: number): void {
  const segments = alternative.segments;
  for (let index = state;; index++) {
    if (states.includes(index)) return;
    states.push(index);
    if (index >= segments.length || !segments[index].globstar) return;
  }
}

/**
 * The automaton states of an alternative before any segment is consumed.
 *
 * @example
 * ```ts
 * initialStates(compileAlternative("/**\/x")); // [0, 1]
 * ```
 */
export function initialStates(alternative: CompiledAlternative): number[] {
  const states: number[] = [];
  addWithClosure(alternative, states, 0);
  return states;
}

/**
 * The states after consuming one path segment; empty when the alternative can no longer match.
 *
 * @example
 * ```ts
 * const alternative = compileAlternative("/a/*.ts");
 * advanceStates(alternative, advanceStates(alternative, initialStates(alternative), "a"), "x.ts"); // [2]
 * ```
 */
export function advanceStates(
  alternative: CompiledAlternative,
  states: readonly number[],
  name: string,
): number[] {
  const next: number[] = [];
  const segments = alternative.segments;
  for (const state of states) {
    if (state >= segments.length) continue;
    const segment = segments[state];
    if (segment.globstar) addWithClosure(alternative, next, state);
    else if (segmentMatches(segment, name)) addWithClosure(alternative, next, state + 1);
  }
  return next;
}

/**
 * Do the states accept the path consumed so far?
 *
 * @example
 * ```ts
 * const alternative = compileAlternative("/a");
 * statesAccept(alternative, advanceStates(alternative, initialStates(alternative), "a")); // true
 * ```
 */
export function statesAccept(alternative: CompiledAlternative, states: readonly number[]): boolean {
  return states.includes(alternative.segments.length);
}

/**
 * Can a path that extends the one consumed so far still match (is a walk below worth it)?
 *
 * @example
 * ```ts
 * const alternative = compileAlternative("/a/*");
 * statesCanExtend(alternative, advanceStates(alternative, initialStates(alternative), "a")); // true
 * ```
 */
export function statesCanExtend(alternative: CompiledAlternative, states: readonly number[]): boolean {
  return states.some((state) => state < alternative.segments.length);
}

/**
 * Does the alternative match every path strictly below the one consumed so far (e.g. `dist/**` after
 * `dist`)? Used to skip excluded directories and to decide exclusion discounts.
 *
 * @example
 * ```ts
 * const alternative = compileAlternative("/dist/**");
 * statesCoverAllBelow(alternative, advanceStates(alternative, initialStates(alternative), "dist")); // true
 * ```
 */
export function statesCoverAllBelow(alternative: CompiledAlternative, states: readonly number[]): boolean {
  const segments = alternative.segments;
  return states.some((state) => {
    let names = 0;
    let globstar = false;
    for (let index = state; index < segments.length; index++) {
      if (segments[index].globstar) globstar = true;
      else if (segments[index].anyName) names++;
      else return false;
    }
    return globstar && names <= 1;
  });
}

/**
 * Does a compiled alternative match a whole path?
 *
 * @example
 * ```ts
 * alternativeMatches(compileAlternative("/p/**\/x"), "/p/x"); // true
 * ```
 */
export function alternativeMatches(alternative: CompiledAlternative, path: string): boolean {
  if (alternative.literalPrefixLength === alternative.segments.length) {
    return alternative.literalPrefix === (path.startsWith("/") ? path : `/${path}`);
  }
  let states = initialStates(alternative);
  for (const name of pathSegments(path)) {
    states = advanceStates(alternative, states, name);
    if (states.length === 0) return false;
  }
  return statesAccept(alternative, states);
}

/**
 * Whole-path matcher for one checked canonical glob with EX-113 semantics: case-sensitive, code point by
 * code point, no special treatment of dot-files, braces expanded first (memoised per glob).
 *
 * @example
 * ```ts
 * const matches = compileGlob("/p/**");
 * matches("/p/a/b/.c"); // true
 * matches("/p"); // false
 * ```
 */
export function compileGlob(canonicalGlob: string): (path: string) => boolean {
  let matcher = globMatchers.get(canonicalGlob);
  if (matcher === undefined) {
    const alternatives = compileGlobAlternatives(canonicalGlob);
    matcher = (path) => alternatives.some((alternative) => alternativeMatches(alternative, path));
    globMatchers.set(canonicalGlob, matcher);
  }
  return matcher;
}

/**
 * Does a pattern match a canonical path? A literal matches only itself; a glob what it matches.
 *
 * @example
 * ```ts
 * patternMatches({ written: "src/*.ts", canonical: "/web/src/*.ts", isGlob: true }, "/web/src/a.ts"); // true
 * ```
 */
export function patternMatches(pattern: PathPattern, path: string): boolean {
  return pattern.isGlob ? compileGlob(pattern.canonical)(path) : pattern.canonical === path;
}

/**
 * Output coverage test for one path (DAG-013): a literal covers itself and everything below it; a glob
 * covers what it matches.
 *
 * @example
 * ```ts
 * coverageMatchesPath({ written: "dist", canonical: "/w/dist", isGlob: false }, "/w/dist/a.js"); // true
 * ```
 */
export function coverageMatchesPath(output: PathPattern, path: string): boolean {
  if (output.isGlob) return compileGlob(output.canonical)(path);
  return path === output.canonical || path.startsWith(output.canonical + "/");
}

/**
 * Does an input exclusion (CFG-044) remove a path? A glob removes what it matches; a literal removes
 * the path itself and everything below it, like a literal directory output (DAG-013 treats the
 * literal directory `D` as containing everything below it).
 *
 * @example
 * ```ts
 * exclusionMatchesPath({ written: "dist", canonical: "/w/dist", isGlob: false }, "/w/dist/a.js"); // true
 * ```
 */
export function exclusionMatchesPath(exclusion: PathPattern, path: string): boolean {
  return coverageMatchesPath(exclusion, path);
}

/**
 * PATH-021 for one path: matched by some inclusion and by no exclusion. This is the input matching of
 * EXEC-019 (a materialised path against a task's input patterns).
 *
 * @example
 * ```ts
 * const all = { written: "**", canonical: "/w/**", isGlob: true };
 * const dist = { written: "dist/**", canonical: "/w/dist/**", isGlob: true };
 * inputPatternsMatch([all], [dist], "/w/dist/a.js"); // false
 * ```
 */
export function inputPatternsMatch(
  inclusions: readonly PathPattern[],
  exclusions: readonly PathPattern[],
  path: string,
): boolean {
  return inclusions.some((inclusion) => patternMatches(inclusion, path)) &&
    !exclusions.some((exclusion) => exclusionMatchesPath(exclusion, path));
}
