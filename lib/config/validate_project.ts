/**
 * Validation of a project file `haz.yml` (01-workspace.md §4, CFG-010..012).
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
  mapEntries,
  reportError,
  type YamlValue,
} from "./file_checker.ts";
import { validateTasks } from "./validate_task.ts";
import { closedKeys, stringList, stringValue, withoutDuplicates } from "./value_checks.ts";
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
  const known = closedKeys(
    checker,
    root === null ? [] : mapEntries(checker, root),
    ["name", "tags", "tasks"],
    "haz.yml",
  );
  let declaredName: string | null = null;
  let nameInvalid = false;
  let incomplete = false;
  let tagsKnown = true;
  const nameEntry = known.get("name");
  if (nameEntry) {
    const name = stringValue(checker, "name", nameEntry.value);
    if (name !== null && checkName(checker, "project", name, nameEntry.value.location)) declaredName = name;
    else nameInvalid = true;
  }
  let tags: string[] = [];
  const tagsEntry = known.get("tags");
  if (tagsEntry) {
    const written = stringList(checker, "tags", tagsEntry.value);
    if (written === null) tagsKnown = false;
    const valid = (written ?? []).filter((tag) => checkName(checker, "tag", tag.text, tag.location));
    tags = withoutDuplicates(checker, "tags", valid, (tag) => tag.text).map((tag) => tag.text).sort(
      compareBytes,
    );
  }
  const tasksEntry = known.get("tasks");
  const tasks = tasksEntry
    ? validateTasks({ checker, projectRoot, overlay: null }, tasksEntry.value)
    : undefined;
  if (tasks === null) incomplete = true;
  return {
    declaredName,
    nameInvalid,
    tags,
    tagsKnown,
    tasks: tasks?.tasks ?? new Map(),
    droppedTasks: tasks?.dropped ?? new Set(),
    incomplete: incomplete || !tagsKnown || nameInvalid,
    diagnostics: checker.diagnostics,
  };
}
