/**
 * End to end: `haz run --summary` and `--profile` (05-cli.md §4.5–4.7, CLI-040, CLI-041, §8 and §9
 * examples 15–17), validated against the strict RunSummaryV1 / ProfileV1 schemas after a success, a
 * failure, an invariant violation, a signal cancellation and a forced kill; write failures.
 */

import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { livingWithMarker, uniqueSleepMarker } from "../support/process_table.ts";
import { runHaz } from "../support/run_haz.ts";
import { spawnHaz } from "../support/spawn_haz.ts";
import { validateProfile, validateRunSummary } from "../support/summary_schema.ts";
import { createWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";

const marker = uniqueSleepMarker();
const LONG = { timeout: 30_000 };

interface TraceEvent {
  name: string;
  cat?: string;
  ph: string;
  tid: number;
  ts: number;
  dur?: number;
  id?: string;
  s?: string;
  args?: Record<string, unknown>;
}

interface TaskSummary {
  id: string;
  outcome: string;
  timing: { admissions: number; mutexWaitMs: number; endMs: number };
  [member: string]: unknown;
}

let fixture: WorkspaceFixture;

before(async () => {
  fixture = await createWorkspaceFixture({
    ".haz/workspace.yml": "projects: [p, q, v1, v2]\nconcurrency: {default: 3}\n",
    "p/haz.yml": [
      "tasks:",
      "  gen:",
      '    shell: "printf gen > gen.txt"',
      "    inputs: []",
      "    outputs: [gen.txt]",
      "  m1:",
      '    command: [sleep, "0.5"]',
      '    mutex: "~:db"',
      "  m2:",
      '    command: [sleep, "0.1"]',
      '    mutex: "~:db"',
      "  all:",
      '    deps: ["~:gen", "~:m1", "~:m2"]',
      "",
    ].join("\n"),
    "q/haz.yml": [
      "tasks:",
      "  fail:",
      '    shell: "echo boom >&2; exit 3"',
      "  after:",
      "    command: [echo, after]",
      '    deps: ["~:fail"]',
      "  ok:",
      "    command: [echo, ok]",
      "  long:",
      `    shell: "echo started; sleep ${marker}"`,
      "  deaf:",
      `    shell: "trap '' TERM; echo started; sleep ${marker}"`,
      "",
    ].join("\n"),
    "v1/haz.yml":
      'tasks:\n  w:\n    shell: "mkdir -p ../shared && echo a > ../shared/x.txt"\n    outputs: ["/shared/*.txt"]\n',
    "v2/haz.yml":
      'tasks:\n  w:\n    shell: "mkdir -p ../shared && echo b > ../shared/x.txt"\n    outputs: ["/shared/*.txt"]\n',
  });
});

after(async () => {
  for (const pid of livingWithMarker(marker)) process.kill(pid, "SIGKILL");
  await fixture.remove();
});

async function readJson(relative: string) {
  return JSON.parse(await readFile(fixture.path(relative), "utf8"));
}

async function exists(relative: string): Promise<boolean> {
  try {
    await stat(fixture.path(relative));
    return true;
  } catch {
    return false;
  }
}

function byId(summary: { tasks: TaskSummary[] }): Record<string, TaskSummary> {
  return Object.fromEntries(summary.tasks.map((task) => [task.id, task]));
}

function events(
  profile: { traceEvents: TraceEvent[] },
  filter: (event: TraceEvent) => boolean,
): TraceEvent[] {
  return profile.traceEvents.filter(filter);
}

/** The number of `task` events must equal the admissions the summary counts (aggregates take none). */
function admissionsOf(summary: { tasks: TaskSummary[] }): number {
  return summary.tasks.filter((task) => task.source !== "aggregate").reduce(
    (sum, task) => sum + task.timing.admissions,
    0,
  );
}

describe("--summary and --profile (CLI-040, CLI-041)", () => {
  test(
    "CLI-040 CLI-041 after a success: both documents valid, mutex wait recorded as b/e events",
    LONG,
    async () => {
      const args = ["run", "p:all", "--summary", "s.json", "--profile", "p.json"];
      const result = await runHaz(args, { cwd: fixture.root });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, "");

      const summary = await readJson("s.json");
      assert.deepEqual(validateRunSummary(summary), []);
      assert.equal(summary.exitCode, 0);
      assert.equal(summary.cancel, null);
      assert.deepEqual(summary.argv, args);
      assert.equal(summary.workspaceRoot, fixture.root);
      assert.ok(Math.abs(Date.parse(summary.startedAt) - Date.now()) < 60_000);
      assert.deepEqual(summary.counts, {
        tasks: 4,
        completed: 4,
        cached: 0,
        failed: 0,
        errored: 0,
        skipped: 0,
        cancelled: 0,
        services: 0,
      });
      assert.deepEqual(summary.settings, {
        concurrency: 3,
        tagCaps: {},
        outputMode: "live",
        cancelGraceMs: 5000,
        failFast: false,
        cacheEnabled: true,
        hash: "sha256",
        shard: null,
      });
      const tasks = byId(summary);
      assert.deepEqual(Object.keys(tasks), ["p:all", "p:gen", "p:m1", "p:m2"]);
      assert.deepEqual(summary.tasks.map((task: TaskSummary) => task.selected), [true, false, false, false]);
      assert.equal(tasks["p:all"].source, "aggregate");
      assert.equal(tasks["p:all"].notCacheableReason, "aggregate");
      assert.equal(tasks["p:gen"].source, "fresh-run");
      assert.equal(tasks["p:gen"].stored, true);
      assert.match(String(tasks["p:gen"].key), /^[0-9a-f]{64}$/);
      assert.deepEqual(tasks["p:gen"].outputs, ["/p/gen.txt"]);
      assert.deepEqual(tasks["p:gen"].exitStatus, { code: 0, signal: null });
      assert.equal(tasks["p:m1"].notCacheableReason, "no-inputs");
      // MUTEX-101: p:m2 parked while p:m1 held `~:db`, then was admitted again.
      assert.equal(tasks["p:m1"].timing.admissions, 1);
      assert.equal(tasks["p:m2"].timing.admissions, 2);
      assert.ok(tasks["p:m2"].timing.mutexWaitMs > 0);
      assert.ok(
        summary.durationMs >= Math.max(...summary.tasks.map((task: TaskSummary) => task.timing.endMs)),
      );

      const profile = await readJson("p.json");
      assert.deepEqual(validateProfile(profile, { concurrency: 3 }), []);
      assert.deepEqual(profile.otherData, {
        kind: "haz-profile",
        version: 1,
        haz: summary.haz.version,
        exitCode: 0,
      });
      const taskEvents = events(profile, (event) => event.cat === "task");
      assert.equal(taskEvents.length, admissionsOf(summary));
      assert.deepEqual(
        taskEvents.filter((event) => event.name === "p:m2").map((event) => event.args?.admission),
        [1, 2],
      );
      const waits = events(profile, (event) => event.cat === "mutex-wait");
      assert.deepEqual(
        waits.map((event) => [event.ph, event.name, event.id, event.args]),
        [["b", "wait ~:db (p)", "p:m2", { task: "p:m2" }], ["e", "wait ~:db (p)", "p:m2", { task: "p:m2" }]],
      );
      // The wait spans the time between the two admissions of p:m2.
      const [first, second] = taskEvents.filter((event) => event.name === "p:m2");
      assert.ok(waits[0].ts >= first.ts && waits[1].ts <= second.ts);
      assert.ok(Math.abs((waits[1].ts - waits[0].ts) / 1000 - tasks["p:m2"].timing.mutexWaitMs) <= 1);
      assert.deepEqual(
        events(profile, (event) => event.ph === "i").map((event) => [event.name, event.cat, event.args]),
        [["p:all", "aggregate", { cause: "aggregate" }]],
      );
      const run = events(profile, (event) => event.name === "run" && event.cat === "haz");
      assert.deepEqual(run.map((event) => event.args), [{ exitCode: 0 }]);
    },
  );

  test(
    "05 §9 ex 15 after a failure and an invariant violation: exit 1, failure and violation recorded",
    LONG,
    async () => {
      const [failed, overlap] = await Promise.all([
        runHaz(["run", "q:after", "--summary", "f.json", "--profile", "fp.json"], { cwd: fixture.root }),
        runHaz(["run", "v1:w", "v2:w", "-j", "1", "--summary", "v.json", "--profile", "vp.json"], {
          cwd: fixture.root,
        }),
      ]);
      assert.equal(failed.code, 1);
      const summary = await readJson("f.json");
      assert.deepEqual(validateRunSummary(summary), []);
      assert.equal(summary.exitCode, 1);
      const tasks = byId(summary);
      assert.equal(tasks["q:fail"].outcome, "failed");
      assert.deepEqual(tasks["q:fail"].failure, { kind: "exit-code", code: 3 });
      // The stream digest covers the captured bytes (sha256 of "boom\n").
      assert.deepEqual(tasks["q:fail"].stderr, {
        hash: "8d7a531d714c4bd7121bf7d639c6191ff6495a4f1132c9ae3cdd672be0168954",
        bytes: 5,
      });
      assert.deepEqual(tasks["q:after"].cause, { kind: "upstream-failed", root: "q:fail" });
      const profile = await readJson("fp.json");
      assert.deepEqual(validateProfile(profile, { concurrency: 3 }), []);
      assert.equal(profile.otherData.kind, "haz-profile");
      assert.equal(profile.otherData.exitCode, 1);
      const taskEvents = events(profile, (event) => event.cat === "task");
      assert.equal(taskEvents.length, admissionsOf(summary));
      assert.deepEqual(taskEvents.map((event) => [event.name, event.args?.outcome, event.args?.exitCode]), [[
        "q:fail",
        "failed",
        3,
      ]]);
      assert.deepEqual(
        events(profile, (event) => event.ph === "i").map((event) => [event.name, event.cat]),
        [["q:after", "skipped"]],
      );

      assert.equal(overlap.code, 1);
      assert.equal(
        overlap.stderr,
        "error[EXEC-020]: output overlap: /shared/x.txt was materialised by v1:w and v2:w\n",
      );
      const violationSummary = await readJson("v.json");
      assert.deepEqual(validateRunSummary(violationSummary), []);
      const violation = {
        kind: "output-overlap",
        rule: "EXEC-020",
        first: "v1:w",
        second: "v2:w",
        path: "/shared/x.txt",
      };
      assert.deepEqual(violationSummary.invariantViolations, [violation]);
      const violationProfile = await readJson("vp.json");
      assert.deepEqual(validateProfile(violationProfile, { concurrency: 1 }), []);
      assert.deepEqual(
        events(violationProfile, (event) => event.name === "violation").map((event) => event.args),
        [violation],
      );
    },
  );

  test(
    "05 §9 ex 16 after SIGINT: exit 130, cancel recorded; a second signal records a forced kill",
    LONG,
    async () => {
      const cancel = async (task: string, signals: number) => {
        const haz = spawnHaz([
          "run",
          task,
          "--summary",
          `${task.slice(2)}.json`,
          "--profile",
          `${task.slice(2)}-p.json`,
        ], {
          cwd: fixture.root,
        });
        await haz.waitForLine("stdout", `[${task}] started`);
        haz.signal("SIGINT");
        if (signals === 2) {
          await haz.waitForLine("stderr", "haz: received SIGINT,");
          haz.signal("SIGINT");
        }
        return await haz.exited;
      };
      const [once, twice] = await Promise.all([cancel("q:long", 1), cancel("q:deaf", 2)]);
      assert.equal(once.code, 130);
      assert.equal(twice.code, 130);
      assert.deepEqual(livingWithMarker(marker), []);

      for (
        const [name, forced, cause] of [
          ["long", false, { kind: "signaled-in-flight", lastSignal: "SIGTERM", escalation: "none" }],
          ["deaf", true, { kind: "signaled-in-flight", lastSignal: "SIGKILL", escalation: "forced" }],
        ] as const
      ) {
        const summary = await readJson(`${name}.json`);
        assert.deepEqual(validateRunSummary(summary), []);
        assert.equal(summary.exitCode, 130);
        assert.deepEqual({ ...summary.cancel, atMs: 0 }, {
          reason: "signal",
          signal: "SIGINT",
          atMs: 0,
          forced,
        });
        assert.equal(summary.tasks[0].outcome, "cancelled");
        assert.deepEqual(summary.tasks[0].cause, cause);
        const profile = await readJson(`${name}-p.json`);
        assert.deepEqual(validateProfile(profile, { concurrency: 3 }), []);
        assert.equal(profile.otherData.exitCode, 130);
        // One `cancel` instant when the cancellation started, one more for the kill.
        assert.deepEqual(
          events(profile, (event) => event.name === "cancel").map((event) => event.args),
          forced
            ? [{ reason: "signal", forced: false }, { reason: "signal", forced: true }]
            : [{ reason: "signal", forced }],
        );
      }
    },
  );

  test(
    "05 §9 ex 17 a summary or profile that cannot be written: exit 2 after a success, 1 after a failure",
    LONG,
    async () => {
      // p:all ran in the first test, so p:gen is a cache hit now.
      const [success, failure, profileFailure] = await Promise.all([
        runHaz(["run", "p:all", "--summary", "missing-dir/s.json", "--profile", "p2.json"], {
          cwd: fixture.root,
        }),
        runHaz(["run", "q:after", "--summary", "missing-dir/s.json"], { cwd: fixture.root }),
        runHaz(["run", "q:ok", "--profile", "missing-dir/p.json"], { cwd: fixture.root }),
      ]);
      assert.equal(success.code, 2);
      assert.match(success.stdout, /\nTasks: 4 completed \(1 cached\)\n Time: \S+/);
      assert.match(
        success.stderr,
        /^error: could not write summary to missing-dir\/s\.json: no such file or directory\n$/,
      );
      assert.equal(failure.code, 1);
      assert.match(failure.stdout, /\nTasks: 0 completed, 1 failed, 1 skipped\n Time: \S+/);
      assert.match(
        failure.stderr,
        /^\[q:fail\] boom\nerror: could not write summary to missing-dir\/s\.json: no such file or directory\n$/,
      );
      assert.equal(profileFailure.code, 2);
      assert.match(profileFailure.stdout, /\nTasks: 1 completed\n Time: \S+/);
      assert.match(
        profileFailure.stderr,
        /^error: could not write profile to missing-dir\/p\.json: no such file or directory\n$/,
      );
      assert.equal(await exists("missing-dir"), false);

      // The profile is still written; it carries the code haz exits with.
      const profile = await readJson("p2.json");
      assert.deepEqual(validateProfile(profile, { concurrency: 3 }), []);
      assert.equal(profile.otherData.exitCode, 2);
      assert.deepEqual(
        events(profile, (event) => event.name === "run" && event.cat === "haz").map((event) => event.args),
        [{ exitCode: 2 }],
      );
      const gen = events(profile, (event) => event.cat === "task" && event.name === "p:gen");
      assert.deepEqual(gen.map((event) => event.args?.source), ["cache-hit"]);
    },
  );
});
