/**
 * Project names for `haz init` (05-cli.md §7.1 "Names", 01-workspace.md ID-005): an existing
 * `haz.yml` keeps the name it declares (or its basename); a new one gets the derived basename, or is
 * asked for when that is empty or already taken.
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { parseDocument } from "yaml";
import { checkIdentifier, deriveProjectName } from "../domain/identifier.ts";
import { compareBytes } from "../domain/task_id.ts";
import type { InitCandidate } from "./init_candidates.ts";
import { hostPath, isFile } from "../util/directory_walk.ts";

/** A candidate with what naming learnt about it. */
export interface NamedCandidate extends InitCandidate {
  /** The directory's basename (of `<dir>` for `.`). */
  readonly basename: string;
  /** The directory already holds a `haz.yml`, which is kept untouched. */
  readonly hasHazYml: boolean;
  /** The project name; null when it has to be asked for (empty or duplicate derivation). */
  readonly name: string | null;
}

/** Names for every candidate, or the error lines when existing files clash. */
export type CandidateNaming =
  | { readonly ok: true; readonly candidates: readonly NamedCandidate[] }
  | { readonly ok: false; readonly errorLines: readonly string[] };

/**
 * Names the candidates of `<dir>` (a host path). Existing `haz.yml` names are reserved first; new
 * candidates then take their derived names in path order, and a derivation that is empty or already
 * taken leaves the name null. Two existing files with the same name are an error listing them.
 *
 * @example
 * ```ts
 * const naming = await nameCandidates("/repo", [{ path: "my app", source: "found package.json" }]);
 * naming.ok && naming.candidates[0].name; // "my-app"
 * ```
 */
export async function nameCandidates(
  dir: string,
  candidates: readonly InitCandidate[],
): Promise<CandidateNaming> {
  const named: NamedCandidate[] = [];
  for (const candidate of candidates) {
    const base = candidate.path === "."
      ? basename(dir)
      : candidate.path.slice(candidate.path.lastIndexOf("/") + 1);
    const hazYml = hostPath(hostPath(dir, candidate.path), "haz.yml");
    const hasHazYml = await isFile(hazYml);
    const name = hasHazYml ? (await declaredName(hazYml)) ?? base : null;
    named.push({ ...candidate, basename: base, hasHazYml, name });
  }
  const clashes = existingClashes(named);
  if (clashes.length > 0) return { ok: false, errorLines: clashes };
  const used = new Set(named.filter((candidate) => candidate.hasHazYml).map((candidate) => candidate.name!));
  const result = named.map((candidate) => {
    if (candidate.hasHazYml) return candidate;
    const derived = deriveProjectName(candidate.basename);
    if (derived === null || used.has(derived)) return candidate;
    used.add(derived);
    return { ...candidate, name: derived };
  });
  return { ok: true, candidates: result };
}

/**
 * Why an answer to `name for <path>: ` is not acceptable, or null when it is a valid identifier
 * (ID-001..003) not in `used`.
 *
 * @example
 * ```ts
 * nameAnswerProblem("web", new Set(["web"])); // "name `web` is already used"
 * nameAnswerProblem("web2", new Set(["web"])); // null
 * ```
 */
export function nameAnswerProblem(answer: string, used: ReadonlySet<string>): string | null {
  const problem = checkIdentifier(answer);
  if (problem !== null) return problem.message;
  return used.has(answer) ? `name \`${answer}\` is already used` : null;
}

/**
 * The path of a candidate's `haz.yml` relative to `<dir>`.
 *
 * @example
 * ```ts
 * hazYmlPath("packages/a"); // "packages/a/haz.yml"
 * hazYmlPath("."); // "haz.yml"
 * ```
 */
export function hazYmlPath(candidatePath: string): string {
  return candidatePath === "." ? "haz.yml" : `${candidatePath}/haz.yml`;
}

/** The string `name` of a project file, or null when it has none or cannot be read. */
async function declaredName(path: string): Promise<string | null> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(await readFile(path));
  } catch {
    return null;
  }
  const document = parseDocument(text);
  if (document.errors.length > 0) return null;
  const name = document.get("name");
  return typeof name === "string" ? name : null;
}

function existingClashes(candidates: readonly NamedCandidate[]): string[] {
  const byName = new Map<string, string[]>();
  for (const candidate of candidates) {
    if (!candidate.hasHazYml) continue;
    const paths = byName.get(candidate.name!) ?? [];
    paths.push(hazYmlPath(candidate.path));
    byName.set(candidate.name!, paths);
  }
  const names = [...byName.keys()].filter((name) => byName.get(name)!.length > 1).sort(compareBytes);
  if (names.length === 0) return [];
  return [
    ...names.map((name) =>
      `error: existing haz.yml files declare the same project name \`${name}\`: ${
        byName.get(name)!.join(", ")
      }`
    ),
    "help: give each of them a distinct `name:`, then run `haz init` again",
  ];
}
