// End to end: `haz graph` (02-graph.md §7, GRAPH-001..007; 05-cli.md §5.4, §9 ex 27) on W1 and on a
// root project whose only task rewrites its own inputs (a producer self edge) and whose description
// needs escaping. The empty graphs after a git filter are in git_filters.test.ts.
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { after, describe, test } from "node:test";
import { type HazResult, runHaz } from "../support/run_haz.ts";
import { createWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";
import { createW1Fixture } from "../support/w1_fixture.ts";

/** Every haz invocation of the file starts with the first test, which waits for all of them. */
const SLOW = { timeout: 120_000 };

/** Lines joined with `\n`, plus the final line end. */
function text(...lines: string[]): string {
  return `${lines.join("\n")}\n`;
}

/** JSON as haz prints it (CLI-004). */
function printed(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

const W1_DOT = text(
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
);

/** A GRAPH-003 node of W1. */
function w1Node(id: string, fields: { selected: boolean }) {
  const [project, task] = id.split(":");
  const details: Record<string, [string, string[], string | null, string, boolean]> = {
    "core:build": ["/libs/core", ["lib", "ts"], null, "command", true],
    "core:test": ["/libs/core", ["lib", "ts"], null, "command", true],
    "util:build": ["/libs/util", ["lib"], null, "shell", true],
    "web:build": ["/apps/web", ["app"], "Bundle the app", "command", true],
    "web:default": ["/apps/web", ["app"], null, "aggregate", false],
    "web:deploy": ["/apps/web", ["app"], null, "shell", false],
  };
  const [projectRoot, tags, description, action, cacheable] = details[id];
  return {
    id,
    project,
    task,
    projectRoot,
    tags,
    description,
    action,
    cacheable,
    selected: fields.selected,
    service: false,
  };
}

const W1_JSON = {
  schema: 1,
  nodes: ["core:build", "core:test", "util:build", "web:build", "web:default", "web:deploy"].map((id) =>
    w1Node(id, { selected: true })
  ),
  edges: [
    { from: "core:build", to: "core:test", kind: "hard" },
    { from: "core:build", to: "web:build", kind: "hard" },
    {
      from: "core:build",
      to: "web:build",
      kind: "producer",
      via: { output: "/libs/core/dist", input: "/libs/core/dist/index.js" },
    },
    { from: "core:test", to: "web:deploy", kind: "soft" },
    { from: "util:build", to: "web:build", kind: "hard" },
    { from: "web:build", to: "web:default", kind: "hard" },
    { from: "web:build", to: "web:deploy", kind: "hard" },
  ],
};

/** The root project `solo`: a formatter reading and rewriting its own sources. */
const SOLO_FILES = {
  ".haz/workspace.yml": 'projects: ["."]\n',
  "haz.yml": text(
    "name: solo",
    "tasks:",
    "  fmt:",
    '    description: "say \\"hi\\" \\\\ </script>\\nbye"',
    "    command: [fmt]",
    '    inputs: ["src/**"]',
    '    outputs: ["src/**/*.ts"]',
  ),
};

const SOLO_DESCRIPTION = 'say "hi" \\ </script>\nbye';

const W1_INVOCATIONS = {
  dotWorkspace: { cwd: ".", args: ["graph", "--workspace", "--format", "dot"] },
  dotDefault: { cwd: "libs/core", args: ["graph", "--workspace"] },
  mermaid: { cwd: ".", args: ["graph", "web:default", "--format", "mermaid"] },
  jsonCoreTest: { cwd: ".", args: ["graph", "core:test", "--format", "json"] },
  jsonWorkspace: { cwd: ".", args: ["graph", "--format", "json", "--workspace"] },
  webAll: { cwd: "apps/web", args: ["graph", "--format=mermaid"] },
  html: { cwd: ".", args: ["graph", "--workspace", "--format", "html"] },
  htmlAgain: { cwd: ".", args: ["graph", "--workspace", "--format", "html"] },
  toFile: { cwd: ".", args: ["graph", "-o", "g.dot"] },
  toFileViaC: { cwd: ".", args: ["-C", "apps/web", "graph", "--output", "g.json", "--format", "json"] },
  toMissingDir: { cwd: ".", args: ["graph", "-o", "missing-dir/g.dot"] },
  nothing: { cwd: ".", args: ["graph", "[nope]:build"] },
  badFormat: { cwd: ".", args: ["graph", "--format", "svg"] },
} as const;

const SOLO_INVOCATIONS = {
  dot: ["graph"],
  mermaid: ["graph", "--format", "mermaid"],
  json: ["graph", "--format", "json"],
  html: ["graph", "--format", "html"],
} as const;

let w1: WorkspaceFixture;
let solo: WorkspaceFixture;
const results = {} as Record<keyof typeof W1_INVOCATIONS, HazResult>;
const soloResults = {} as Record<keyof typeof SOLO_INVOCATIONS, HazResult>;

/** Writes the workspaces and runs every haz invocation of this file, concurrently. */
async function prepare(): Promise<void> {
  [w1, solo] = await Promise.all([createW1Fixture(), createWorkspaceFixture(SOLO_FILES)]);
  await w1.write({ "g.dot": "stale content\n" });
  await Promise.all([
    ...(Object.keys(W1_INVOCATIONS) as (keyof typeof W1_INVOCATIONS)[]).map(async (name) => {
      const { cwd, args } = W1_INVOCATIONS[name];
      results[name] = await runHaz(args, { cwd: w1.path(cwd) });
    }),
    ...(Object.keys(SOLO_INVOCATIONS) as (keyof typeof SOLO_INVOCATIONS)[]).map(async (name) => {
      soloResults[name] = await runHaz(SOLO_INVOCATIONS[name], { cwd: solo.root });
    }),
  ]);
}

let prepared: Promise<void> | undefined;

/** Starts {@link prepare} once; every test awaits the same run. Bun ignores hook timeouts, hence not `before`. */
function ready(): Promise<void> {
  prepared ??= prepare();
  return prepared;
}

after(async () => {
  await Promise.all([w1?.remove(), solo?.remove()]);
});

/** Asserts exit 0, empty stderr and exactly `stdout`. */
function assertPrints(result: HazResult, stdout: string): void {
  assert.equal(result.stderr, "");
  assert.equal(result.stdout, stdout);
  assert.equal(result.code, 0);
}

/** The text of the `#haz-graph` element of an html export, unescaped as a browser would read it. */
function embeddedJson(html: string): string {
  const match = html.match(/<script type="application\/json" id="haz-graph">([\s\S]*?)<\/script>/);
  assert.ok(match, "the page embeds #haz-graph");
  return match[1];
}

describe("02 §7 examples (W1)", () => {
  test("GRAPH-004 `haz graph --workspace --format dot`, exactly", SLOW, async () => {
    await ready();
    assertPrints(results.dotWorkspace, W1_DOT);
  });

  test("GRAPH-007 --format defaults to dot", SLOW, async () => {
    await ready();
    assertPrints(results.dotDefault, W1_DOT);
  });

  test("GRAPH-005 `haz graph web:default --format mermaid`, exactly", SLOW, async () => {
    await ready();
    assertPrints(
      results.mermaid,
      text(
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
      ),
    );
  });

  test(
    "GRAPH-001/003 `haz graph core:test --format json`: core:build pulled in, one hard edge",
    SLOW,
    async () => {
      await ready();
      assertPrints(
        results.jsonCoreTest,
        printed({
          schema: 1,
          nodes: [w1Node("core:build", { selected: false }), w1Node("core:test", { selected: true })],
          edges: [{ from: "core:build", to: "core:test", kind: "hard" }],
        }),
      );
    },
  );

  test(
    "05 §9 ex 27 GRAPH-003 `--format json --workspace`: schema 1, every field, producer `via`",
    SLOW,
    async () => {
      await ready();
      assertPrints(results.jsonWorkspace, printed(W1_JSON));
    },
  );

  test(
    "GRAPH-001 no selection argument means --all: web's tasks and their hard predecessors",
    SLOW,
    async () => {
      await ready();
      assertPrints(
        results.webAll,
        text(
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
          '    n4["web:deploy"]',
          "  end",
          "  n0 --> n2",
          "  n0 -. producer .-> n2",
          "  n1 --> n2",
          "  n2 --> n3",
          "  n2 --> n4",
        ),
      );
    },
  );

  test("GRAPH-006 `--format html`: self-contained, #haz-graph parses to the json export", SLOW, async () => {
    await ready();
    const { stdout, stderr, code } = results.html;
    assert.equal(code, 0);
    assert.equal(stderr, "");
    assert.ok(stdout.startsWith("<!DOCTYPE html>"), stdout.slice(0, 100));
    for (const forbidden of ["src=", "href=", "@import", "url(", "fetch(", "XMLHttpRequest", "WebSocket"]) {
      assert.ok(!stdout.includes(forbidden), `the page contains ${forbidden}`);
    }
    for (const forbidden of ["EventSource", "importScripts", "import("]) {
      assert.ok(!stdout.includes(forbidden), `the page contains ${forbidden}`);
    }
    assert.deepEqual(
      stdout.match(/[a-z]+:\/\/[^\s"'<>]*/g)?.filter((url) => url !== "http://www.w3.org/2000/svg"),
      [],
    );
    assert.deepEqual(JSON.parse(embeddedJson(stdout)), JSON.parse(results.jsonWorkspace.stdout));
  });

  test("GRAPH-002 the same workspace and arguments give byte-identical output", SLOW, async () => {
    await ready();
    assert.ok(results.htmlAgain.stdoutBytes.equals(results.html.stdoutBytes));
  });
});

describe("graph output files and errors", () => {
  test(
    "05 §9 ex 27 GRAPH-007 `haz graph -o g.dot`: stdout empty, g.dot replaced atomically",
    SLOW,
    async () => {
      await ready();
      assert.equal(results.toFile.code, 0, results.toFile.stderr);
      assert.equal(results.toFile.stdout, "");
      assert.equal(results.toFile.stderr, "");
      assert.equal(await readFile(w1.path("g.dot"), "utf8"), W1_DOT);
      assert.deepEqual((await readdir(w1.root)).filter((name) => name !== ".haz").sort(), [
        "apps",
        "g.dot",
        "libs",
      ]);
    },
  );

  test("DISC-002 a relative -o FILE is resolved against the -C directory", SLOW, async () => {
    await ready();
    assert.equal(results.toFileViaC.code, 0, results.toFileViaC.stderr);
    assert.equal(results.toFileViaC.stdout, "");
    const written = JSON.parse(await readFile(w1.path("apps/web/g.json"), "utf8"));
    assert.deepEqual(written.nodes.map((node: { id: string }) => node.id), [
      "core:build",
      "util:build",
      "web:build",
      "web:default",
      "web:deploy",
    ]);
  });

  test("05 §5.4 a graph file that cannot be written exits 2", SLOW, async () => {
    await ready();
    assert.equal(results.toMissingDir.code, 2);
    assert.equal(results.toMissingDir.stdout, "");
    assert.match(
      results.toMissingDir.stderr,
      /^error: could not write graph to missing-dir\/g\.dot: no such file or directory\n$/,
    );
  });

  test("SEL-010 an empty node set: `nothing to show`, exit 2", SLOW, async () => {
    await ready();
    assert.equal(
      results.nothing.stderr,
      text(
        "warning[REF-011]: `[nope]:build` matches no task",
        "help: no project carries the tag `nope`",
        "",
        "error[SEL-010]: nothing to show",
        "",
        "found 1 error",
      ),
    );
    assert.equal(results.nothing.stdout, "");
    assert.equal(results.nothing.code, 2);
  });

  test("GRAPH-007 another --format value is a usage error", SLOW, async () => {
    await ready();
    assert.equal(results.badFormat.code, 2);
    assert.equal(results.badFormat.stdout, "");
    assert.ok(
      results.badFormat.stderr.startsWith(
        'haz graph: error: invalid value for --format: "svg" (expected dot, mermaid, json or html)\n',
      ),
      results.badFormat.stderr,
    );
  });
});

describe("producer self edge, root project and escaping", () => {
  test(
    'GRAPH-004 dot escapes `\\` and `"` and writes a line break as \\n; self edges are kept',
    SLOW,
    async () => {
      await ready();
      assertPrints(
        soloResults.dot,
        text(
          "digraph haz {",
          "  rankdir=LR;",
          "  node [shape=box];",
          '  subgraph "cluster_solo" {',
          '    label="solo";',
          '    "solo:fmt" [tooltip="say \\"hi\\" \\\\ </script>\\nbye"];',
          "  }",
          '  "solo:fmt" -> "solo:fmt" [class="producer", style=dotted, arrowhead=empty];',
          "}",
        ),
      );
    },
  );

  test("GRAPH-005 mermaid draws the producer self edge", SLOW, async () => {
    await ready();
    assertPrints(
      soloResults.mermaid,
      text("flowchart LR", '  subgraph p0["solo"]', '    n0["solo:fmt"]', "  end", "  n0 -. producer .-> n0"),
    );
  });

  test("GRAPH-003 projectRoot `/` for the root project; `via` of a self edge", SLOW, async () => {
    await ready();
    assertPrints(
      soloResults.json,
      printed({
        schema: 1,
        nodes: [{
          id: "solo:fmt",
          project: "solo",
          task: "fmt",
          projectRoot: "/",
          tags: [],
          description: SOLO_DESCRIPTION,
          action: "command",
          cacheable: true,
          selected: true,
          service: false,
        }],
        edges: [{
          from: "solo:fmt",
          to: "solo:fmt",
          kind: "producer",
          via: { output: "/src/**/*.ts", input: "/src/**" },
        }],
      }),
    );
  });

  test(
    "GRAPH-006 every `<` of the embedded json is written \\u003c; its text parses to the json export",
    SLOW,
    async () => {
      await ready();
      const embedded = embeddedJson(soloResults.html.stdout);
      assert.ok(!embedded.includes("<"));
      assert.ok(embedded.includes("\\u003c/script>"));
      assert.deepEqual(JSON.parse(embedded), JSON.parse(soloResults.json.stdout));
    },
  );
});
