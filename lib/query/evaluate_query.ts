/**
 * Evaluates `haz query` filters over a loaded workspace (02-graph.md QRY-001, QRY-003..009, QRY-011).
 *
 * @module
 */

import type { Diagnostic } from "../domain/diagnostic.ts";
import { escapeGlob } from "../domain/glob.ts";
import { resolvePattern } from "../domain/path_pattern.ts";
import type { PathPattern, TaskDefinition } from "../domain/workspace.ts";
import type { LoadedWorkspace } from "../graph/load_workspace.ts";
import { coverageIntersects } from "../graph/pattern_intersection.ts";
import { candidateSet } from "../graph/select.ts";
import { hardPredecessorClosure, hardSuccessorClosure } from "../graph/traverse.ts";
import { evaluateExpression, expressionAtoms } from "../domain/expression.ts";
import { flagDiagnostic, type QueryFilter } from "./query_filters.ts";

/** Structural filters (QRY-005): true = `--has-…`, false = `--no-…`, absent = no constraint. */
export interface QueryShortcuts {
  readonly deps?: boolean;
  readonly inputs?: boolean;
  readonly outputs?: boolean;
  readonly mutex?: boolean;
}

/** A whole query. */
export interface QueryRequest {
  readonly scope: "all" | "workspace";
  readonly filters: readonly QueryFilter[];
  readonly shortcuts: QueryShortcuts;
}

/**
 * The matching task ids in canonical order, or the QRY-011 diagnostics.
 *
 * @example
 * ```ts
 * const result = evaluateQuery(loaded, { scope: "all", filters, shortcuts: { mutex: true } });
 * if (result.ok) result.ids; // ["web:deploy"]
 * ```
 */
export function evaluateQuery(
  loaded: LoadedWorkspace,
  request: QueryRequest,
): { ok: true; ids: string[] } | { ok: false; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const predicates: Array<(task: TaskDefinition) => boolean> = [];
  for (const filter of request.filters) {
    const predicate = filterPredicate(loaded, filter, diagnostics);
    if (predicate) predicates.push(predicate);
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  predicates.push(...shortcutPredicates(request.shortcuts));
  const ids = candidateSet(loaded, request.scope).filter((id) => {
    const task = loaded.graph.tasks.get(id)!;
    return predicates.every((predicate) => predicate(task));
  });
  return { ok: true, ids };
}

function filterPredicate(
  loaded: LoadedWorkspace,
  filter: QueryFilter,
  diagnostics: Diagnostic[],
): ((task: TaskDefinition) => boolean) | null {
  const { expression, flag } = filter;
  switch (flag) {
    case "tags":
      return (task) => evaluateExpression(expression, (atom) => atom === "*" || task.tags.includes(atom));
    case "projects":
      return (task) => evaluateExpression(expression, (atom) => task.id.project === atom);
    case "tasks":
      return (task) => evaluateExpression(expression, (atom) => task.id.task === atom);
    case "inputs":
    case "outputs": {
      const patterns = new Map<string, PathPattern>();
      for (const atom of expressionAtoms(expression)) {
        if (!atom.text.startsWith("/") && loaded.bearingProject === null) {
          diagnostics.push(flagDiagnostic(
            "QRY-011",
            `\`${atom.text}\` is project-relative, but ${loaded.startDir} is not inside any project`,
            { flag, text: filter.text, column: atom.column, length: atom.length },
            "start it with `/`",
          ));
          continue;
        }
        const root = loaded.bearingProject?.root ?? "/";
        patterns.set(atom.text, resolvePattern({ text: atom.text, exclude: false }, root));
      }
      if (flag === "inputs") {
        return (task) =>
          evaluateExpression(
            expression,
            (atom) => (task.inputs ?? []).some((input) => coverageIntersects(patterns.get(atom)!, input)),
          );
      }
      return (task) =>
        evaluateExpression(
          expression,
          (atom) =>
            task.outputs.some((output) =>
              atomCoverage(patterns.get(atom)!).some((a) => coverageIntersects(output, a))
            ),
        );
    }
    default: {
      const targets = new Set(
        [...loaded.graph.tasks.values()].filter((task) =>
          evaluateExpression(expression, (atom) => relationHolds(task, atom))
        )
          .map((task) => task.key),
      );
      return relationPredicate(loaded, flag, targets);
    }
  }
}

/** A literal atom stands for the path and everything below it (QRY-003). */
function atomCoverage(pattern: PathPattern): PathPattern[] {
  if (pattern.isGlob) return [pattern];
  const below = `${escapeGlob(pattern.canonical)}/**`;
  return [pattern, { written: below, canonical: below, isGlob: true }];
}

function relationHolds(task: TaskDefinition, atom: string): boolean {
  const colon = atom.indexOf(":");
  const kind = atom.slice(0, colon);
  const name = atom.slice(colon + 1);
  if (kind === "name") return task.id.task === name;
  if (kind === "project") return task.id.project === name;
  return task.tags.includes(name);
}

function relationPredicate(
  loaded: LoadedWorkspace,
  flag: "child-of" | "parent-of" | "depends-on" | "ancestor-of",
  targets: ReadonlySet<string>,
): (task: TaskDefinition) => boolean {
  const { graph } = loaded;
  if (flag === "child-of") {
    return (task) => (graph.hardPredecessors.get(task.key) ?? []).some((id) => targets.has(id));
  }
  if (flag === "parent-of") {
    return (task) => (graph.hardSuccessors.get(task.key) ?? []).some((id) => targets.has(id));
  }
  const reach = flag === "depends-on"
    ? hardSuccessorClosure(graph, targets)
    : hardPredecessorClosure(graph, targets);
  return (task) => reach.has(task.key) && !targets.has(task.key);
}

function shortcutPredicates(shortcuts: QueryShortcuts): Array<(task: TaskDefinition) => boolean> {
  const predicates: Array<(task: TaskDefinition) => boolean> = [];
  if (shortcuts.deps !== undefined) predicates.push((task) => (task.body.deps.length > 0) === shortcuts.deps);
  if (shortcuts.inputs !== undefined) {
    predicates.push((task) => ((task.body.inputs?.length ?? 0) > 0) === shortcuts.inputs);
  }
  if (shortcuts.outputs !== undefined) {
    predicates.push((task) => (task.outputs.length > 0) === shortcuts.outputs);
  }
  if (shortcuts.mutex) predicates.push((task) => task.mutex !== null);
  return predicates;
}
