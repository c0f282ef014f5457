/**
 * `haz graph --format html` (02-graph.md GRAPH-006): one self-contained page with an inline SVG drawing,
 * the json export embedded verbatim, and a small script for inspection. Works offline from `file:`.
 *
 * @module
 */

import type { TaskGraph } from "../domain/workspace.ts";
import { exportJson } from "./export_json.ts";
import { exportView } from "./export_view.ts";
import { layoutGraph } from "./graph_layout.ts";
import type { GraphLayout } from "./graph_layout.ts";
import { HTML_PAGE_SCRIPT, HTML_PAGE_STYLE } from "./html_page_assets.ts";
import type { ExportView } from "./export_view.ts";

/** The one URL the page may contain (GRAPH-006). */
const SVG_NAMESPACE = "http://www.w3.org/2000/svg";

/**
 * The exact html text for the given nodes (the run set) and selected ids.
 *
 * @example
 * ```ts
 * const page = exportHtml(graph, graph.order, new Set(graph.order));
 * page.includes('<script type="application/json" id="haz-graph">'); // true
 * ```
 */
export function exportHtml(
  graph: TaskGraph,
  nodes: readonly string[],
  selected: ReadonlySet<string>,
): string {
  const view = exportView(graph, nodes);
  const layout = layoutGraph(view);
  // `<` escaped so that no text in the data can close the script element; JSON.parse reads it back.
  const embedded = exportJson(graph, nodes, selected).replaceAll("<", "\\u003c");
  const selectedCount = view.nodes.filter((node) => selected.has(node.key)).length;
  const summary = `${plural(view.nodes.length, "task")}, ${
    plural(view.edges.length, "edge")
  }, ${selectedCount} selected`;
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    "<title>haz graph</title>",
    `<style>${HTML_PAGE_STYLE}</style>`,
    "</head>",
    "<body>",
    "<header>",
    "<h1>haz graph</h1>",
    `<span>${summary}</span>`,
    legend(),
    '<label>filter <input id="filter" type="search" placeholder="task id substring" autocomplete="off"></label>',
    '<span id="matches"></span>',
    '<span><button id="zoom-out" type="button">−</button> <button id="zoom-in" type="button">+</button> ' +
    '<button id="zoom-fit" type="button">fit</button></span>',
    "</header>",
    '<div id="stage">',
    drawing(view, layout, selected),
    '<div id="details"></div>',
    "</div>",
    `<script type="application/json" id="haz-graph">${embedded}</script>`,
    `<script>${HTML_PAGE_SCRIPT}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function drawing(view: ExportView, layout: GraphLayout, selected: ReadonlySet<string>): string {
  const lines = [
    `<svg id="canvas" xmlns="${SVG_NAMESPACE}" data-width="${layout.width}" data-height="${layout.height}" ` +
    'role="img" aria-label="task graph">',
    '<g id="scene">',
  ];
  for (const group of layout.groups) {
    lines.push(
      `<g class="group"><rect x="${group.x}" y="${group.y}" width="${group.width}" height="${group.height}" rx="6"/>` +
        `<text x="${group.x + 8}" y="${group.y + 15}">${escapeXml(group.project)}</text></g>`,
    );
  }
  for (const placed of layout.edges) {
    lines.push(
      `<g class="edge ${placed.edge.kind}"><path class="line" d="${placed.curve}"/>` +
        `<path class="head" d="${placed.arrow}"/></g>`,
    );
  }
  layout.nodes.forEach((placed, index) => {
    const task = view.nodes[index];
    const state = selected.has(task.key) ? "selected" : "pulled";
    const tooltip = task.description === null ? task.key : `${task.key}\n${task.description}`;
    lines.push(
      `<g class="node ${state}" transform="translate(${placed.x} ${placed.y})">` +
        `<title>${escapeXml(tooltip)}</title>` +
        `<rect width="${placed.width}" height="${placed.height}" rx="4"/>` +
        `<text x="12" y="18">${escapeXml(task.key)}</text></g>`,
    );
  });
  lines.push("</g>", "</svg>");
  return lines.join("\n");
}

/** The three edge styles and the two node states, drawn like the graph. */
function legend(): string {
  const edgeSample = (kind: string, y: number) =>
    `<g class="edge ${kind}"><path class="line" d="M4 ${y}H40"/><path class="head" d="M48 ${y}L40 ${
      y - 4
    }L40 ${y + 4}Z"/></g><text x="54" y="${y + 4}" font-size="11">${kind}</text>`;
  return [
    `<svg id="legend" xmlns="${SVG_NAMESPACE}" width="380" height="40" role="img" aria-label="legend">`,
    edgeSample("hard", 8),
    edgeSample("soft", 20),
    edgeSample("producer", 32),
    '<g class="node selected" transform="translate(130 4)"><rect width="70" height="14" rx="3"/>',
    '<text x="6" y="11" style="font-size:10px">selected</text></g>',
    '<g class="node pulled" transform="translate(130 22)"><rect width="70" height="14" rx="3"/>',
    '<text x="6" y="11" style="font-size:10px">pulled in</text></g>',
    '<text x="210" y="15" font-size="11">click a task: highlight what it</text>',
    '<text x="210" y="29" font-size="11">needs and what needs it</text>',
    "</svg>",
  ].join("");
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.codePointAt(0)};`);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
