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

/** An output of another imported task, for ADOPT-046. */
export interface ForeignOutput {
  /** As it would be written in the task's file. */
  readonly text: string;
}

/** What {@linkcode mergeInputs} needs. */
export interface InputMerge {
  /** Workspace-absolute root of the task's project (`/`, `/apps/web`). */
  readonly projectRoot: string;
  /** Contributions in writing order (ADOPT-071); the last is the global inputs. */
  readonly contributions: readonly Contribution[];
  /** Outputs of imported tasks that are neither the task nor in its closure. */
  readonly foreignOutputs: readonly ForeignOutput[];
}

/** Exclusions every source set carries; they do not stop an inclusion from being covered. */
const STANDARD_EXCLUSION = /(^|\/)(\*\*\/node_modules\/\*\*|\.turbo\/\*\*)$/;

interface Resolved {
  readonly entry: InputEntry;
  readonly pattern: PathPattern;
  readonly key: string;
}

/**
 * Merges contributions into the written `inputs` (ADOPT-042), then appends the exclusions of
 * ADOPT-046 in bytewise order.
 *
 * @example
 * ```ts
 * mergeInputs({ projectRoot: "/ui", contributions: [[{ text: "**", exclude: false }]], foreignOutputs: [] });
 * // ["**"]
 * ```
 */
export function mergeInputs(merge: InputMerge): string[] {
  const contributions = merge.contributions.map((contribution) =>
    contribution.map((entry): Resolved => {
      const pattern = resolvePattern({ text: entry.text, exclude: entry.exclude }, merge.projectRoot);
      return { entry, pattern, key: `${entry.exclude ? "!" : ""}${pattern.canonical}` };
    })
  );
  const covering = contributions.map((contribution) => ({
    directories: contribution
      .filter((item) => !item.entry.exclude && item.pattern.isGlob)
      .map((item) => wholeDirectory(item.pattern.canonical))
      .filter((directory): directory is string => directory !== null),
    exclusions: contribution.filter((item) =>
      item.entry.exclude && !STANDARD_EXCLUSION.test(item.pattern.canonical)
    ),
  }));
  const kept = contributions.map((contribution, index) =>
    contribution.filter((item) => {
      if (item.entry.exclude) return true;
      const prefix = item.pattern.isGlob ? staticPrefix(item.pattern.canonical) : item.pattern.canonical;
      const own = item.pattern.isGlob ? wholeDirectory(item.pattern.canonical) : null;
      return !covering.some((other, otherIndex) =>
        otherIndex !== index &&
        other.directories.some((directory) => directory !== own && isSegmentPrefix(directory, prefix)) &&
        !other.exclusions.some((exclusion) => patternsIntersect(exclusion.pattern, item.pattern))
      );
    })
  );
  const inclusionsOf = kept.map((contribution) => contribution.filter((item) => !item.entry.exclude));
  const keysOf = kept.map((contribution) => new Set(contribution.map((item) => item.key)));
  const written: string[] = [];
  const seen = new Set<string>();
  const finalInclusions: PathPattern[] = [];
  const finalExclusions: PathPattern[] = [];
  kept.forEach((contribution) => {
    for (const item of contribution) {
      if (item.entry.exclude) {
        const everyHolder = inclusionsOf.every((inclusions, otherIndex) =>
          !inclusions.some((inclusion) => patternsIntersect(inclusion.pattern, item.pattern)) ||
          keysOf[otherIndex].has(item.key)
        );
        if (!everyHolder) continue;
      }
      if (seen.has(item.key)) continue;
      seen.add(item.key);
      written.push(`${item.entry.exclude ? "!" : ""}${item.entry.text}`);
      (item.entry.exclude ? finalExclusions : finalInclusions).push(item.pattern);
    }
  });
  const extra = new Set<string>();
  for (const output of merge.foreignOutputs) {
    const pattern = resolvePattern({ text: output.text, exclude: false }, merge.projectRoot);
    if (seen.has(`!${pattern.canonical}`)) continue;
    const outputPrefix = staticPrefix(pattern.canonical);
    const meets = finalInclusions.some((inclusion) => {
      const inputPrefix = inclusion.isGlob ? staticPrefix(inclusion.canonical) : inclusion.canonical;
      if (!isSegmentPrefix(inputPrefix, outputPrefix) && !isSegmentPrefix(outputPrefix, inputPrefix)) {
        return false;
      }
      return coverageIntersects(pattern, inclusion);
    });
    if (!meets) continue;
    if (finalExclusions.some((exclusion) => exclusionDiscounts(exclusion, pattern))) continue;
    extra.add(`!${output.text}`);
  }
  written.push(...[...extra].sort(compareBytes));
  return written;
}

/** `D` for a canonical `D/**` (or `/` for `/**`) with a static `D`; null otherwise. */
function wholeDirectory(canonical: string): string | null {
  if (!canonical.endsWith("/**")) return null;
  const directory = canonical.slice(0, -3);
  if (compileGlobAlternatives(canonical).length !== 1) return null;
  if (/[*?[{\\]/.test(directory)) return null;
  return directory === "" ? "/" : directory;
}

/** Whether `directory` is `path` or a whole-segment prefix of it (`/` prefixes everything). */
function isSegmentPrefix(directory: string, path: string): boolean {
  return directory === "/" || path === directory || path.startsWith(`${directory}/`);
}
