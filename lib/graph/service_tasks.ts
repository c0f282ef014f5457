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
