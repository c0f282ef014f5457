/**
 * End to end: several real haz processes on one workspace (04-execution.md §5.8, XPROC-001..005):
 * concurrent cold runs, mutexes across processes, a holder killed with SIGKILL, cache commands beside
 * restoring runs, and cancellation while waiting for another process.
 */

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { baseEnv, type HazResult, runHaz } from "../support/run_haz.ts";
import { spawnHaz } from "../support/spawn_haz.ts";
import { createWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";
import { markerScript, readLines, waitForFile } from "./run_support.ts";

const LONG = { timeout: 240_000 };

/** Projects of the concurrent-run workspace: three producers and one consumer of all three. */
const PRODUCERS = ["g1", "g2", "g3"];
const PROJECTS = [...PRODUCERS, "app"];
const FILES = ["a", "b", "c"];

/** What a single clean run writes to `<project>/out/<file>.txt`. */
function expected(project: string, file: string): string {
  return `${project} ${file} part1\n${project} ${file} part2\n`;
}

/** Records its run in `$RUNS`, then writes three output files, each in two slow halves. */
function slowWriter(project: string): string {
  return `echo ${project}:build >> "$RUNS"; mkdir -p out; for f in ${FILES.join(" ")}; do ` +
    `printf '${project} %s part1\\n' $f > out/$f.txt; sleep 0.02; ` +
    `printf '${project} %s part2\\n' $f >> out/$f.txt; done`;
}

function buildTask(project: string): string {
  const deps = project === "app" ? `    deps: [${PRODUCERS.map((p) => `${p}:build`).join(", ")}]\n` : "";
  return `tasks:\n  build:\n    shell: ${JSON.stringify(slowWriter(project))}\n    inputs: [src.txt]\n` +
    `    outputs: [out]\n    env: {from_host: [RUNS]}\n${deps}`;
}

/** Per task: the expected content of every output path (workspace-absolute). */
const EXPECTED_OUTPUTS = new Map(
  PROJECTS.flatMap((project) =>
    FILES.map((file) => [`/${project}/out/${file}.txt`, expected(project, file)])
  ),
);

/** Entries of the cache whose recorded outputs differ from what a clean run writes, and their count. */
function inspectCache(fixture: WorkspaceFixture): { entries: number; torn: string[] } {
  const root = fixture.path(".haz/cache");
  const torn: string[] = [];
  let entries = 0;
  if (!existsSync(root)) return { entries, torn };
  for (const shard of readdirSync(root).filter((name) => /^[0-9a-f]{2}$/.test(name))) {
    for (const key of readdirSync(join(root, shard)).filter((name) => /^[0-9a-f]{64}$/.test(name))) {
      const entry = join(root, shard, key);
      const manifest = JSON.parse(readFileSync(join(entry, "manifest.json"), "utf8"));
      entries += 1;
      for (const output of manifest.outputs) {
        const blob = readFileSync(join(entry, "outputs", output.hash), "utf8");
        if (blob !== EXPECTED_OUTPUTS.get(output.path)) torn.push(`${manifest.task} ${output.path}`);
      }
    }
  }
  return { entries, torn };
}

/** Output files in the workspace that differ from what a clean run writes. */
function wrongOutputs(fixture: WorkspaceFixture): string[] {
  return [...EXPECTED_OUTPUTS].flatMap(([path, text]) => {
    const host = fixture.path(path.slice(1));
    return existsSync(host) && readFileSync(host, "utf8") === text ? [] : [path];
  });
}

function assertExit(result: HazResult, code: number): void {
  assert.equal(
    result.code,
    code,
    `exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`,
  );
}

const concurrent = await createWorkspaceFixture({
  ".haz/workspace.yml": `projects: [${PROJECTS.join(", ")}]\n`,
  ...Object.fromEntries(PROJECTS.flatMap((project) => [
    [`${project}/haz.yml`, buildTask(project)],
    [`${project}/src.txt`, `${project}\n`],
  ])),
});
after(() => concurrent.remove());

const MARK = "xproc-e2e";
const shared = await createWorkspaceFixture({
  ".haz/workspace.yml": "projects: [p, q]\nexecution: {cancel_grace: 1}\n",
  "p/haz.yml": [
    "tasks:",
    `  deploy: {shell: ${JSON.stringify(markerScript("p:deploy", { seconds: 1 }))}, mutex: deploy, ` +
    "env: {from_host: [LOG]}}",
    // Holds its locks for 30 s when HOLD names a file (it writes its pid there first), else ends at once.
    "  work:",
    `    shell: ${
      JSON.stringify(`if [ -n "$HOLD" ]; then echo $$ > "$HOLD"; sleep 30; fi; echo ${MARK} > out.txt`)
    }`,
    "    outputs: [out.txt]",
    "    mutex: deploy",
    "    env: {from_host: [HOLD]}",
    "",
  ].join("\n"),
  "q/haz.yml": `tasks:\n  deploy: {shell: ${
    JSON.stringify(markerScript("q:deploy", { seconds: 0.2 }))
  }, mutex: deploy, env: {from_host: [LOG]}}\n`,
});
after(() => shared.remove());

describe("several haz processes on one workspace (04-execution.md §5.8)", () => {
  test(
    "XPROC-001 XPROC-002 20 pairs of concurrent cold runs: no torn entry, no task run twice, outputs as a clean run writes them",
    LONG,
    async () => {
      const runsLog = concurrent.path("runs.log");
      const env = { ...baseEnv(), RUNS: runsLog };
      let tornEntries = 0;
      let doubleRuns = 0;
      for (let trial = 1; trial <= 20; trial++) {
        rmSync(concurrent.path(".haz/cache"), { recursive: true, force: true });
        for (const project of PROJECTS) {
          rmSync(concurrent.path(`${project}/out`), { recursive: true, force: true });
        }
        rmSync(runsLog, { force: true });
        const pair = await Promise.all(
          [1, 2].map(() => runHaz(["run", "--workspace", "-j", "2"], { cwd: concurrent.root, env })),
        );
        for (const result of pair) assertExit(result, 0);
        const runs = readLines(runsLog);
        for (const project of PROJECTS) {
          const count = runs.filter((line) => line === `${project}:build`).length;
          assert.ok(count >= 1, `trial ${trial}: ${project}:build never ran`);
          if (count > 1) doubleRuns += 1;
        }
        const cache = inspectCache(concurrent);
        tornEntries += cache.torn.length;
        assert.deepEqual(cache.torn, [], `trial ${trial}: torn entries`);
        assert.equal(cache.entries, PROJECTS.length, `trial ${trial}: one entry per task`);
        assert.deepEqual(wrongOutputs(concurrent), [], `trial ${trial}: workspace outputs`);
        // The process that did not run a task waited for it and restored it.
        const noted = pair.flatMap((result) =>
          result.stderr.split("\n").filter((line) => line.startsWith("note:"))
        );
        for (const line of noted) {
          assert.match(line, /^note: [a-z0-9]+:build waits for haz process \d+, which holds it$/);
        }
      }
      assert.equal(tornEntries, 0);
      assert.equal(doubleRuns, 0);
      // Every later run restores exactly what a clean run writes.
      for (const project of PROJECTS) {
        rmSync(concurrent.path(`${project}/out`), { recursive: true, force: true });
      }
      const restored = await runHaz(["run", "--workspace"], { cwd: concurrent.root, env });
      assertExit(restored, 0);
      assert.match(restored.stdout, /Tasks: 4 completed \(4 cached\)/);
      assert.deepEqual(wrongOutputs(concurrent), []);
    },
  );

  test(
    "XPROC-003 a mutex held by a task of process A keeps the same mutex's task in process B waiting until it ends",
    LONG,
    async () => {
      const log = shared.path("mutex.log");
      rmSync(log, { force: true });
      const env = { ...baseEnv(), LOG: log };
      const first = spawnHaz(["run", "p:deploy", "--no-cache"], { cwd: shared.root, env });
      const deadline = Date.now() + 20_000;
      while (!readLines(log).includes("s p:deploy")) {
        assert.ok(Date.now() < deadline, "p:deploy never started");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const second = spawnHaz(["run", "q:deploy", "--no-cache"], { cwd: shared.root, env });
      await second.waitForLine(
        "stderr",
        `note: q:deploy waits for mutex deploy, held by haz process ${first.pid}`,
      );
      const [a, b] = await Promise.all([first.exited, second.exited]);
      assertExit(a, 0);
      assertExit(b, 0);
      assert.deepEqual(readLines(log), ["s p:deploy", "e p:deploy", "s q:deploy", "e q:deploy"]);
      assert.equal(b.stderr.split("\n").filter((line) => line.startsWith("note:")).length, 1);
    },
  );

  test(
    "XPROC-004 a holder killed with SIGKILL costs the next run nothing: it takes the locks over at once",
    LONG,
    async () => {
      const hold = shared.path("hold.pid");
      rmSync(hold, { force: true });
      const normalStart = performance.now();
      assertExit(await runHaz(["run", "p:work"], { cwd: shared.root, env: baseEnv() }), 0);
      const normalMs = performance.now() - normalStart;

      const killed = spawnHaz(["run", "p:work"], { cwd: shared.root, env: { ...baseEnv(), HOLD: hold } });
      await waitForFile(hold, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const taskPid = Number(readFileSync(hold, "utf8").trim());
      killed.signal("SIGKILL");
      await killed.exited;
      // PROC-008: the task's group outlives a SIGKILLed haz; end it so it writes nothing more.
      try {
        process.kill(-taskPid, "SIGKILL");
      } catch {
        // Already gone.
      }
      // The killed run left its task lock and its mutex hold behind.
      const locks = shared.path(".haz/locks");
      const names = readdirSync(locks);
      assert.ok(names.some((name) => name.startsWith("task-")), names.join(", "));
      assert.ok(
        names.some((name) => name.startsWith("mutex-") && readdirSync(join(locks, name)).includes("x")),
        names.join(", "),
      );

      rmSync(shared.path("p/out.txt"), { force: true });
      const start = performance.now();
      const next = await runHaz(["run", "p:work"], { cwd: shared.root, env: baseEnv() });
      const elapsed = performance.now() - start;
      assertExit(next, 0);
      assert.doesNotMatch(next.stderr, /waits for/);
      assert.equal(readFileSync(shared.path("p/out.txt"), "utf8"), `${MARK}\n`);
      // Generous for a loaded machine: the rule allows 1 s, and this run did not wait at all.
      assert.ok(elapsed < normalMs + 2_000, `${Math.round(elapsed)} ms against ${Math.round(normalMs)} ms`);
    },
  );

  test(
    "XPROC-002 cancellation while waiting for another process's lock ends the run at once, exit 130",
    LONG,
    async () => {
      const hold = shared.path("hold-cancel.pid");
      rmSync(hold, { force: true });
      const holder = spawnHaz(["run", "p:work"], { cwd: shared.root, env: { ...baseEnv(), HOLD: hold } });
      await waitForFile(hold, 20_000);
      const waiter = spawnHaz(["run", "p:work"], { cwd: shared.root, env: baseEnv() });
      await waiter.waitForLine("stderr", `note: p:work waits for haz process ${holder.pid}, which holds it`);
      const sentAt = waiter.signal("SIGINT");
      const waited = await waiter.exited;
      assertExit(waited, 130);
      assert.ok(waited.exitedAt - sentAt < 2_000, `${Math.round(waited.exitedAt - sentAt)} ms`);
      assert.match(waited.stdout, /cancelled/);
      holder.signal("SIGINT");
      assertExit(await holder.exited, 130);
    },
  );

  test(
    "XPROC-005 `cache clean --max-size 0` and `cache clear` in a loop beside restoring runs: no partial outputs",
    LONG,
    async () => {
      const env = { ...baseEnv(), RUNS: concurrent.path("runs-clean.log") };
      assertExit(await runHaz(["run", "--workspace"], { cwd: concurrent.root, env }), 0);
      for (let round = 0; round < 6; round++) {
        // Entries to restore: a clean or clear of the previous round may have removed them.
        assertExit(await runHaz(["run", "--workspace"], { cwd: concurrent.root, env }), 0);
        for (const project of PROJECTS) {
          rmSync(concurrent.path(`${project}/out`), { recursive: true, force: true });
        }
        let running = true;
        const cacheCommands = (async () => {
          const results: HazResult[] = [];
          for (let i = round; running; i++) {
            const args = i % 2 === 0 ? ["cache", "clean", "--max-size", "0"] : ["cache", "clear"];
            results.push(await runHaz(args, { cwd: concurrent.root, env }));
          }
          return results;
        })();
        const run = await runHaz(["run", "--workspace"], { cwd: concurrent.root, env });
        running = false;
        for (const result of await cacheCommands) assertExit(result, 0);
        assertExit(run, 0);
        assert.doesNotMatch(run.stderr, /cannot restore/);
        assert.deepEqual(wrongOutputs(concurrent), [], `round ${round}`);
      }
    },
  );
});
