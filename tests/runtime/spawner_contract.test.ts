import assert from "node:assert/strict";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type ProcessSpawner, SpawnError, type SpawnPlan } from "../../lib/exec/process.ts";
import { superviseProcess } from "../../lib/exec/supervise_process.ts";
import { detectRuntime } from "../../lib/runtime/detect_runtime.ts";
import { spawnerFor } from "../../lib/runtime/spawner_for.ts";
import { nodeSpawner } from "../../lib/runtime/node_spawner.ts";
import { systemClock } from "../../lib/util/system_clock.ts";
import { uniqueSleepMarker, waitUntilGone } from "../support/process_table.ts";

const runtime = detectRuntime();
const adapters: Array<[string, ProcessSpawner]> = [[runtime, spawnerFor(runtime)]];
// The Node adapter serves the bundle on Node; Bun implements node:child_process faithfully enough to check it.
if (runtime === "bun") adapters.push(["node", nodeSpawner]);

const PATH = "/usr/local/bin:/usr/bin:/bin";
const scratch = realpathSync(mkdtempSync(join(tmpdir(), "haz-spawn-")));
after(() => rmSync(scratch, { recursive: true, force: true }));

function shell(script: string, extra: Partial<SpawnPlan> = {}): SpawnPlan {
  return { program: "sh", args: ["-c", script], env: { PATH }, cwd: scratch, ...extra };
}

async function collect(spawner: ProcessSpawner, plan: SpawnPlan) {
  const child = spawner.spawn(plan);
  const stdout: Uint8Array[] = [];
  const stderr: Uint8Array[] = [];
  const started = performance.now();
  const result = await superviseProcess(child, {
    spawner,
    clock: systemClock(started),
    onStdout: (chunk) => void stdout.push(chunk.slice()),
    onStderr: (chunk) => void stderr.push(chunk.slice()),
  }).finished;
  return {
    pid: child.pid,
    result,
    elapsedMs: performance.now() - started,
    stdout: Buffer.concat(stdout),
    stderr: Buffer.concat(stderr),
  };
}

for (const [name, spawner] of adapters) {
  describe(`${name} spawner`, () => {
    it("PROC-002 captures stdout and stderr separately and byte-exact", async () => {
      const run = await collect(spawner, shell(String.raw`printf '\000\001\377a\nb'; printf 'e\000rr' >&2`));
      assert.deepEqual([...run.stdout], [0, 1, 255, 97, 10, 98]);
      assert.deepEqual([...run.stderr], [101, 0, 114, 114]);
      assert.deepEqual(run.result.status, { code: 0, signal: null });
    });

    it("SVC-101 a held stdin stays open until closeStdin; the null device reads EOF at once", async () => {
      const child = spawner.spawn(shell("cat > /dev/null; echo eof", { stdin: "held" }));
      let exited = false;
      const supervised = superviseProcess(child, {
        spawner,
        clock: systemClock(performance.now()),
        onStdout: () => {},
        onStderr: () => {},
      });
      void supervised.exited.then(() => exited = true);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.equal(exited, false);
      child.closeStdin();
      child.closeStdin();
      assert.deepEqual((await supervised.finished).status, { code: 0, signal: null });
      const nullStdin = await collect(spawner, shell("cat; echo eof"));
      assert.equal(nullStdin.stdout.toString(), "eof\n");
    });

    it("PROC-005 reports the exit code of a normal exit", async () => {
      const run = await collect(spawner, shell("exit 7"));
      assert.deepEqual(run.result.status, { code: 7, signal: null });
    });

    it("PROC-005 reports death by a signal as the signal", async () => {
      const run = await collect(spawner, shell("kill -SEGV $$"));
      assert.deepEqual(run.result.status, { code: null, signal: "SIGSEGV" });
    });

    it("PROC-004 gives the child exactly the plan's environment", async () => {
      process.env.HAZ_PARENT_ONLY = "leak";
      try {
        const run = await collect(spawner, {
          program: "env",
          args: [],
          env: { PATH, FOO: "bar" },
          cwd: scratch,
        });
        const lines = run.stdout.toString().trim().split("\n").sort();
        assert.deepEqual(lines, ["FOO=bar", `PATH=${PATH}`]);
      } finally {
        delete process.env.HAZ_PARENT_ONLY;
      }
    });

    it("PROC-003 honours the cwd and resolves a relative program against it", async () => {
      const run = await collect(spawner, shell("pwd"));
      assert.equal(run.stdout.toString(), `${scratch}\n`);
      const viaSlash = await collect(spawner, {
        program: "../../bin/sh",
        args: ["-c", "echo ok"],
        env: {},
        cwd: "/usr/lib",
      });
      assert.equal(viaSlash.stdout.toString(), "ok\n");
    });

    it("PROC-003 a missing program is a typed not-found error", () => {
      assert.throws(
        () => spawner.spawn({ program: "no-such-program-haz", args: [], env: { PATH }, cwd: scratch }),
        (error: unknown) =>
          error instanceof SpawnError && error.reason === "not-found" &&
          error.message === "program not found: no-such-program-haz",
      );
      assert.throws(
        () => spawner.spawn({ program: "sh", args: [], env: {}, cwd: scratch }),
        (error: unknown) => error instanceof SpawnError && error.reason === "not-found",
      );
    });

    it("PROC-003 a missing cwd is a typed bad-cwd error", () => {
      assert.throws(
        () => spawner.spawn(shell("true", { cwd: join(scratch, "missing") })),
        (error: unknown) => error instanceof SpawnError && error.reason === "bad-cwd",
      );
    });

    it("PROC-001 SIGTERM to the group ends the whole tree", async () => {
      const marker = uniqueSleepMarker();
      const child = spawner.spawn(shell(`sleep ${marker} & sleep ${marker}`));
      try {
        assert.notDeepEqual(await waitUntilPresent(marker, 2), [], "the sleeps started");
        assert.equal(spawner.signalGroup(child.pid, "SIGTERM"), true);
        assert.deepEqual(await waitUntilGone(marker, 5000), []);
      } finally {
        spawner.signalGroup(child.pid, "SIGKILL");
      }
      await child.exited;
    });

    it("PROC-001 SIGKILL ends a grandchild that ignores SIGTERM", async () => {
      const marker = uniqueSleepMarker();
      const child = spawner.spawn(shell(`trap '' TERM; sleep ${marker} & sleep ${marker}`));
      try {
        assert.notDeepEqual(await waitUntilPresent(marker, 2), []);
        spawner.signalGroup(child.pid, "SIGTERM");
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.ok((await waitUntilPresent(marker, 2)).length >= 2, "TERM was ignored");
      } finally {
        spawner.signalGroup(child.pid, "SIGKILL");
      }
      assert.deepEqual(await waitUntilGone(marker, 5000), []);
      assert.deepEqual(await child.exited, { code: null, signal: "SIGKILL" });
    });

    it("PROC-001 signalling a group that is gone returns false", async () => {
      const child = spawner.spawn(shell("true"));
      await child.exited;
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(spawner.signalGroup(child.pid, "SIGTERM"), false);
    });

    it("PROC-006 a leader whose grandchild holds stdout open is reported within 1 s, group killed", async () => {
      const marker = uniqueSleepMarker();
      const run = await collect(spawner, shell(`sleep ${marker} & echo done`));
      assert.equal(run.stdout.toString(), "done\n");
      assert.deepEqual(run.result.status, { code: 0, signal: null });
      assert.ok(run.elapsedMs < 1000, `reported after ${run.elapsedMs} ms`);
      assert.deepEqual(await waitUntilGone(marker, 2000), []);
    });
  });
}

async function waitUntilPresent(marker: string, count: number): Promise<number[]> {
  const { livingWithMarker } = await import("../support/process_table.ts");
  const deadline = Date.now() + 3000;
  while (true) {
    const living = livingWithMarker(marker);
    if (living.length >= count || Date.now() > deadline) return living;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
