/**
 * The drawing of the html export (GRAPH-006): nodes in layers from left to right (longest path over
 * hard and soft edges), grouped by project inside each layer, edges as curves.
 *
 * @module
 */

import type { Edge } from "../domain/workspace.ts";
import type { ExportView } from "./export_view.ts";

/** Geometry, in SVG user units. Labels are monospace, so widths follow from code point counts. */
const MARGIN = 24;
const CHARACTER_WIDTH = 7.3;
const NODE_PADDING = 12;
const NODE_MIN_WIDTH = 72;
const NODE_HEIGHT = 28;
const NODE_GAP = 8;
const GROUP_PADDING = 8;
const GROUP_LABEL_HEIGHT = 16;
const GROUP_GAP = 14;
const LAYER_GAP = 90;
const ARROW_LENGTH = 8;
const ARROW_HALF_WIDTH = 4;
/** Edges of different kinds leave and enter a node at different heights, so parallel edges stay apart. */
const PORT_OFFSET: Readonly<Record<Edge["kind"], number>> = { hard: 0, soft: -7, producer: 7 };

/** A placed node. */
export interface PlacedNode {
  readonly id: string;
  readonly layer: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The box around one project's nodes in one layer. */
export interface PlacedGroup {
  readonly project: string;
  readonly layer: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A drawn edge: the curve and its arrowhead, as SVG path data. */
export interface PlacedEdge {
  readonly edge: Edge;
  readonly from: number;
  readonly to: number;
  readonly curve: string;
  readonly arrow: string;
}

/** The whole drawing. */
export interface GraphLayout {
  /** In the view's node order (canonical). */
  readonly nodes: readonly PlacedNode[];
  readonly groups: readonly PlacedGroup[];
  /** In the view's edge order. */
  readonly edges: readonly PlacedEdge[];
  readonly width: number;
  readonly height: number;
}

/**
 * Lays out an export view.
 *
 * @example
 * ```ts
 * const layout = layoutGraph(exportView(graph, graph.order));
 * layout.nodes.find((node) => node.id === "web:default")?.layer; // 2
 * ```
 */
export function layoutGraph(view: ExportView): GraphLayout {
  const layers = longestPathLayers(view);
  const layerCount = view.nodes.length === 0 ? 0 : Math.max(...layers) + 1;
  const nodeWidth = Array.from({ length: layerCount }, () => NODE_MIN_WIDTH);
  view.nodes.forEach((node, index) => {
    const labelWidth = Array.from(node.key).length * CHARACTER_WIDTH + 2 * NODE_PADDING;
    nodeWidth[layers[index]] = Math.max(nodeWidth[layers[index]], Math.ceil(labelWidth));
  });
  const layerX: number[] = [];
  let x = MARGIN;
  for (let layer = 0; layer < layerCount; layer++) {
    layerX.push(x);
    x += nodeWidth[layer] + 2 * GROUP_PADDING + LAYER_GAP;
  }
  // Canonical order lists a project's nodes together, so each layer's nodes split into project runs.
  const layerMembers = Array.from({ length: layerCount }, (): number[] => []);
  layers.forEach((layer, index) => layerMembers[layer].push(index));
  const placed: PlacedNode[] = new Array(view.nodes.length);
  const groups: PlacedGroup[] = [];
  let height = MARGIN;
  layerMembers.forEach((members, layer) => {
    let y = MARGIN;
    for (let start = 0; start < members.length;) {
      const project = view.nodes[members[start]].id.project;
      let end = start;
      while (end < members.length && view.nodes[members[end]].id.project === project) end++;
      const count = end - start;
      const groupHeight = GROUP_LABEL_HEIGHT + 2 * GROUP_PADDING + count * (NODE_HEIGHT + NODE_GAP) -
        NODE_GAP;
      groups.push({
        project,
        layer,
        x: layerX[layer],
        y,
        width: nodeWidth[layer] + 2 * GROUP_PADDING,
        height: groupHeight,
      });
      for (let member = start; member < end; member++) {
        const index = members[member];
        placed[index] = {
          id: view.nodes[index].key,
          layer,
          x: layerX[layer] + GROUP_PADDING,
          y: y + GROUP_LABEL_HEIGHT + GROUP_PADDING + (member - start) * (NODE_HEIGHT + NODE_GAP),
          width: nodeWidth[layer],
          height: NODE_HEIGHT,
        };
      }
      y += groupHeight + GROUP_GAP;
      start = end;
    }
    height = Math.max(height, y - GROUP_GAP + MARGIN);
  });
  const position = new Map(view.nodes.map((node, index) => [node.key, index]));
  const edges = view.edges.map((edge) => {
    const from = position.get(edge.from)!;
    const to = position.get(edge.to)!;
    return { edge, from, to, ...edgeGeometry(placed[from], placed[to], PORT_OFFSET[edge.kind]) };
  });
  const width = layerCount === 0 ? 2 * MARGIN : x - LAYER_GAP + MARGIN;
  return { nodes: placed, groups, edges, width, height: Math.max(height, 2 * MARGIN) };
}

/** Layer of each node (view order): 0 without hard/soft predecessors, else one more than the deepest. */
function longestPathLayers(view: ExportView): number[] {
  const position = new Map(view.nodes.map((node, index) => [node.key, index]));
  const successors = view.nodes.map((): number[] => []);
  const pendingPredecessors = view.nodes.map(() => 0);
  for (const edge of view.edges) {
    if (edge.kind === "producer") continue;
    const from = position.get(edge.from)!;
    const to = position.get(edge.to)!;
    successors[from].push(to);
    pendingPredecessors[to]++;
  }
  const layers = view.nodes.map(() => 0);
  const ready = pendingPredecessors.flatMap((count, index) => count === 0 ? [index] : []);
  for (let head = 0; head < ready.length; head++) {
    const node = ready[head];
    for (const next of successors[node]) {
      layers[next] = Math.max(layers[next], layers[node] + 1);
      if (--pendingPredecessors[next] === 0) ready.push(next);
    }
  }
  return layers;
}

/**
 * A curve from the right side of `from` to the left side of `to`, `offset` units below the middle;
 * a loop on the right for a self edge.
 */
function edgeGeometry(from: PlacedNode, to: PlacedNode, offset: number): { curve: string; arrow: string } {
  if (from === to) {
    const right = from.x + from.width;
    const top = from.y + 6;
    const bottom = from.y + from.height - 6;
    return {
      curve: `M${n(right)} ${n(top)}C${n(right + 36)} ${n(top - 18)} ${n(right + 36)} ${n(bottom + 18)} ${
        n(right + ARROW_LENGTH)
      } ${n(bottom)}`,
      arrow: `M${n(right)} ${n(bottom)}L${n(right + ARROW_LENGTH)} ${n(bottom - ARROW_HALF_WIDTH)}L${
        n(right + ARROW_LENGTH)
      } ${n(bottom + ARROW_HALF_WIDTH)}Z`,
    };
  }
  const startX = from.x + from.width;
  const startY = from.y + from.height / 2 + offset;
  const endX = to.x;
  const endY = to.y + to.height / 2 + offset;
  const tipBase = endX - ARROW_LENGTH;
  const bend = Math.max(40, Math.abs(tipBase - startX) / 2);
  return {
    curve: `M${n(startX)} ${n(startY)}C${n(startX + bend)} ${n(startY)} ${n(tipBase - bend)} ${n(endY)} ${
      n(tipBase)
    } ${n(endY)}`,
    arrow: `M${n(endX)} ${n(endY)}L${n(tipBase)} ${n(endY - ARROW_HALF_WIDTH)}L${n(tipBase)} ${
      n(endY + ARROW_HALF_WIDTH)
    }Z`,
  };
}

/** Coordinates with at most one decimal, to keep the page small. */
function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}
