import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { renderDiagnosticReport } from "../../lib/cli/render_diagnostic.ts";
import type { Edge, TaskBody, TaskDefinition } from "../../lib/domain/workspace.ts";
import { assembleTaskGraph } from "../../lib/graph/assemble_graph.ts";
import { exportDot } from "../../lib/graph/export_dot.ts";
import { exportHtml } from "../../lib/graph/export_html.ts";
import { exportJson } from "../../lib/graph/export_json.ts";
import { exportMermaid } from "../../lib/graph/export_mermaid.ts";
import { exportView } from "../../lib/graph/export_view.ts";
import { layoutGraph } from "../../lib/graph/graph_layout.ts";
import { loadWorkspace } from "../../lib/graph/load_workspace.ts";
import type { LoadedWorkspace } from "../../lib/graph/load_workspace.ts";
import { select } from "../../lib/graph/select.ts";
import { withWorkspaceFixture } from "../support/workspace_fixture.ts";
import { W1_FILES as W1 } from "../support/w1_fixture.ts";

function lines(...text: string[]): string {
  return text.join("\n");
}

let w1: LoadedWorkspace;

before(async () => {
  const result = await withWorkspaceFixture(W1, (fixture) => loadWorkspace(fixture.root));
  assert.ok(result.ok, result.ok ? "" : renderDiagnosticReport(result.diagnostics, false));
  w1 = result.loaded;
});

/** `haz graph <refs|scope>` on W1 at the root: the nodes and selected set to export. */
function graphSelection(refs: string[], scope: "none" | "workspace" = "none") {
  const result = select(w1, { refs, scope, command: "graph", changedPaths: null });
  assert.ok(result.ok);
  return { nodes: result.runSet, selected: new Set(result.selected) };
}

describe("dot (GRAPH-004)", () => {
  test("GRAPH-004 GRAPH-002 haz graph --workspace --format dot", () => {
    const { nodes, selected } = graphSelection([], "workspace");
    assert.equal(
      exportDot(w1.graph, nodes, selected),
      lines(
        "digraph haz {",
        "  rankdir=LR;",
        "  node [shape=box];",
        '  subgraph "cluster_core" {',
        '    label="core";',
        '    "core:build";',
        '    "core:test";',
        "  }",
        '  subgraph "cluster_util" {',
        '    label="util";',
        '    "util:build";',
        "  }",
        '  subgraph "cluster_web" {',
        '    label="web";',
        '    "web:build" [tooltip="Bundle the app"];',
        '    "web:default";',
        '    "web:deploy";',
        "  }",
        '  "core:build" -> "core:test" [class="hard"];',
        '  "core:build" -> "web:build" [class="hard"];',
        '  "core:build" -> "web:build" [class="producer", style=dotted, arrowhead=empty];',
        '  "core:test" -> "web:deploy" [class="soft", style=dashed];',
        '  "util:build" -> "web:build" [class="hard"];',
        '  "web:build" -> "web:default" [class="hard"];',
        '  "web:build" -> "web:deploy" [class="hard"];',
        "}",
        "",
      ),
    );
  });

  test("GRAPH-001 no selection argument means --all for haz graph", () => {
    const { nodes, selected } = graphSelection([]);
    assert.deepEqual(nodes, w1.graph.order);
    assert.equal(selected.size, 6);
  });

  test("GRAPH-004 quoted strings escape backslash, quote and line breaks", () => {
    const graph = assembleTaskGraph([task("p", "t", { description: 'say "hi" \\ now\nthen\r\nend' })], []);
    assert.equal(
      exportDot(graph, ["p:t"], new Set(["p:t"])).split("\n")[5],
      '    "p:t" [tooltip="say \\"hi\\" \\\\ now\\nthen\\nend"];',
    );
  });

  test("GRAPH-007 the empty dot graph", () => {
    assert.equal(
      exportDot(w1.graph, [], new Set()),
      "digraph haz {\n  rankdir=LR;\n  node [shape=box];\n}\n",
    );
  });
});

describe("mermaid (GRAPH-005)", () => {
  test("GRAPH-005 haz graph web:default --format mermaid", () => {
    const { nodes, selected } = graphSelection(["web:default"]);
    assert.equal(
      exportMermaid(w1.graph, nodes, selected),
      lines(
        "flowchart LR",
        '  subgraph p0["core"]',
        '    n0["core:build"]',
        "  end",
        '  subgraph p1["util"]',
        '    n1["util:build"]',
        "  end",
        '  subgraph p2["web"]',
        '    n2["web:build"]',
        '    n3["web:default"]',
        "  end",
        "  n0 --> n2",
        "  n0 -. producer .-> n2",
        "  n1 --> n2",
        "  n2 --> n3",
        "",
      ),
    );
  });

  test("GRAPH-005 soft edges use -.->", () => {
    const { nodes, selected } = graphSelection(["core:test", "web:deploy"]);
    assert.ok(exportMermaid(w1.graph, nodes, selected).includes("\n  n1 -.-> n4\n"));
  });

  test("GRAPH-007 the empty mermaid graph", () => {
    assert.equal(exportMermaid(w1.graph, [], new Set()), "flowchart LR\n");
  });
});

describe("json (GRAPH-003)", () => {
  test("GRAPH-003 haz graph core:test --format json", () => {
    const { nodes, selected } = graphSelection(["core:test"]);
    const text = exportJson(w1.graph, nodes, selected);
    const value = JSON.parse(text);
    assert.equal(text, `${JSON.stringify(value, null, 2)}\n`);
    assert.deepEqual(value, {
      schema: 1,
      nodes: [
        {
          id: "core:build",
          project: "core",
          task: "build",
          projectRoot: "/libs/core",
          tags: ["lib", "ts"],
          description: null,
          action: "command",
          cacheable: true,
          selected: false,
          service: false,
        },
        {
          id: "core:test",
          project: "core",
          task: "test",
          projectRoot: "/libs/core",
          tags: ["lib", "ts"],
          description: null,
          action: "command",
          cacheable: true,
          selected: true,
          service: false,
        },
      ],
      edges: [{ from: "core:build", to: "core:test", kind: "hard" }],
    });
  });

  test("GRAPH-003 producer edges carry via; actions and cacheability", () => {
    const value = JSON.parse(exportJson(w1.graph, w1.graph.order, new Set(w1.graph.order)));
    const producer = value.edges.find((edge: { kind: string }) => edge.kind === "producer");
    assert.deepEqual(producer, {
      from: "core:build",
      to: "web:build",
      kind: "producer",
      via: { output: "/libs/core/dist", input: "/libs/core/dist/index.js" },
    });
    const byId = new Map(value.nodes.map((node: { id: string }) => [node.id, node]));
    assert.deepEqual(
      ["util:build", "web:default", "web:deploy", "web:build"].map((id) => {
        const node = byId.get(id) as { action: string; cacheable: boolean; description: string | null };
        return [node.action, node.cacheable, node.description];
      }),
      [["shell", true, null], ["aggregate", false, null], ["shell", false, null], [
        "command",
        true,
        "Bundle the app",
      ]],
    );
    // Key order of a producer edge is from, to, kind, via.
    assert.ok(
      JSON.stringify(producer).startsWith('{"from":"core:build","to":"web:build","kind":"producer","via"'),
    );
  });

  test("GRAPH-007 the empty json graph", () => {
    assert.equal(
      exportJson(w1.graph, [], new Set()),
      '{\n  "schema": 1,\n  "nodes": [],\n  "edges": []\n}\n',
    );
  });

  test("GRAPH-002 GRAPH-001 producer self edges are exported, edges sorted hard, soft, producer", () => {
    const a = task("p", "a", { outputs: [pattern("/p/out")], inputs: [pattern("/p/out/x")] });
    const b = task("p", "b");
    const graph = assembleTaskGraph([b, a], [
      { from: "p:a", to: "p:b", kind: "producer", via: { output: "/p/out", input: "/p/out" } },
      { from: "p:a", to: "p:b", kind: "soft" },
      { from: "p:a", to: "p:a", kind: "producer", via: { output: "/p/out", input: "/p/out/x" } },
      { from: "p:a", to: "p:b", kind: "hard" },
    ]);
    const value = JSON.parse(exportJson(graph, graph.order, new Set(["p:b"])));
    assert.deepEqual(value.edges.map((edge: Edge) => `${edge.from}>${edge.to}:${edge.kind}`), [
      "p:a>p:a:producer",
      "p:a>p:b:hard",
      "p:a>p:b:soft",
      "p:a>p:b:producer",
    ]);
    assert.deepEqual(value.nodes.map((node: { selected: boolean }) => node.selected), [false, true]);
  });
});

const FORBIDDEN = [
  "src=",
  "href=",
  "@import",
  "url(",
  "fetch",
  "XMLHttpRequest",
  "WebSocket",
  "EventSource",
  "importScripts",
  "import(",
];

function embeddedJson(page: string): string {
  const match = /<script type="application\/json" id="haz-graph">([^]*?)<\/script>/.exec(page);
  assert.ok(match, "no #haz-graph element");
  return match[1];
}

function sceneOf(page: string): string {
  return page.slice(page.indexOf('<g id="scene">'), page.indexOf("</svg>", page.indexOf('<g id="scene">')));
}

describe("html (GRAPH-006)", () => {
  test("GRAPH-006 the page is self-contained", () => {
    const page = exportHtml(w1.graph, w1.graph.order, new Set(w1.graph.order));
    assert.ok(page.startsWith("<!DOCTYPE html>\n"));
    for (const text of FORBIDDEN) assert.equal(page.includes(text), false, `page contains ${text}`);
    const withoutNamespace = page.replaceAll("http://www.w3.org/2000/svg", "");
    assert.equal(/https?:|\/\/|<link|<img|<iframe/i.test(withoutNamespace), false);
    assert.ok(page.includes('<meta charset="utf-8">'));
  });

  test("GRAPH-006 the embedded json equals the json export", () => {
    const { nodes, selected } = graphSelection(["web:deploy"]);
    const page = exportHtml(w1.graph, nodes, selected);
    assert.deepEqual(JSON.parse(embeddedJson(page)), JSON.parse(exportJson(w1.graph, nodes, selected)));
  });

  test("GRAPH-006 every `<` in the data is written \\u003c", () => {
    const graph = assembleTaskGraph([task("p", "t", { description: "</script><b>x</b> & 'q'" })], []);
    const page = exportHtml(graph, ["p:t"], new Set(["p:t"]));
    const embedded = embeddedJson(page);
    assert.equal(embedded.includes("<"), false);
    assert.ok(embedded.includes("\\u003c/script>"));
    assert.deepEqual(JSON.parse(embedded), JSON.parse(exportJson(graph, ["p:t"], new Set(["p:t"]))));
    assert.ok(
      sceneOf(page).includes(
        "<title>p:t\n&#60;/script&#62;&#60;b&#62;x&#60;/b&#62; &#38; &#39;q&#39;</title>",
      ),
    );
  });

  test("GRAPH-006 every node and edge is drawn; selected and pulled-in nodes differ", () => {
    const { nodes, selected } = graphSelection(["web:deploy"]);
    const scene = sceneOf(exportHtml(w1.graph, nodes, selected));
    for (const id of nodes) assert.ok(scene.includes(`>${id}</text>`), `${id} not drawn`);
    assert.equal(scene.split('<g class="node selected"').length - 1, 1);
    assert.equal(scene.split('<g class="node pulled"').length - 1, 3);
    const edges = exportView(w1.graph, nodes).edges;
    for (const kind of ["hard", "soft", "producer"]) {
      const drawn = scene.split(`<g class="edge ${kind}">`).length - 1;
      assert.equal(drawn, edges.filter((edge) => edge.kind === kind).length, kind);
    }
  });

  test("GRAPH-006 legend and distinct styles for the three edge kinds", () => {
    const page = exportHtml(w1.graph, w1.graph.order, new Set(["web:build"]));
    const legend = page.slice(
      page.indexOf('<svg id="legend"'),
      page.indexOf("</svg>", page.indexOf('<svg id="legend"')),
    );
    for (const label of [">hard<", ">soft<", ">producer<", ">selected<", ">pulled in<"]) {
      assert.ok(legend.includes(label), label);
    }
    assert.match(page, /\.edge\.soft \.line \{ stroke-dasharray: 7 4; \}/);
    assert.match(page, /\.edge\.producer \.line \{[^}]*stroke-dasharray: 1\.5 3;/);
    assert.match(page, /\.node\.selected rect \{[^}]*fill: #dbeafe/);
  });

  test("GRAPH-006 the inline script is valid JavaScript", () => {
    const page = exportHtml(w1.graph, w1.graph.order, new Set(w1.graph.order));
    const scripts = [...page.matchAll(/<script>([^]*?)<\/script>/g)].map((match) => match[1]);
    assert.equal(scripts.length, 1);
    assert.doesNotThrow(() => new Function(scripts[0]));
    assert.ok(scripts[0].includes('getElementById("haz-graph")'));
  });

  test("GRAPH-002 GRAPH-007 the output is deterministic and the empty page has an empty drawing", () => {
    const a = exportHtml(w1.graph, w1.graph.order, new Set(w1.graph.order));
    assert.equal(exportHtml(w1.graph, w1.graph.order, new Set(w1.graph.order)), a);
    const empty = exportHtml(w1.graph, [], new Set());
    assert.ok(empty.includes('<g id="scene">\n</g>\n</svg>'));
    assert.deepEqual(JSON.parse(embeddedJson(empty)), { schema: 1, nodes: [], edges: [] });
  });

  test("GRAPH-006 layers follow the longest path over hard and soft edges", () => {
    const layout = layoutGraph(exportView(w1.graph, w1.graph.order));
    assert.deepEqual(layout.nodes.map((node) => [node.id, node.layer]), [
      ["core:build", 0],
      ["core:test", 1],
      ["util:build", 0],
      ["web:build", 1],
      ["web:default", 2],
      ["web:deploy", 2],
    ]);
    assert.deepEqual(layout.groups.map((group) => [group.layer, group.project]), [
      [0, "core"],
      [0, "util"],
      [1, "core"],
      [1, "web"],
      [2, "web"],
    ]);
    for (const placed of layout.edges) {
      if (placed.edge.kind === "producer") continue;
      assert.ok(layout.nodes[placed.from].x < layout.nodes[placed.to].x);
    }
    for (const node of layout.nodes) {
      assert.ok(node.x + node.width <= layout.width && node.y + node.height <= layout.height);
      const group = layout.groups.find((box) =>
        box.layer === node.layer && box.project === node.id.split(":")[0]
      )!;
      assert.ok(
        node.x >= group.x && node.x + node.width <= group.x + group.width,
        `${node.id} outside its group`,
      );
      assert.ok(
        node.y >= group.y && node.y + node.height <= group.y + group.height,
        `${node.id} outside its group`,
      );
    }
    const sameLayer = layout.groups.filter((group) => group.layer === 0);
    assert.ok(sameLayer[0].y + sameLayer[0].height < sameLayer[1].y, "groups of a layer overlap");
  });

  test("GRAPH-006 a 2000-node graph is drawn completely without overlaps", () => {
    const tasks: TaskDefinition[] = [];
    const edges: Edge[] = [];
    for (let index = 0; index < 2000; index++) {
      const project = `p${String(index % 100).padStart(3, "0")}`;
      tasks.push(task(project, `t${String(index).padStart(4, "0")}`));
      for (const back of [1, 7, 31]) {
        if (index - back >= 0 && (index * back) % 3 === 0) {
          edges.push({
            from: tasks[index - back].key,
            to: tasks[index].key,
            kind: back === 7 ? "soft" : "hard",
          });
        }
      }
    }
    const graph = assembleTaskGraph(tasks, edges);
    const page = exportHtml(graph, graph.order, new Set(graph.order.slice(0, 10)));
    const scene = sceneOf(page);
    assert.equal(scene.split('<g class="node ').length - 1, 2000);
    assert.equal(scene.split('<g class="edge ').length - 1, graph.edges.length);
    const layout = layoutGraph(exportView(graph, graph.order));
    const occupied = new Set(layout.nodes.map((node) => `${node.x},${node.y}`));
    assert.equal(occupied.size, 2000);
  });
});

function pattern(canonical: string) {
  return { written: canonical, canonical, isGlob: false };
}

/** A hand-made task definition for export tests. */
function task(project: string, name: string, extra: Partial<TaskDefinition> = {}): TaskDefinition {
  const body: TaskBody = {
    name,
    action: { kind: "command", argv: ["x"] },
    inputs: null,
    outputs: [],
    deps: [],
    weakDeps: [],
    mutex: null,
    env: { fromHost: [], override: new Map() },
    description: null,
    cache: true,
    timeoutMs: null,
    service: null,
    file: `/${project}/haz.yml`,
    overlay: null,
  };
  return {
    id: { project, task: name },
    key: `${project}:${name}`,
    projectRoot: `/${project}`,
    tags: [],
    action: body.action,
    inputs: null,
    inputExclusions: [],
    outputs: [],
    deps: [],
    weakDeps: [],
    mutex: null,
    env: body.env,
    description: null,
    cache: true,
    timeoutMs: null,
    service: null,
    body,
    ...extra,
  };
}
