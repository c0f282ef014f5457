import assert from "node:assert/strict";
import { test } from "node:test";
import { exportDot } from "../../lib/graph/export_dot.ts";
import { exportMermaid } from "../../lib/graph/export_mermaid.ts";
import { exportJson } from "../../lib/graph/export_json.ts";
import { buildGraph } from "../support/graph_builder.ts";

test("GRAPH services are drawn distinctly in dot, mermaid and json (09 §12)", () => {
  const { graph } = buildGraph({ tasks: [{ id: "s:api", service: true }, { id: "t:e2e", deps: ["s:api"] }] });
  const nodes = [...graph.order];
  const dot = exportDot(graph, nodes, new Set());
  assert.ok(dot.includes('    "s:api" [class="service", shape=component];\n'), dot);
  assert.ok(dot.includes('    "t:e2e";\n'), dot);
  const mermaid = exportMermaid(graph, nodes, new Set());
  assert.ok(mermaid.includes('    n0(["s:api"])\n'), mermaid);
  assert.ok(mermaid.includes('    n1["t:e2e"]\n'), mermaid);
  const json = JSON.parse(exportJson(graph, nodes, new Set()));
  assert.deepEqual(json.nodes.map((node: { id: string; service: boolean }) => [node.id, node.service]), [
    ["s:api", true],
    ["t:e2e", false],
  ]);
});
