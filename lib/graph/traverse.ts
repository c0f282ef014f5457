/**
 * Transitive closures over hard edges (SEL-007 affected sets, SEL-008 run sets, highlighting).
 *
 * @module
 */

import type { TaskGraph } from "../domain/workspace.ts";

/**
 * The seeds and every task they transitively depend on through hard edges.
 *
 * @example
 * ```ts
 * hardPredecessorClosure(graph, ["web:default"]);
 * // Set { "web:default", "web:build", "core:build", "util:build" }
 * ```
 */
export function hardPredecessorClosure(graph: TaskGraph, seeds: Iterable<string>): Set<string> {
  return closure(graph.hardPredecessors, seeds);
}

/**
 * The seeds and every task that transitively depends on them through hard edges.
 *
 * @example
 * ```ts
 * hardSuccessorClosure(graph, ["util:build"]);
 * // Set { "util:build", "web:build", "web:default", "web:deploy" }
 * ```
 */
export function hardSuccessorClosure(graph: TaskGraph, seeds: Iterable<string>): Set<string> {
  return closure(graph.hardSuccessors, seeds);
}

function closure(neighbours: ReadonlyMap<string, readonly string[]>, seeds: Iterable<string>): Set<string> {
  const reached = new Set<string>();
  const pending: string[] = [];
  for (const seed of seeds) {
    if (!reached.has(seed)) {
      reached.add(seed);
      pending.push(seed);
    }
  }
  while (pending.length > 0) {
    for (const next of neighbours.get(pending.pop()!) ?? []) {
      if (reached.has(next)) continue;
      reached.add(next);
      pending.push(next);
    }
  }
  return reached;
}
