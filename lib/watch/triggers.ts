/**
 * Trigger sets of a watch loop (09-services-and-watch.md §7, WATCH-020..023): which changed paths
 * make a run-set task matched, and which directories must be watched for that (WATCH-025).
 *
 * @module
 */

import {
  advanceStates,
  compilePattern,
  coverageMatchesPath,
  initialStates,
  inputPatternsMatch,
  pathSegments,
  statesCanExtend,
  staticPrefix,
} from "../domain/glob.ts";
import type { PathPattern, TaskGraph, Workspace } from "../domain/workspace.ts";

/** Segments that never trigger anything (WATCH-022). */
const IGNORED_SEGMENTS = new Set([".git", ".haz", "node_modules"]);

/** What makes one task matched. */
export type TriggerSet =
  /** Declared inputs: inclusions minus exclusions (CFG-044). */
  | {
    readonly kind: "inputs";
    readonly inclusions: readonly PathPattern[];
    readonly exclusions: readonly PathPattern[];
  }
  /** WATCH-021: a finishing task without inputs reacts to its project. */
  | { readonly kind: "project"; readonly root: string; readonly nestedRoots: readonly string[] };

/** The trigger sets of a run set and what every task shares. */
export interface Triggers {
  /** Run-set tasks with a non-empty trigger set, by printed id, canonical order. */
  readonly byTask: ReadonlyMap<string, TriggerSet>;
  /** Declared outputs of every run-set task, by printed id (WATCH-021, WATCH-022). */
  readonly outputs: ReadonlyMap<string, readonly PathPattern[]>;
}

/**
 * WATCH-020: inputs for tasks that declare them, the project scope for finishing tasks without
 * inputs, nothing for `inputs: []`, services without inputs and aggregates.
 *
 * @example
 * ```ts
 * const triggers = triggerSets(workspace, graph, new Set(["p:build"]));
 * triggers.byTask.get("p:build")?.kind; // "inputs"
 * ```
 */
export function triggerSets(workspace: Workspace, graph: TaskGraph, runSet: ReadonlySet<string>): Triggers {
  const byTask = new Map<string, TriggerSet>();
  const outputs = new Map<string, readonly PathPattern[]>();
  const roots = workspace.projects.map((project) => project.root);
  for (const id of graph.order) {
    if (!runSet.has(id)) continue;
    const task = graph.tasks.get(id)!;
    outputs.set(id, task.outputs);
    if (task.action === null) continue;
    if (task.inputs !== null) {
      if (task.inputs.length > 0) {
        byTask.set(id, { kind: "inputs", inclusions: task.inputs, exclusions: task.inputExclusions });
      }
      continue;
    }
    if (task.service !== null) continue;
    const root = task.projectRoot;
    const nestedRoots = roots.filter((other) => other !== root && isBelow(other, root));
    byTask.set(id, { kind: "project", root, nestedRoots });
  }
  return { byTask, outputs };
}

/** How a changed path is seen by the matcher. */
export interface ChangedPath {
  /** Workspace-absolute path. */
  readonly path: string;
  /** It is a directory, or no longer exists (WATCH-023's second rule). */
  readonly directoryOrGone: boolean;
}

/**
 * WATCH-023: does a changed path match task `id`'s trigger set?
 *
 * @example
 * ```ts
 * matchesTask(triggers, "p:a", { path: "/p/src/a.ts", directoryOrGone: false }); // true for inputs ["src/**"]
 * ```
 */
export function matchesTask(triggers: Triggers, id: string, change: ChangedPath): boolean {
  const trigger = triggers.byTask.get(id);
  if (trigger === undefined) return false;
  const { path } = change;
  if (coveredByOtherOutputs(triggers, id, change)) return false;
  if (trigger.kind === "inputs") {
    if (ignoredFor(path, trigger.inclusions)) return false;
    if (inputPatternsMatch(trigger.inclusions, trigger.exclusions, path)) return true;
    return change.directoryOrGone && trigger.inclusions.some((pattern) => couldMatchBelow(pattern, path));
  }
  if (ignoredFor(path, [])) return false;
  if (change.directoryOrGone && isBelow(trigger.root, path)) return true;
  if (!isBelow(path, trigger.root)) return false;
  if (trigger.nestedRoots.some((nested) => path === nested || isBelow(path, nested))) return false;
  // WATCH-021: paths inside a directory whose name starts with `.` (files such as `.eslintrc` count).
  const inside = pathSegments(path.slice(trigger.root === "/" ? 0 : trigger.root.length)).slice(0, -1);
  if (inside.some((segment) => segment.startsWith("."))) return false;
  return ![...triggers.outputs.values()].some((patterns) =>
    patterns.some((o) => coverageMatchesPath(o, path))
  );
}

/**
 * The tasks a changed path matches, in canonical order.
 *
 * @example
 * ```ts
 * matchedTasks(triggers, { path: "/p/README.md", directoryOrGone: false }); // ["p:lint"] for a task without inputs
 * ```
 */
export function matchedTasks(triggers: Triggers, change: ChangedPath): string[] {
  return [...triggers.byTask.keys()].filter((id) => matchesTask(triggers, id, change));
}

/**
 * WATCH-025: whether a directory (workspace-absolute) must be watched: not ignored, and some trigger
 * or configuration file could match it or a path below it.
 *
 * @example
 * ```ts
 * watchesDirectory(triggers, workspace, "/p/src"); // true for inputs ["src/**"]
 * ```
 */
export function watchesDirectory(triggers: Triggers, workspace: Workspace, directory: string): boolean {
  if (directory === "/" || directory === "/.haz" || directory === "/.haz/tasks") return true;
  const inputs = [...triggers.byTask.values()].flatMap((trigger) =>
    trigger.kind === "inputs" ? trigger.inclusions : []
  );
  if (ignoredFor(directory, inputs)) return false;
  // WATCH-024: every project's haz.yml.
  if (workspace.projects.some((project) => project.root === directory || isBelow(project.root, directory))) {
    return true;
  }
  for (const trigger of triggers.byTask.values()) {
    if (trigger.kind === "inputs") {
      if (trigger.inclusions.some((pattern) => couldMatchBelow(pattern, directory))) return true;
    } else if (isBelow(directory, trigger.root)) {
      const inside = pathSegments(directory.slice(trigger.root === "/" ? 0 : trigger.root.length));
      const nested = trigger.nestedRoots.some((root) => directory === root || isBelow(directory, root));
      if (!nested && !inside.some((segment) => segment.startsWith("."))) return true;
    }
  }
  return false;
}

/**
 * WATCH-023: could some path strictly below `directory` match the pattern (exclusions ignored)?
 *
 * @example
 * ```ts
 * couldMatchBelow({ written: "*.json", canonical: "/p/*.json", isGlob: true }, "/p/src"); // false
 * ```
 */
export function couldMatchBelow(pattern: PathPattern, directory: string): boolean {
  if (!pattern.isGlob) return isBelow(pattern.canonical, directory);
  return compilePattern(pattern).some((alternative) => {
    let states = initialStates(alternative);
    for (const name of pathSegments(directory)) {
      states = advanceStates(alternative, states, name);
      if (states.length === 0) return false;
    }
    return statesCanExtend(alternative, states);
  });
}

/** WATCH-022: a `.git`, `.haz` or `node_modules` segment, unless an input's static prefix is inside it. */
function ignoredFor(path: string, inputs: readonly PathPattern[]): boolean {
  const segments = pathSegments(path);
  if (!segments.some((segment) => IGNORED_SEGMENTS.has(segment))) return false;
  return !inputs.some((pattern) => {
    const prefix = pattern.isGlob ? staticPrefix(pattern.canonical) : pattern.canonical;
    return pathSegments(prefix).includes("node_modules") &&
      (path === prefix || isBelow(path, prefix) || isBelow(prefix, path));
  });
}

/**
 * WATCH-022: a path covered by the declared outputs of a run-set task other than `id`. A directory
 * counts as covered when everything below it is (`out/**` covers the directory `out` that its producer
 * creates), so making an output directory does not start a cycle for its readers.
 */
function coveredByOtherOutputs(triggers: Triggers, id: string, change: ChangedPath): boolean {
  const { path } = change;
  for (const [other, patterns] of triggers.outputs) {
    if (other === id) continue;
    for (const pattern of patterns) {
      if (coverageMatchesPath(pattern, path)) return true;
      if (change.directoryOrGone && coversEverythingBelow(pattern, path)) return true;
    }
  }
  return false;
}

/** `pattern` is `<prefix>/**` with `directory` at or below its literal prefix. */
function coversEverythingBelow(pattern: PathPattern, directory: string): boolean {
  if (!pattern.isGlob) return false;
  const prefix = staticPrefix(pattern.canonical);
  return pattern.canonical === `${prefix}/**` && (directory === prefix || isBelow(directory, prefix));
}

/** `path` is strictly below `directory` (both workspace-absolute). */
function isBelow(path: string, directory: string): boolean {
  return directory === "/" ? path !== "/" : path.startsWith(`${directory}/`);
}
