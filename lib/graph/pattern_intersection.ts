/**
 * DAG-013 on pattern text: do two canonical patterns match a common path, does an output's coverage meet
 * an input, and does an input exclusion discount an output. Decided exactly, without the filesystem.
 *
 * Two alternatives are intersected by a search over pairs of segment positions (a `**` consumes zero
 * segments, or one segment of the other side); two ordinary segments meet when they share a non-empty
 * string, itself a search over pairs of token positions where character sets must intersect.
 *
 * @module
 */

import {
  advanceStates,
  ANY_CHARACTER,
  type CodePointSet,
  type CompiledAlternative,
  compilePattern,
  coverageAlternatives,
  type GlobSegment,
  type GlobToken,
  initialStates,
  intersectSets,
  statesCoverAllBelow,
} from "../domain/glob.ts";
import type { PathPattern } from "../domain/workspace.ts";

function tokenSet(token: GlobToken): CodePointSet {
  return token.kind === "star" ? ANY_CHARACTER : token.set;
}

/** Do two segments (neither a globstar) share a non-empty string? */
function segmentsMeet(a: readonly GlobToken[], b: readonly GlobToken[]): boolean {
  const width = b.length + 1;
  const seen = new Uint8Array((a.length + 1) * width * 2);
  const stack: number[] = [0, 0, 0];
  const push = (x: number, y: number, consumed: number) => {
    const slot = (x * width + y) * 2 + consumed;
    if (seen[slot] === 0) {
      seen[slot] = 1;
      stack.push(x, y, consumed);
    }
  };
  seen[0] = 1;
  while (stack.length > 0) {
    const consumed = stack.pop()!;
    const y = stack.pop()!;
    const x = stack.pop()!;
    if (x === a.length && y === b.length && consumed === 1) return true;
    const left = x < a.length ? a[x] : null;
    const right = y < b.length ? b[y] : null;
    // A star may also end without consuming anything more.
    if (left?.kind === "star") push(x + 1, y, consumed);
    if (right?.kind === "star") push(x, y + 1, consumed);
    if (left !== null && right !== null && intersectSets(tokenSet(left), tokenSet(right)).length > 0) {
      push(left.kind === "star" ? x : x + 1, right.kind === "star" ? y : y + 1, 1);
    }
  }
  return false;
}

const ANY_NAME_TOKENS: readonly GlobToken[] = [{ kind: "star" }];

function segmentIsSatisfiable(segment: GlobSegment): boolean {
  return segment.literal !== null || segment.anyName || segmentsMeet(segment.tokens, ANY_NAME_TOKENS);
}

function segmentPairMeets(a: GlobSegment, b: GlobSegment): boolean {
  if (a.literal !== null && b.literal !== null) return a.literal === b.literal;
  if (a.literal !== null) return b.anyName || b.regex!.test(a.literal);
  if (b.literal !== null) return a.anyName || a.regex!.test(b.literal);
  if (a.anyName) return segmentIsSatisfiable(b);
  if (b.anyName) return segmentIsSatisfiable(a);
  return segmentsMeet(a.tokens, b.tokens);
}

/** Does some path (no empty segment) match both alternatives? */
function alternativesMeet(p: CompiledAlternative, q: CompiledAlternative): boolean {
  const shared = Math.min(p.literalPrefixLength, q.literalPrefixLength);
  for (let index = 0; index < shared; index++) {
    if (p.segments[index].literal !== q.segments[index].literal) return false;
  }
  const n = p.segments.length;
  const m = q.segments.length;
  const width = m + 1;
  const seen = new Uint8Array((n + 1) * width);
  const stack: number[] = [shared, shared];
  seen[shared * width + shared] = 1;
  const push = (i: number, j: number) => {
    if (seen[i * width + j] === 0) {
      seen[i * width + j] = 1;
      stack.push(i, j);
    }
  };
  while (stack.length > 0) {
    const j = stack.pop()!;
    const i = stack.pop()!;
    if (i === n && j === m) return true;
    const left = i < n ? p.segments[i] : null;
    const right = j < m ? q.segments[j] : null;
    if (left?.globstar) push(i + 1, j);
    if (right?.globstar) push(i, j + 1);
    if (left === null || right === null) continue;
    if (left.globstar && !right.globstar) {
      if (segmentIsSatisfiable(right)) push(i, j + 1);
    } else if (right.globstar && !left.globstar) {
      if (segmentIsSatisfiable(left)) push(i + 1, j);
    } else if (!left.globstar && segmentPairMeets(left, right)) {
      push(i + 1, j + 1);
    }
  }
  return false;
}

function anyPairMeets(a: readonly CompiledAlternative[], b: readonly CompiledAlternative[]): boolean {
  return a.some((p) => b.some((q) => alternativesMeet(p, q)));
}

/**
 * DAG-013: do two canonical patterns match a common path? A literal matches only itself. Exact, decided
 * on the text alone.
 *
 * @example
 * ```ts
 * const a = { written: "[ab]*.txt", canonical: "/w/[ab]*.txt", isGlob: true };
 * const b = { written: "[^a]x*", canonical: "/w/[^a]x*", isGlob: true };
 * patternsIntersect(a, b); // true (`/w/bx.txt`)
 * ```
 */
export function patternsIntersect(a: PathPattern, b: PathPattern): boolean {
  if (!a.isGlob && !b.isGlob) return a.canonical === b.canonical;
  return anyPairMeets(compilePattern(a), compilePattern(b));
}

/**
 * DAG-013 producer test of one output against one input: a literal output `L` covers `L` and everything
 * below it; a glob output covers what it matches.
 *
 * @example
 * ```ts
 * const output = { written: "dist", canonical: "/w/dist", isGlob: false };
 * const input = { written: "dist/index.js", canonical: "/w/dist/index.js", isGlob: false };
 * coverageIntersects(output, input); // true
 * ```
 */
export function coverageIntersects(output: PathPattern, input: PathPattern): boolean {
  if (!output.isGlob && !input.isGlob) {
    return input.canonical === output.canonical || input.canonical.startsWith(output.canonical + "/");
  }
  return anyPairMeets(coverageAlternatives(output), compilePattern(input));
}

function isAtOrBelow(path: string, directory: string): boolean {
  return directory === "/" || path === directory || path.startsWith(directory + "/");
}

/** The literal directories an exclusion contains entirely: `D` for `D/**`, the path for a literal. */
function containedDirectories(exclusion: PathPattern): string[] {
  if (!exclusion.isGlob) return [exclusion.canonical];
  const directories: string[] = [];
  for (const alternative of compilePattern(exclusion)) {
    let states = initialStates(alternative);
    for (const segment of alternative.segments.slice(0, alternative.literalPrefixLength)) {
      states = advanceStates(alternative, states, segment.literal!);
    }
    if (statesCoverAllBelow(alternative, states)) directories.push(alternative.literalPrefix);
  }
  return directories;
}

/**
 * DAG-013 exclusion discount: does `exclusion` (one of B's input exclusions) contain the whole coverage
 * of `output` (one of A's outputs), decided conservatively on the text? True when the exclusion equals
 * the output, or is `D/**` (or the literal `D`) for a directory `D` that is a whole-segment prefix of
 * the output's static prefix (of every alternative of a glob output). Static prefixes are taken
 * unescaped, so an escaped project directory such as `/pkgs/\[x]` still counts as literal.
 *
 * @example
 * ```ts
 * const exclusion = { written: "dist/**", canonical: "/w/dist/**", isGlob: true };
 * exclusionDiscounts(exclusion, { written: "dist", canonical: "/w/dist", isGlob: false }); // true
 * exclusionDiscounts(exclusion, { written: "dist/*.js", canonical: "/w/dist/*.js", isGlob: true }); // true
 * ```
 */
export function exclusionDiscounts(exclusion: PathPattern, output: PathPattern): boolean {
  if (exclusion.canonical === output.canonical && exclusion.isGlob === output.isGlob) return true;
  const directories = containedDirectories(exclusion);
  if (directories.length === 0) return false;
  const prefixes = output.isGlob
    ? compilePattern(output).map((alternative) => alternative.literalPrefix)
    : [output.canonical];
  return prefixes.every((prefix) => directories.some((directory) => isAtOrBelow(prefix, directory)));
}
