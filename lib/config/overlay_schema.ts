/**
 * The schema of an overlay file `.haz/tasks/<stem>.yml` (01-workspace.md §6, CFG-023..025), walked
 * once: its name, its `tagsFilter` expression (parse errors positioned inside the file) and its tasks.
 *
 * @module
 */

import { isScalar, type Scalar, type YAMLMap } from "yaml";
import { type Diagnostic, type DiagnosticLocation, errorDiagnostic } from "../domain/diagnostic.ts";
import { checkIdentifier } from "../domain/identifier.ts";
import type { TaskBody } from "../domain/workspace.ts";
import { type Expression, expressionAtoms, parseExpression } from "../domain/expression.ts";
import {
  createFileChecker,
  type FileChecker,
  type MappingSchema,
  reportError,
  walkMapping,
  type YamlValue,
} from "./schema_walker.ts";
import { type TaskFileContext, type TasksResult, validateTasks } from "./task_schema.ts";
import { stringValue } from "./value_types.ts";
import { locateRange, type YamlFile } from "./yaml_source.ts";

/** A tag named in a `tagsFilter`, kept for the ID-006 check. */
export interface FilterAtom {
  readonly tag: string;
  readonly location: DiagnosticLocation;
}

/** A validated overlay file. */
export interface OverlayFileResult {
  /** Null when missing or invalid. */
  readonly tagsFilter: Expression | null;
  readonly tagsFilterLocation?: DiagnosticLocation;
  /** Tag atoms of a valid filter (not `*`), with their positions. */
  readonly filterAtoms: readonly FilterAtom[];
  readonly tasks: ReadonlyMap<string, TaskBody>;
  readonly droppedTasks: ReadonlySet<string>;
  readonly taskLocations: ReadonlyMap<string, DiagnosticLocation>;
  /** `tasks` as a whole is not a mapping (DIAG-007). */
  readonly incomplete: boolean;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Workspace-absolute path of an overlay file.
 *
 * @example
 * ```ts
 * overlayPath("lint"); // "/.haz/tasks/lint.yml"
 * ```
 */
export function overlayPath(stem: string): string {
  return `/.haz/tasks/${stem}.yml`;
}

/**
 * CFG-023: the stem must be an identifier; the error is located on the file.
 *
 * @example
 * ```ts
 * checkOverlayName("my.lint")?.message; // "invalid overlay name `my.lint`: name `my.lint` contains `.`; …"
 * ```
 */
export function checkOverlayName(stem: string): Diagnostic | null {
  const problem = checkIdentifier(stem);
  if (problem === null) return null;
  return errorDiagnostic("CFG-023", `invalid overlay name \`${stem}\`: ${problem.message}`, {
    phase: 2,
    location: { path: overlayPath(stem) },
  });
}

/**
 * Maps a span of the filter text (1-based code-point column, code-point length) to a file location.
 * Exact when the scalar is written on one line without escapes; otherwise the whole scalar.
 */
function filterSpanLocation(
  file: YamlFile,
  value: YamlValue,
  column: number,
  length: number,
): DiagnosticLocation {
  const node = value.node;
  const written = value.written;
  if (node === null || written === null || !isScalar(written) || !written.range) return value.location;
  const scalar = written as Scalar;
  const [start, end] = written.range;
  const quoted = scalar.type === "QUOTE_DOUBLE" || scalar.type === "QUOTE_SINGLE";
  const inner = quoted ? file.text.slice(start + 1, end - 1) : file.text.slice(start, end);
  if (inner !== String(scalar.value) || inner.includes("\n")) return value.location;
  const characters = Array.from(inner);
  const offset = start + (quoted ? 1 : 0) + characters.slice(0, column - 1).join("").length;
  const spanEnd = offset + characters.slice(column - 1, column - 1 + Math.max(1, length)).join("").length;
  return locateRange(file, offset, Math.max(spanEnd, offset + 1));
}

/** A valid `tagsFilter`: the expression and its tag atoms. */
interface FilterValue {
  readonly expression: Expression;
  readonly atoms: FilterAtom[];
}

/** CFG-024: the filter parses (QRY-002) and its atoms are tag names or `*`. */
function filterValue(checker: FileChecker, key: string, value: YamlValue): FilterValue | null {
  const text = stringValue(checker, key, value);
  if (text === null) return null;
  const parsed = parseExpression(text);
  if (!parsed.ok) {
    reportError(
      checker,
      "CFG-024",
      `invalid tagsFilter: ${parsed.message}`,
      filterSpanLocation(checker.file, value, parsed.column, 1),
    );
    return null;
  }
  const atoms: FilterAtom[] = [];
  let valid = true;
  for (const atom of expressionAtoms(parsed.expression)) {
    if (atom.text === "*") continue;
    const location = filterSpanLocation(checker.file, value, atom.column, atom.length);
    const problem = checkIdentifier(atom.text);
    if (problem !== null) {
      reportError(checker, problem.rule, `invalid tag name \`${atom.text}\`: ${problem.message}`, location);
      valid = false;
      continue;
    }
    atoms.push({ tag: atom.text, location });
  }
  return valid ? { expression: parsed.expression, atoms } : null;
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

/** An overlay file: `tagsFilter` and `tasks`. */
const OVERLAY_FILE: MappingSchema<
  { tagsFilter: FilterValue | null; tasks: TasksResult | null },
  TaskFileContext
> = {
  context: ({ overlay }) => `overlay \`${overlay}\``,
  fields: {
    tagsFilter: { read: filterValue, default: null },
    tasks: { read: tasksValue, default: null },
  },
};

/**
 * Validates a parsed overlay file named `stem` (the name itself is checked by {@link checkOverlayName}).
 *
 * @example
 * ```ts
 * const parsed = parseYamlFile('tagsFilter: "ts & !legacy"\ntasks: {lint: {command: [eslint]}}\n', overlayPath("lint"));
 * if (parsed.ok) validateOverlayFile(parsed.file, parsed.root, "lint").tasks.has("lint"); // true
 * ```
 */
export function validateOverlayFile(file: YamlFile, root: YAMLMap | null, stem: string): OverlayFileResult {
  const checker = createFileChecker(file);
  const { values, present, invalid } = walkMapping(checker, OVERLAY_FILE, root, {
    checker,
    projectRoot: null,
    overlay: stem,
  });
  const filterEntry = present.get("tagsFilter");
  if (!filterEntry) {
    reportError(checker, "CFG-024", `overlay \`${stem}\` has no \`tagsFilter\``, { path: file.path }, {
      help: 'add e.g. `tagsFilter: "ts"` to choose the projects it attaches to',
    });
  }
  const tasks = values.tasks;
  return {
    tagsFilter: values.tagsFilter?.expression ?? null,
    ...(filterEntry ? { tagsFilterLocation: filterEntry.value.location } : {}),
    filterAtoms: values.tagsFilter?.atoms ?? [],
    tasks: tasks?.tasks ?? new Map(),
    droppedTasks: tasks?.dropped ?? new Set(),
    taskLocations: tasks?.locations ?? new Map(),
    incomplete: invalid.has("tasks"),
    diagnostics: checker.diagnostics,
  };
}
