/**
 * Resolving task references against the effective task sets (01-workspace.md §10, REF-002..009), with
 * the follow-on-noise rules of DIAG-007: a reference that involves an incomplete project, a dropped
 * task or an unknown name while some project's name is unknown resolves silently to nothing.
 *
 * @module
 */

import { isIdentifier } from "../domain/identifier.ts";
import { compareBytes } from "../domain/task_id.ts";
import type { TaskRef } from "../domain/workspace.ts";
import { didYouMean } from "../util/did_you_mean.ts";

/** What a project contributes to resolution. */
export interface IndexedProject {
  readonly name: string;
  readonly tags: readonly string[];
  /** Effective task names that have a body. */
  readonly tasks: Iterable<string>;
  /** Effective task names whose winning body was dropped (known, but absent). */
  readonly droppedTasks: Iterable<string>;
  /** DIAG-007: the file failed, or the name is invalid or duplicated. */
  readonly incomplete: boolean;
}

/** Lookup tables for resolution, built once per workspace. */
export interface ReferenceIndex {
  /** Complete projects: name → effective task names. */
  readonly projectTasks: ReadonlyMap<string, ReadonlySet<string>>;
  readonly projectTags: ReadonlyMap<string, ReadonlySet<string>>;
  /** Task name → names of the complete projects that have it, in byte order. */
  readonly projectsByTask: ReadonlyMap<string, readonly string[]>;
  readonly droppedTasks: ReadonlyMap<string, ReadonlySet<string>>;
  readonly droppedTaskNames: ReadonlySet<string>;
  /** Every project name, incomplete ones included. */
  readonly knownProjects: ReadonlySet<string>;
  /** Names of incomplete projects: references into them stay silent. */
  readonly incompleteProjects: ReadonlySet<string>;
  readonly someProjectNameUnknown: boolean;
  readonly someProjectIncomplete: boolean;
  /** Valid project names in byte order (did-you-mean candidates). */
  readonly projectNames: readonly string[];
  /** Every effective task name of the workspace, in byte order. */
  readonly taskNames: readonly string[];
  /** Every tag some project carries, in byte order. */
  readonly tags: readonly string[];
  readonly carriedTags: ReadonlySet<string>;
}

/** Why a reference resolves to nothing, when that deserves a diagnostic. */
export type RefProblem =
  /** REF-006: an exact form names a project that does not exist. */
  | { readonly kind: "no-project"; readonly project: string; readonly suggestion: string | null }
  /** REF-006: an exact form names a task the project does not have. */
  | {
    readonly kind: "no-task";
    readonly project: string;
    readonly task: string;
    readonly suggestion: string | null;
  }
  /** REF-007 / REF-011: no project of the workspace has a task of that name. */
  | { readonly kind: "no-task-anywhere"; readonly task: string; readonly suggestion: string | null }
  /** REF-010: `~:t` without a bearing project. */
  | { readonly kind: "needs-bearing" };

/** The resolution of one reference: task ids in canonical order, and the problem when empty. */
export interface Resolution {
  readonly tasks: readonly string[];
  readonly problem: RefProblem | null;
}

/**
 * Builds the lookup tables from every project of the workspace.
 *
 * @example
 * ```ts
 * const index = buildReferenceIndex([{ name: "a", tags: [], tasks: ["build"], droppedTasks: [], incomplete: false }]);
 * index.projectsByTask.get("build"); // ["a"]
 * ```
 */
export function buildReferenceIndex(projects: readonly IndexedProject[]): ReferenceIndex {
  const projectTasks = new Map<string, ReadonlySet<string>>();
  const projectTags = new Map<string, ReadonlySet<string>>();
  const droppedTasks = new Map<string, ReadonlySet<string>>();
  const byTask = new Map<string, string[]>();
  const droppedTaskNames = new Set<string>();
  const incompleteProjects = new Set<string>();
  const tags = new Set<string>();
  let someProjectNameUnknown = false;
  for (const project of projects) {
    for (const tag of project.tags) tags.add(tag);
    if (project.incomplete) {
      incompleteProjects.add(project.name);
      if (!isIdentifier(project.name)) someProjectNameUnknown = true;
      continue;
    }
    const tasks = new Set(project.tasks);
    const dropped = new Set(project.droppedTasks);
    projectTasks.set(project.name, tasks);
    projectTags.set(project.name, new Set(project.tags));
    droppedTasks.set(project.name, dropped);
    for (const name of dropped) droppedTaskNames.add(name);
    for (const name of tasks) {
      const owners = byTask.get(name);
      if (owners) owners.push(project.name);
      else byTask.set(name, [project.name]);
    }
  }
  for (const owners of byTask.values()) owners.sort(compareBytes);
  const knownProjects = new Set(projects.map((project) => project.name));
  // The did-you-mean candidate lists are only needed when a reference fails: sorted on first use.
  let projectNames: readonly string[] | undefined;
  let taskNames: readonly string[] | undefined;
  let sortedTags: readonly string[] | undefined;
  return {
    projectTasks,
    projectTags,
    projectsByTask: byTask,
    droppedTasks,
    droppedTaskNames,
    knownProjects,
    incompleteProjects,
    someProjectNameUnknown,
    someProjectIncomplete: incompleteProjects.size > 0,
    get projectNames() {
      return projectNames ??= [...knownProjects].filter(isIdentifier).sort(compareBytes);
    },
    get taskNames() {
      return taskNames ??= [...byTask.keys()].sort(compareBytes);
    },
    get tags() {
      return sortedTags ??= [...tags].sort(compareBytes);
    },
    carriedTags: tags,
  };
}

/**
 * Resolves a reference for a bearing project (REF-002..009; `null`: none, command line only).
 *
 * @example
 * ```ts
 * resolveReference(index, { form: "every", excludeOwn: true, task: "build", text: "^~:build" }, "a");
 * // { tasks: ["b:build", "c:build"], problem: null }
 * ```
 */
export function resolveReference(index: ReferenceIndex, ref: TaskRef, bearing: string | null): Resolution {
  if (ref.form === "exact") return resolveExact(index, ref.project ?? bearing, ref.task);
  const owners = index.projectsByTask.get(ref.task) ?? [];
  const tasks = owners
    .filter((project) => !(ref.excludeOwn && project === bearing))
    .filter((project) => ref.form !== "tag" || index.projectTags.get(project)?.has(ref.tag))
    .map((project) => `${project}:${ref.task}`);
  const nobodyHasIt = owners.length === 0 && !index.droppedTaskNames.has(ref.task) &&
    !index.someProjectIncomplete;
  const problem: RefProblem | null = nobodyHasIt
    ? { kind: "no-task-anywhere", task: ref.task, suggestion: didYouMean(ref.task, index.taskNames) }
    : null;
  return { tasks, problem };
}

/**
 * Whether some project carries the tag (ID-006, REF-011).
 *
 * @example
 * ```ts
 * tagIsCarried(index, "lib"); // true when a project lists `lib` in `tags`
 * ```
 */
export function tagIsCarried(index: ReferenceIndex, tag: string): boolean {
  return index.carriedTags.has(tag);
}

function resolveExact(index: ReferenceIndex, project: string | null, task: string): Resolution {
  const none: readonly string[] = [];
  if (project === null) return { tasks: none, problem: { kind: "needs-bearing" } };
  if (!index.knownProjects.has(project)) {
    if (index.someProjectNameUnknown) return { tasks: none, problem: null };
    const suggestion = didYouMean(project, index.projectNames);
    return { tasks: none, problem: { kind: "no-project", project, suggestion } };
  }
  const tasks = index.projectTasks.get(project);
  if (tasks === undefined) return { tasks: none, problem: null };
  if (tasks.has(task)) return { tasks: [`${project}:${task}`], problem: null };
  if (index.droppedTasks.get(project)?.has(task)) return { tasks: none, problem: null };
  const suggestion = didYouMean(task, [...tasks].sort(compareBytes));
  return { tasks: none, problem: { kind: "no-task", project, task, suggestion } };
}

/**
 * The REF-006 tail for an exact form that does not resolve.
 *
 * @example
 * ```ts
 * unresolvedReason({ kind: "no-project", project: "ghost", suggestion: null }); // "no project named `ghost`"
 * ```
 */
export function unresolvedReason(problem: Extract<RefProblem, { kind: "no-project" | "no-task" }>): string {
  return problem.kind === "no-project"
    ? `no project named \`${problem.project}\``
    : `project \`${problem.project}\` has no task \`${problem.task}\``;
}

/**
 * DIAG-009 help text for a suggestion, or undefined when there is none.
 *
 * @example
 * ```ts
 * suggestionHelp("test"); // "did you mean `test`?"
 * ```
 */
export function suggestionHelp(suggestion: string | null): string | undefined {
  return suggestion === null ? undefined : `did you mean \`${suggestion}\`?`;
}
