// End to end: the git selection filters (02-graph.md SEL-007, SEL-010, EX-209; 05-cli.md §9 ex 26) in
// real git repositories holding W1. Each scenario gets its own repository, so every scenario's haz
// invocations run concurrently in `before`; the run sets are shown with `--dry-run`.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { dirname } from "node:path";
import { after, describe, test } from "node:test";
import { promisify } from "node:util";
import { baseEnv, type HazResult, runHaz } from "../support/run_haz.ts";
import type { WorkspaceFixture } from "../support/workspace_fixture.ts";
import { createW1Fixture } from "../support/w1_fixture.ts";

/** Every haz invocation of the file starts with the first test, which waits for all of them. */
const SLOW = { timeout: 120_000 };

const execFileAsync = promisify(execFile);

/** Lines joined with `\n`, plus the final line end. */
function text(...lines: string[]): string {
  return `${lines.join("\n")}\n`;
}

/** git isolated from the host's configuration, with a fixed identity; never looks above `ceiling`. */
function gitEnv(ceiling: string): Record<string, string | undefined> {
  return {
    ...baseEnv(),
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CEILING_DIRECTORIES: ceiling,
    GIT_AUTHOR_NAME: "haz test",
    GIT_AUTHOR_EMAIL: "haz@example.invalid",
    GIT_COMMITTER_NAME: "haz test",
    GIT_COMMITTER_EMAIL: "haz@example.invalid",
  };
}

/** Runs git in the fixture's root. */
async function git(fixture: WorkspaceFixture, ...args: string[]): Promise<void> {
  await execFileAsync("git", args, { cwd: fixture.root, env: gitEnv(dirname(fixture.root)) });
}

/** W1 (plus a `.gitignore`) committed in a fresh repository. */
async function committedW1(): Promise<WorkspaceFixture> {
  const fixture = await createW1Fixture();
  await fixture.write({ ".gitignore": "ignored.ts\n" });
  await git(fixture, "init", "-q");
  await git(fixture, "add", "-A");
  await git(fixture, "commit", "-q", "-m", "W1");
  return fixture;
}

/** One haz invocation of a scenario: cwd relative to the root, and arguments. */
type Invocation = readonly [cwd: string, ...args: string[]];

/** A repository state, reached by `prepare`, and the haz invocations made in it. */
interface Scenario {
  readonly repository: boolean;
  readonly prepare: (fixture: WorkspaceFixture) => Promise<void>;
  readonly invocations: Readonly<Record<string, Invocation>>;
}

const nothing = async () => {};

/**
 * Nests a workspace (root project `inner`, one task without `inputs`) in `ws/` of a repository that
 * also holds W1, commits everything, then changes a file outside the workspace and adds an untracked
 * file below `ws/.haz/cache/`, plus `extra`.
 */
async function nestedWorkspace(fixture: WorkspaceFixture, extra: Record<string, string>): Promise<void> {
  await fixture.write({
    "ws/.haz/workspace.yml": "projects: [.]\n",
    "ws/haz.yml": "name: inner\ntasks:\n  x: {command: [x]}\n",
  });
  await git(fixture, "init", "-q");
  await git(fixture, "add", "-A");
  await git(fixture, "commit", "-q", "-m", "nested");
  await fixture.write({
    "libs/util/src/a.js": "export const a = 4;\n",
    "ws/.haz/cache/entry": "x\n",
    ...extra,
  });
}

const SCENARIOS = {
  clean: {
    repository: true,
    prepare: nothing,
    invocations: {
      ex26: [".", "run", "--workspace", "--git-changed"],
      dot: [".", "graph", "--git-changed"],
      mermaid: [".", "graph", "--workspace", "--git-staged", "--format", "mermaid"],
      json: ["apps/web", "graph", "--git-changed-since", "HEAD", "--format", "json"],
      html: [".", "graph", "--git-changed", "--format", "html"],
    },
  },
  utilEdit: {
    repository: true,
    prepare: (fixture) => fixture.write({ "libs/util/src/a.js": "export const a = 2;\n" }),
    invocations: {
      workspace: [".", "run", "--workspace", "--git-changed", "--dry-run"],
      web: ["apps/web", "run", "--git-changed", "--dry-run"],
      core: ["libs/core", "run", "--git-changed"],
      badRevision: [".", "run", "--git-changed-since", "nope"],
      withRef: [".", "run", "--git-changed", "web:build"],
      graph: [".", "graph", "--workspace", "--git-changed", "--format", "mermaid"],
    },
  },
  readme: {
    repository: true,
    prepare: (fixture) => fixture.write({ "apps/web/README.md": "# web, edited\n" }),
    invocations: { workspace: [".", "run", "--workspace", "--git-changed", "--dry-run"] },
  },
  untracked: {
    repository: true,
    prepare: (fixture) =>
      fixture.write({ "libs/core/src/m.ts": "export {};\n", "libs/core/src/ignored.ts": "export {};\n" }),
    invocations: {
      staged: [".", "run", "--workspace", "--git-staged", "--dry-run"],
      changed: ["libs/core", "run", "--git-changed", "--dry-run"],
    },
  },
  ignoredOnly: {
    repository: true,
    prepare: (fixture) => fixture.write({ "libs/core/src/ignored.ts": "export {};\n" }),
    invocations: { changed: [".", "run", "--workspace", "--git-changed", "--dry-run"] },
  },
  staged: {
    repository: true,
    prepare: async (fixture) => {
      await fixture.write({ "libs/core/src/n.ts": "export {};\n" });
      await git(fixture, "add", "libs/core/src/n.ts");
    },
    invocations: { staged: [".", "run", "--workspace", "--git-staged", "--dry-run"] },
  },
  since: {
    repository: true,
    prepare: async (fixture) => {
      await fixture.write({ "libs/util/src/a.js": "export const a = 3;\n" });
      await git(fixture, "commit", "-q", "-am", "util");
    },
    invocations: {
      since: [".", "run", "--workspace", "--git-changed-since", "HEAD~1", "--dry-run"],
      changed: [".", "run", "--workspace", "--git-changed", "--dry-run"],
    },
  },
  deleted: {
    repository: true,
    prepare: (fixture) => rm(fixture.path("libs/util/src/a.js")),
    invocations: { changed: [".", "run", "--workspace", "--git-changed", "--dry-run"] },
  },
  renamed: {
    repository: true,
    prepare: (fixture) => git(fixture, "mv", "libs/util/src/a.js", "libs/core/src/a.ts"),
    invocations: { staged: [".", "run", "--workspace", "--git-staged", "--dry-run"] },
  },
  nestedOutside: {
    repository: false,
    prepare: (fixture) => nestedWorkspace(fixture, {}),
    invocations: { changed: ["ws", "run", "--git-changed", "--dry-run"] },
  },
  nestedInside: {
    repository: false,
    prepare: (fixture) => nestedWorkspace(fixture, { "ws/notes.txt": "x\n" }),
    invocations: { changed: ["ws", "run", "--git-changed", "--dry-run"] },
  },
  noRepository: {
    repository: false,
    prepare: nothing,
    invocations: { changed: [".", "run", "--git-changed"] },
  },
  unborn: {
    repository: false,
    prepare: (fixture) => git(fixture, "init", "-q"),
    invocations: { staged: [".", "run", "--workspace", "--git-staged"] },
  },
} satisfies Record<string, Scenario>;

type ScenarioName = keyof typeof SCENARIOS;

const fixtures = {} as Record<ScenarioName, WorkspaceFixture>;
const results = {} as { [S in ScenarioName]: Record<keyof (typeof SCENARIOS)[S]["invocations"], HazResult> };

/** Writes the workspaces and runs every haz invocation of this file, concurrently. */
async function prepare(): Promise<void> {
  await Promise.all((Object.keys(SCENARIOS) as ScenarioName[]).map(async (name) => {
    const scenario: Scenario = SCENARIOS[name];
    const fixture = scenario.repository ? await committedW1() : await createW1Fixture();
    fixtures[name] = fixture;
    await scenario.prepare(fixture);
    const outcomes: Record<string, HazResult> = {};
    await Promise.all(
      Object.entries(scenario.invocations).map(async ([key, [cwd, ...args]]) => {
        outcomes[key] = await runHaz(args, { cwd: fixture.path(cwd), env: gitEnv(dirname(fixture.root)) });
      }),
    );
    (results as Record<ScenarioName, Record<string, HazResult>>)[name] = outcomes;
  }));
}

let prepared: Promise<void> | undefined;

/** Starts {@link prepare} once; every test awaits the same run. Bun ignores hook timeouts, hence not `before`. */
function ready(): Promise<void> {
  prepared ??= prepare();
  return prepared;
}

after(() => Promise.all(Object.values(fixtures).map((fixture) => fixture.remove())));

/** Asserts a successful dry run printing exactly `lines` and the count line. */
function assertDryRun(result: HazResult, ...lines: string[]): void {
  assert.equal(result.stderr, "");
  const count = lines.length === 1 ? "would run 1 task" : `would run ${lines.length} tasks`;
  assert.equal(result.stdout, text(...lines, count));
  assert.equal(result.code, 0);
}

/** Asserts exit 2, empty stdout and exactly `stderr`. */
function assertFails(result: HazResult, stderr: string): void {
  assert.equal(result.stderr, stderr);
  assert.equal(result.stdout, "");
  assert.equal(result.code, 2);
}

const NOTHING_AFFECTED = "nothing to run: no task is affected by the changes\n";

/** The dry run when `core:build` (and so everything after it) is affected; util:build is pulled in. */
const CORE_AFFECTED = [
  "core:build   selected    cacheable",
  "core:test    selected    cacheable",
  "util:build   dependency  cacheable",
  "web:build    selected    cacheable",
  "web:default  selected    not cacheable: aggregate task (no action)",
  "web:deploy   selected    not cacheable: no inputs declared",
];

/** The dry run of `--workspace` when `util:build` is the task the change touches. */
const UTIL_AFFECTED = [
  "core:build   dependency  cacheable",
  "util:build   selected    cacheable",
  "web:build    selected    cacheable",
  "web:default  selected    not cacheable: aggregate task (no action)",
  "web:deploy   selected    not cacheable: no inputs declared",
];

describe("EX-209 (W1 in a git repository)", () => {
  test("EX-209 `--workspace --git-changed` after editing libs/util/src/a.js", SLOW, async () => {
    await ready();
    assertDryRun(results.utilEdit.workspace, ...UTIL_AFFECTED);
  });

  test(
    "EX-209 cwd apps/web `--git-changed`: web's tasks reach util:build through hard edges",
    SLOW,
    async () => {
      await ready();
      assertDryRun(
        results.utilEdit.web,
        "core:build   dependency  cacheable",
        "util:build   dependency  cacheable",
        "web:build    selected    cacheable",
        "web:default  selected    not cacheable: aggregate task (no action)",
        "web:deploy   selected    not cacheable: no inputs declared",
      );
    },
  );

  test(
    "EX-209 SEL-010 cwd libs/core `--git-changed`: nothing affected, stdout line, exit 0",
    SLOW,
    async () => {
      await ready();
      const { stdout, stderr, code } = results.utilEdit.core;
      assert.equal(stdout, NOTHING_AFFECTED);
      assert.equal(stderr, "");
      assert.equal(code, 0);
    },
  );

  test(
    "EX-209 editing apps/web/README.md keeps web:deploy only (no inputs, change below its root)",
    SLOW,
    async () => {
      await ready();
      assertDryRun(
        results.readme.workspace,
        "core:build  dependency  cacheable",
        "util:build  dependency  cacheable",
        "web:build   dependency  cacheable",
        "web:deploy  selected    not cacheable: no inputs declared",
      );
    },
  );

  test("EX-209 a staged new libs/core/src/n.ts: `--git-staged` keeps core:build", SLOW, async () => {
    await ready();
    assertDryRun(results.staged.staged, ...CORE_AFFECTED);
  });

  test(
    "EX-209 an untracked libs/core/src/m.ts counts for --git-changed, not for --git-staged",
    SLOW,
    async () => {
      await ready();
      const staged = results.untracked.staged;
      assert.equal(staged.stdout, NOTHING_AFFECTED);
      assert.equal(staged.code, 0);
      assertDryRun(
        results.untracked.changed,
        "core:build  selected    cacheable",
        "core:test   selected    cacheable",
      );
    },
  );

  test("SEL-007 untracked files that git ignores do not count", SLOW, async () => {
    await ready();
    assert.equal(results.ignoredOnly.changed.stdout, NOTHING_AFFECTED);
    assert.equal(results.ignoredOnly.changed.code, 0);
  });

  test("EX-209 SEL-007 `--git-changed-since nope`: not a valid revision, exit 2", SLOW, async () => {
    await ready();
    assertFails(
      results.utilEdit.badRevision,
      text("error[SEL-007]: `nope` is not a valid revision", "", "found 1 error"),
    );
  });

  test("EX-209 SEL-002 `--git-changed web:build` is a usage error", SLOW, async () => {
    await ready();
    const { stderr, stdout, code } = results.utilEdit.withRef;
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.ok(
      stderr.startsWith("haz run: error: --git-changed cannot be combined with task references\n"),
      stderr,
    );
  });
});

describe("SEL-007 changesets", () => {
  test(
    "SEL-007 `--git-changed-since HEAD~1` sees a committed change that `--git-changed` does not",
    SLOW,
    async () => {
      await ready();
      assertDryRun(results.since.since, ...UTIL_AFFECTED);
      assert.equal(results.since.changed.stdout, NOTHING_AFFECTED);
      assert.equal(results.since.changed.code, 0);
    },
  );

  test("SEL-007 a deleted file counts", SLOW, async () => {
    await ready();
    assertDryRun(results.deleted.changed, ...UTIL_AFFECTED);
  });

  test(
    "SEL-007 a rename counts as the old path (util:build) and the new one (core:build)",
    SLOW,
    async () => {
      await ready();
      assertDryRun(
        results.renamed.staged,
        "core:build   selected    cacheable",
        "core:test    selected    cacheable",
        "util:build   selected    cacheable",
        "web:build    selected    cacheable",
        "web:default  selected    not cacheable: aggregate task (no action)",
        "web:deploy   selected    not cacheable: no inputs declared",
      );
    },
  );

  test("SEL-007 paths outside the workspace and below /.haz/cache/ are dropped", SLOW, async () => {
    await ready();
    assert.equal(results.nestedOutside.changed.stdout, NOTHING_AFFECTED);
    assert.equal(results.nestedOutside.changed.code, 0);
    assertDryRun(results.nestedInside.changed, "inner:x  selected    not cacheable: no inputs declared");
  });

  test("SEL-007 outside a git work tree: `<WS> is not inside a git work tree`, exit 2", SLOW, async () => {
    await ready();
    assertFails(
      results.noRepository.changed,
      text(
        `error[SEL-007]: ${fixtures.noRepository.root} is not inside a git work tree`,
        "",
        "found 1 error",
      ),
    );
  });

  test("SEL-007 an unborn HEAD is an error, exit 2", SLOW, async () => {
    await ready();
    assertFails(
      results.unborn.staged,
      text("error[SEL-007]: `HEAD` is not a valid revision", "", "found 1 error"),
    );
  });
});

describe("SEL-010 a git filter that empties the selection", () => {
  test(
    "05 §9 ex 26 `haz run --workspace --git-changed` in a clean checkout: exit 0, one stdout line",
    SLOW,
    async () => {
      await ready();
      const { stdout, stderr, code } = results.clean.ex26;
      assert.equal(stdout, NOTHING_AFFECTED);
      assert.equal(stderr, "");
      assert.equal(code, 0);
    },
  );

  test("GRAPH-007 empty dot, mermaid and json graphs, exit 0", SLOW, async () => {
    await ready();
    const expectations = [
      [results.clean.dot, text("digraph haz {", "  rankdir=LR;", "  node [shape=box];", "}")],
      [results.clean.mermaid, "flowchart LR\n"],
      [results.clean.json, `${JSON.stringify({ schema: 1, nodes: [], edges: [] }, null, 2)}\n`],
    ] as const;
    for (const [result, stdout] of expectations) {
      assert.equal(result.stderr, "");
      assert.equal(result.stdout, stdout);
      assert.equal(result.code, 0);
    }
  });

  test("GRAPH-007 the empty html page embeds the empty graph", SLOW, async () => {
    await ready();
    const { stdout, stderr, code } = results.clean.html;
    assert.equal(code, 0);
    assert.equal(stderr, "");
    const embedded = stdout.match(/<script type="application\/json" id="haz-graph">([\s\S]*?)<\/script>/);
    assert.ok(embedded);
    assert.deepEqual(JSON.parse(embedded[1]), { schema: 1, nodes: [], edges: [] });
  });

  test(
    "GRAPH-001 a git filter on graph selects the affected tasks; the run set adds predecessors",
    SLOW,
    async () => {
      await ready();
      const { stdout, code } = results.utilEdit.graph;
      assert.equal(code, 0);
      assert.equal(
        stdout,
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
});
