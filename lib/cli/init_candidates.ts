/**
 * Candidate projects for `haz init` (05-cli.md §7.1 "Candidates"): the `workspaces` of
 * `package.json`, the `workspace` of `deno.json(c)`, else a depth-0..3 scan for manifests.
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import { compareBytes } from "../domain/task_id.ts";
import { hostPath, isFile, walkDirectories } from "../util/directory_walk.ts";
import { parseJsonc } from "../util/jsonc.ts";
import { expandMemberPatterns } from "../util/member_patterns.ts";

/** Source label of candidates declared by `package.json` `workspaces`. */
export const PACKAGE_JSON_SOURCE = 'package.json "workspaces"';
/** Source label of candidates declared by `deno.json` / `deno.jsonc` `workspace`. */
export const DENO_JSON_SOURCE = 'deno.json "workspace"';
/** Source label of scanned directories holding a `package.json`. */
export const FOUND_PACKAGE_JSON = "found package.json";
/** Source label of scanned directories holding a `deno.json` or `deno.jsonc` (and no `package.json`). */
export const FOUND_DENO_JSON = "found deno.json";

/** The deepest level of the fallback scan (depth 0 is `<dir>` itself). */
export const SCAN_MAX_DEPTH = 3;

/** One candidate project directory. */
export interface InitCandidate {
  /** `/`-separated path relative to `<dir>`; `.` is `<dir>` itself. */
  readonly path: string;
  /** Where it came from, e.g. `package.json "workspaces"`. */
  readonly source: string;
}

/** What discovery found. */
export interface CandidateDiscovery {
  /** De-duplicated, in bytewise path order. */
  readonly candidates: readonly InitCandidate[];
  /** Manifests that could not be used, one line each (`warning: …`). */
  readonly warnings: readonly string[];
}

/**
 * Finds the candidate projects of `<dir>` (a host path). A directory named by both manifests keeps
 * the `package.json` label. The scan runs only when neither manifest yields a directory.
 *
 * @example
 * ```ts
 * const { candidates } = await discoverCandidates("/repo");
 * // [{ path: "packages/a", source: 'package.json "workspaces"' }, …]
 * ```
 */
export async function discoverCandidates(dir: string): Promise<CandidateDiscovery> {
  const warnings: string[] = [];
  const found = new Map<string, string>();
  const add = (paths: readonly string[], source: string) => {
    for (const path of paths) if (!found.has(path)) found.set(path, source);
  };
  add(await packageJsonMembers(dir, warnings), PACKAGE_JSON_SOURCE);
  add(await denoJsonMembers(dir, warnings), DENO_JSON_SOURCE);
  if (found.size === 0) {
    for (const directory of await walkDirectories({ root: dir, start: ".", maxDepth: SCAN_MAX_DEPTH })) {
      const source = await manifestLabel(hostPath(dir, directory));
      if (source !== null) found.set(directory, source);
    }
  }
  const candidates = [...found].map(([path, source]) => ({ path, source }));
  candidates.sort((a, b) => compareBytes(a.path, b.path));
  return { candidates, warnings };
}

/**
 * The heading label of a candidate list: the distinct sources in order of first appearance by
 * source kind (`package.json`, `deno.json`, scan), joined by `, `.
 *
 * @example
 * ```ts
 * sourceSummary([{ path: "a", source: "found package.json" }]); // "found package.json"
 * ```
 */
export function sourceSummary(candidates: readonly InitCandidate[]): string {
  const order = [PACKAGE_JSON_SOURCE, DENO_JSON_SOURCE, FOUND_PACKAGE_JSON, FOUND_DENO_JSON];
  return order.filter((source) => candidates.some((candidate) => candidate.source === source)).join(", ");
}

async function packageJsonMembers(dir: string, warnings: string[]): Promise<string[]> {
  const manifest = await readManifest(dir, "package.json", warnings);
  if (!isObject(manifest) || !("workspaces" in manifest)) return [];
  const declared = manifest.workspaces;
  const patterns = isObject(declared) ? declared.packages : declared;
  if (!isStringArray(patterns)) {
    warnings.push(
      'warning: package.json "workspaces" must be an array of globs or an object with a "packages" array; ignored',
    );
    return [];
  }
  const directories = await expandMemberPatterns({ root: dir, patterns });
  const members: string[] = [];
  for (const directory of directories) {
    if (await isFile(hostPath(hostPath(dir, directory), "package.json"))) members.push(directory);
  }
  return members;
}

async function denoJsonMembers(dir: string, warnings: string[]): Promise<string[]> {
  const name = (await isFile(hostPath(dir, "deno.json"))) ? "deno.json" : "deno.jsonc";
  const manifest = await readManifest(dir, name, warnings);
  if (!isObject(manifest) || !("workspace" in manifest)) return [];
  const declared = manifest.workspace;
  const members = isObject(declared) ? declared.members : declared;
  if (!isStringArray(members)) {
    warnings.push(
      `warning: ${name} "workspace" must be an array of member paths or an object with a "members" array; ignored`,
    );
    return [];
  }
  return await expandMemberPatterns({ root: dir, patterns: members });
}

/** Parses `<dir>/<name>` as JSONC; undefined when it is absent, a warning when it does not parse. */
async function readManifest(dir: string, name: string, warnings: string[]): Promise<unknown> {
  const path = hostPath(dir, name);
  if (!(await isFile(path))) return undefined;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(await readFile(path));
  } catch (error) {
    warnings.push(`warning: could not read ${name}: ${error instanceof Error ? error.message : error}`);
    return undefined;
  }
  const parsed = parseJsonc(text);
  if (!parsed.ok) {
    warnings.push(`warning: could not parse ${name}: ${parsed.message}`);
    return undefined;
  }
  return parsed.value;
}

async function manifestLabel(directory: string): Promise<string | null> {
  if (await isFile(hostPath(directory, "package.json"))) return FOUND_PACKAGE_JSON;
  if (await isFile(hostPath(directory, "deno.json"))) return FOUND_DENO_JSON;
  if (await isFile(hostPath(directory, "deno.jsonc"))) return FOUND_DENO_JSON;
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}
