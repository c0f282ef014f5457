/**
 * SEL-007: which tasks a set of changed paths affects. A task is *kept* when its action can see a change
 * directly; the affected candidates are those kept or depending on a kept task through hard edges.
 *
 * @module
 */

import { inputPatternsMatch } from "../domain/glob.ts";
import type { TaskDefinition, TaskGraph } from "../domain/workspace.ts";
import { hardSuccessorClosure } from "./traverse.ts";

/**
 * Whether a task matches the change set directly: with `inputs`, a changed path is one of its input
 * files (a literal input or a glob match, not excluded); without, a changed path lies below its project
 * root (root project: anywhere). Aggregates and `inputs: []` never match.
 *
 * @example
 * ```ts
 * taskMatchesChanges(utilBuild, new Set(["/libs/util/src/a.js"])); // true for `inputs: ["src/*.js"]`
 * ```
 */
export function taskMatchesChanges(task: TaskDefinition, changedPaths: ReadonlySet<string>): boolean {
  if (task.action === null) return false;
  if (task.inputs === null) {
    if (task.projectRoot === "/") return changedPaths.size > 0;
    const below = `${task.projectRoot}/`;
    for (const path of changedPaths) if (path.startsWith(below)) return true;
    return false;
  }
  if (task.inputs.length === 0) return false;
  for (const path of changedPaths) {
    if (inputPatternsMatch(task.inputs, task.inputExclusions, path)) return true;
  }
  return false;
}

/**
 * The affected candidates, in the candidates' order: kept tasks of the whole workspace and their hard
 * successors, intersected with the candidates (intermediate tasks may lie outside them).
 *
 * @example
 * ```ts
 * affectedTasks(graph, ["web:build", "web:default", "web:deploy"], new Set(["/libs/util/src/a.js"]));
 * // ["web:build", "web:default", "web:deploy"]
 * ```
 */
export function affectedTasks(
  graph: TaskGraph,
  candidates: readonly string[],
  changedPaths: ReadonlySet<string>,
): string[] {
  const kept = graph.order.filter((id) => taskMatchesChanges(graph.tasks.get(id)!, changedPaths));
  const reached = hardSuccessorClosure(graph, kept);
  return candidates.filter((id) => reached.has(id));
}
