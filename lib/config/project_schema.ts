/**
 * The schema of a project file `haz.yml` (01-workspace.md §4, CFG-010..012), walked once.
 *
 * @module
 */

import type { YAMLMap } from "yaml";
import type { Diagnostic } from "../domain/diagnostic.ts";
import { checkIdentifier } from "../domain/identifier.ts";
import { compareBytes } from "../domain/task_id.ts";
import type { TaskBody } from "../domain/workspace.ts";
import {
  createFileChecker,
  type FileChecker,
  type MappingSchema,
  reportError,
  walkMapping,
  type YamlValue,
} from "./schema_walker.ts";
import { type TaskFileContext, type TasksResult, validateTasks } from "./task_schema.ts";
import { stringList, stringValue, withoutDuplicates } from "./value_types.ts";
import type { YamlFile } from "./yaml_source.ts";

/** A validated `haz.yml`. */
export interface ProjectFileResult {
  /** The declared `name` when present and valid. */
  readonly declaredName: string | null;
  /** `name` is present but invalid (ID-001..003 or not a string). */
  readonly nameInvalid: boolean;
  /** Tags in byte order. */
  readonly tags: readonly string[];
  /** False when `tags` is not a list: the project's tag set is unknown. */
  readonly tagsKnown: boolean;
  readonly tasks: ReadonlyMap<string, TaskBody>;
  readonly droppedTasks: ReadonlySet<string>;
  /** The tags or tasks as a whole are unknown (wrong type), or the name is invalid (DIAG-007). */
  readonly incomplete: boolean;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Validates an identifier-valued string (`name`, tags): ID-001..003 under ``invalid <kind> name …``.
 *
 * @example
 * ```ts
 * checkName(checker, "project", "My App", location); // false, ID-001 reported
 * ```
 */
export function checkName(
  checker: FileChecker,
  kind: string,
  name: string,
  location: YamlValue["location"],
): boolean {
  const problem = checkIdentifier(name);
  if (problem === null) return true;
  reportError(checker, problem.rule, `invalid ${kind} name \`${name}\`: ${problem.message}`, location);
  return false;
}

/** `name`: a string that is a valid identifier. */
function nameValue(checker: FileChecker, key: string, value: YamlValue): string | null {
  const name = stringValue(checker, key, value);
  return name !== null && checkName(checker, "project", name, value.location) ? name : null;
}

/** `tags`: a list of strings (CFG-004); the valid names (ID-001..003) without duplicates (CFG-007), sorted. */
function tagsValue(checker: FileChecker, key: string, value: YamlValue): string[] | null {
  const written = stringList(checker, key, value);
  if (written === null) return null;
  const valid = written.filter((tag) => checkName(checker, "tag", tag.text, tag.location));
  return withoutDuplicates(checker, key, valid, (tag) => tag.text).map((tag) => tag.text).sort(compareBytes);
}

/** `tasks` (§5). */
function tasksValue(
  checker: FileChecker,
  _key: string,
  value: YamlValue,
  file: TaskFileContext,
): TasksResult | null {
  return validateTasks({ ...file, checker }, value);
}

/** `haz.yml`: `name`, `tags`, `tasks`. */
const PROJECT_FILE: MappingSchema<
  { name: string | null; tags: string[]; tasks: TasksResult | null },
  TaskFileContext
> = {
  context: () => "haz.yml",
  fields: {
    name: { read: nameValue, default: null },
    tags: { read: tagsValue, default: [] },
    tasks: { read: tasksValue, default: null },
  },
};

/**
 * Validates a parsed `haz.yml` of the project rooted at `projectRoot` (`/` or `/web`).
 *
 * @example
 * ```ts
 * const parsed = parseYamlFile("name: web\ntags: [app]\n", "/web/haz.yml");
 * if (parsed.ok) validateProjectFile(parsed.file, parsed.root, "/web").declaredName; // "web"
 * ```
 */
export function validateProjectFile(
  file: YamlFile,
  root: YAMLMap | null,
  projectRoot: string,
): ProjectFileResult {
  const checker = createFileChecker(file);
  const { values, invalid } = walkMapping(checker, PROJECT_FILE, root, {
    checker,
    projectRoot,
    overlay: null,
  });
  const nameInvalid = invalid.has("name");
  const tagsKnown = !invalid.has("tags");
  return {
    declaredName: values.name,
    nameInvalid,
    tags: values.tags,
    tagsKnown,
    tasks: values.tasks?.tasks ?? new Map(),
    droppedTasks: values.tasks?.dropped ?? new Set(),
    incomplete: invalid.has("tasks") || !tagsKnown || nameInvalid,
    diagnostics: checker.diagnostics,
  };
}
