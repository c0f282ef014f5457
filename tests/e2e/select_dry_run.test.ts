// End to end: `haz run --dry-run` text and JSON (05-cli.md §4.4, EXEC-030; §9 ex 12–14). The tasks'
// commands would leave a marker file, so "nothing is spawned" is observable, as is the absent cache.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, test } from "node:test";
import { type HazResult, runHaz } from "../support/run_haz.ts";
import { createWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";

/** Every haz invocation of the file starts with the first test, which waits for all of them. */
const SLOW = { timeout: 120_000 };

/** Lines joined with `\n`, plus the final line end. */
function text(...lines: string[]): string {
  return `${lines.join("\n")}\n`;
}

const MARK = '[sh, -c, "echo ran > ran.txt"]';

const FILES = {
  ".haz/workspace.yml": "projects: [app, lib, tools]\n",
  "app/haz.yml": text(
    "tasks:",
    "  build:",
    "    description: Build the app",
    `    command: ${MARK}`,
    "    deps: [lib:compile]",
    '    inputs: ["src/**"]',
    "    outputs: [dist]",
    '    mutex: {name: "~:bundler", mode: shared}',
    "    timeout: 10m",
    "  test:",
    `    command: ${MARK}`,
    "    weakDeps: [lib:compile]",
  ),
  "app/src/main.ts": "export {};\n",
  "lib/haz.yml": text("tasks:", "  compile:", `    shell: echo ran > ran.txt`, "    inputs: []"),
  "tools/haz.yml": text(
    "tasks:",
    "  all:",
    '    deps: ["^:build"]',
    "  docs:",
    `    command: ${MARK}`,
    "    inputs: []",
    "    cache: false",
  ),
};

const INVOCATIONS = {
  ex12: ["run", "app:build", "app:test", "--dry-run"],
  ex12Workspace: ["run", "--workspace", "--dry-run"],
  ex12Json: ["run", "app:build", "app:test", "--dry-run", "--json"],
  ex13: ["run", "app:build", "--dry-run", "--json"],
  noCache: ["run", "app:build", "tools:all", "--dry-run", "--no-cache", "-j", "1", "--fail-fast"],
  noCacheJson: ["run", "lib:compile", "--dry-run", "--json", "--no-cache", "--output-mode", "buffered"],
  one: ["run", "lib:compile", "--dry-run"],
  ex14: ["run", "--dry-run", "--summary", "s.json"],
  profile: ["run", "--dry-run", "--profile", "p.json"],
  jsonAlone: ["run", "app:build", "--json"],
} as const;

let fixture: WorkspaceFixture;
const results = {} as Record<keyof typeof INVOCATIONS, HazResult>;

/** Writes the workspaces and runs every haz invocation of this file, concurrently. */
async function prepare(): Promise<void> {
  fixture = await createWorkspaceFixture(FILES);
  await Promise.all(
    (Object.keys(INVOCATIONS) as (keyof typeof INVOCATIONS)[]).map(async (name) => {
      results[name] = await runHaz(INVOCATIONS[name], { cwd: fixture.root });
    }),
  );
}

let prepared: Promise<void> | undefined;

/** Starts {@link prepare} once; every test awaits the same run. Bun ignores hook timeouts, hence not `before`. */
function ready(): Promise<void> {
  prepared ??= prepare();
  return prepared;
}

after(() => fixture?.remove());

/** Asserts exit 0, empty stderr and exactly `stdout`. */
function assertPrints(result: HazResult, stdout: string): void {
  assert.equal(result.stderr, "");
  assert.equal(result.stdout, stdout);
  assert.equal(result.code, 0);
}

test("05 §9 ex 12 EXEC-030 the dry-run text of §4.4, exactly", SLOW, async () => {
  await ready();
  assertPrints(
    results.ex12,
    text(
      "app:build    selected    cacheable",
      "app:test     selected    not cacheable: no inputs declared",
      "lib:compile  dependency  cacheable",
      "would run 3 tasks",
    ),
  );
});

test("05 §9 ex 12 EXEC-030 nothing is spawned and the cache is not opened", SLOW, async () => {
  await ready();
  for (const dir of ["app", "lib", "tools"]) assert.equal(existsSync(fixture.path(`${dir}/ran.txt`)), false);
  assert.equal(existsSync(fixture.path(".haz/cache")), false);
});

test(
  "05 §9 ex 12 with --workspace column 2 reads `selected` on every line; CACHE-024 reasons",
  SLOW,
  async () => {
    await ready();
    assertPrints(
      results.ex12Workspace,
      text(
        "app:build    selected    cacheable",
        "app:test     selected    not cacheable: no inputs declared",
        "lib:compile  selected    cacheable",
        "tools:all    selected    not cacheable: aggregate task (no action)",
        "tools:docs   selected    not cacheable: cache: false",
        "would run 5 tasks",
      ),
    );
  },
);

test(
  "05 §4.4 --no-cache is the first reason; -j, --fail-fast are accepted; `would run 1 task`",
  SLOW,
  async () => {
    await ready();
    assertPrints(
      results.noCache,
      text(
        "app:build    selected    not cacheable: --no-cache",
        "lib:compile  dependency  not cacheable: --no-cache",
        "tools:all    selected    not cacheable: --no-cache",
        "would run 3 tasks",
      ),
    );
    assertPrints(results.one, text("lib:compile  selected    cacheable", "would run 1 task"));
  },
);

/** The dry-run JSON record of `app:build`. */
const APP_BUILD = {
  id: "app:build",
  project: "app",
  task: "build",
  selected: true,
  action: "command",
  cacheable: true,
  notCacheableReason: null,
  deps: ["lib:compile"],
  weakDeps: [],
  mutex: { name: "bundler", scope: "project", mode: "shared" },
  timeoutMs: 600000,
  description: "Build the app",
  service: false,
};

/** The dry-run JSON record of `lib:compile` pulled in as a dependency. */
const LIB_COMPILE = {
  id: "lib:compile",
  project: "lib",
  task: "compile",
  selected: false,
  action: "shell",
  cacheable: true,
  notCacheableReason: null,
  deps: [],
  weakDeps: [],
  mutex: null,
  timeoutMs: null,
  description: null,
  service: false,
};

test("05 §9 ex 13 --json: kind haz-dry-run, count 2, lib:compile selected false", SLOW, async () => {
  await ready();
  const expected = {
    kind: "haz-dry-run",
    version: 1,
    count: 2,
    shard: null,
    tasks: [APP_BUILD, LIB_COMPILE],
  };
  assertPrints(results.ex13, `${JSON.stringify(expected, null, 2)}\n`);
});

test("05 §4.4 --json weakDeps lists soft predecessors in the run set; --no-cache reason", SLOW, async () => {
  await ready();
  const appTest = {
    id: "app:test",
    project: "app",
    task: "test",
    selected: true,
    action: "command",
    cacheable: false,
    notCacheableReason: "no-inputs",
    deps: [],
    weakDeps: ["lib:compile"],
    mutex: null,
    timeoutMs: null,
    description: null,
    service: false,
  };
  const expected = {
    kind: "haz-dry-run",
    version: 1,
    count: 3,
    shard: null,
    tasks: [APP_BUILD, appTest, LIB_COMPILE],
  };
  assertPrints(results.ex12Json, `${JSON.stringify(expected, null, 2)}\n`);
  const noCache = JSON.parse(results.noCacheJson.stdout);
  assert.deepEqual(
    noCache.tasks.map((task: { cacheable: boolean; notCacheableReason: string }) => [
      task.cacheable,
      task.notCacheableReason,
    ]),
    [[false, "no-cache-flag"]],
  );
});

test(
  "05 §9 ex 14 --summary and --profile cannot be combined with --dry-run; --json needs --dry-run",
  SLOW,
  async () => {
    await ready();
    for (
      const [result, message] of [
        [results.ex14, "--summary cannot be combined with --dry-run"],
        [results.profile, "--profile cannot be combined with --dry-run"],
      ] as const
    ) {
      assert.equal(result.code, 2);
      assert.equal(result.stdout, "");
      assert.ok(result.stderr.startsWith(`haz run: error: ${message}\n`), result.stderr);
    }
    assert.equal(existsSync(fixture.path("s.json")), false);
    assert.equal(results.jsonAlone.code, 2);
    assert.equal(results.jsonAlone.stdout, "");
    assert.match(results.jsonAlone.stderr, /^haz run: error: --json .*--dry-run\n/);
  },
);
