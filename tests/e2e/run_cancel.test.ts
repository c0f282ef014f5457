/**
 * End to end: cancellation by signals, the second signal, signals before the scheduler starts,
 * task timeouts and `--fail-fast` (04-execution.md §5.7, §7, §11 examples 22–26 and 32; 05-cli.md
 * §4.3), against the real CLI.
 */

import assert from "node:assert/strict";
import { chmod, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { livingWithMarker, uniqueSleepMarker, waitUntilGone } from "../support/process_table.ts";
import { baseEnv, runHaz } from "../support/run_haz.ts";
import { type SpawnedHazResult, spawnHaz, type TestSignal } from "../support/spawn_haz.ts";
import { validateProfile, validateRunSummary } from "../support/summary_schema.ts";
import { createWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";

/** A printed duration (04-execution.md §9.5). */
const D = String.raw`(?:\d+h(?: \d+m)?|\d+m(?: \d+s)?|\d+s(?: \d+ms)?|\d+ms)`;

function lines(...rows: string[]): RegExp {
  return new RegExp(`^${rows.join("\n")}\n$`);
}

const LONG = { timeout: 30_000 };

const EPILOGUE_TIME = String.raw` Time: ${D}`;

/** Workspaces of one fixture, each with its own settings; every long sleep carries a marker. */
const markers = {
  sigint: uniqueSleepMarker(),
  sigterm: uniqueSleepMarker(),
  sighup: uniqueSleepMarker(),
  stubborn: uniqueSleepMarker(),
  tree: uniqueSleepMarker(),
  second: uniqueSleepMarker(),
  timeout: uniqueSleepMarker(),
  failFast: uniqueSleepMarker(),
  errored: uniqueSleepMarker(),
  before: uniqueSleepMarker(),
};

/** Example 22's tasks: cap 1, `p:long` prints `started`, `p:other` would write a marker first. */
function example22(marker: string): Record<string, string> {
  return {
    ".haz/workspace.yml": "projects: [p]\nconcurrency: {default: 1}\n",
    "p/haz.yml": [
      "tasks:",
      "  long:",
      `    shell: "echo started; sleep ${marker}"`,
      "    inputs: []",
      "  after:",
      "    command: [echo, after]",
      '    deps: ["~:long"]',
      "    inputs: []",
      "  other:",
      `    shell: "echo ran > other.marker; sleep ${marker}"`,
      "    inputs: []",
      "",
    ].join("\n"),
  };
}

function prefixed(prefix: string, entries: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(entries).map(([path, text]) => [`${prefix}/${path}`, text]));
}

let fixture: WorkspaceFixture;

before(async () => {
  fixture = await createWorkspaceFixture({
    ...prefixed("sigint", example22(markers.sigint)),
    ...prefixed("sigterm", example22(markers.sigterm)),
    ...prefixed("sighup", example22(markers.sighup)),
    "grace1/.haz/workspace.yml": "projects: [p]\nexecution: {cancel_grace: 1}\n",
    "grace1/p/haz.yml": [
      "tasks:",
      "  stubborn:",
      `    shell: "trap '' TERM; echo started; sleep ${markers.stubborn}"`,
      "  slow:",
      "    command: [sleep, 10]",
      "    timeout: 1s",
      "  next:",
      "    command: [echo, next]",
      '    deps: ["~:slow"]',
      "  deaf:",
      `    shell: "trap '' TERM; sleep ${markers.timeout}"`,
      "    timeout: 1s",
      "",
    ].join("\n"),
    "grace5/.haz/workspace.yml": "projects: [p]\n",
    "grace5/p/haz.yml": [
      "tasks:",
      "  tree:",
      `    shell: "sleep ${markers.tree} & (trap '' TERM; exec sleep ${markers.tree}) & echo started; wait"`,
      "",
    ].join("\n"),
    "grace30/.haz/workspace.yml": "projects: [p]\nexecution: {cancel_grace: 30}\n",
    "grace30/p/haz.yml": [
      "tasks:",
      "  stubborn:",
      `    shell: "trap '' TERM; echo started; sleep ${markers.second}"`,
      "",
    ].join("\n"),
    "failfast/.haz/workspace.yml": "projects: [p, q]\n",
    "failfast/p/haz.yml": [
      "tasks:",
      "  a:",
      '    shell: "sleep 0.5; exit 1"',
      "  b:",
      `    command: [sleep, ${markers.failFast}]`,
      "  c:",
      `    command: [sleep, ${markers.failFast}]`,
      "",
    ].join("\n"),
    "failfast/q/haz.yml": [
      "tasks:",
      "  a:",
      '    shell: "sleep 0.5"',
      "    outputs: [missing.txt]",
      "  b:",
      `    command: [sleep, ${markers.errored}]`,
      "",
    ].join("\n"),
    "before/.haz/workspace.yml": "projects: [p]\n",
    "before/p/haz.yml": "tasks:\n  t:\n    command: [echo, never]\n",
  });
});

after(async () => {
  // Anything a failed test left running carries one of this file's markers.
  for (const marker of Object.values(markers)) {
    for (const pid of livingWithMarker(marker)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }
  await fixture.remove();
});

/** Files and entry directories under `.haz/cache` that would make a cache entry. */
async function cacheEntries(workspace: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      if (/^[0-9a-f]{64}$/.test(name) || name === "manifest.json") found.push(path);
      if ((await stat(path)).isDirectory()) await walk(path);
    }
  };
  await walk(join(workspace, ".haz", "cache"));
  return found;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Runs example 22 in `workspace`, sends `signal` once `started` appears, returns what haz did. */
async function cancelExample22(
  workspace: string,
  signal: TestSignal,
): Promise<{ result: SpawnedHazResult; sentAt: number }> {
  const haz = spawnHaz(["run", "--all"], { cwd: join(fixture.path(workspace), "p") });
  await haz.waitForLine("stdout", "[p:long] started");
  const sentAt = haz.signal(signal);
  return { result: await haz.exited, sentAt };
}

describe("cancellation by a signal (EXEC-012, EXEC-013, CLI-030)", () => {
  const expectedStdout = lines(
    "\\[p:long\\] started",
    "! cancelled p:other: not started",
    `! cancelled p:long \\(${D}\\): stopped with SIGTERM`,
    "! cancelled p:after: upstream p:long cancelled",
    "",
    "Tasks: 0 completed, 3 cancelled",
    EPILOGUE_TIME,
  );

  test(
    "04 §11 ex 22 SIGINT: exit 130 within grace + 1 s, three status lines, no marker, no cache entry",
    LONG,
    async () => {
      const { result, sentAt } = await cancelExample22("sigint", "SIGINT");
      assert.equal(result.code, 130);
      assert.ok(result.exitedAt - sentAt < 6000, `exited ${result.exitedAt - sentAt} ms after SIGINT`);
      assert.match(result.stdout, expectedStdout);
      assert.equal(
        result.stderr,
        "haz: received SIGINT, stopping running tasks (grace 5s); send it again to kill them now\n",
      );
      assert.equal(await exists(fixture.path("sigint/p/other.marker")), false);
      assert.deepEqual(await cacheEntries(fixture.path("sigint")), []);
      assert.deepEqual(livingWithMarker(markers.sigint), []);
    },
  );

  test("04 §11 ex 23 SIGTERM exits 143 and SIGHUP exits 129, with the same records", LONG, async () => {
    const [term, hup] = await Promise.all([
      cancelExample22("sigterm", "SIGTERM"),
      cancelExample22("sighup", "SIGHUP"),
    ]);
    assert.equal(term.result.code, 143);
    assert.equal(hup.result.code, 129);
    for (
      const [{ result, sentAt }, name, workspace] of [
        [term, "SIGTERM", "sigterm"],
        [hup, "SIGHUP", "sighup"],
      ] as const
    ) {
      assert.ok(result.exitedAt - sentAt < 6000, `exited ${result.exitedAt - sentAt} ms after ${name}`);
      assert.match(result.stdout, expectedStdout);
      assert.equal(
        result.stderr,
        `haz: received ${name}, stopping running tasks (grace 5s); send it again to kill them now\n`,
      );
      assert.equal(await exists(fixture.path(`${workspace}/p/other.marker`)), false);
      assert.deepEqual(await cacheEntries(fixture.path(workspace)), []);
    }
    assert.deepEqual([...livingWithMarker(markers.sigterm), ...livingWithMarker(markers.sighup)], []);
  });

  test(
    "04 §11 ex 24 a TERM-ignoring task gets SIGKILL about 1 s after SIGTERM (cancel_grace: 1)",
    LONG,
    async () => {
      const haz = spawnHaz(["run", "p:stubborn"], { cwd: fixture.path("grace1") });
      await haz.waitForLine("stdout", "[p:stubborn] started");
      const sentAt = haz.signal("SIGINT");
      const result = await haz.exited;
      const elapsed = result.exitedAt - sentAt;
      assert.equal(result.code, 130);
      assert.ok(elapsed >= 950 && elapsed < 3000, `exited ${elapsed} ms after SIGINT`);
      assert.match(
        result.stdout,
        lines(
          "\\[p:stubborn\\] started",
          `! cancelled p:stubborn \\(${D}\\): killed with SIGKILL after 1s grace`,
          "",
          "Tasks: 0 completed, 1 cancelled",
          EPILOGUE_TIME,
        ),
      );
      assert.equal(
        result.stderr,
        "haz: received SIGINT, stopping running tasks (grace 1s); send it again to kill them now\n",
      );
      assert.deepEqual(livingWithMarker(markers.stubborn), []);
    },
  );

  test(
    "04 §11 ex 25 PROC-006 no member of the task's group outlives haz, grandchildren included",
    LONG,
    async () => {
      const haz = spawnHaz(["run", "p:tree"], { cwd: fixture.path("grace5") });
      await haz.waitForLine("stdout", "[p:tree] started");
      // The leader and its two children (forked shells or the sleeps they became) carry the marker; a
      // child in the middle of exec briefly shows no command line, so look again until all three show.
      const deadline = Date.now() + 3000;
      while (livingWithMarker(markers.tree).length < 3 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(livingWithMarker(markers.tree).length >= 3);
      haz.signal("SIGINT");
      const result = await haz.exited;
      assert.equal(result.code, 130);
      assert.deepEqual(livingWithMarker(markers.tree), []);
      // The leader died of SIGTERM; PROC-006 then killed the TERM-ignoring grandchild with the group.
      assert.match(result.stdout, new RegExp(`^! cancelled p:tree \\(${D}\\): stopped with SIGTERM$`, "m"));
    },
  );

  test("04 §11 ex 26 EXEC-105 a second SIGINT kills at once: exit 130 within 1 s of it", LONG, async () => {
    const haz = spawnHaz(["run", "p:stubborn"], { cwd: fixture.path("grace30") });
    await haz.waitForLine("stdout", "[p:stubborn] started");
    haz.signal("SIGINT");
    await haz.waitForLine("stderr", "haz: received SIGINT,");
    await new Promise((resolve) => setTimeout(resolve, 500));
    const secondAt = haz.signal("SIGINT");
    const result = await haz.exited;
    assert.equal(result.code, 130);
    assert.ok(
      result.exitedAt - secondAt < 1000,
      `exited ${result.exitedAt - secondAt} ms after the second SIGINT`,
    );
    assert.match(
      result.stdout,
      lines(
        "\\[p:stubborn\\] started",
        `! cancelled p:stubborn \\(${D}\\): killed with SIGKILL`,
        "",
        "Tasks: 0 completed, 1 cancelled",
        EPILOGUE_TIME,
      ),
    );
    assert.equal(
      result.stderr,
      "haz: received SIGINT, stopping running tasks (grace 30s); send it again to kill them now\n" +
        "haz: received SIGINT again, killing all tasks now\n",
    );
    assert.deepEqual(livingWithMarker(markers.second), []);
  });

  test(
    "CLI-030 a signal before the scheduler starts exits 128+n at once, without summary",
    LONG,
    async () => {
      // A `git` that never answers holds haz in selection (`--git-changed`), before the scheduler.
      const variants = [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const;
      const bin = fixture.path("before-bin");
      await fixture.write({
        "before-bin/git": `#!/bin/sh\n: > "$HAZ_E2E_READY"\nexec sleep ${markers.before}\n`,
      });
      await chmod(join(bin, "git"), 0o755);
      const results = await Promise.all(variants.map(async ([signal]) => {
        const ready = fixture.path(`before-ready-${signal}`);
        const haz = spawnHaz(["run", "--git-changed", "--summary", `s-${signal}.json`], {
          cwd: fixture.path("before"),
          env: { ...baseEnv(), PATH: `${bin}:${process.env.PATH}`, HAZ_E2E_READY: ready },
        });
        const deadline = Date.now() + 20_000;
        while (!(await exists(ready)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        const sentAt = haz.signal(signal);
        const result = await haz.exited;
        return { result, sentAt, signal };
      }));
      for (const [{ result, sentAt, signal }, [, code]] of results.map((r, i) => [r, variants[i]] as const)) {
        assert.equal(result.code, code, `${signal}: ${result.stderr}`);
        assert.ok(
          result.exitedAt - sentAt < 1000,
          `${signal}: exited ${result.exitedAt - sentAt} ms after it`,
        );
        assert.equal(result.stdout, "");
        assert.equal(result.stderr, "");
        assert.equal(await exists(fixture.path(`before/s-${signal}.json`)), false);
      }
      // haz exited at once and left its (detached) git behind; that one is ours to stop.
      for (const pid of livingWithMarker(markers.before)) process.kill(pid, "SIGKILL");
      assert.deepEqual(await waitUntilGone(markers.before, 2000), []);
    },
  );
});

describe("task timeouts (EXEC-103, CFG-043)", () => {
  test(
    "04 §11 ex 32 timeout 1s: failed with `timed out after 1s`, successor skipped, exit 1; lastSignal SIGKILL when TERM is ignored",
    LONG,
    async () => {
      const [slow, deaf] = await Promise.all([
        runHaz(["run", "p:next"], { cwd: fixture.path("grace1") }),
        runHaz(["run", "p:deaf", "--summary", "deaf.json"], { cwd: fixture.path("grace1") }),
      ]);
      assert.equal(slow.code, 1);
      assert.match(
        slow.stdout,
        lines(
          String.raw`✗ failed p:slow \(1s(?: \d+ms)?\): timed out after 1s`,
          "- skipped p:next: upstream p:slow failed",
          "",
          "Tasks: 0 completed, 1 failed, 1 skipped",
          EPILOGUE_TIME,
        ),
      );
      assert.equal(slow.stderr, "");

      // SIGTERM at 1 s is ignored, SIGKILL follows after the 1 s grace.
      assert.equal(deaf.code, 1);
      assert.match(
        deaf.stdout,
        lines(
          String.raw`✗ failed p:deaf \(2s(?: \d+ms)?\): timed out after 1s`,
          "",
          "Tasks: 0 completed, 1 failed",
          EPILOGUE_TIME,
        ),
      );
      const summary = JSON.parse(await readFile(fixture.path("grace1/deaf.json"), "utf8"));
      assert.deepEqual(validateRunSummary(summary), []);
      assert.deepEqual(summary.tasks[0].failure, { kind: "timeout", limitMs: 1000, lastSignal: "SIGKILL" });
      assert.deepEqual(summary.tasks[0].exitStatus, { code: null, signal: "SIGKILL" });
      assert.deepEqual(livingWithMarker(markers.timeout), []);
    },
  );
});

describe("--fail-fast (EXEC-104)", () => {
  test(
    "EXEC-104 the first failure cancels: notice, running task signalled, queued one not started, exit 1",
    LONG,
    async () => {
      const [failed, errored] = await Promise.all([
        runHaz([
          "run",
          "p:a",
          "p:b",
          "p:c",
          "-j",
          "2",
          "--fail-fast",
          "--summary",
          "s.json",
          "--profile",
          "p.json",
        ], {
          cwd: fixture.path("failfast"),
        }),
        runHaz(["run", "q:a", "q:b", "-j", "2", "--fail-fast"], { cwd: fixture.path("failfast") }),
      ]);
      assert.equal(failed.code, 1);
      assert.match(
        failed.stdout,
        lines(
          `✗ failed p:a \\(${D}\\): exit code 1`,
          "! cancelled p:c: not started",
          `! cancelled p:b \\(${D}\\): stopped with SIGTERM`,
          "",
          "Tasks: 0 completed, 1 failed, 2 cancelled",
          EPILOGUE_TIME,
        ),
      );
      assert.equal(failed.stderr, "haz: p:a failed, cancelling the run (--fail-fast)\n");
      const summary = JSON.parse(await readFile(fixture.path("failfast/s.json"), "utf8"));
      assert.deepEqual(validateRunSummary(summary), []);
      assert.equal(summary.exitCode, 1);
      assert.equal(summary.settings.failFast, true);
      assert.deepEqual({ ...summary.cancel, atMs: 0 }, {
        reason: "fail-fast",
        root: "p:a",
        atMs: 0,
        forced: false,
      });
      assert.deepEqual(
        summary.tasks.map((
          task: { id: string; outcome: string; cause: unknown },
        ) => [task.id, task.outcome, task.cause]),
        [
          ["p:a", "failed", null],
          ["p:b", "cancelled", { kind: "signaled-in-flight", lastSignal: "SIGTERM", escalation: "none" }],
          ["p:c", "cancelled", { kind: "run-cancelled" }],
        ],
      );
      const profile = JSON.parse(await readFile(fixture.path("failfast/p.json"), "utf8"));
      assert.deepEqual(validateProfile(profile, { concurrency: 2 }), []);
      const cancel = profile.traceEvents.filter((event: { name: string }) => event.name === "cancel");
      assert.deepEqual(cancel.map((event: { args: unknown }) => event.args), [{
        reason: "fail-fast",
        forced: false,
      }]);

      assert.equal(errored.code, 1);
      assert.match(
        errored.stdout,
        lines(
          `✗ errored q:a \\(${D}\\): declared output \`/q/missing.txt\` was not produced`,
          `! cancelled q:b \\(${D}\\): stopped with SIGTERM`,
          "",
          "Tasks: 0 completed, 1 failed, 1 cancelled",
          EPILOGUE_TIME,
        ),
      );
      assert.equal(errored.stderr, "haz: q:a errored, cancelling the run (--fail-fast)\n");
      assert.deepEqual([...livingWithMarker(markers.failFast), ...livingWithMarker(markers.errored)], []);
    },
  );
});
