/**
 * The `inputs` of a cached imported task (08-adoption.md ADOPT-041, 042, 046): contributions of the task
 * and of its closure, merged so that the written list is never smaller than what the source hashes.
 *
 * @module
 */

import { resolvePattern } from "../domain/path_pattern.ts";
import { compileGlobAlternatives, staticPrefix } from "../domain/glob.ts";
import { compareBytes } from "../domain/task_id.ts";
import type { PathPattern } from "../domain/workspace.ts";
import { coverageIntersects, exclusionDiscounts, patternsIntersect } from "../graph/pattern_intersection.ts";

/** One entry as written in the task's file (relative to its project, or workspace-absolute). */
export interface InputEntry {
  readonly text: string;
  readonly exclude: boolean;
}

/** A list of inclusions with the exclusions that apply to them, in writing order. */
export type Contribution = readonly InputEntry[];

/** The outputs of other imported tasks that may meet inclusions with these prefixes (ADOPT-046). */
export interface ForeignOutputs {
  candidates(inclusionPrefixes: ReadonlySet<string>): Iterable<ForeignOutput>;
}

/** An output of another imported task, for ADOPT-046. */
export interface ForeignOutput {
  /** As it would be written in the task's file. */
  readonly text: string;
  /** Its canonical pattern. */
  readonly pattern: PathPattern;
  /** {@linkcode prefixOf} the pattern. */
  readonly prefix: string;
}

/** What {@linkcode mergeInputs} needs. */
export interface InputMerge {
  /** Workspace-absolute root of the task's project (`/`, `/apps/web`). */
  readonly projectRoot: string;
  /** Contributions in writing order (ADOPT-071); the last is the global inputs. */
  readonly contributions: readonly Contribution[];
  /** Outputs of imported tasks that are neither the task nor in its closure. */
  readonly foreignOutputs: ForeignOutputs;
}

/** Exclusions every source set carries; they do not stop an inclusion from being covered. */
const STANDARD_EXCLUSION = /(^|\/)(\*\*\/node_modules\/\*\*|\.turbo\/\*\*)$/;

interface Resolved {
  readonly entry: InputEntry;
  readonly pattern: PathPattern;
  readonly key: string;
  /** Static prefix of the canonical pattern (the whole path for a literal). */
  readonly prefix: string;
  readonly contribution: number;
}

/**
 * Merges contributions into the written `inputs` (ADOPT-042), then appends the exclusions of
 * ADOPT-046 in bytewise order. Patterns meet only when one static prefix contains the other, so
 * every pairing goes through a prefix index: a thousand-package closure stays linear.
 *
 * @example
 * ```ts
 * mergeInputs({ projectRoot: "/ui", contributions: [[{ text: "**", exclude: false }]], foreignOutputs: [] });
 * // ["**"]
 * ```
 */
export function mergeInputs(merge: InputMerge): string[] {
  const contributions = merge.contributions.map((contribution, index) =>
    contribution.map((entry): Resolved => {
      const { pattern, prefix } = resolveCached(entry.text, merge.projectRoot);
      return {
        entry,
        pattern,
        key: `${entry.exclude ? "!" : ""}${pattern.canonical}`,
        prefix,
        contribution: index,
      };
    })
  );
  const covering = new PrefixIndex<{ directory: string; contribution: number }>();
  const specificExclusions = contributions.map((contribution) =>
    contribution.filter((item) => item.entry.exclude && !STANDARD_EXCLUSION.test(item.pattern.canonical))
  );
  for (const contribution of contributions) {
    for (const item of contribution) {
      if (item.entry.exclude || !item.pattern.isGlob) continue;
      const directory = wholeDirectory(item.pattern.canonical);
      if (directory !== null) covering.add(directory, { directory, contribution: item.contribution });
    }
  }
  const kept = covering.isEmpty()
    ? contributions
    : contributions.map((contribution) =>
      contribution.filter((item) => {
        if (item.entry.exclude) return true;
        const own = item.pattern.isGlob ? wholeDirectory(item.pattern.canonical) : null;
        return !covering.containing(item.prefix).some((cover) =>
          cover.contribution !== item.contribution && cover.directory !== own &&
          !specificExclusions[cover.contribution].some((exclusion) =>
            patternsIntersect(exclusion.pattern, item.pattern)
          )
        );
      })
    );
  // Only exclusions need the inclusions by prefix; most explicit `inputs` have none.
  const inclusions = new PrefixIndex<Resolved>();
  let keysOf: Set<string>[] = [];
  if (kept.some((contribution) => contribution.some((item) => item.entry.exclude))) {
    for (const contribution of kept) {
      for (const item of contribution) if (!item.entry.exclude) inclusions.add(item.prefix, item);
    }
    keysOf = kept.map((contribution) => new Set(contribution.map((item) => item.key)));
  }
  const written: string[] = [];
  const seen = new Set<string>();
  const finalInclusions: Resolved[] = [];
  const finalExclusions: PathPattern[] = [];
  for (const contribution of kept) {
    for (const item of contribution) {
      if (item.entry.exclude) {
        const lacking = inclusions.related(item.prefix).some((inclusion) =>
          !keysOf[inclusion.contribution].has(item.key) && patternsIntersect(inclusion.pattern, item.pattern)
        );
        if (lacking) continue;
      }
      if (seen.has(item.key)) continue;
      seen.add(item.key);
      written.push(`${item.entry.exclude ? "!" : ""}${item.entry.text}`);
      if (item.entry.exclude) finalExclusions.push(item.pattern);
      else finalInclusions.push(item);
    }
  }
  const extra = new Set<string>();
  const candidates = [
    ...merge.foreignOutputs.candidates(new Set(finalInclusions.map((item) => item.prefix))),
  ];
  // Most tasks meet no foreign output; the inclusions are indexed only for those that do.
  const finalIndex = new PrefixIndex<PathPattern>();
  if (candidates.length > 0) {
    for (const item of finalInclusions) {
      finalIndex.add(item.prefix, item.pattern);
    }
  }
  for (const output of candidates) {
    if (seen.has(`!${output.pattern.canonical}`)) continue;
    const meets = finalIndex.related(output.prefix).some((inclusion) =>
      coverageIntersects(output.pattern, inclusion)
    );
    if (!meets) continue;
    if (finalExclusions.some((exclusion) => exclusionDiscounts(exclusion, output.pattern))) continue;
    extra.add(`!${output.text}`);
  }
  written.push(...[...extra].sort(compareBytes));
  return written;
}

/**
 * The static prefix of a canonical pattern (PATH-016), the path itself for a literal.
 *
 * @example
 * ```ts
 * prefixOf({ written: "dist/**", canonical: "/web/dist/**", isGlob: true }); // "/web/dist"
 * ```
 */
export function prefixOf(pattern: PathPattern): string {
  if (!pattern.isGlob) return pattern.canonical;
  const prefix = staticPrefix(pattern.canonical);
  return prefix === "" ? "/" : prefix;
}

const resolved = new Map<string, { pattern: PathPattern; prefix: string }>();

/** Workspace-absolute entries resolve the same for every task; they are resolved once. */
function resolveCached(text: string, projectRoot: string): { pattern: PathPattern; prefix: string } {
  const key = text.startsWith("/") ? text : `${projectRoot}\0${text}`;
  let found = resolved.get(key);
  if (found === undefined) {
    const pattern = resolvePattern({ text, exclude: false }, projectRoot);
    found = { pattern, prefix: prefixOf(pattern) };
    resolved.set(key, found);
  }
  return found;
}

/**
 * Items filed under a directory path, found by the paths that contain or lie below a given one.
 *
 * @example
 * ```ts
 * const index = new PrefixIndex<string>();
 * index.add("/web/src", "a");
 * index.related("/web"); // ["a"]
 * ```
 */
export class PrefixIndex<T> {
  readonly #at = new Map<string, T[]>();
  readonly #below = new Map<string, T[]>();

  /** Files `item` under `prefix`. */
  add(prefix: string, item: T): void {
    push(this.#at, prefix, item);
    push(this.#below, "/", item);
    if (prefix === "/") return;
    for (let index = prefix.indexOf("/", 1); index !== -1; index = prefix.indexOf("/", index + 1)) {
      push(this.#below, prefix.slice(0, index), item);
    }
    push(this.#below, prefix, item);
  }

  /** Whether nothing was filed. */
  isEmpty(): boolean {
    return this.#at.size === 0;
  }

  /** Items whose prefix is `prefix` or one of its ancestors. */
  containing(prefix: string): T[] {
    const found: T[] = [];
    if (this.#at.size === 0) return found;
    const atRoot = this.#at.get("/");
    if (atRoot !== undefined) found.push(...atRoot);
    if (prefix === "/") return found;
    for (let index = prefix.indexOf("/", 1); index !== -1; index = prefix.indexOf("/", index + 1)) {
      const at = this.#at.get(prefix.slice(0, index));
      if (at !== undefined) found.push(...at);
    }
    const at = this.#at.get(prefix);
    if (at !== undefined) found.push(...at);
    return found;
  }

  /** Items whose prefix contains `prefix` or lies below it (each once). */
  related(prefix: string): T[] {
    const containing = this.containing(prefix);
    const below = this.#below.get(prefix);
    if (below === undefined) return containing;
    return [...new Set([...containing, ...below])];
  }
}

function push<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [item]);
  else list.push(item);
}

/** `D` for a canonical `D/**` (or `/` for `/**`) with a static `D`; null otherwise. */
function wholeDirectory(canonical: string): string | null {
  if (!canonical.endsWith("/**")) return null;
  const directory = canonical.slice(0, -3);
  if (compileGlobAlternatives(canonical).length !== 1) return null;
  if (/[*?[{\\]/.test(directory)) return null;
  return directory === "" ? "/" : directory;
}
