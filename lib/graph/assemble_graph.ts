/**
 * Assembling the {@linkcode TaskGraph} value: nodes in canonical order (DAG-018), edges de-duplicated and
 * sorted (GRAPH-002), adjacency lists per kind.
 *
 * @module
 */

import { compareTaskIds } from "../domain/task_id.ts";
import type { Edge, EdgeKind, TaskDefinition, TaskGraph } from "../domain/workspace.ts";

const KIND_ORDER: Readonly<Record<EdgeKind, number>> = { hard: 0, soft: 1, producer: 2 };

/**
 * Builds the graph; edges whose ends are not among the tasks are ignored, and the same (from, to, kind)
 * counts once (the first one given is kept).
 *
 * @example
 * ```ts
 * const graph = assembleTaskGraph([coreBuild, coreTest], [{ from: "core:build", to: "core:test", kind: "hard" }]);
 * graph.hardSuccessors.get("core:build"); // ["core:test"]
 * ```
 */
export function assembleTaskGraph(tasks: Iterable<TaskDefinition>, edges: Iterable<Edge>): TaskGraph {
  const given = [...tasks];
  // The load hands them over in canonical order already: checking is one comparison per task.
  const sortedTasks = isInCanonicalOrder(given) ? given : given.sort((a, b) => compareTaskIds(a.id, b.id));
  const order = sortedTasks.map((task) => task.key);
  const rank = indexByKey(order);
  // Ranks looked up once per edge; a stable sort by (from, to, kind) puts the first given of equal edges
  // first, so de-duplicating is one comparison with the previous edge (no string key per edge).
  const ranked: { edge: Edge; from: number; to: number; kind: number }[] = [];
  for (const edge of edges) {
    const from = rank.get(edge.from);
    const to = rank.get(edge.to);
    if (from === undefined || to === undefined) continue;
    ranked.push({ edge, from, to, kind: KIND_ORDER[edge.kind] });
  }
  ranked.sort((a, b) => a.from - b.from || a.to - b.to || a.kind - b.kind);
  const sortedEdges: Edge[] = [];
  for (let index = 0; index < ranked.length; index++) {
    const keyed = ranked[index];
    const previous = ranked[index - 1];
    const repeated = previous !== undefined && previous.from === keyed.from && previous.to === keyed.to &&
      previous.kind === keyed.kind;
    if (!repeated) sortedEdges.push(plainEdge(keyed.edge));
  }
  return graphFromSortedEdges(sortedTasks, sortedEdges);
}

/**
 * The graph of tasks already in canonical order and edges already de-duplicated and sorted (what
 * {@linkcode assembleTaskGraph} produces, and what the workspace snapshot stores): the maps are derived.
 *
 * @example
 * ```ts
 * const graph = graphFromSortedEdges([coreBuild, coreTest], [{ from: "core:build", to: "core:test", kind: "hard" }]);
 * graph.hardPredecessors.get("core:test"); // ["core:build"]
 * ```
 */
export function graphFromSortedEdges(sortedTasks: readonly TaskDefinition[], sortedEdges: Edge[]): TaskGraph {
  const order = sortedTasks.map((task) => task.key);
  // Filled by a loop: a Map built from `order.map(…)` first makes a pair array per task.
  const adjacency = () => {
    const lists = new Map<string, string[]>();
    for (const id of order) lists.set(id, []);
    return lists;
  };
  const tasks = new Map<string, TaskDefinition>();
  for (const task of sortedTasks) tasks.set(task.key, task);
  const hardPredecessors = adjacency();
  const hardSuccessors = adjacency();
  const softPredecessors = adjacency();
  const softSuccessors = adjacency();
  // Edges are sorted by (from, to), so both successor and predecessor lists come out in canonical order.
  for (const edge of sortedEdges) {
    if (edge.kind === "hard") {
      hardSuccessors.get(edge.from)!.push(edge.to);
      hardPredecessors.get(edge.to)!.push(edge.from);
    } else if (edge.kind === "soft") {
      softSuccessors.get(edge.from)!.push(edge.to);
      softPredecessors.get(edge.to)!.push(edge.from);
    }
  }
  return {
    tasks,
    order,
    edges: sortedEdges,
    hardPredecessors,
    hardSuccessors,
    softPredecessors,
    softSuccessors,
  };
}

/**
 * Each key's index in `keys`, built without the pair array per entry that `new Map(keys.map(…))` makes.
 *
 * @example
 * ```ts
 * indexByKey(["core:build", "web:build"]).get("web:build"); // 1
 * ```
 */
export function indexByKey(keys: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  for (let position = 0; position < keys.length; position++) index.set(keys[position], position);
  return index;
}

function isInCanonicalOrder(tasks: readonly TaskDefinition[]): boolean {
  for (let index = 1; index < tasks.length; index++) {
    if (compareTaskIds(tasks[index - 1].id, tasks[index].id) > 0) return false;
  }
  return true;
}

/** Drops bookkeeping fields (such as declaration locations) that are not part of {@linkcode Edge}. */
function plainEdge(edge: Edge): Edge {
  return edge.via === undefined
    ? { from: edge.from, to: edge.to, kind: edge.kind }
    : { from: edge.from, to: edge.to, kind: edge.kind, via: edge.via };
}
