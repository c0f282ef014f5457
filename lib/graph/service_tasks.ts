/**
 * Which tasks of a graph are services or service aggregates (09-services-and-watch.md SVC-001,
 * SVC-046).
 *
 * @module
 */

import type { TaskGraph } from "../domain/workspace.ts";

/**
 * Printed ids of every service and every aggregate with a service or service aggregate among its
 * hard predecessors, in canonical order.
 *
 * @example
 * ```ts
 * serviceTaskIds(graph); // Set { "web:dev", "web:stack" }
 * ```
 */
export function serviceTaskIds(graph: TaskGraph): Set<string> {
  const memo = new Map<string, boolean>();
  const isService = (id: string): boolean => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    memo.set(id, false);
    const task = graph.tasks.get(id)!;
    const result = task.service !== null ||
      (task.action === null && (graph.hardPredecessors.get(id) ?? []).some(isService));
    memo.set(id, result);
    return result;
  };
  return new Set(graph.order.filter(isService));
}

/**
 * SVC-045: the first service in canonical order, among a task's hard predecessors (directly or
 * through service aggregates), that declares no `inputs`: its results cannot be cached.
 *
 * @example
 * ```ts
 * unkeyedServiceOf(graph, "web:e2e"); // "web:dev" when `web:dev` is a service without inputs
 * ```
 */
export function unkeyedServiceOf(graph: TaskGraph, id: string): string | null {
  const services = serviceTaskIds(graph);
  const found: string[] = [];
  const seen = new Set<string>();
  const visit = (pred: string) => {
    if (seen.has(pred) || !services.has(pred)) return;
    seen.add(pred);
    const task = graph.tasks.get(pred)!;
    if (task.service !== null) {
      if (task.inputs === null) found.push(pred);
      return;
    }
    for (const next of graph.hardPredecessors.get(pred) ?? []) visit(next);
  };
  for (const pred of graph.hardPredecessors.get(id) ?? []) visit(pred);
  const order = new Map(graph.order.map((task, rank) => [task, rank]));
  return found.sort((a, b) => order.get(a)! - order.get(b)!)[0] ?? null;
}
