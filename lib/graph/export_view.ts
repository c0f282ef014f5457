/**
 * What every graph export shows (02-graph.md GRAPH-001/002): the nodes in canonical order grouped by
 * project, and every edge whose two ends are nodes, in (from, to, kind) order.
 *
 * @module
 */

import type { Edge, TaskDefinition, TaskGraph } from "../domain/workspace.ts";

/** The nodes and edges of an export. */
export interface ExportView {
  /** Projects having nodes, in canonical order, each with its nodes in canonical order. */
  readonly projects: readonly { readonly name: string; readonly nodes: readonly TaskDefinition[] }[];
  /** Every node, canonical order. */
  readonly nodes: readonly TaskDefinition[];
  /** Edges between nodes, producer self edges included, GRAPH-002 order. */
  readonly edges: readonly Edge[];
}

/**
 * Restricts the graph to the given node ids (unknown ids are ignored).
 *
 * @example
 * ```ts
 * exportView(graph, ["core:build", "core:test"]).edges; // [{ from: "core:build", to: "core:test", kind: "hard" }]
 * ```
 */
export function exportView(graph: TaskGraph, nodeIds: readonly string[]): ExportView {
  const included = new Set(nodeIds);
  const nodes = graph.order.filter((id) => included.has(id)).map((id) => graph.tasks.get(id)!);
  const projects: { name: string; nodes: TaskDefinition[] }[] = [];
  for (const node of nodes) {
    const last = projects.at(-1);
    if (last?.name === node.id.project) last.nodes.push(node);
    else projects.push({ name: node.id.project, nodes: [node] });
  }
  const edges = graph.edges.filter((edge) => included.has(edge.from) && included.has(edge.to));
  return { projects, nodes, edges };
}
