/**
 * `haz run --shard I/N` (07-remote-cache.md REMOTE-101..103): the units of a run set — its tasks
 * with an action that no other such task needs — dealt round-robin in canonical order.
 *
 * @module
 */

import type { TaskGraph } from "../domain/workspace.ts";

/** One shard of a run set. */
export interface ShardRunSet {
  /** The shard's units, canonical order: its `selected` tasks. */
  readonly units: readonly string[];
  /** The units and their transitive hard predecessors, in the run set's order. */
  readonly runSet: readonly string[];
}

/**
 * REMOTE-101/102: the run set of shard `index` (1-based) of `count`, from a run set in canonical
 * order. Aggregates are not units; an aggregate between a unit and its predecessors stays (it runs
 * nothing) so that the scheduler sees every hard edge.
 *
 * @example
 * ```ts
 * shardRunSet(graph, ["lib:build", "a:test", "b:test"], 2, 2).units; // ["b:test"]
 * ```
 */
export function shardRunSet(
  graph: TaskGraph,
  runSet: readonly string[],
  index: number,
  count: number,
): ShardRunSet {
  const inRunSet = new Set(runSet);
  const closure = (start: string): Set<string> => {
    const seen = new Set<string>();
    const stack = [...(graph.hardPredecessors.get(start) ?? [])];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id) || !inRunSet.has(id)) continue;
      seen.add(id);
      stack.push(...(graph.hardPredecessors.get(id) ?? []));
    }
    return seen;
  };
  const actions = runSet.filter((id) => graph.tasks.get(id)?.action !== null);
  const needed = new Set<string>();
  for (const id of actions) for (const predecessor of closure(id)) needed.add(predecessor);
  const units = actions.filter((id) => !needed.has(id)).filter((_, k) => k % count === index - 1);
  const chosen = new Set<string>(units);
  for (const unit of units) for (const predecessor of closure(unit)) chosen.add(predecessor);
  return { units, runSet: runSet.filter((id) => chosen.has(id)) };
}
