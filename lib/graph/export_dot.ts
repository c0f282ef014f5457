/**
 * `haz graph --format dot` (02-graph.md GRAPH-004): Graphviz text with one cluster per project.
 *
 * @module
 */

import type { EdgeKind, TaskGraph } from "../domain/workspace.ts";
import { exportView } from "./export_view.ts";

const EDGE_ATTRIBUTES: Readonly<Record<EdgeKind, string>> = {
  hard: '[class="hard"]',
  soft: '[class="soft", style=dashed]',
  producer: '[class="producer", style=dotted, arrowhead=empty]',
};

/**
 * The exact dot text for the given nodes (the run set); `selected` does not change the dot output.
 *
 * @example
 * ```ts
 * exportDot(graph, [], new Set()); // "digraph haz {\n  rankdir=LR;\n  node [shape=box];\n}\n"
 * ```
 */
export function exportDot(
  graph: TaskGraph,
  nodes: readonly string[],
  _selected: ReadonlySet<string>,
): string {
  const view = exportView(graph, nodes);
  const lines = ["digraph haz {", "  rankdir=LR;", "  node [shape=box];"];
  for (const project of view.projects) {
    lines.push(`  subgraph ${quote(`cluster_${project.name}`)} {`, `    label=${quote(project.name)};`);
    for (const node of project.nodes) {
      const attributes = [
        // 09 §12: services are drawn distinctly in every format.
        ...(graph.tasks.get(node.key)?.service ? ['class="service"', "shape=component"] : []),
        ...(node.description === null ? [] : [`tooltip=${quote(node.description)}`]),
      ];
      lines.push(
        attributes.length === 0
          ? `    ${quote(node.key)};`
          : `    ${quote(node.key)} [${attributes.join(", ")}];`,
      );
    }
    lines.push("  }");
  }
  for (const edge of view.edges) {
    lines.push(`  ${quote(edge.from)} -> ${quote(edge.to)} ${EDGE_ATTRIBUTES[edge.kind]};`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

/** A dot quoted string: `\` and `"` backslash-escaped, line breaks written `\n`. */
function quote(text: string): string {
  const escaped = text.replace(/[\\"]/g, (character) => `\\${character}`).replace(/\r\n|\r|\n/g, "\\n");
  return `"${escaped}"`;
}
