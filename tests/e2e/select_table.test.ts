// End to end: the selection table of 02-graph.md §5 on W1 (run sets shown by `haz run --dry-run`, with
// the cwd column), EX-208, the command-line reference diagnostics and the selection usage errors
// (SEL-002, 05 §9 ex 3, 5, 6). All invocations start concurrently in `before`.
import assert from "node:assert/strict";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { baseEnv, type HazResult, runHaz } from "../support/run_haz.ts";
import { createWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";
import { createW1Fixture } from "../support/w1_fixture.ts";

/** Every haz invocation of the file starts with the first test, which waits for all of them. */
const SLOW = { timeout: 120_000 };

/** Lines joined with `\n`, plus the final line end. */
function text(...lines: string[]): string {
  return `${lines.join("\n")}\n`;
}

const RUN_USAGE = text(
  "usage: haz run [REF...] [--all | --workspace] [--git-changed | --git-staged | --git-changed-since REV]",
  "               [--dry-run [--json]] [--output-mode live|buffered] [-j N|auto] [--no-cache]",
  "               [--remote-cache off|read|write|read-write] [--shard I/N]",
  "               [--fail-fast] [--summary FILE] [--profile FILE]",
);

const GRAPH_USAGE = text(
  "usage: haz graph [REF...] [--all | --workspace] [--git-changed | --git-staged | --git-changed-since REV]",
  "                 [--format dot|mermaid|json|html] [-o FILE]",
);

/** The stderr of a usage error of `haz <command>` (05-cli.md §3.1). */
function usageError(command: "run" | "graph", message: string): string {
  return `haz ${command}: error: ${message}\nhelp: run 'haz ${command} --help' to see every option\n\n${
    command === "run" ? RUN_USAGE : GRAPH_USAGE
  }`;
}

/** Where (relative to W1's root) and with which arguments haz runs. */
const W1_INVOCATIONS = {
  webRun: { cwd: "apps/web", args: ["run", "--dry-run"] },
  rootRun: { cwd: ".", args: ["run", "--dry-run"] },
  coreRun: { cwd: "libs/core", args: ["run", "--dry-run"] },
  coreAll: { cwd: "libs/core", args: ["run", "--all", "--dry-run"] },
  coreOthersBuild: { cwd: "libs/core", args: ["run", "^~:build", "--dry-run"] },
  rootBuild: { cwd: ".", args: ["run", "build", "--dry-run"] },
  webDeploy: { cwd: "apps/web", args: ["run", "~:deploy", "--dry-run"] },
  webDeployJson: { cwd: "apps/web", args: ["run", "~:deploy", "--dry-run", "--json"] },
  rootTestDeploy: { cwd: ".", args: ["run", "core:test", "web:deploy", "--dry-run"] },
  coreTestDeploy: { cwd: "libs/core/src", args: ["run", "core:test", "web:deploy", "--dry-run"] },
  testDeployJson: { cwd: ".", args: ["run", "core:test", "web:deploy", "--dry-run", "--json"] },
  allWithRef: { cwd: ".", args: ["run", "--all", "web:build"] },
  whyFanOut: { cwd: ".", args: ["why", "^:build"] },
  whyNoMatch: { cwd: ".", args: ["why", "[nope]:build"] },
  ex208: { cwd: ".", args: ["run", "[nope]:build"] },
  rootWorkspace: { cwd: "libs/core", args: ["run", "--workspace", "--dry-run"] },
  rootAll: { cwd: ".", args: ["run", "--all", "--dry-run"] },
  rootTilde: { cwd: ".", args: ["run", "~:build", "--dry-run"] },
  unresolved: { cwd: ".", args: ["run", "ghost:build", "web:buld", "--dry-run"] },
  onlyBearing: { cwd: "libs/core", args: ["run", "[lib]~:test", "^~:test", "--dry-run"] },
  noTask: { cwd: ".", args: ["run", "^:tset", "--dry-run"] },
  repeated: { cwd: "apps/web", args: ["run", "build", "~:build", "web:build", "--dry-run"] },
  badRefs: { cwd: "apps/web", args: ["run", "bad name!:build", ":x", "[x:build"] },
  workspaceWithRef: { cwd: ".", args: ["run", "web:build", "--workspace"] },
  gitWithRef: { cwd: ".", args: ["run", "--git-staged", "web:build"] },
  twoGitFilters: { cwd: ".", args: ["run", "--git-changed-since", "HEAD", "--git-staged"] },
  graphAllWithRef: { cwd: ".", args: ["graph", "web:build", "--all"] },
  jobsZero: { cwd: ".", args: ["run", "-j", "0"] },
} as const;

let w1: WorkspaceFixture;
let noDefault: WorkspaceFixture;
let outside: string;
const results = {} as Record<keyof typeof W1_INVOCATIONS, HazResult>;
let noDefaultRoot: HazResult;
let noDefaultProject: HazResult;
let outsideScopes: HazResult;
let badConcurrencyEnv: HazResult;

/** Writes the workspaces and runs every haz invocation of this file, concurrently. */
async function prepare(): Promise<void> {
  [w1, noDefault, outside] = await Promise.all([
    createW1Fixture(),
    createWorkspaceFixture({
      ".haz/workspace.yml": "projects: [a, b]\n",
      "a/haz.yml": "tasks: {lint: {command: [x]}, build: {command: [x]}}\n",
      "b/haz.yml": "tasks: {}\n",
    }),
    mkdtemp(join(tmpdir(), "haz-select-outside-")).then((path) => realpath(path)),
  ]);
  const names = Object.keys(W1_INVOCATIONS) as (keyof typeof W1_INVOCATIONS)[];
  await Promise.all([
    ...names.map(async (name) => {
      const { cwd, args } = W1_INVOCATIONS[name];
      results[name] = await runHaz(args, { cwd: w1.path(cwd) });
    }),
    runHaz(["run"], { cwd: noDefault.root }).then((result) => noDefaultRoot = result),
    runHaz(["run"], { cwd: noDefault.path("a") }).then((result) => noDefaultProject = result),
    runHaz(["run", "--all", "--workspace"], { cwd: outside }).then((result) => outsideScopes = result),
    runHaz(["run"], { cwd: w1.root, env: { ...baseEnv(), HAZ_CONCURRENCY: "lots" } }).then(
      (result) => badConcurrencyEnv = result,
    ),
  ]);
}

let prepared: Promise<void> | undefined;

/** Starts {@link prepare} once; every test awaits the same run. Bun ignores hook timeouts, hence not `before`. */
function ready(): Promise<void> {
  prepared ??= prepare();
  return prepared;
}

after(async () => {
  await Promise.all([
    w1?.remove(),
    noDefault?.remove(),
    outside && rm(outside, { recursive: true, force: true }),
  ]);
});

/** Asserts a successful dry run printing exactly `lines` and the count line. */
function assertDryRun(result: HazResult, ...lines: string[]): void {
  const count = lines.length === 1 ? "would run 1 task" : `would run ${lines.length} tasks`;
  assert.equal(result.stderr, "");
  assert.equal(result.stdout, text(...lines, count));
  assert.equal(result.code, 0);
}

/** Asserts exit 2, empty stdout and exactly `stderr`. */
function assertFails(result: HazResult, stderr: string): void {
  assert.equal(result.stderr, stderr);
  assert.equal(result.stdout, "");
  assert.equal(result.code, 2);
}

describe("02 §5 selection table (W1)", () => {
  const WEB_DEFAULT_RUN_SET = [
    "core:build   dependency  cacheable",
    "util:build   dependency  cacheable",
    "web:build    dependency  cacheable",
    "web:default  selected    not cacheable: aggregate task (no action)",
  ];

  test("SEL-003 cwd apps/web, `haz run`: web:default plus its builds", SLOW, async () => {
    await ready();
    assertDryRun(results.webRun, ...WEB_DEFAULT_RUN_SET);
  });

  test("SEL-003 root, `haz run`: every project's default (only web has one)", SLOW, async () => {
    await ready();
    assertDryRun(results.rootRun, ...WEB_DEFAULT_RUN_SET);
  });

  test("SEL-003 cwd libs/core, `haz run`: core has no task `default`", SLOW, async () => {
    await ready();
    assertFails(
      results.coreRun,
      text(
        "error[SEL-003]: project `core` has no task `default`",
        "help: name a task, e.g. `haz run core:build`, or use `--all`",
        "",
        "found 1 error",
      ),
    );
  });

  test(
    "SEL-003 without a bearing project and no default anywhere; no help when P has no task",
    SLOW,
    async () => {
      await ready();
      assertFails(
        noDefaultRoot,
        text("error[SEL-003]: no project has a task `default`", "", "found 1 error"),
      );
      assertFails(
        noDefaultProject,
        text(
          "error[SEL-003]: project `a` has no task `default`",
          "help: name a task, e.g. `haz run a:build`, or use `--all`",
          "",
          "found 1 error",
        ),
      );
    },
  );

  test("SEL-004 cwd libs/core, `haz run --all`: core's two tasks", SLOW, async () => {
    await ready();
    assertDryRun(results.coreAll, "core:build  selected    cacheable", "core:test   selected    cacheable");
  });

  test("SEL-004/005 `--all` at the root and `--workspace` anywhere select every task", SLOW, async () => {
    await ready();
    const everything = [
      "core:build   selected    cacheable",
      "core:test    selected    cacheable",
      "util:build   selected    cacheable",
      "web:build    selected    cacheable",
      "web:default  selected    not cacheable: aggregate task (no action)",
      "web:deploy   selected    not cacheable: no inputs declared",
    ];
    assertDryRun(results.rootAll, ...everything);
    assertDryRun(results.rootWorkspace, ...everything);
  });

  test(
    "SEL-008 cwd libs/core, `haz run '^~:build'`: util and web builds, core:build pulled in",
    SLOW,
    async () => {
      await ready();
      assertDryRun(
        results.coreOthersBuild,
        "core:build  dependency  cacheable",
        "util:build  selected    cacheable",
        "web:build   selected    cacheable",
      );
    },
  );

  test(
    "REF-010 root, `haz run build`: a bare name means `^:build` without a bearing project",
    SLOW,
    async () => {
      await ready();
      assertDryRun(
        results.rootBuild,
        "core:build  selected    cacheable",
        "util:build  selected    cacheable",
        "web:build   selected    cacheable",
      );
    },
  );

  test(
    "SEL-009 cwd apps/web, `haz run ~:deploy`: builds added, core:test not (the soft edge is inert)",
    SLOW,
    async () => {
      await ready();
      assertDryRun(
        results.webDeploy,
        "core:build  dependency  cacheable",
        "util:build  dependency  cacheable",
        "web:build   dependency  cacheable",
        "web:deploy  selected    not cacheable: no inputs declared",
      );
      const deploy = JSON.parse(results.webDeployJson.stdout).tasks.find((task: { id: string }) =>
        task.id === "web:deploy"
      );
      assert.deepEqual(deploy.weakDeps, []);
      assert.deepEqual(deploy.deps, ["web:build"]);
    },
  );

  test(
    "SEL-008/009 any cwd, `haz run core:test web:deploy`: both selected, builds added, soft edge live",
    SLOW,
    async () => {
      await ready();
      const expected = [
        "core:build  dependency  cacheable",
        "core:test   selected    cacheable",
        "util:build  dependency  cacheable",
        "web:build   dependency  cacheable",
        "web:deploy  selected    not cacheable: no inputs declared",
      ];
      assertDryRun(results.rootTestDeploy, ...expected);
      assertDryRun(results.coreTestDeploy, ...expected);
      const deploy = JSON.parse(results.testDeployJson.stdout).tasks.find((task: { id: string }) =>
        task.id === "web:deploy"
      );
      assert.deepEqual(deploy.weakDeps, ["core:test"]);
      assert.deepEqual(deploy.mutex, { name: "deploy", scope: "global", mode: "exclusive" });
    },
  );

  test("SEL-002 `haz run --all web:build`: usage error, exit 2", SLOW, async () => {
    await ready();
    assertFails(results.allWithRef, usageError("run", "--all cannot be combined with task references"));
  });

  test(
    "SEL-011 root, `haz why '^:build'`: matches 3 tasks; a fan-out matching nothing, without REF-011",
    SLOW,
    async () => {
      await ready();
      assertFails(
        results.whyFanOut,
        text(
          "error[SEL-011]: `^:build` matches 3 tasks: core:build, util:build, web:build",
          "help: use the exact form `<project>:<task>`",
          "",
          "found 1 error",
        ),
      );
      assertFails(
        results.whyNoMatch,
        text(
          "error[SEL-011]: `[nope]:build` matches no task",
          "help: use the exact form `<project>:<task>`",
          "",
          "found 1 error",
        ),
      );
    },
  );
});

describe("command-line references", () => {
  test(
    "EX-208 SEL-010 an empty reference selection: REF-011 warning, then nothing to run",
    SLOW,
    async () => {
      await ready();
      assertFails(
        results.ex208,
        text(
          "warning[REF-011]: `[nope]:build` matches no task",
          "help: no project carries the tag `nope`",
          "",
          "error[SEL-010]: nothing to run",
          "",
          "found 1 error",
        ),
      );
    },
  );

  test("REF-010 `~:build` without a bearing project", SLOW, async () => {
    await ready();
    assertFails(
      results.rootTilde,
      text(
        `error[REF-010]: \`~:build\` needs a bearing project, but ${w1.root} is not inside any project`,
        "help: use `<project>:build` or `^:build`",
        "",
        "found 1 error",
      ),
    );
  });

  test("REF-006 every unresolved exact reference is reported, with did-you-mean", SLOW, async () => {
    await ready();
    assertFails(
      results.unresolved,
      text(
        "error[REF-006]: unresolved reference `ghost:build`: no project named `ghost`",
        "",
        "error[REF-006]: unresolved reference `web:buld`: project `web` has no task `buld`",
        "help: did you mean `build`?",
        "",
        "found 2 errors",
      ),
    );
  });

  test("REF-011 help names the bearing project as the only owner of the task", SLOW, async () => {
    await ready();
    assertFails(
      results.onlyBearing,
      text(
        "warning[REF-011]: `[lib]~:test` matches no task",
        "help: only the bearing project has a task `test`",
        "",
        "warning[REF-011]: `^~:test` matches no task",
        "help: only the bearing project has a task `test`",
        "",
        "error[SEL-010]: nothing to run",
        "",
        "found 1 error",
      ),
    );
  });

  test("REF-011 help when no project has the task", SLOW, async () => {
    await ready();
    assertFails(
      results.noTask,
      text(
        "warning[REF-011]: `^:tset` matches no task",
        "help: no project has a task `tset`",
        "",
        "error[SEL-010]: nothing to run",
        "",
        "found 1 error",
      ),
    );
  });

  test("05 §4.1 repeated references are harmless", SLOW, async () => {
    await ready();
    assertDryRun(
      results.repeated,
      "core:build  dependency  cacheable",
      "util:build  dependency  cacheable",
      "web:build   selected    cacheable",
    );
  });

  test("05 §9 ex 5 REF-001 every invalid reference before loading, no usage block", SLOW, async () => {
    await ready();
    const { stderr, stdout, code } = results.badRefs;
    assert.equal(code, 2);
    assert.equal(stdout, "");
    const headers = stderr.split("\n").filter((line) => line.startsWith("error"));
    assert.equal(headers.length, 3);
    assert.ok(headers[0].startsWith("error[REF-001]: invalid task reference `bad name!:build`: "), stderr);
    assert.ok(headers[1].startsWith("error[REF-001]: invalid task reference `:x`: "), stderr);
    assert.ok(headers[2].startsWith("error[REF-001]: invalid task reference `[x:build`: "), stderr);
    assert.ok(stderr.endsWith("\n\nfound 3 errors\n"), stderr);
    assert.ok(!stderr.includes("usage:"), stderr);
  });
});

describe("selection usage errors", () => {
  test("05 §9 ex 3 SEL-002 outside any workspace, `--all --workspace` is a usage error", SLOW, async () => {
    await ready();
    assertFails(outsideScopes, usageError("run", "--all cannot be combined with --workspace"));
  });

  test(
    "SEL-002 a scope flag or a git filter with references; two git filters; graph takes the same rows",
    SLOW,
    async () => {
      await ready();
      assertFails(
        results.workspaceWithRef,
        usageError("run", "--workspace cannot be combined with task references"),
      );
      assertFails(
        results.gitWithRef,
        usageError("run", "--git-staged cannot be combined with task references"),
      );
      assertFails(
        results.twoGitFilters,
        usageError("run", "--git-staged cannot be combined with --git-changed-since"),
      );
      assertFails(
        results.graphAllWithRef,
        usageError("graph", "--all cannot be combined with task references"),
      );
    },
  );

  test(
    "05 §9 ex 6 `-j 0` and `HAZ_CONCURRENCY=lots` are usage errors, the latter naming the variable",
    SLOW,
    async () => {
      await ready();
      assertFails(
        results.jobsZero,
        usageError("run", 'invalid value for -j: "0" (expected an integer >= 1 or auto)'),
      );
      assert.equal(badConcurrencyEnv.code, 2);
      assert.equal(badConcurrencyEnv.stdout, "");
      assert.match(badConcurrencyEnv.stderr, /^haz run: error: .*HAZ_CONCURRENCY.*\n/);
    },
  );
});
