/**
 * Hard and soft edges from `deps` / `weakDeps` (DAG-008, DAG-009) with the reference checks of phase 4:
 * REF-006, REF-007, DAG-012 (self reference) and DAG-010 (same predecessor in both lists).
 *
 * @module
 */

import { errorDiagnostic, warningDiagnostic } from "../domain/diagnostic.ts";
import type { Diagnostic, DiagnosticLocation } from "../domain/diagnostic.ts";
import { comparePrintedIds } from "../domain/task_id.ts";
import type { DeclaredRef, Edge, TaskDefinition, TaskRef } from "../domain/workspace.ts";
import { resolveReference, suggestionHelp, unresolvedReason } from "./resolve_refs.ts";
import type { ReferenceIndex, Resolution } from "./resolve_refs.ts";

/** An edge with the declaration that created it (DAG-014 locations). */
export interface LocatedEdge extends Edge {
  readonly location?: DiagnosticLocation;
}

/** Edges and the diagnostics found while resolving references. */
export interface DeclaredEdges {
  readonly edges: readonly LocatedEdge[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Resolves every task's `deps` and `weakDeps` (REF-009: the bearing project is the task's project).
 *
 * @example
 * ```ts
 * const { edges } = declaredEdges(tasks, index);
 * edges[0]; // { from: "core:build", to: "core:test", kind: "hard", location: … }
 * ```
 */
export function declaredEdges(tasks: Iterable<TaskDefinition>, index: ReferenceIndex): DeclaredEdges {
  const edges: LocatedEdge[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const task of tasks) {
    const hard = resolveList(task, task.deps, index, diagnostics);
    const soft = resolveList(task, task.weakDeps, index, diagnostics);
    for (const [from, location] of hard.firstDeclaration) {
      edges.push({ from, to: task.key, kind: "hard", location });
    }
    for (const [from, location] of soft.firstDeclaration) {
      edges.push({ from, to: task.key, kind: "soft", location });
    }
    const overlap = depsAndWeakDepsOverlap(task, hard, soft);
    if (overlap) diagnostics.push(overlap);
  }
  return { edges, diagnostics };
}

/** One resolved list: predecessors with their first declaration, and each entry's resolution. */
interface ResolvedList {
  readonly firstDeclaration: Map<string, DiagnosticLocation | undefined>;
  readonly entries: readonly { readonly declared: DeclaredRef; readonly tasks: readonly string[] }[];
}

/** The resolution of an empty list (most `weakDeps`), shared: nothing reads it for writing. */
const NOTHING_DECLARED: ResolvedList = { firstDeclaration: new Map(), entries: [] };

function resolveList(
  task: TaskDefinition,
  list: readonly DeclaredRef[],
  index: ReferenceIndex,
  diagnostics: Diagnostic[],
): ResolvedList {
  if (list.length === 0) return NOTHING_DECLARED;
  const firstDeclaration = new Map<string, DiagnosticLocation | undefined>();
  const entries: { declared: DeclaredRef; tasks: readonly string[] }[] = [];
  for (const declared of list) {
    const resolution = resolveReference(index, declared.ref, task.id.project);
    if (resolution.tasks.includes(task.key)) {
      // DAG-012: the whole reference is dropped, not only the self edge.
      diagnostics.push(selfReference(task, declared));
      continue;
    }
    const problem = referenceProblem(task, declared, resolution);
    if (problem) diagnostics.push(problem);
    entries.push({ declared, tasks: resolution.tasks });
    for (const from of resolution.tasks) {
      if (!firstDeclaration.has(from)) firstDeclaration.set(from, declared.location);
    }
  }
  return { firstDeclaration, entries };
}

/** REF-006 for exact forms, REF-007 for fan-out forms that no project could satisfy. */
function referenceProblem(
  task: TaskDefinition,
  declared: DeclaredRef,
  resolution: Resolution,
): Diagnostic | null {
  const problem = resolution.problem;
  if (problem === null || problem.kind === "needs-bearing") return null;
  const text = declared.ref.text;
  if (problem.kind === "no-task-anywhere") {
    return warningDiagnostic(
      "REF-007",
      `\`${text}\` in task \`${task.key}\` matches no task: no project has a task \`${problem.task}\``,
      { phase: 4, location: declared.location, help: suggestionHelp(problem.suggestion) },
    );
  }
  return errorDiagnostic(
    "REF-006",
    `unresolved reference \`${text}\` in task \`${task.key}\`: ${unresolvedReason(problem)}`,
    { phase: 4, location: declared.location, help: suggestionHelp(problem.suggestion) },
  );
}

/** DAG-012, with the excluding form as help for `^:t` and `[g]:t`. */
function selfReference(task: TaskDefinition, declared: DeclaredRef): Diagnostic {
  return errorDiagnostic(
    "DAG-012",
    `reference \`${declared.ref.text}\` in task \`${task.key}\` resolves to the task itself`,
    { phase: 4, location: declared.location, help: excludingFormHelp(declared.ref) },
  );
}

function excludingFormHelp(ref: TaskRef): string | undefined {
  if (ref.form === "every" && !ref.excludeOwn) return `use \`^~:${ref.task}\` to exclude the own project`;
  if (ref.form === "tag" && !ref.excludeOwn) {
    return `use \`[${ref.tag}]~:${ref.task}\` to exclude the own project`;
  }
  return undefined;
}

/** DAG-010: one error per task, on the first `weakDeps` entry that repeats a `deps` predecessor. */
function depsAndWeakDepsOverlap(
  task: TaskDefinition,
  hard: ResolvedList,
  soft: ResolvedList,
): Diagnostic | null {
  if (soft.firstDeclaration.size === 0 || hard.firstDeclaration.size === 0) return null;
  const both = [...soft.firstDeclaration.keys()].filter((from) => hard.firstDeclaration.has(from));
  if (both.length === 0) return null;
  const first = soft.entries.find((entry) => entry.tasks.some((from) => hard.firstDeclaration.has(from)));
  return errorDiagnostic(
    "DAG-010",
    `task \`${task.key}\` lists ${both.sort(comparePrintedIds).join(", ")} in both \`deps\` and \`weakDeps\``,
    { phase: 4, location: first?.declared.location, help: "keep only one of the two edges" },
  );
}
