/**
 * `haz graph --format mermaid` (02-graph.md GRAPH-005): a left-to-right flowchart, one subgraph per project.
 *
 * @module
 */

import type { EdgeKind, TaskGraph } from "../domain/workspace.ts";
import { exportView } from "./export_view.ts";

const ARROWS: Readonly<Record<EdgeKind, string>> = { hard: "-->", soft: "-.->", producer: "-. producer .->" };

/**
 * The exact mermaid text for the given nodes (the run set); `selected` does not change the output.
 *
 * @example
 * ```ts
 * exportMermaid(graph, [], new Set()); // "flowchart LR\n"
 * ```
 */
export function exportMermaid(
  graph: TaskGraph,
  nodes: readonly string[],
  _selected: ReadonlySet<string>,
): string {
  const view = exportView(graph, nodes);
  const nodeIndex = new Map(view.nodes.map((node, index) => [node.key, index]));
  const lines = ["flowchart LR"];
  view.projects.forEach((project, projectIndex) => {
    lines.push(`  subgraph p${projectIndex}["${project.name}"]`);
    for (const node of project.nodes) {
      // 09 §12: a service is a stadium, every other task a box.
      const [open, close] = graph.tasks.get(node.key)?.service ? ["([", "])"] : ["[", "]"];
      lines.push(`    n${nodeIndex.get(node.key)}${open}"${node.key}"${close}`);
    }
    lines.push("  end");
  });
  for (const edge of view.edges) {
    lines.push(`  n${nodeIndex.get(edge.from)} ${ARROWS[edge.kind]} n${nodeIndex.get(edge.to)}`);
  }
  return `${lines.join("\n")}\n`;
}
