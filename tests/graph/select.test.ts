import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { renderDiagnosticReport } from "../../lib/cli/render_diagnostic.ts";
import { taskMatchesChanges } from "../../lib/graph/affected.ts";
import { loadWorkspace } from "../../lib/graph/load_workspace.ts";
import type { LoadedWorkspace } from "../../lib/graph/load_workspace.ts";
import { candidateSet, select } from "../../lib/graph/select.ts";
import type { SelectionRequest, SelectionResult } from "../../lib/graph/select.ts";
import { createWorkspaceFixture } from "../support/workspace_fixture.ts";
import type { FixtureEntry, WorkspaceFixture } from "../support/workspace_fixture.ts";
import { W1_FILES as W1 } from "../support/w1_fixture.ts";

function lines(...text: string[]): string {
  return text.join("\n");
}

let fixture: WorkspaceFixture;
const workspaces = new Map<string, LoadedWorkspace>();

/** W1 loaded from a start directory relative to the root (`.` for the root). */
function from(cwd: string): LoadedWorkspace {
  const loaded = workspaces.get(cwd);
  assert.ok(loaded, `W1 not loaded from ${cwd}`);
  return loaded;
}

function run(cwd: string, request: Partial<SelectionRequest>): SelectionResult {
  return select(from(cwd), { refs: [], scope: "none", command: "run", changedPaths: null, ...request });
}

function sets(result: SelectionResult): { selected: readonly string[]; runSet: readonly string[] } {
  assert.ok(result.ok, result.ok ? "" : renderDiagnosticReport(result.diagnostics, false));
  return { selected: result.selected, runSet: result.runSet };
}

function stderrOf(result: SelectionResult): string {
  assert.ok(!result.ok, "expected a selection failure");
  return renderDiagnosticReport(result.diagnostics, false);
}

before(async () => {
  fixture = await createWorkspaceFixture(W1);
  for (const cwd of [".", "apps/web", "apps/web/src/deep", "libs/core", "libs"]) {
    const result = await loadWorkspace(fixture.path(cwd));
    assert.ok(result.ok, result.ok ? "" : renderDiagnosticReport(result.diagnostics, false));
    workspaces.set(cwd, result.loaded);
  }
});

after(async () => {
  await fixture.remove();
});

describe("bearing project (SEL-001, DISC-010)", () => {
  test("SEL-001 the deepest project containing the start directory", () => {
    assert.equal(from("apps/web").bearingProject?.name, "web");
    assert.equal(from("apps/web/src/deep").bearingProject?.name, "web");
    assert.equal(from("libs/core").bearingProject?.name, "core");
    assert.equal(from("libs").bearingProject, null);
    assert.equal(from(".").bearingProject, null);
    assert.equal(from(".").startDir, fixture.root);
  });
});

describe("bearing project with a root project (DISC-010, EX-102)", () => {
  test("DISC-010 the root project contains every directory; nested projects win when deeper", async () => {
    const files: Readonly<Record<string, FixtureEntry>> = {
      ".haz/workspace.yml": "projects: [., apps/web]\n",
      "haz.yml": "name: shop\ntasks:\n  default: {command: [x]}\n",
      "apps/web/haz.yml": "tasks:\n  default: {command: [y]}\n",
      "src/deep": { directory: true },
      "apps/web/src": { directory: true },
    };
    const bearings = await Promise.all(
      ["src/deep", ".haz", "apps", "apps/web/src"].map((cwd) =>
        withLoaded(files, cwd, (loaded) => loaded.bearingProject?.name)
      ),
    );
    assert.deepEqual(bearings, ["shop", "shop", "shop", "web"]);
  });
});

describe("the W1 selection table (02-graph.md §5)", () => {
  const ALL_BUILDS = ["core:build", "util:build", "web:build"];

  test("SEL-003 apps/web: haz run selects web:default", () => {
    assert.deepEqual(sets(run("apps/web", {})), {
      selected: ["web:default"],
      runSet: ["core:build", "util:build", "web:build", "web:default"],
    });
  });

  test("SEL-003 root: haz run selects every project's default", () => {
    assert.deepEqual(sets(run(".", {})), {
      selected: ["web:default"],
      runSet: ["core:build", "util:build", "web:build", "web:default"],
    });
  });

  test("SEL-003 libs/core: haz run without a default task", () => {
    assert.equal(
      stderrOf(run("libs/core", {})),
      lines(
        "error[SEL-003]: project `core` has no task `default`",
        "help: name a task, e.g. `haz run core:build`, or use `--all`",
        "",
        "found 1 error",
        "",
      ),
    );
  });

  test("SEL-003 without a bearing project and no default anywhere", async () => {
    const result = await withLoaded(
      {
        ".haz/workspace.yml": "projects: [a]\n",
        "a/haz.yml": "tasks:\n  build: {command: [make]}\n",
      },
      ".",
      (loaded) => select(loaded, { refs: [], scope: "none", command: "run", changedPaths: null }),
    );
    assert.equal(stderrOf(result), "error[SEL-003]: no project has a task `default`\n\nfound 1 error\n");
  });

  test("SEL-003 a bearing project without tasks gets no help", async () => {
    const result = await withLoaded(
      {
        ".haz/workspace.yml": "projects: [a]\n",
        "a/haz.yml": "",
      },
      "a",
      (loaded) => select(loaded, { refs: [], scope: "none", command: "run", changedPaths: null }),
    );
    assert.equal(stderrOf(result), "error[SEL-003]: project `a` has no task `default`\n\nfound 1 error\n");
  });

  test("SEL-004 libs/core: haz run --all", () => {
    assert.deepEqual(sets(run("libs/core", { scope: "all" })), {
      selected: ["core:build", "core:test"],
      runSet: ["core:build", "core:test"],
    });
  });

  test("SEL-004 SEL-005 --all without a bearing project and --workspace are every task", () => {
    const every = ["core:build", "core:test", "util:build", "web:build", "web:default", "web:deploy"];
    assert.deepEqual(sets(run(".", { scope: "all" })).selected, every);
    assert.deepEqual(sets(run("apps/web", { scope: "workspace" })).selected, every);
  });

  test("SEL-006 SEL-008 libs/core: ^~:build adds the hard predecessor", () => {
    assert.deepEqual(sets(run("libs/core", { refs: ["^~:build"] })), {
      selected: ["util:build", "web:build"],
      runSet: ALL_BUILDS,
    });
  });

  test("REF-010 root: a bare name means ^:name", () => {
    assert.deepEqual(sets(run(".", { refs: ["build"] })), { selected: ALL_BUILDS, runSet: ALL_BUILDS });
  });

  test("REF-010 apps/web: a bare name means ~:name", () => {
    assert.deepEqual(sets(run("apps/web", { refs: ["build"] })).selected, ["web:build"]);
  });

  test("SEL-008 SEL-009 apps/web: ~:deploy pulls in hard predecessors only", () => {
    assert.deepEqual(sets(run("apps/web", { refs: ["~:deploy"] })), {
      selected: ["web:deploy"],
      runSet: ["core:build", "util:build", "web:build", "web:deploy"],
    });
  });

  test("SEL-006 several references are united, repeated ones are harmless", () => {
    assert.deepEqual(sets(run("libs", { refs: ["web:deploy", "core:test", "core:test"] })), {
      selected: ["core:test", "web:deploy"],
      runSet: ["core:build", "core:test", "util:build", "web:build", "web:deploy"],
    });
  });

  test("SEL-012 haz check counts the candidate set", () => {
    assert.equal(candidateSet(from("."), "all").length, 6);
    assert.deepEqual(candidateSet(from("apps/web"), "all"), ["web:build", "web:default", "web:deploy"]);
    assert.equal(candidateSet(from("apps/web"), "workspace").length, 6);
  });

  test("SEL-011 root: haz why ^:build matches 3 tasks", () => {
    assert.equal(
      stderrOf(run(".", { refs: ["^:build"], command: "why" })),
      lines(
        "error[SEL-011]: `^:build` matches 3 tasks: core:build, util:build, web:build",
        "help: use the exact form `<project>:<task>`",
        "",
        "found 1 error",
        "",
      ),
    );
  });

  test("SEL-011 a fan-out matching nothing is SEL-011 without REF-011", () => {
    assert.equal(
      stderrOf(run(".", { refs: ["[nope]:build"], command: "why" })),
      lines(
        "error[SEL-011]: `[nope]:build` matches no task",
        "help: use the exact form `<project>:<task>`",
        "",
        "found 1 error",
        "",
      ),
    );
  });

  test("SEL-011 one task is selected; an exact form that does not resolve is REF-006", () => {
    assert.deepEqual(sets(run("apps/web", { refs: ["deploy"], command: "why" })).selected, ["web:deploy"]);
    assert.deepEqual(sets(run(".", { refs: ["[app]:build"], command: "why" })).selected, ["web:build"]);
    const missing = run(".", { refs: ["web:nope"], command: "why" });
    assert.ok(!missing.ok);
    assert.deepEqual(missing.diagnostics.map((diagnostic) => diagnostic.rule), ["REF-006"]);
  });
});

describe("command-line reference errors (REF-006, REF-010, REF-011, SEL-010)", () => {
  test("EX-208 an empty fan-out warns and the empty selection is SEL-010", () => {
    assert.equal(
      stderrOf(run(".", { refs: ["[nope]:build"] })),
      lines(
        "warning[REF-011]: `[nope]:build` matches no task",
        "help: no project carries the tag `nope`",
        "",
        "error[SEL-010]: nothing to run",
        "",
        "found 1 error",
        "",
      ),
    );
  });

  test("SEL-010 haz graph says nothing to show", () => {
    const result = run(".", { refs: ["^:nope"], command: "graph" });
    assert.ok(!result.ok);
    assert.deepEqual(
      result.diagnostics.map((diagnostic) => [diagnostic.rule, diagnostic.message, diagnostic.help]),
      [
        ["REF-011", "`^:nope` matches no task", "no project has a task `nope`"],
        ["SEL-010", "nothing to show", undefined],
      ],
    );
  });

  test("REF-011 only the bearing project has the task", () => {
    const result = run("libs/core", { refs: ["^~:test", "core:build"] });
    assert.ok(result.ok);
    assert.deepEqual(
      result.warnings.map((diagnostic) => [diagnostic.message, diagnostic.help]),
      [["`^~:test` matches no task", "only the bearing project has a task `test`"]],
    );
    assert.deepEqual(result.selected, ["core:build"]);
  });

  test("REF-011 no help when the tag exists but its projects lack the task", () => {
    const result = run(".", { refs: ["[app]:test", "core:test"] });
    assert.ok(result.ok);
    assert.deepEqual(
      result.warnings.map((diagnostic) => [diagnostic.message, diagnostic.help]),
      [["`[app]:test` matches no task", undefined]],
    );
  });

  test("REF-010 ~:t without a bearing project", () => {
    assert.equal(
      stderrOf(run(".", { refs: ["~:build"] })),
      lines(
        `error[REF-010]: \`~:build\` needs a bearing project, but ${fixture.root} is not inside any project`,
        "help: use `<project>:build` or `^:build`",
        "",
        "found 1 error",
        "",
      ),
    );
  });

  test("REF-006 command-line references leave out the task part, all errors are reported", () => {
    assert.equal(
      stderrOf(run("apps/web", { refs: ["ghost:build", "core:tset", "nope"] })),
      lines(
        "error[REF-006]: unresolved reference `core:tset`: project `core` has no task `tset`",
        "help: did you mean `test`?",
        "",
        "error[REF-006]: unresolved reference `ghost:build`: no project named `ghost`",
        "",
        "error[REF-006]: unresolved reference `nope`: project `web` has no task `nope`",
        "",
        "found 3 errors",
        "",
      ),
    );
  });

  test("REF-001 an invalid reference reaching selection is a diagnostic", () => {
    const result = run(".", { refs: ["bad name:build"] });
    assert.ok(!result.ok);
    assert.deepEqual(result.diagnostics.map((diagnostic) => diagnostic.rule), ["REF-001"]);
    assert.ok(result.diagnostics[0].message.startsWith("invalid task reference `bad name:build`: project"));
  });
});

describe("git-affected selection (SEL-007, EX-209)", () => {
  const utilEdit = new Set(["/libs/util/src/a.js"]);

  test("EX-209 --workspace --git-changed keeps util:build and its hard successors", () => {
    const result = run(".", { scope: "workspace", changedPaths: utilEdit });
    assert.deepEqual(sets(result), {
      selected: ["util:build", "web:build", "web:default", "web:deploy"],
      runSet: ["core:build", "util:build", "web:build", "web:default", "web:deploy"],
    });
  });

  test("EX-209 apps/web --git-changed reaches the change through tasks outside the candidates", () => {
    assert.deepEqual(sets(run("apps/web", { changedPaths: utilEdit })), {
      selected: ["web:build", "web:default", "web:deploy"],
      runSet: ["core:build", "util:build", "web:build", "web:default", "web:deploy"],
    });
  });

  test("EX-209 SEL-010 libs/core --git-changed: nothing affected is not an error", () => {
    const result = run("libs/core", { changedPaths: utilEdit });
    assert.ok(result.ok);
    assert.deepEqual([result.selected, result.runSet, result.emptiedByGit], [[], [], true]);
    const graph = select(from("libs/core"), {
      refs: [],
      scope: "none",
      command: "graph",
      changedPaths: utilEdit,
    });
    assert.ok(graph.ok && graph.emptiedByGit);
  });

  test("EX-209 a change below a project root matches tasks without inputs", () => {
    const result = run(".", { scope: "workspace", changedPaths: new Set(["/apps/web/README.md"]) });
    assert.deepEqual(sets(result), {
      selected: ["web:deploy"],
      runSet: ["core:build", "util:build", "web:build", "web:deploy"],
    });
  });

  test("EX-209 a new source file is matched by the glob input", () => {
    const graph = from(".").graph;
    const staged = new Set(["/libs/core/src/n.ts"]);
    assert.deepEqual(graph.order.filter((id) => taskMatchesChanges(graph.tasks.get(id)!, staged)), [
      "core:build",
    ]);
  });

  test("SEL-007 literal inputs match by equality; aggregates and inputs: [] never match", async () => {
    const result = await withLoaded(
      {
        ".haz/workspace.yml": "projects: [., p]\n",
        "haz.yml": "name: r\ntasks:\n  root: {command: [x]}\n",
        "p/haz.yml": lines(
          "tasks:",
          "  lit: {command: [x], inputs: [conf.json]}",
          "  none: {command: [x], inputs: []}",
          '  agg: {deps: ["~:none"]}',
          '  excl: {command: [x], inputs: ["**", "!gen/**"]}',
          "",
        ),
      },
      ".",
      (loaded) => {
        const matching = (paths: string[]) =>
          loaded.graph.order.filter((id) => taskMatchesChanges(loaded.graph.tasks.get(id)!, new Set(paths)));
        return {
          conf: matching(["/p/conf.json"]),
          confBelow: matching(["/p/conf.json/x"]),
          generated: matching(["/p/gen/a.ts"]),
          outside: matching(["/other.txt"]),
        };
      },
    );
    assert.deepEqual(result.conf, ["p:excl", "p:lit", "r:root"]);
    assert.deepEqual(result.confBelow, ["p:excl", "r:root"]);
    assert.deepEqual(result.generated, ["r:root"]);
    assert.deepEqual(result.outside, ["r:root"]);
  });
});

describe("soft edges in run sets (SEL-009, EX-210)", () => {
  test("EX-210 soft edges never add tasks; hard edges do", async () => {
    const runSets = await withLoaded(
      {
        ".haz/workspace.yml": "projects: [p]\n",
        "p/haz.yml": lines(
          "tasks:",
          "  x: {shell: echo x >> log}",
          '  y: {shell: echo y >> log, weakDeps: ["~:x"]}',
          '  z: {shell: echo z >> log, deps: ["~:x"]}',
          "",
        ),
      },
      "p",
      (loaded) =>
        [["~:y"], ["~:x", "~:y"], ["~:x", "~:y", "~:z"], ["~:z"]].map((refs) => {
          const result = select(loaded, { refs, scope: "none", command: "run", changedPaths: null });
          assert.ok(result.ok);
          return result.runSet;
        }),
    );
    assert.deepEqual(runSets, [["p:y"], ["p:x", "p:y"], ["p:x", "p:y", "p:z"], ["p:x", "p:z"]]);
  });
});

async function withLoaded<T>(
  files: Readonly<Record<string, FixtureEntry>>,
  cwd: string,
  body: (loaded: LoadedWorkspace) => T,
): Promise<T> {
  const own = await createWorkspaceFixture(files);
  try {
    const result = await loadWorkspace(own.path(cwd));
    assert.ok(result.ok, result.ok ? "" : renderDiagnosticReport(result.diagnostics, false));
    return body(result.loaded);
  } finally {
    await own.remove();
  }
}
