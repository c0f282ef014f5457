/**
 * The schema of `.haz/workspace.yml` (01-workspace.md §3, CFG-027..036), walked once into
 * `WorkspaceSettings`, plus the `projects` entries checked as strings and patterns (DISC-004,
 * CFG-007) but not expanded.
 *
 * @module
 */

import type { YAMLMap } from "yaml";
import type { Diagnostic, DiagnosticLocation } from "../domain/diagnostic.ts";
import { checkIdentifier } from "../domain/identifier.ts";
import { checkPattern, isGlobPattern } from "../domain/path_pattern.ts";
import {
  DEFAULT_REMOTE_CACHE_SETTINGS,
  type RemoteCacheSettings,
  type WorkspaceSettings,
} from "../domain/workspace.ts";
import { didYouMean } from "../util/did_you_mean.ts";
import { remoteValue } from "./remote_schema.ts";
import {
  createFileChecker,
  type FileChecker,
  mapEntries,
  type MappingSchema,
  reportError,
  walkMapping,
  type YamlValue,
} from "./schema_walker.ts";
import {
  durationValue,
  enumOf,
  envNameList,
  expectKinds,
  foundText,
  mappingOf,
  sizeValue,
  stringList,
  typeMessage,
  valueKind,
  withoutDuplicates,
} from "./value_types.ts";
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

const MAX_CANCEL_GRACE_SECONDS = 86400;

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

/** The `projects` entries as read. */
interface ProjectsValue {
  readonly entries: ProjectEntry[];
  readonly listed: boolean;
}

/** `projects`: a list of strings (CFG-004), each DISC-004, no duplicates (CFG-007). */
function projectsValue(checker: FileChecker, key: string, value: YamlValue): ProjectsValue | null {
  const strings = stringList(checker, key, value);
  if (strings === null) return null;
  const listed = (value.node as { items: unknown[] }).items.length > 0;
  const unique = withoutDuplicates(checker, key, strings, (entry) => entry.text);
  const entries = unique
    .filter((entry) => checkProjectEntry(checker, entry.text, entry.location))
    .map((entry) => ({ text: entry.text, isGlob: isGlobPattern(entry.text), location: entry.location }));
  return { entries, listed };
}

/** CFG-028: `auto` or an integer >= 1; any other string is a type error (`"4"` is CFG-004). */
function concurrencyDefault(checker: FileChecker, key: string, value: YamlValue): "auto" | number | null {
  const expected = "`auto` or an integer";
  if (!expectKinds(checker, key, value, ["string", "integer"], expected)) return null;
  if (valueKind(checker, value) === "string") {
    const text = String((value.node as { value: unknown }).value);
    if (text === "auto") return "auto";
    // A quoted number is the likely slip; otherwise the value may be a misspelt `auto`.
    const help = /^[0-9]+$/.test(text)
      ? `write \`${text}\` without quotes`
      : didYouMean(text, ["auto"]) === null
      ? undefined
      : "did you mean `auto`?";
    reportError(checker, "CFG-004", typeMessage(key, expected, "string"), value.location, {
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

/** `concurrency.tags` as read: the caps, and every valid tag key for the ID-006 check. */
interface TagCaps {
  readonly caps: Map<string, number>;
  readonly keys: TagCapKey[];
}

/** CFG-029: tag names (ID-001..003) to integers >= 1. */
function tagCapsValue(checker: FileChecker, key: string, value: YamlValue): TagCaps | null {
  if (!expectKinds(checker, key, value, ["mapping"], "a mapping")) return null;
  const caps = new Map<string, number>();
  const keys: TagCapKey[] = [];
  for (const entry of mapEntries(checker, value.node as YAMLMap)) {
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
    keys.push({ tag: entry.key, location: entry.keyLocation });
    const cap = positiveInteger(checker, entry.key, entry.value, "CFG-029");
    if (cap !== null) caps.set(entry.key, cap);
  }
  return { caps, keys };
}

/** CFG-031: `cancel_grace`, a finite number of seconds, 0 ≤ x ≤ 86400, in milliseconds. */
function cancelGraceValue(checker: FileChecker, key: string, value: YamlValue): number | null {
  if (!expectKinds(checker, key, value, ["integer", "number"], "a number")) return null;
  const seconds = Number((value.node as { value: unknown }).value);
  if (Number.isFinite(seconds) && seconds >= 0 && seconds <= MAX_CANCEL_GRACE_SECONDS) {
    return Math.round(seconds * 1000);
  }
  reportError(
    checker,
    "CFG-031",
    `\`cancel_grace\` must be a finite number from 0 to ${MAX_CANCEL_GRACE_SECONDS}, found ${
      foundText(checker, value)
    }`,
    value.location,
  );
  return null;
}

/** `.haz/workspace.yml`: every mapping with its keys, types and defaults (§3). */
const SETTINGS_FILE: MappingSchema<{
  projects: ProjectsValue | null;
  concurrency: { default: "auto" | number; tags: TagCaps | null };
  output: { mode: "live" | "buffered" };
  execution: { cancel_grace: number };
  cache: {
    hash: "sha256" | "blake3";
    clean: { max_age: number | null; max_size: number | null };
    remote: RemoteCacheSettings;
  };
  env: { pass_through: string[] };
}, null> = {
  context: () => ".haz/workspace.yml",
  fields: {
    projects: { read: projectsValue, default: null },
    concurrency: {
      read: mappingOf({
        context: () => "`concurrency`",
        fields: {
          default: { read: concurrencyDefault, default: "auto" },
          tags: { read: tagCapsValue, default: null },
        },
      }),
      default: { default: "auto", tags: null },
    },
    output: {
      read: mappingOf({
        context: () => "`output`",
        fields: { mode: { read: enumOf(["live", "buffered"], "CFG-030"), default: "live" } },
      }),
      default: { mode: "live" },
    },
    execution: {
      read: mappingOf({
        context: () => "`execution`",
        fields: { cancel_grace: { read: cancelGraceValue, default: 5000 } },
      }),
      default: { cancel_grace: 5000 },
    },
    cache: {
      read: mappingOf({
        context: () => "`cache`",
        fields: {
          hash: { read: enumOf(["sha256", "blake3"], "CFG-027"), default: "sha256" },
          clean: {
            read: mappingOf({
              context: () => "`clean`",
              fields: {
                max_age: { read: durationValue, default: null },
                max_size: { read: sizeValue, default: null },
              },
            }),
            default: { max_age: null, max_size: null },
          },
          remote: { read: remoteValue, default: DEFAULT_REMOTE_CACHE_SETTINGS },
        },
      }),
      default: {
        hash: "sha256",
        clean: { max_age: null, max_size: null },
        remote: DEFAULT_REMOTE_CACHE_SETTINGS,
      },
    },
    env: {
      read: mappingOf({
        context: () => "`env`",
        fields: { pass_through: { read: envNameList, default: [] } },
      }),
      default: { pass_through: [] },
    },
  },
};

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
  const { values } = walkMapping(checker, SETTINGS_FILE, root, null);
  const { concurrency, cache } = values;
  return {
    settings: {
      concurrency: { default: concurrency.default, tags: concurrency.tags?.caps ?? new Map() },
      outputMode: values.output.mode,
      cancelGraceMs: values.execution.cancel_grace,
      hash: cache.hash,
      clean: { maxAgeSeconds: cache.clean.max_age, maxSizeBytes: cache.clean.max_size },
      passThrough: values.env.pass_through,
      remote: cache.remote,
    },
    projectEntries: values.projects?.entries ?? [],
    projectsListed: values.projects?.listed ?? false,
    tagCapKeys: concurrency.tags?.keys ?? [],
    diagnostics: checker.diagnostics,
  };
}
