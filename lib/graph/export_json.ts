/**
 * `haz graph --format json` (02-graph.md GRAPH-003).
 *
 * @module
 */

import type { TaskDefinition, TaskGraph } from "../domain/workspace.ts";
import { exportView } from "./export_view.ts";

/** One node of the json export, fields in GRAPH-003 order. */
export interface JsonGraphNode {
  readonly id: string;
  readonly project: string;
  readonly task: string;
  readonly projectRoot: string;
  readonly tags: readonly string[];
  readonly description: string | null;
  readonly action: "command" | "shell" | "aggregate";
  readonly cacheable: boolean;
  readonly selected: boolean;
  /** A service (SVC-001), drawn distinctly in every format. */
  readonly service: boolean;
}

/** One edge of the json export; `via` only on producer edges. */
export interface JsonGraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: "hard" | "soft" | "producer";
  readonly via?: { readonly output: string; readonly input: string };
}

/** The json export's value. */
export interface JsonGraph {
  readonly schema: 1;
  readonly nodes: readonly JsonGraphNode[];
  readonly edges: readonly JsonGraphEdge[];
}

/**
 * The GRAPH-003 value for the given nodes (the run set) and selected ids.
 *
 * @example
 * ```ts
 * jsonGraph(graph, ["core:build", "core:test"], new Set(["core:test"])).nodes[0].selected; // false
 * ```
 */
export function jsonGraph(
  graph: TaskGraph,
  nodes: readonly string[],
  selected: ReadonlySet<string>,
): JsonGraph {
  const view = exportView(graph, nodes);
  return {
    schema: 1,
    nodes: view.nodes.map((task) => jsonNode(task, selected.has(task.key))),
    edges: view.edges.map((edge) =>
      edge.via === undefined ? { from: edge.from, to: edge.to, kind: edge.kind } : {
        from: edge.from,
        to: edge.to,
        kind: edge.kind,
        via: { output: edge.via.output, input: edge.via.input },
      }
    ),
  };
}

/**
 * The exact json text: `JSON.stringify(value, null, 2)` plus a newline.
 *
 * @example
 * ```ts
 * exportJson(graph, [], new Set()); // '{\n  "schema": 1,\n  "nodes": [],\n  "edges": []\n}\n'
 * ```
 */
export function exportJson(
  graph: TaskGraph,
  nodes: readonly string[],
  selected: ReadonlySet<string>,
): string {
  return `${JSON.stringify(jsonGraph(graph, nodes, selected), null, 2)}\n`;
}

function jsonNode(task: TaskDefinition, selected: boolean): JsonGraphNode {
  return {
    id: task.key,
    project: task.id.project,
    task: task.id.task,
    projectRoot: task.projectRoot,
    tags: task.tags,
    description: task.description,
    action: task.action === null ? "aggregate" : task.action.kind,
    // CFG-042: not a service (SVC-045), an action, declared inputs, and no `cache: false`.
    cacheable: task.service === null && task.action !== null && task.inputs !== null && task.cache,
    selected,
    service: task.service !== null,
  };
}
