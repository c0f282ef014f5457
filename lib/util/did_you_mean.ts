/**
 * Suggestions for misspelt names: DIAG-009 (diagnostics) and CLI-020 (usage errors).
 *
 * @module
 */

/** DIAG-009's common synonyms of task-body keys, by lower-cased synonym. */
export const TASK_KEY_SYNONYMS: Readonly<Record<string, string>> = {
  dependencies: "deps",
  needs: "deps",
  cmd: "command",
  run: "command",
  script: "shell",
  sources: "inputs",
  files: "inputs",
  artifacts: "outputs",
};

/** Options of {@linkcode didYouMean}. */
export interface DidYouMeanOptions {
  /** Maps a lower-cased synonym to the candidate it stands for; used only if that candidate is offered. */
  readonly synonyms?: Readonly<Record<string, string>>;
}

/**
 * Optimal string alignment distance (insertions, deletions, substitutions, adjacent transpositions),
 * counted in code points.
 *
 * @example
 * ```ts
 * editDistance("comand", "command"); // 1
 * editDistance("ab", "ba"); // 1
 * ```
 */
export function editDistance(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  // rows[i][j] is the distance between the first i code points of x and the first j of y.
  const rows: number[][] = [];
  for (let i = 0; i <= x.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= y.length; j++) {
      if (i === 0) {
        rows[i].push(j);
        continue;
      }
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) {
        best = Math.min(best, rows[i - 2][j - 2] + 1);
      }
      rows[i].push(best);
    }
  }
  return rows[x.length][y.length];
}

/**
 * DIAG-009: the candidate equal to the input once lower-cased with `_` and `-` removed; else a synonym's
 * target; else the candidate with the smallest distance between the lower-cased texts, if that distance
 * is at most max(1, ⌊len(candidate)/3⌋). Ties go to the earlier candidate.
 *
 * @example
 * ```ts
 * didYouMean("weak_deps", ["deps", "weakDeps"]); // "weakDeps"
 * didYouMean("dependencies", ["command", "deps"], { synonyms: TASK_KEY_SYNONYMS }); // "deps"
 * ```
 */
export function didYouMean(
  input: string,
  candidates: readonly string[],
  options: DidYouMeanOptions = {},
): string | null {
  const normalisedInput = normalise(input);
  const equal = candidates.find((candidate) => normalise(candidate) === normalisedInput);
  if (equal !== undefined) return equal;
  const lowerInput = input.toLowerCase();
  const synonym = lookupSynonym(options.synonyms ?? {}, [lowerInput, normalisedInput]);
  if (synonym !== null && candidates.includes(synonym)) return synonym;
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(lowerInput, candidate.toLowerCase());
    const limit = Math.max(1, Math.floor(Array.from(candidate).length / 3));
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * CLI-020: the candidate closest to the input within `maxDistance` (exact texts), ties to the earlier one.
 *
 * @example
 * ```ts
 * closestWithin("--dryrun", ["--json", "--dry-run"], 2); // "--dry-run"
 * closestWithin("frobnicate", ["run", "check"], 2); // null
 * ```
 */
export function closestWithin(
  input: string,
  candidates: readonly string[],
  maxDistance: number,
): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(input, candidate);
    if (distance <= maxDistance && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function lookupSynonym(synonyms: Readonly<Record<string, string>>, keys: readonly string[]): string | null {
  // Own properties only, so inputs such as `constructor` never hit Object.prototype.
  const key = keys.find((candidate) => Object.hasOwn(synonyms, candidate));
  return key === undefined ? null : synonyms[key];
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/[_-]/g, "");
}
