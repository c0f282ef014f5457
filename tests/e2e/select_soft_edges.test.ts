// End to end: EX-210 (soft edges, SEL-009) with real runs. Each task appends its name to a log in the
// workspace root; `x` sleeps first so that, without the soft edge, `y` would log before it, and fails
// when the file `fail-x` exists. Every scenario has its own workspace, so they run concurrently.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { after, test } from "node:test";
import { type HazResult, runHaz } from "../support/run_haz.ts";
import {
  createWorkspaceFixture,
  type FixtureEntry,
  type WorkspaceFixture,
} from "../support/workspace_fixture.ts";

/** Every haz invocation of the file starts with the first test, which waits for all of them. */
const SLOW = { timeout: 120_000 };

const P_HAZ_YML = [
  "tasks:",
  "  x:",
  "    shell: sleep 0.3; echo x >> ../log; test ! -e ../fail-x",
  "  y:",
  "    shell: echo y >> ../log",
  '    weakDeps: ["~:x"]',
  "  z:",
  "    shell: echo z >> ../log",
  '    deps: ["~:x"]',
  "",
].join("\n");

/** The EX-210 workspace; `failing` adds the marker that makes `x` exit 1. */
function ex210(failing: boolean): Record<string, FixtureEntry> {
  return {
    ".haz/workspace.yml": "projects: [p]\n",
    "p/haz.yml": P_HAZ_YML,
    ...(failing ? { "fail-x": "" } : {}),
  };
}

const SCENARIOS = {
  onlyY: { failing: false, args: ["run", "~:y"] },
  xThenY: { failing: false, args: ["run", "-j", "4", "~:x", "~:y"] },
  xFails: { failing: true, args: ["run", "-j", "4", "~:x", "~:y", "~:z"] },
} as const;

const fixtures = {} as Record<keyof typeof SCENARIOS, WorkspaceFixture>;
const results = {} as Record<keyof typeof SCENARIOS, HazResult>;

/** Writes the workspaces and runs every haz invocation of this file, concurrently. */
async function prepare(): Promise<void> {
  await Promise.all((Object.keys(SCENARIOS) as (keyof typeof SCENARIOS)[]).map(async (name) => {
    const { failing, args } = SCENARIOS[name];
    fixtures[name] = await createWorkspaceFixture(ex210(failing));
    results[name] = await runHaz(args, { cwd: fixtures[name].path("p") });
  }));
}

let prepared: Promise<void> | undefined;

/** Starts {@link prepare} once; every test awaits the same run. Bun ignores hook timeouts, hence not `before`. */
function ready(): Promise<void> {
  prepared ??= prepare();
  return prepared;
}

after(() => Promise.all(Object.values(fixtures).map((fixture) => fixture.remove())));

/** The task names in the order they logged. */
async function logOf(name: keyof typeof SCENARIOS): Promise<string[]> {
  const log = fixtures[name].path("log");
  return existsSync(log) ? (await readFile(log, "utf8")).trim().split("\n") : [];
}

test("EX-210 SEL-009 `haz run ~:y` runs only y: a soft edge adds nothing to the run set", SLOW, async () => {
  await ready();
  assert.equal(results.onlyY.code, 0, results.onlyY.stderr);
  assert.deepEqual(await logOf("onlyY"), ["y"]);
});

test("EX-210 SEL-009 `haz run ~:x ~:y` with concurrency 4 logs x before y", SLOW, async () => {
  await ready();
  assert.equal(results.xThenY.code, 0, results.xThenY.stderr);
  assert.deepEqual(await logOf("xThenY"), ["x", "y"]);
});

test("EX-210 SEL-009 x exits 1: y still runs after it, z (hard edge) is skipped, exit 1", SLOW, async () => {
  await ready();
  assert.equal(results.xFails.code, 1, results.xFails.stderr);
  assert.deepEqual(await logOf("xFails"), ["x", "y"]);
  assert.ok(results.xFails.stdout.includes("- skipped p:z: upstream p:x failed\n"), results.xFails.stdout);
  assert.match(results.xFails.stdout, /\nTasks: 1 completed, 1 failed, 1 skipped\n/);
});
