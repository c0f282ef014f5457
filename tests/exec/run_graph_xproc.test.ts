import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Manifest } from "../../lib/cache/manifest.ts";
import { runGraph } from "../../lib/exec/run_graph.ts";
import { runTask } from "../../lib/exec/run_task.ts";
import { waitNote } from "../../lib/exec/wait_note.ts";
import { LOCK_POLL_MS, type LockRequest } from "../../lib/lock/workspace_locks.ts";
import { FakeLockSpace } from "../support/fake_workspace_locks.ts";
import { createHarness, outcomeOf, verdictOf } from "../support/graph_builder.ts";

const sleeps = (ms: number) => ({ steps: [{ sleep: ms }] });
const EMPTY = { size: 0, hash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" };

/** The manifest of an entry with empty streams and no outputs, as another process would store it. */
function emptyManifest(key: string, task: string): Manifest {
  return {
    schema: 1,
    hash: "sha256",
    key,
    created_at_unix: 0,
    duration_ms: 0,
    task,
    stdout: EMPTY,
    stderr: EMPTY,
    outputs: [],
  };
}
const THIS_PID = 100;
const OTHER_PID = 777;

/** A harness whose run is haz process {@link THIS_PID} in a lock space shared with other fake processes. */
function xprocHarness(...args: Parameters<typeof createHarness>) {
  const h = createHarness(...args);
  const space = new FakeLockSpace(h.clock);
  return { ...h, space, ctx: { ...h.ctx, locks: space.process(THIS_PID) } };
}

describe("several haz processes on one workspace (04-execution.md §5.8)", () => {
  test("XPROC-001 a fresh run holds its task lock from before the spawn until its group is dead and its store is done", async () => {
    const h = xprocHarness({ tasks: [{ id: "p:a", inputs: [] }] }, {
      cache: true,
      programs: { "fake p:a": sleeps(1000) },
    });
    let heldWhileRunning: number[] = [];
    void h.clock.sleep(500).then(() => {
      heldWhileRunning = h.space.holders({ kind: "task", task: "p:a" });
    });
    const result = await runGraph(h.ctx);
    assert.equal(verdictOf(result, "p:a"), "succeeded");
    assert.deepEqual(heldWhileRunning, [THIS_PID]);
    const [acquired] = h.space.of("task:p:a", "acquire");
    const [released] = h.space.of("task:p:a", "release");
    const record = outcomeOf(result, "p:a").record;
    assert.ok("stored" in record && record.stored);
    const phases = "phases" in record.timing ? record.timing.phases : [];
    const exec = phases.find((phase) => phase.phase === "exec")!;
    const store = phases.find((phase) => phase.phase === "store")!;
    assert.ok(acquired.at <= exec.start);
    assert.ok(released.at >= store.end && released.at >= 1000);
    // Under the lock the entry is read again: a result stored meanwhile by another process would hit.
    assert.equal(h.cache!.lookups.length, 2);
    assert.deepEqual(h.space.holders({ kind: "task", task: "p:a" }), []);
  });

  test("XPROC-001 a hit that writes outputs holds the task lock while it restores; aggregates take no lock", async () => {
    const h = xprocHarness({
      tasks: [{ id: "p:a", inputs: [] }, { id: "p:all", aggregate: true, deps: ["p:a"] }],
    }, { cache: { hitTasks: ["p:a"], restoreDelayMs: 300 } });
    let heldWhileRestoring: number[] = [];
    void h.clock.sleep(150).then(() => {
      heldWhileRestoring = h.space.holders({ kind: "task", task: "p:a" });
    });
    const result = await runGraph(h.ctx);
    assert.equal(verdictOf(result, "p:a"), "cached");
    assert.deepEqual(heldWhileRestoring, [THIS_PID]);
    assert.equal(h.space.of("task:p:a", "release")[0].at, 300);
    assert.deepEqual(h.space.of("task:p:all"), []);
  });

  test("XPROC-002 a task held elsewhere waits without a slot, notes it once, and repeats its lookup when free", async () => {
    const h = xprocHarness({
      tasks: [{ id: "p:a", inputs: [] }, { id: "p:b" }],
    }, { concurrency: 1, cache: true, programs: { "fake p:b": sleeps(300) } });
    const other = h.space.process(OTHER_PID).acquire({ kind: "task", task: "p:a" });
    assert.ok(other.acquired);
    // The other process runs p:a, stores its entry and releases the lock at 1000.
    void h.clock.sleep(1000).then(() => {
      const key = h.cache!.lookups[0].key;
      h.cache!.entries.set(key, {
        manifest: emptyManifest(key, "p:a"),
        stdout: new Uint8Array(),
        stderr: new Uint8Array(),
      });
      other.lease.release();
    });
    const result = await runGraph(h.ctx);
    // The waiting task gave its only slot back: p:b ran at once.
    assert.deepEqual(h.spawner.intervals("fake p:b"), [[0, 300]]);
    // The other process's result is a hit: nothing ran, and the lookup came after the wait.
    assert.equal(verdictOf(result, "p:a"), "cached");
    assert.equal(h.spawner.spawnCount("fake p:a"), 0);
    const waits = h.observer.ofKind("waiting");
    assert.equal(waits.length, 1);
    assert.deepEqual(waits[0].wait, { kind: "task", task: { project: "p", task: "a" }, pid: OTHER_PID });
    assert.equal(waitNote(waits[0].wait), `note: p:a waits for haz process ${OTHER_PID}, which holds it\n`);
    const [acquired] = h.space.of("task:p:a", "acquire").filter((event) => event.pid === THIS_PID);
    assert.ok(acquired.at >= 1000 && acquired.at <= 1000 + LOCK_POLL_MS);
    // The lookup before the wait missed; the one after it hit.
    assert.equal(h.cache!.lookups.length, 2);
    const lookups = outcomeOf(result, "p:a").record.timing.phases.filter((phase) => phase.phase === "lookup");
    assert.deepEqual(lookups.map((phase) => phase.start < 1000), [true, false]);
    // Polling: at most 20 looks a second.
    const probes = h.space.of("task:p:a", "probe");
    assert.ok(probes.length <= Math.ceil(acquired.at / 1000 * 20) + 1, `${probes.length} probes`);
    for (let i = 1; i < probes.length; i++) assert.ok(probes[i].at - probes[i - 1].at >= LOCK_POLL_MS);
    // A wait on a task lock is not a mutex wait.
    assert.equal(outcomeOf(result, "p:a").record.timing.mutexWaitMs, 0);
    assert.deepEqual(result.trace.mutexWaits, []);
  });

  test("XPROC-002 a result another process stores between the lookup and the lock is a hit, not a second run", async () => {
    const h = xprocHarness({ tasks: [{ id: "p:a", inputs: [] }] }, {
      cache: true,
      programs: { "fake p:a": sleeps(100) },
    });
    const locks = h.space.process(THIS_PID);
    // The other process finishes p:a, stores it and lets go of the lock just before this one asks.
    const ctx = {
      ...h.ctx,
      locks: {
        acquire: (request: LockRequest) => {
          const key = h.cache!.lookups[0].key;
          const empty = new Uint8Array();
          h.cache!.entries.set(key, { manifest: emptyManifest(key, "p:a"), stdout: empty, stderr: empty });
          return locks.acquire(request);
        },
        holderOf: (request: LockRequest) => locks.holderOf(request),
      },
    };
    const result = await runGraph(ctx);
    assert.equal(verdictOf(result, "p:a"), "cached");
    assert.equal(h.spawner.spawnCount("fake p:a"), 0);
    assert.equal(h.cache!.lookups.length, 2);
  });

  test("XPROC-006 a hit whose outputs are all in place takes no lock at all", async () => {
    const h = xprocHarness({ tasks: [{ id: "p:a", inputs: [] }] }, {
      cache: { hitTasks: ["p:a"], upToDate: new Set(["p:a"]) },
    });
    const other = h.space.process(OTHER_PID).acquire({ kind: "task", task: "p:a" });
    assert.ok(other.acquired);
    const result = await runGraph(h.ctx);
    assert.equal(verdictOf(result, "p:a"), "cached");
    assert.deepEqual(h.space.events.filter((event) => event.pid === THIS_PID), []);
    assert.deepEqual(h.observer.ofKind("waiting"), []);
  });

  test("XPROC-002 a task released by a process that did not store it runs, once", async () => {
    const h = xprocHarness({ tasks: [{ id: "p:a", inputs: [] }] }, {
      cache: true,
      programs: { "fake p:a": sleeps(200) },
    });
    const other = h.space.process(OTHER_PID).acquire({ kind: "task", task: "p:a" });
    assert.ok(other.acquired);
    void h.clock.sleep(500).then(() => other.lease.release());
    const result = await runGraph(h.ctx);
    assert.equal(verdictOf(result, "p:a"), "succeeded");
    const [start] = h.spawner.intervals("fake p:a")[0];
    assert.ok(start >= 500 && start <= 500 + LOCK_POLL_MS);
  });

  test("XPROC-002 cancellation ends a wait at once, run-cancelled", async () => {
    const h = xprocHarness({ tasks: [{ id: "p:a" }, { id: "p:b", deps: ["p:a"] }] });
    const other = h.space.process(OTHER_PID).acquire({ kind: "task", task: "p:a" });
    assert.ok(other.acquired);
    void h.clock.sleep(230).then(() => h.control.cancel({ kind: "programmatic" }));
    const result = await runGraph(h.ctx);
    assert.equal(verdictOf(result, "p:a"), "cancelled:run-cancelled");
    assert.equal(verdictOf(result, "p:b"), "cancelled:upstream-cancelled");
    assert.equal(result.endedAt, 230);
    assert.equal(h.spawner.spawnCount("fake p:a"), 0);
    assert.equal(h.clock.pendingTimers(), 0);
  });

  test("XPROC-003 a mutex held exclusively by another process parks the task with the mutex note", async () => {
    const h = xprocHarness({
      tasks: [{ id: "p:deploy", mutex: "deploy" }, { id: "q:db", mutex: "~:db" }],
    }, { programs: { "fake p:deploy": sleeps(100), "fake q:db": sleeps(100) } });
    const others = h.space.process(OTHER_PID);
    const deploy = others.acquire({ kind: "mutex", key: "global\u0000deploy", mode: "exclusive" });
    const db = others.acquire({ kind: "mutex", key: "project\u0000q\u0000db", mode: "shared" });
    assert.ok(deploy.acquired && db.acquired);
    void h.clock.sleep(1000).then(() => deploy.lease.release());
    void h.clock.sleep(2000).then(() => db.lease.release());
    const result = await runGraph(h.ctx);
    const [deployStart] = h.spawner.intervals("fake p:deploy")[0];
    const [dbStart] = h.spawner.intervals("fake q:db")[0];
    assert.ok(deployStart >= 1000 && deployStart <= 1000 + LOCK_POLL_MS);
    assert.ok(dbStart >= 2000 && dbStart <= 2000 + LOCK_POLL_MS);
    assert.deepEqual(
      h.observer.ofKind("waiting").map((event) => waitNote(event.wait)),
      [
        `note: p:deploy waits for mutex deploy, held by haz process ${OTHER_PID}\n`,
        `note: q:db waits for mutex ~:db (q), held by haz process ${OTHER_PID}\n`,
      ],
    );
    // The task lock is not kept while the task waits for its mutex.
    const taskLock = h.space.of("task:p:deploy").filter((event) => event.op !== "probe");
    assert.deepEqual(taskLock.map((event) => [event.op, event.at]), [
      ["acquire", 0],
      ["release", 0],
      ["acquire", deployStart],
      ["release", deployStart + 100],
    ]);
    const deployWait = result.trace.mutexWaits.find((wait) => wait.task === "p:deploy")!;
    assert.deepEqual([deployWait.lock, deployWait.start, deployWait.end], ["deploy", 0, deployStart]);
  });

  test("XPROC-003 shared holds overlap across processes, never an exclusive one", async () => {
    const h = xprocHarness({
      tasks: [{ id: "r:read", mutex: { name: "db", mode: "shared" } }, { id: "w:write", mutex: "db" }],
    }, { programs: { "fake r:read": sleeps(100), "fake w:write": sleeps(100) } });
    const reader = h.space.process(OTHER_PID).acquire({
      kind: "mutex",
      key: "global\u0000db",
      mode: "shared",
    });
    assert.ok(reader.acquired);
    void h.clock.sleep(600).then(() => reader.lease.release());
    await runGraph(h.ctx);
    assert.deepEqual(h.spawner.intervals("fake r:read"), [[0, 100]]);
    const [writeStart] = h.spawner.intervals("fake w:write")[0];
    assert.ok(writeStart >= 600 && writeStart <= 600 + LOCK_POLL_MS);
    assert.deepEqual(h.space.holders({ kind: "mutex", key: "global\u0000db", mode: "shared" }), []);
  });

  test("XPROC-001 runTask waits for the task lock too, and ends the wait on cancellation", async () => {
    const h = xprocHarness({ tasks: [{ id: "p:a" }] }, { programs: { "fake p:a": sleeps(100) } });
    const other = h.space.process(OTHER_PID).acquire({ kind: "task", task: "p:a" });
    assert.ok(other.acquired);
    void h.clock.sleep(400).then(() => other.lease.release());
    const record = await runTask(h.ctx, { project: "p", task: "a" }, new Map());
    assert.ok("state" in record && record.state === "succeeded");
    const [start] = h.spawner.intervals("fake p:a")[0];
    assert.ok(start >= 400 && start <= 400 + LOCK_POLL_MS);
    assert.equal(h.observer.ofKind("waiting").length, 1);

    const held = xprocHarness({ tasks: [{ id: "p:a" }] });
    assert.ok(held.space.process(OTHER_PID).acquire({ kind: "task", task: "p:a" }).acquired);
    void held.clock.sleep(120).then(() => held.control.cancel({ kind: "programmatic" }));
    const cancelled = await runTask(held.ctx, { project: "p", task: "a" }, new Map());
    assert.ok("kind" in cancelled && cancelled.kind === "run-cancelled");
    assert.equal(held.clock.now(), 120);
  });
});
