import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { LoadWorkspaceResult } from "../../lib/graph/load_workspace.ts";
import { candidateSet } from "../../lib/graph/select.ts";
import {
  type FixtureFiles as Files,
  loadedOf,
  loadFixture as load,
  stderrOf,
} from "../support/load_workspace_fixture.ts";

function argvOf(result: LoadWorkspaceResult, id: string): readonly string[] | null {
  const action = loadedOf(result).graph.tasks.get(id)?.action;
  return action?.kind === "command" ? action.argv : null;
}

const EX_201: Files = {
  ".haz/workspace.yml": "projects: [api, cli, web]\n",
  "api/haz.yml": "tags: [backend, ts]\n",
  "cli/haz.yml": "tags: [backend]\n",
  "web/haz.yml": "tags: [frontend, ts]\ntasks:\n  fmt: {command: [prettier, -w, .]}\n",
  ".haz/tasks/all.yml": 'tagsFilter: "frontend | backend"\ntasks:\n  test: {command: [make, test]}\n',
  ".haz/tasks/lint.yml": "tagsFilter: frontend\ntasks:\n  lint: {command: [eslint, .]}\n",
  ".haz/tasks/ts.yml":
    "tagsFilter: ts\ntasks:\n  fmt: {command: [biome, format]}\n  test: {command: [vitest, run]}\n",
};

describe("overlay merge (02-graph.md §2)", () => {
  test("EX-201 DAG-003 DAG-005 the most specific overlay wins", async () => {
    const result = await load(EX_201);
    assert.ok(result.ok);
    assert.deepEqual(result.loaded.graph.order, [
      "api:fmt",
      "api:test",
      "cli:test",
      "web:fmt",
      "web:lint",
      "web:test",
    ]);
    assert.deepEqual(argvOf(result, "api:fmt"), ["biome", "format"]);
    assert.deepEqual(argvOf(result, "api:test"), ["vitest", "run"]);
    assert.deepEqual(argvOf(result, "cli:test"), ["make", "test"]);
    assert.deepEqual(argvOf(result, "web:lint"), ["eslint", "."]);
    assert.deepEqual(argvOf(result, "web:test"), ["vitest", "run"]);
    // `haz check` at the root: no bearing project, so the count is every task.
    assert.equal(candidateSet(result.loaded, "all").length, 6);
  });

  test("DAG-004 a project's own task wins over every overlay", async () => {
    const result = await load(EX_201);
    assert.deepEqual(argvOf(result, "web:fmt"), ["prettier", "-w", "."]);
    assert.equal(result.ok && result.loaded.graph.tasks.get("web:fmt")?.body.overlay, null);
  });

  test("DAG-001 an overlay attaches only to its matched set", async () => {
    const result = await load(EX_201);
    assert.ok(result.ok);
    assert.equal(result.loaded.graph.tasks.has("api:lint"), false);
    assert.equal(result.loaded.graph.tasks.has("cli:fmt"), false);
    assert.equal(result.loaded.graph.tasks.get("web:lint")?.body.overlay, "lint");
  });

  test("EX-202 DAG-006 equal matched sets collide", async () => {
    const result = await load({
      ...EX_201,
      ".haz/tasks/style.yml": "tagsFilter: ts\ntasks:\n  fmt: {command: [dprint, fmt]}\n",
    });
    assert.equal(
      stderrOf(result),
      [
        "error[DAG-006]: task `api:fmt` is defined by 2 overlays and none is the most specific: style, ts",
        "  --> /.haz/tasks/ts.yml:3:3",
        "   |",
        " 3 |   fmt: {command: [biome, format]}",
        "   |   ^^^",
        "note: overlay `style` matches: api, web",
        "note: overlay `ts` matches: api, web",
        "help: define `fmt` in api's haz.yml, or make one tagsFilter narrower",
        "",
        "found 1 error",
        "",
      ].join("\n"),
    );
  });

  test("DAG-006 incomparable matched sets collide only where both attach", async () => {
    const files: Files = {
      ".haz/workspace.yml": "projects: [api, cli, web]\n",
      "api/haz.yml": "tags: [backend, ts]\n",
      "cli/haz.yml": "tags: [backend]\n",
      "web/haz.yml": "tags: [frontend, ts]\n",
      ".haz/tasks/backend.yml": "tagsFilter: backend\ntasks:\n  gen: {command: [gen-backend]}\n",
      ".haz/tasks/ts.yml": "tagsFilter: ts\ntasks:\n  gen: {command: [gen-ts]}\n",
    };
    const result = await load(files, { collectAll: true });
    assert.ok(!result.ok);
    assert.deepEqual(
      result.diagnostics.map((diagnostic) => [diagnostic.rule, diagnostic.message]),
      [["DAG-006", "task `api:gen` is defined by 2 overlays and none is the most specific: backend, ts"]],
    );
    assert.deepEqual(result.diagnostics[0].notes, [
      "overlay `backend` matches: api, cli",
      "overlay `ts` matches: api, web",
    ]);
    const cliOnly = await load({
      ...files,
      "api/haz.yml": "tags: [backend, ts]\ntasks:\n  gen: {command: [own]}\n",
    });
    assert.deepEqual(argvOf(cliOnly, "cli:gen"), ["gen-backend"]);
    assert.deepEqual(argvOf(cliOnly, "web:gen"), ["gen-ts"]);
    assert.deepEqual(argvOf(cliOnly, "api:gen"), ["own"]);
  });

  test("DAG-005 a strict subset wins even among three sources", async () => {
    const result = await load({
      ".haz/workspace.yml": "projects: [a, b, c]\n",
      "a/haz.yml": "tags: [x, y, z]\n",
      "b/haz.yml": "tags: [x, y]\n",
      "c/haz.yml": "tags: [x]\n",
      ".haz/tasks/wide.yml": "tagsFilter: x\ntasks:\n  t: {command: [wide]}\n",
      ".haz/tasks/middle.yml": "tagsFilter: y\ntasks:\n  t: {command: [middle]}\n",
      ".haz/tasks/narrow.yml": "tagsFilter: z\ntasks:\n  t: {command: [narrow]}\n",
    });
    assert.deepEqual(argvOf(result, "a:t"), ["narrow"]);
    assert.deepEqual(argvOf(result, "b:t"), ["middle"]);
    assert.deepEqual(argvOf(result, "c:t"), ["wide"]);
  });

  test("DAG-011 a collision stops phase 4, even for haz check", async () => {
    const result = await load({
      ...EX_201,
      ".haz/tasks/style.yml": "tagsFilter: ts\ntasks:\n  fmt: {command: [dprint, fmt]}\n",
      "cli/haz.yml": 'tags: [backend]\ntasks:\n  x: {command: [x], deps: ["ghost:build"]}\n',
    }, { collectAll: true });
    assert.ok(!result.ok);
    assert.deepEqual(result.diagnostics.map((diagnostic) => diagnostic.rule), ["DAG-006"]);
  });

  test("DAG-006 a dropped body wins like any other and leaves the task known but absent", async () => {
    const result = await load({
      ".haz/workspace.yml": "projects: [a, b]\n",
      "a/haz.yml": 'tags: [x]\ntasks:\n  use: {command: [u], deps: ["~:gen"]}\n',
      "b/haz.yml": "",
      ".haz/tasks/wide.yml": 'tagsFilter: "*"\ntasks:\n  gen: {command: [wide]}\n',
      ".haz/tasks/narrow.yml": "tagsFilter: x\ntasks:\n  gen: {comand: [narrow]}\n",
    }, { collectAll: true });
    assert.ok(!result.ok);
    // Only the CFG-003 of the dropped body: no REF-006 for `~:gen` (DIAG-007).
    assert.deepEqual(result.diagnostics.map((diagnostic) => diagnostic.rule), ["CFG-003"]);
  });

  test("CFG-025 CFG-019 overlay paths and `~:` mutexes are resolved per attached project", async () => {
    const result = await load({
      ".haz/workspace.yml": "projects: [libs/a, libs/b]\n",
      "libs/a/haz.yml": "tags: [lib]\n",
      "libs/b/haz.yml": "tags: [lib]\n",
      ".haz/tasks/build.yml": [
        "tagsFilter: lib",
        "tasks:",
        "  build:",
        "    command: [make]",
        '    inputs: ["src/**", "!src/gen/**"]',
        "    outputs: [dist]",
        '    mutex: "~:compile"',
        "",
      ].join("\n"),
    });
    assert.ok(result.ok);
    const a = result.loaded.graph.tasks.get("a:build")!;
    const b = result.loaded.graph.tasks.get("b:build")!;
    assert.deepEqual(a.inputs?.map((pattern) => pattern.canonical), ["/libs/a/src/**"]);
    assert.deepEqual(a.inputExclusions.map((pattern) => pattern.canonical), ["/libs/a/src/gen/**"]);
    assert.deepEqual(b.outputs.map((pattern) => pattern.canonical), ["/libs/b/dist"]);
    assert.deepEqual(a.mutex, { name: "compile", scope: "project", project: "a", mode: "exclusive" });
    assert.deepEqual(b.mutex, { name: "compile", scope: "project", project: "b", mode: "exclusive" });
  });
});
