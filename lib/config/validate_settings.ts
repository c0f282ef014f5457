/**
 * Validation of `.haz/workspace.yml` (01-workspace.md §3, CFG-027..036) into `WorkspaceSettings`,
 * plus the `projects` entries checked as strings and patterns (DISC-004, CFG-007) but not expanded.
 *
 * @module
 */

import type { YAMLMap } from "yaml";
import type { Diagnostic, DiagnosticLocation } from "../domain/diagnostic.ts";
import { checkIdentifier } from "../domain/identifier.ts";
import { checkPattern, isGlobPattern } from "../domain/path_pattern.ts";
import { DEFAULT_REMOTE_CACHE_SETTINGS, type WorkspaceSettings } from "../domain/workspace.ts";
import { checkRemote } from "./validate_remote.ts";
import { didYouMean } from "../util/did_you_mean.ts";
import {
  createFileChecker,
  type FileChecker,
  mapEntries,
  type MapEntry,
  reportError,
  valueKind,
  type YamlValue,
} from "./file_checker.ts";
import {
  closedKeys,
  durationValue,
  enumValue,
  envNameList,
  expectKinds,
  foundText,
  mappingValue,
  sizeValue,
  stringList,
  typeMessage,
  withoutDuplicates,
} from "./value_checks.ts";
import type { YamlFile } from "./yaml_source.ts";

/** Workspace-absolute path of the settings file. */
export const SETTINGS_PATH = "/.haz/workspace.yml";

/** One valid `projects` entry. */
export interface ProjectEntry {
  readonly text: string;
  /** PATH-008 on the entry as written. */
  readonly isGlob: boolean;
  readonly location: DiagnosticLocation;
}

/** A `concurrency.tags` key, kept for the ID-006 check once every project's tags are known. */
export interface TagCapKey {
  readonly tag: string;
  readonly location: DiagnosticLocation;
}

/** The validated settings file. */
export interface SettingsResult {
  readonly settings: WorkspaceSettings;
  /** The valid `projects` entries, in file order, duplicates removed. */
  readonly projectEntries: readonly ProjectEntry[];
  /** `projects` is a list with at least one element (valid or not): DISC-003/007. */
  readonly projectsListed: boolean;
  readonly tagCapKeys: readonly TagCapKey[];
  /** Phase 1 (DISC-004) and phase 2 (CFG-*) diagnostics of this file. */
  readonly diagnostics: readonly Diagnostic[];
}

/** The defaults of §3. */
export const DEFAULT_SETTINGS: WorkspaceSettings = {
  concurrency: { default: "auto", tags: new Map() },
  outputMode: "live",
  cancelGraceMs: 5000,
  hash: "sha256",
  clean: { maxAgeSeconds: null, maxSizeBytes: null },
  passThrough: [],
  remote: DEFAULT_REMOTE_CACHE_SETTINGS,
};

const TOP_KEYS = ["projects", "concurrency", "output", "execution", "cache", "env"] as const;
const MAX_CANCEL_GRACE_SECONDS = 86400;

/** Mutable settings being filled in. */
type Draft = {
  -readonly [K in keyof WorkspaceSettings]: WorkspaceSettings[K];
};

/** DISC-004 (phase 1) on one entry that is already a string. */
function checkProjectEntry(checker: FileChecker, text: string, location: DiagnosticLocation): boolean {
  if (text === ".") return true;
  if (text.startsWith("/")) {
    reportError(
      checker,
      "DISC-004",
      `invalid project entry \`${text}\`: project paths must be relative`,
      location,
      { phase: 1, help: "project paths are relative to the workspace root; drop the leading `/`" },
    );
    return false;
  }
  const problem = checkPattern(text);
  if (problem === null) return true;
  reportError(checker, "DISC-004", `invalid project entry \`${text}\`: ${problem.reason}`, location, {
    phase: 1,
  });
  return false;
}

/** `projects`: a list of strings (CFG-004), each DISC-004, no duplicates (CFG-007). */
function checkProjects(checker: FileChecker, value: YamlValue): { entries: ProjectEntry[]; listed: boolean } {
  const strings = stringList(checker, "projects", value);
  if (strings === null) return { entries: [], listed: false };
  const listed = valueKind(checker, value) === "list" &&
    (value.node as { items: unknown[] }).items.length > 0;
  const unique = withoutDuplicates(checker, "projects", strings, (entry) => entry.text);
  const entries = unique
    .filter((entry) => checkProjectEntry(checker, entry.text, entry.location))
    .map((entry) => ({ text: entry.text, isGlob: isGlobPattern(entry.text), location: entry.location }));
  return { entries, listed };
}

/** `concurrency`: `default` (CFG-028) and `tags` (CFG-029). */
function checkConcurrency(checker: FileChecker, value: YamlValue, draft: Draft, tagKeys: TagCapKey[]): void {
  const entries = mappingValue(checker, "concurrency", value);
  if (entries === null) return;
  const known = closedKeys(checker, entries, ["default", "tags"], "`concurrency`");
  const defaultEntry = known.get("default");
  let concurrencyDefault: "auto" | number = "auto";
  if (defaultEntry) concurrencyDefault = checkConcurrencyDefault(checker, defaultEntry.value) ?? "auto";
  const tags = new Map<string, number>();
  const tagsEntry = known.get("tags");
  if (tagsEntry) {
    const tagEntries = mappingValue(checker, "tags", tagsEntry.value);
    for (const entry of tagEntries ?? []) {
      const problem = checkIdentifier(entry.key);
      if (problem !== null) {
        reportError(
          checker,
          problem.rule,
          `invalid tag name \`${entry.key}\`: ${problem.message}`,
          entry.keyLocation,
        );
        continue;
      }
      tagKeys.push({ tag: entry.key, location: entry.keyLocation });
      const cap = positiveInteger(checker, entry.key, entry.value, "CFG-029");
      if (cap !== null) tags.set(entry.key, cap);
    }
  }
  draft.concurrency = { default: concurrencyDefault, tags };
}

/** CFG-028: `auto` or an integer >= 1; any other string is a type error (`"4"` is CFG-004). */
function checkConcurrencyDefault(checker: FileChecker, value: YamlValue): "auto" | number | null {
  const expected = "`auto` or an integer";
  if (!expectKinds(checker, "default", value, ["string", "integer"], expected)) return null;
  if (valueKind(checker, value) === "string") {
    const text = String((value.node as { value: unknown }).value);
    if (text === "auto") return "auto";
    // A quoted number is the likely slip; otherwise the value may be a misspelt `auto`.
    const help = /^[0-9]+$/.test(text)
      ? `write \`${text}\` without quotes`
      : didYouMean(text, ["auto"]) === null
      ? undefined
      : "did you mean `auto`?";
    reportError(checker, "CFG-004", typeMessage("default", expected, "string"), value.location, {
      ...(help === undefined ? {} : { help }),
    });
    return null;
  }
  const number = Number((value.node as { value: unknown }).value);
  if (Number.isSafeInteger(number) && number >= 1) return number;
  reportError(
    checker,
    "CFG-028",
    `\`default\` must be \`auto\` or an integer >= 1, found ${foundText(checker, value)}`,
    value.location,
  );
  return null;
}

/** An integer >= 1 (CFG-004 for other kinds, `rule` below 1). */
function positiveInteger(checker: FileChecker, key: string, value: YamlValue, rule: string): number | null {
  if (!expectKinds(checker, key, value, ["integer"], "an integer")) return null;
  const number = Number((value.node as { value: unknown }).value);
  if (Number.isSafeInteger(number) && number >= 1) return number;
  reportError(
    checker,
    rule,
    `\`${key}\` must be an integer >= 1, found ${foundText(checker, value)}`,
    value.location,
  );
  return null;
}

/** `output.mode` (CFG-030). */
function checkOutput(checker: FileChecker, value: YamlValue, draft: Draft): void {
  const entries = mappingValue(checker, "output", value);
  if (entries === null) return;
  const mode = closedKeys(checker, entries, ["mode"], "`output`").get("mode");
  if (mode) {
    draft.outputMode = enumValue(checker, "mode", mode.value, ["live", "buffered"], "CFG-030") ?? "live";
  }
}

/** `execution.cancel_grace` (CFG-031): a finite number of seconds, 0 ≤ x ≤ 86400. */
function checkExecution(checker: FileChecker, value: YamlValue, draft: Draft): void {
  const entries = mappingValue(checker, "execution", value);
  if (entries === null) return;
  const grace = closedKeys(checker, entries, ["cancel_grace"], "`execution`").get("cancel_grace");
  if (!grace || !expectKinds(checker, "cancel_grace", grace.value, ["integer", "number"], "a number")) return;
  const seconds = Number((grace.value.node as { value: unknown }).value);
  if (Number.isFinite(seconds) && seconds >= 0 && seconds <= MAX_CANCEL_GRACE_SECONDS) {
    draft.cancelGraceMs = Math.round(seconds * 1000);
    return;
  }
  reportError(
    checker,
    "CFG-031",
    `\`cancel_grace\` must be a finite number from 0 to ${MAX_CANCEL_GRACE_SECONDS}, found ${
      foundText(checker, grace.value)
    }`,
    grace.value.location,
  );
}

/** `cache.hash` (CFG-027) and `cache.clean.max_age` / `max_size` (CFG-034/035). */
function checkCache(checker: FileChecker, value: YamlValue, draft: Draft): void {
  const entries = mappingValue(checker, "cache", value);
  if (entries === null) return;
  const known = closedKeys(checker, entries, ["hash", "clean", "remote"], "`cache`");
  const hash = known.get("hash");
  if (hash) draft.hash = enumValue(checker, "hash", hash.value, ["sha256", "blake3"], "CFG-027") ?? "sha256";
  const remote = known.get("remote");
  if (remote) draft.remote = checkRemote(checker, remote.value);
  const clean = known.get("clean");
  if (!clean) return;
  const cleanEntries = mappingValue(checker, "clean", clean.value);
  if (cleanEntries === null) return;
  const cleanKnown = closedKeys(checker, cleanEntries, ["max_age", "max_size"], "`clean`");
  const maxAge = cleanKnown.get("max_age");
  const maxSize = cleanKnown.get("max_size");
  draft.clean = {
    maxAgeSeconds: maxAge ? durationValue(checker, "max_age", maxAge.value) : null,
    maxSizeBytes: maxSize ? sizeValue(checker, "max_size", maxSize.value) : null,
  };
}

/** `env.pass_through` (CFG-036). */
function checkEnv(checker: FileChecker, value: YamlValue, draft: Draft): void {
  const entries = mappingValue(checker, "env", value);
  if (entries === null) return;
  const passThrough = closedKeys(checker, entries, ["pass_through"], "`env`").get("pass_through");
  if (passThrough) draft.passThrough = envNameList(checker, "pass_through", passThrough.value);
}

/**
 * Validates a parsed `.haz/workspace.yml` (root mapping, or null for an empty file).
 *
 * @example
 * ```ts
 * const parsed = parseYamlFile("output: {mode: buffer}\n", SETTINGS_PATH);
 * if (parsed.ok) validateSettings(parsed.file, parsed.root).diagnostics[0].rule; // "CFG-030"
 * ```
 */
export function validateSettings(file: YamlFile, root: YAMLMap | null): SettingsResult {
  const checker = createFileChecker(file);
  const draft: Draft = { ...DEFAULT_SETTINGS };
  const tagCapKeys: TagCapKey[] = [];
  let projects: { entries: ProjectEntry[]; listed: boolean } = { entries: [], listed: false };
  const entries: MapEntry[] = root === null ? [] : mapEntries(checker, root);
  const known = closedKeys(checker, entries, TOP_KEYS, ".haz/workspace.yml");
  for (const [key, entry] of known) {
    if (key === "projects") projects = checkProjects(checker, entry.value);
    else if (key === "concurrency") checkConcurrency(checker, entry.value, draft, tagCapKeys);
    else if (key === "output") checkOutput(checker, entry.value, draft);
    else if (key === "execution") checkExecution(checker, entry.value, draft);
    else if (key === "cache") checkCache(checker, entry.value, draft);
    else checkEnv(checker, entry.value, draft);
  }
  return {
    settings: draft,
    projectEntries: projects.entries,
    projectsListed: projects.listed,
    tagCapKeys,
    diagnostics: checker.diagnostics,
  };
}
