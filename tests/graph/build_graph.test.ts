import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { W1_FILES as W1 } from "../support/w1_fixture.ts";
import {
  type FixtureFiles as Files,
  loadedOf as loaded,
  loadFixture as load,
  rulesAndMessages as summary,
  stderrOf,
} from "../support/load_workspace_fixture.ts";

function lines(...text: string[]): string {
  return text.join("\n");
}

describe("W1 nodes and edges (02-graph.md §0, §3)", () => {
  test("DAG-007 DAG-018 one node per effective task, in canonical order", async () => {
    const { graph } = loaded(await load(W1));
    assert.deepEqual(graph.order, [
      "core:build",
      "core:test",
      "util:build",
      "web:build",
      "web:default",
      "web:deploy",
    ]);
    assert.deepEqual([...graph.tasks.keys()], graph.order);
  });

  test("DAG-008 DAG-009 DAG-013 the W1 edge table", async () => {
    const { graph } = loaded(await load(W1));
    assert.deepEqual(graph.edges, [
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
    ]);
    assert.deepEqual(graph.hardPredecessors.get("web:build"), ["core:build", "util:build"]);
    assert.deepEqual(graph.hardSuccessors.get("web:build"), ["web:default", "web:deploy"]);
    assert.deepEqual(graph.softPredecessors.get("web:deploy"), ["core:test"]);
    assert.deepEqual(graph.softSuccessors.get("core:test"), ["web:deploy"]);
    assert.deepEqual(graph.hardPredecessors.get("core:build"), []);
  });

  test("DAG-008 edges are a set: several references to one predecessor give one edge", async () => {
    const { graph } = loaded(
      await load({
        ".haz/workspace.yml": "projects: [p]\n",
        "p/haz.yml":
          'tags: [g]\ntasks:\n  a: {command: [x]}\n  b: {command: [x], deps: ["~:a", "p:a", "^:a", "[g]:a"]}\n',
      }),
    );
    assert.deepEqual(graph.edges, [{ from: "p:a", to: "p:b", kind: "hard" }]);
  });

  test("DAG-007 task definitions carry resolved patterns, tags and mutex", async () => {
    const { graph, workspace } = loaded(await load(W1));
    const web = graph.tasks.get("web:build")!;
    assert.equal(web.projectRoot, "/apps/web");
    assert.deepEqual(web.inputs?.map((pattern) => pattern.canonical), [
      "/apps/web/src/**",
      "/libs/core/dist/index.js",
    ]);
    assert.equal(web.description, "Bundle the app");
    assert.deepEqual(graph.tasks.get("core:build")!.tags, ["lib", "ts"]);
    assert.deepEqual(graph.tasks.get("web:deploy")!.mutex, {
      name: "deploy",
      scope: "global",
      project: null,
      mode: "exclusive",
    });
    assert.deepEqual(workspace.projects.map((project) => [project.name, project.root]), [
      ["web", "/apps/web"],
      ["core", "/libs/core"],
      ["util", "/libs/util"],
    ]);
    assert.deepEqual([...workspace.projects[0].tasks.keys()], ["build", "default", "deploy"]);
  });
});

describe("sources and hard predecessors (DAG-002, DAG-017)", () => {
  test("DAG-002 a project's sources are its own task and the attached overlays defining the name", async () => {
    const result = loaded(
      await load({
        ".haz/workspace.yml": "projects: [a, b]\n",
        "a/haz.yml": "tags: [t]\ntasks:\n  own: {command: [own]}\n",
        "b/haz.yml": "tags: [u]\n",
        ".haz/tasks/t.yml":
          "tagsFilter: t\ntasks:\n  own: {command: [overlay]}\n  extra: {command: [extra]}\n",
      }),
    );
    assert.deepEqual(result.graph.order, ["a:extra", "a:own"]);
    assert.equal(result.graph.tasks.get("a:extra")?.body.overlay, "t");
    assert.equal(result.graph.tasks.get("a:own")?.body.overlay, null);
  });

  test("DAG-017 hard predecessor lists hold hard edges only", async () => {
    const { graph } = loaded(await load(W1));
    // web:deploy has a soft predecessor (core:test) and web:build a producer one (core:build, also hard).
    assert.deepEqual(graph.hardPredecessors.get("web:deploy"), ["web:build"]);
    assert.deepEqual(graph.hardPredecessors.get("core:test"), ["core:build"]);
    assert.equal(graph.edges.filter((edge) => edge.to === "web:deploy").length, 2);
  });
});

const EX_115: Files = {
  ".haz/workspace.yml": "projects: [a, b, c]\n",
  "a/haz.yml": lines(
    "tags: [x]",
    "tasks:",
    "  build: {command: [make]}",
    "  test: {command: [make, test]}",
    '  r1: {deps: ["~:build"]}',
    '  r2: {deps: ["^:build"]}',
    '  r3: {deps: ["^~:build"]}',
    '  r4: {deps: ["[x]:build"]}',
    '  r5: {deps: ["[x]~:build"]}',
    '  r6: {deps: ["[y]:test"]}',
    '  r7: {deps: ["^:tset"]}',
    "",
  ),
  "b/haz.yml": "tags: [x, y]\ntasks:\n  build: {command: [make]}\n",
  "c/haz.yml": "tags: [y]\ntasks:\n  build: {command: [make]}\n",
};

/** EX-115 without the misspelt reference, so that its REF-007 does not show up. */
const EX_115_CLEAN: Files = {
  ...EX_115,
  "a/haz.yml": "tags: [x]\ntasks:\n  build: {command: [make]}\n  test: {command: [make, test]}\n",
};

describe("references in files (01-workspace.md §10)", () => {
  test("REF-002 REF-004 REF-005 REF-008 REF-009 EX-115 resolutions", async () => {
    const { graph } = loaded(await load(EX_115));
    const predecessors = (id: string) => graph.hardPredecessors.get(id);
    assert.deepEqual(predecessors("a:r1"), ["a:build"]);
    assert.deepEqual(predecessors("a:r2"), ["a:build", "b:build", "c:build"]);
    assert.deepEqual(predecessors("a:r3"), ["b:build", "c:build"]);
    assert.deepEqual(predecessors("a:r4"), ["a:build", "b:build"]);
    assert.deepEqual(predecessors("a:r5"), ["b:build"]);
    assert.deepEqual(predecessors("a:r6"), []);
  });

  test("REF-007 a fan-out matching no task anywhere warns with did-you-mean", async () => {
    const result = loaded(await load(EX_115));
    assert.deepEqual(summary(result.warnings), [
      ["REF-007", "`^:tset` in task `a:r7` matches no task: no project has a task `tset`"],
    ]);
    assert.equal(result.warnings[0].help, "did you mean `test`?");
    assert.deepEqual(
      [
        result.warnings[0].location?.path,
        result.warnings[0].location?.line,
        result.warnings[0].location?.column,
      ],
      ["/a/haz.yml", 11, 15],
    );
  });

  test("REF-007 is silent when some project has the task but the resolution is empty", async () => {
    const result = loaded(
      await load({
        ...EX_115,
        "a/haz.yml": 'tags: [x]\ntasks:\n  test: {command: [t]}\n  r: {deps: ["[y]:test", "^~:r"]}\n',
      }),
    );
    assert.deepEqual(result.warnings, []);
  });

  test("REF-006 an exact reference to a missing task is an error", async () => {
    const result = await load({
      ...EX_115_CLEAN,
      "b/haz.yml": 'tags: [x, y]\ntasks:\n  build: {command: [make], deps: ["~:test"]}\n',
    });
    assert.equal(
      stderrOf(result),
      lines(
        "error[REF-006]: unresolved reference `~:test` in task `b:build`: project `b` has no task `test`",
        "  --> /b/haz.yml:3:35",
        "   |",
        ' 3 |   build: {command: [make], deps: ["~:test"]}',
        "   |                                   ^^^^^^^^",
        "",
        "found 1 error",
        "",
      ),
    );
  });

  test("REF-006 unknown project names get a did-you-mean help", async () => {
    const result = await load({
      ...EX_115_CLEAN,
      "c/haz.yml": 'tags: [y]\ntasks:\n  build: {command: [make], deps: ["bb:build", "a:tst"]}\n',
    });
    assert.ok(!result.ok);
    assert.deepEqual(
      result.diagnostics.map((diagnostic) => [diagnostic.message, diagnostic.help]),
      [
        ["unresolved reference `bb:build` in task `c:build`: no project named `bb`", "did you mean `b`?"],
        [
          "unresolved reference `a:tst` in task `c:build`: project `a` has no task `tst`",
          "did you mean `test`?",
        ],
      ],
    );
  });

  test("ID-006 a `[tag]` reference to a tag no project carries warns", async () => {
    const result = loaded(
      await load({
        ".haz/workspace.yml": "projects: [a]\n",
        "a/haz.yml": 'tags: [lib]\ntasks:\n  build: {command: [make]}\n  all: {deps: ["[lbi]:build"]}\n',
      }),
    );
    assert.deepEqual(summary(result.warnings), [["ID-006", "no project carries the tag `lbi`"]]);
    assert.equal(result.warnings[0].help, "did you mean `lib`?");
    assert.equal(result.warnings[0].severity, "warning");
  });
});

describe("static checks (02-graph.md §4)", () => {
  test("EX-204 DAG-012 a self reference is an error with the excluding form as help", async () => {
    const files: Files = {
      ".haz/workspace.yml": "projects: [a, b]\n",
      "a/haz.yml": 'tasks:\n  build:\n    command: [make]\n    deps: ["^:build"]\n',
      "b/haz.yml": "tasks:\n  build: {command: [make]}\n",
    };
    assert.equal(
      stderrOf(await load(files)),
      lines(
        "error[DAG-012]: reference `^:build` in task `a:build` resolves to the task itself",
        "  --> /a/haz.yml:4:12",
        "   |",
        ' 4 |     deps: ["^:build"]',
        "   |            ^^^^^^^^^",
        "help: use `^~:build` to exclude the own project",
        "",
        "found 1 error",
        "",
      ),
    );
    const fixed = loaded(
      await load({
        ...files,
        "a/haz.yml": 'tasks:\n  build:\n    command: [make]\n    deps: ["^~:build"]\n',
      }),
    );
    assert.deepEqual(fixed.graph.edges, [{ from: "b:build", to: "a:build", kind: "hard" }]);
  });

  test("DAG-012 the help names `[g]~:t` for tag references and nothing for exact ones", async () => {
    const result = await load({
      ".haz/workspace.yml": "projects: [a, b]\n",
      "a/haz.yml": 'tags: [g]\ntasks:\n  t: {command: [x], deps: ["[g]:t"], weakDeps: ["~:t"]}\n',
      "b/haz.yml": "tags: [g]\ntasks:\n  t: {command: [x]}\n",
    });
    assert.ok(!result.ok);
    assert.deepEqual(
      result.diagnostics.map((diagnostic) => [diagnostic.rule, diagnostic.message, diagnostic.help]),
      [
        [
          "DAG-012",
          "reference `[g]:t` in task `a:t` resolves to the task itself",
          "use `[g]~:t` to exclude the own project",
        ],
        ["DAG-012", "reference `~:t` in task `a:t` resolves to the task itself", undefined],
      ],
    );
  });

  test("DAG-012 the whole reference is dropped, including the edges to other tasks", async () => {
    const result = await load({
      ".haz/workspace.yml": "projects: [a, b]\n",
      "a/haz.yml": 'tasks:\n  build: {command: [make], deps: ["^:build"], weakDeps: ["b:build"]}\n',
      "b/haz.yml": "tasks:\n  build: {command: [make]}\n",
    }, { collectAll: true });
    assert.ok(!result.ok);
    // Without the drop, b:build would be in both lists (DAG-010).
    assert.deepEqual(result.diagnostics.map((diagnostic) => diagnostic.rule), ["DAG-012"]);
  });

  test("EX-207 DAG-010 the same predecessor in deps and weakDeps", async () => {
    const result = await load({
      ".haz/workspace.yml": "projects: [p]\n",
      "p/haz.yml": lines(
        "tasks:",
        "  a: {command: [x]}",
        "  b: {command: [x]}",
        '  c: {command: [x], deps: ["~:a", "^:b"], weakDeps: ["~:b"]}',
        "",
      ),
    });
    assert.ok(!result.ok);
    assert.deepEqual(summary(result.diagnostics), [
      ["DAG-010", "task `p:c` lists p:b in both `deps` and `weakDeps`"],
    ]);
    assert.equal(result.diagnostics[0].help, "keep only one of the two edges");
    assert.deepEqual([result.diagnostics[0].location?.line, result.diagnostics[0].location?.column], [4, 54]);
  });

  test("DAG-010 lists every shared predecessor and points at the first contributing weakDeps entry", async () => {
    const result = await load({
      ".haz/workspace.yml": "projects: [p, q]\n",
      "p/haz.yml": lines(
        "tasks:",
        "  a: {command: [x]}",
        '  c: {command: [x], deps: ["^:a"], weakDeps: ["~:c2", "^~:a", "q:a"]}',
        "  c2: {command: [x]}",
        "",
      ),
      "q/haz.yml": "tasks:\n  a: {command: [x]}\n",
    });
    assert.ok(!result.ok);
    assert.deepEqual(summary(result.diagnostics), [
      ["DAG-010", "task `p:c` lists q:a in both `deps` and `weakDeps`"],
    ]);
    assert.equal(result.diagnostics[0].location?.column, 55);
  });

  test("EX-205 DAG-014 a cycle through a soft edge", async () => {
    const result = await load({
      ".haz/workspace.yml": "projects: [p]\n",
      "p/haz.yml": lines(
        "tasks:",
        "  a:",
        '    command: ["true"]',
        '    deps: ["~:b"]',
        "  b:",
        '    command: ["true"]',
        '    weakDeps: ["~:a"]',
        "",
      ),
    });
    assert.equal(
      stderrOf(result),
      lines(
        "error[DAG-014]: dependency cycle between 2 tasks: p:a, p:b",
        "  --> /p/haz.yml:7:16",
        "   |",
        ' 7 |     weakDeps: ["~:a"]',
        "   |                ^^^^^",
        "note: cycle: p:a -[soft]-> p:b -[hard]-> p:a",
        "",
        "found 1 error",
        "",
      ),
    );
  });

  test("DAG-014 a producer-only cycle, located on the successor's input", async () => {
    const result = await load({
      ".haz/workspace.yml": "projects: [p]\n",
      "p/haz.yml": lines(
        "tasks:",
        '  a: {command: [x], inputs: ["**"], outputs: [dist]}',
        '  b: {command: [x], inputs: ["**"], outputs: [coverage]}',
        "",
      ),
    });
    assert.ok(!result.ok);
    assert.deepEqual(summary(result.diagnostics), [[
      "DAG-014",
      "dependency cycle between 2 tasks: p:a, p:b",
    ]]);
    assert.deepEqual(result.diagnostics[0].notes, ["cycle: p:a -[producer]-> p:b -[producer]-> p:a"]);
    assert.deepEqual([result.diagnostics[0].location?.line, result.diagnostics[0].location?.column], [3, 30]);
  });

  test("DAG-016 DAG-014 crossing literal producers are a load error", async () => {
    const result = await load({
      ".haz/workspace.yml": "projects: [p, q]\n",
      "p/haz.yml": "tasks:\n  x: {command: [x], inputs: [/q/b], outputs: [/p/a]}\n",
      "q/haz.yml": "tasks:\n  y: {command: [y], inputs: [/p/a], outputs: [/q/b]}\n",
    });
    assert.ok(!result.ok);
    assert.deepEqual(summary(result.diagnostics), [[
      "DAG-014",
      "dependency cycle between 2 tasks: p:x, q:y",
    ]]);
    assert.deepEqual(result.diagnostics[0].notes, ["cycle: p:x -[producer]-> q:y -[producer]-> p:x"]);
  });

  test("DAG-014 the shortest cycle from the smallest member, components by smallest id", async () => {
    const result = await load({
      ".haz/workspace.yml": "projects: [p, q]\n",
      "p/haz.yml": lines(
        "tasks:",
        '  a: {command: [x], deps: ["~:d"]}',
        '  b: {command: [x], deps: ["~:a"]}',
        '  c: {command: [x], deps: ["~:a", "~:b"]}',
        '  d: {command: [x], deps: ["~:c"]}',
        "",
      ),
      "q/haz.yml": lines(
        "tasks:",
        '  m: {command: [x], deps: ["~:n"]}',
        '  n: {command: [x], deps: ["~:m"]}',
        "",
      ),
    });
    assert.ok(!result.ok);
    assert.deepEqual(
      result.diagnostics.map((diagnostic) => [diagnostic.message, diagnostic.notes]),
      [
        ["dependency cycle between 4 tasks: p:a, p:b, p:c, p:d", [
          "cycle: p:a -[hard]-> p:c -[hard]-> p:d -[hard]-> p:a",
        ]],
        ["dependency cycle between 2 tasks: q:m, q:n", ["cycle: q:m -[hard]-> q:n -[hard]-> q:m"]],
      ],
    );
    // The first edge p:a → p:c is declared by `~:a` in c's deps.
    assert.deepEqual([result.diagnostics[0].location?.line, result.diagnostics[0].location?.column], [4, 28]);
  });

  test("DAG-013 a producer self edge is allowed, and exclusions discount coverage", async () => {
    const { graph } = loaded(
      await load({
        ".haz/workspace.yml": "projects: [p, q]\n",
        "p/haz.yml": lines(
          "tasks:",
          '  fmt: {command: [fmt], inputs: ["src/**/*.ts"], outputs: ["src/**/*.ts"]}',
          '  build: {command: [tsc], inputs: ["**", "!dist/**"], outputs: [dist]}',
          "",
        ),
        "q/haz.yml": 'tasks:\n  bare: {command: [tsc], inputs: ["**"], outputs: [dist]}\n',
      }),
    );
    assert.deepEqual(graph.edges, [
      { from: "p:fmt", to: "p:build", kind: "producer", via: { output: "/p/src/**/*.ts", input: "/p/**" } },
      {
        from: "p:fmt",
        to: "p:fmt",
        kind: "producer",
        via: { output: "/p/src/**/*.ts", input: "/p/src/**/*.ts" },
      },
      { from: "q:bare", to: "q:bare", kind: "producer", via: { output: "/q/dist", input: "/q/**" } },
    ]);
  });

  test("DAG-013 via is the first intersecting (output, input) pair by bytes", async () => {
    const { graph } = loaded(
      await load({
        ".haz/workspace.yml": "projects: [p, q]\n",
        "p/haz.yml": "tasks:\n  gen: {command: [gen], outputs: [out/b.txt, out/a.txt]}\n",
        "q/haz.yml":
          "tasks:\n  use: {command: [use], inputs: [/p/out/b.txt, /p/out/a.txt, /p/out/a.txt.bak]}\n",
      }),
    );
    assert.deepEqual(graph.edges, [
      {
        from: "p:gen",
        to: "q:use",
        kind: "producer",
        via: { output: "/p/out/a.txt", input: "/p/out/a.txt" },
      },
    ]);
  });

  test("DAG-013 tasks without inputs or without outputs have no producer edges", async () => {
    const { graph } = loaded(
      await load({
        ".haz/workspace.yml": "projects: [p]\n",
        "p/haz.yml": lines(
          "tasks:",
          "  gen: {command: [gen], outputs: [out]}",
          "  all: {command: [use]}",
          "  none: {command: [use], inputs: []}",
          "",
        ),
      }),
    );
    assert.deepEqual(graph.edges, []);
  });

  test("EX-206 DAG-015 equal literal outputs", async () => {
    const gen = "tasks:\n  gen:\n    command: [gen]\n    outputs: [/shared/out.txt]\n";
    const files: Files = { ".haz/workspace.yml": "projects: [a, b]\n", "a/haz.yml": gen, "b/haz.yml": gen };
    assert.equal(
      stderrOf(await load(files)),
      lines(
        "error[DAG-015]: output `/shared/out.txt` is declared by 2 tasks: a:gen, b:gen",
        "  --> /b/haz.yml:4:15",
        "   |",
        " 4 |     outputs: [/shared/out.txt]",
        "   |               ^^^^^^^^^^^^^^^",
        "note: also declared by a:gen at /a/haz.yml:4:15",
        "",
        "found 1 error",
        "",
      ),
    );
    const nested = await load({
      ...files,
      "a/haz.yml": "tasks:\n  gen:\n    command: [gen]\n    outputs: [/shared]\n",
    });
    assert.ok(!nested.ok);
    assert.deepEqual(summary(nested.diagnostics), [
      ["DAG-015", "output `/shared/out.txt` of b:gen lies inside output `/shared` of a:gen"],
    ]);
    assert.equal(nested.diagnostics[0].location?.path, "/b/haz.yml");
    const glob = await load({
      ...files,
      "a/haz.yml": 'tasks:\n  gen:\n    command: [gen]\n    outputs: ["/shared/*.txt"]\n',
    });
    assert.ok(glob.ok);
  });

  test("DAG-015 nesting is by whole segments", async () => {
    const result = await load({
      ".haz/workspace.yml": "projects: [a, b]\n",
      "a/haz.yml": "tasks:\n  gen: {command: [gen], outputs: [/shared]}\n",
      "b/haz.yml": "tasks:\n  gen: {command: [gen], outputs: [/shared-2/x, /sharedx]}\n",
    });
    assert.ok(result.ok);
  });
});

describe("error collection (DIAG-007, DAG-011)", () => {
  const EX_117: Files = {
    ".haz/workspace.yml": 'projects: ["lib_*"]\n',
    "lib_a/haz.yml": "tasks: [\n",
    "lib_b/haz.yml": "tasks: {build: {command: [make], deps: [ghost:build]}}\n",
    "lib_c/haz.yml": 'tasks: {build: {command: [make], deps: ["^:build"]}}\n',
    "lib_d/haz.yml":
      "tasks: {gen: {command: [gen], outputs: [/out.txt], deps: [lib_b:build], weakDeps: [lib_b:build]}}\n",
    "lib_e/haz.yml": "tasks: {gen: {command: [gen], outputs: [/out.txt]}}\n",
  };

  test("EX-117 haz check collects every phase", async () => {
    const result = await load(EX_117, { collectAll: true });
    const stderr = stderrOf(result);
    const headers = stderr.split("\n").filter((line) => line.startsWith("error["));
    assert.deepEqual(headers.map((line) => line.slice(0, line.indexOf("]") + 1)), [
      "error[CFG-001]",
      "error[REF-006]",
      "error[DAG-012]",
      "error[DAG-010]",
      "error[DAG-015]",
    ]);
    assert.ok(stderr.includes("  --> /lib_b/haz.yml:1:"));
    assert.ok(stderr.includes("  --> /lib_e/haz.yml:1:"));
    assert.ok(stderr.endsWith("\nfound 5 errors\n"));
  });

  test("EX-117 other commands stop after the first failing phase", async () => {
    const result = await load(EX_117);
    assert.ok(!result.ok);
    assert.deepEqual(result.diagnostics.map((diagnostic) => diagnostic.rule), ["CFG-001"]);
  });

  test("DIAG-007 references to a dropped task produce no REF-006", async () => {
    const result = await load({
      ".haz/workspace.yml": "projects: [web]\n",
      "web/haz.yml":
        'tasks:\n  build:\n    comand: [tsc]\n  ship: {command: [ship], deps: ["~:build", "web:build", "^:build"]}\n',
    }, { collectAll: true });
    assert.ok(!result.ok);
    assert.deepEqual(result.diagnostics.map((diagnostic) => diagnostic.rule), ["CFG-003"]);
  });

  test("DIAG-007 references into an incomplete project produce no REF-006 or REF-007", async () => {
    const result = await load({
      ".haz/workspace.yml": "projects: [broken, web]\n",
      "broken/haz.yml": "tasks: [\n",
      "web/haz.yml": 'tasks:\n  ship: {command: [ship], deps: ["broken:build", "^:lint", "[lib]:build"]}\n',
    }, { collectAll: true });
    assert.ok(!result.ok);
    assert.deepEqual(result.diagnostics.map((diagnostic) => diagnostic.rule), ["CFG-001"]);
  });

  test("DIAG-007 unknown project names are silent while some project's name is unknown", async () => {
    const result = await load({
      ".haz/workspace.yml": 'projects: ["apps/*"]\n',
      "apps/My App/haz.yml": "tasks:\n  build: {command: [make]}\n",
      "apps/web/haz.yml": 'tasks:\n  ship: {command: [ship], deps: ["mobile:build"]}\n',
    }, { collectAll: true });
    assert.ok(!result.ok);
    assert.deepEqual(result.diagnostics.map((diagnostic) => diagnostic.rule), ["DISC-008"]);
  });

  test("DIAG-007 references to a duplicated project name produce no REF-006", async () => {
    const result = await load({
      ".haz/workspace.yml": "projects: [x/one, y/two, web]\n",
      "x/one/haz.yml": "name: twin\ntasks:\n  build: {command: [make]}\n",
      "y/two/haz.yml": "name: twin\n",
      "web/haz.yml": 'tasks:\n  ship: {command: [ship], deps: ["twin:build", "twin:test"]}\n',
    }, { collectAll: true });
    assert.ok(!result.ok);
    assert.deepEqual(summary(result.diagnostics), [
      ["DISC-008", "project name `twin` is used by 2 directories: /x/one, /y/two"],
    ]);
  });

  test("DIAG-007 phase 4 still reports what loaded next to phase 2 errors", async () => {
    const result = await load({
      ".haz/workspace.yml": "projects: [a, b]\n",
      "a/haz.yml": "tasks:\n  build:\n    comand: [tsc]\n",
      "b/haz.yml": 'tasks:\n  build: {command: [make], deps: ["~:nope"]}\n',
    }, { collectAll: true });
    assert.ok(!result.ok);
    assert.deepEqual(result.diagnostics.map((diagnostic) => diagnostic.rule).sort(), ["CFG-003", "REF-006"]);
  });

  test("DIAG-007 without collectAll earlier warnings are kept with the failing phase", async () => {
    const result = await load({
      ".haz/workspace.yml": "projects: [a]\n",
      "a/haz.yml": 'tags: [lib]\ntasks:\n  x: {command: [x], deps: ["[lbi]:x", "~:y"]}\n',
    });
    assert.ok(!result.ok);
    assert.deepEqual(result.diagnostics.map((diagnostic) => diagnostic.rule).sort(), ["ID-006", "REF-006"]);
  });
});
