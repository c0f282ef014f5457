import assert from "node:assert/strict";
import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { createHash } from "node:crypto";
import { sha256 } from "../../lib/cache/hash_algorithm.ts";
import type { ProcessSpawner } from "../../lib/exec/process.ts";
import type { CancelledRecord, CompletedRecord, TaskErrorRecord } from "../../lib/exec/records.ts";
import { isCacheable, runTask } from "../../lib/exec/run_task.ts";
import { buildGraph, createHarness, type Harness } from "../support/graph_builder.ts";
import { MemoryCache } from "../support/memory_cache.ts";

type TaskResult = CompletedRecord | CancelledRecord | TaskErrorRecord;

const P_T = { project: "p", task: "t" };

function completed(record: TaskResult): CompletedRecord {
  assert.ok("source" in record, `expected a completed record, got ${JSON.stringify(record)}`);
  return record;
}

function taskError(record: TaskResult): TaskErrorRecord {
  assert.ok("error" in record, `expected a task error, got ${JSON.stringify(record)}`);
  return record;
}

function digestOf(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function run(h: Harness) {
  return runTask(h.ctx, P_T, new Map());
}

describe("runTask (04-execution.md §4)", () => {
  test("EXEC-009 exit 0 succeeds; stream digests cover the captured bytes", async () => {
    const h = createHarness({ tasks: [{ id: "p:t" }] }, {
      programs: {
        "fake p:t": { steps: [{ out: "hel" }, { err: "warn\n" }, { sleep: 100 }, { out: "lo\n" }] },
      },
    });
    const record = completed(await run(h));
    assert.equal(record.state, "succeeded");
    assert.equal(record.source, "fresh-run");
    assert.deepEqual(record.exitStatus, { code: 0, signal: null });
    assert.equal(record.failure, null);
    assert.equal(record.key, null);
    assert.deepEqual(record.stdout, { hash: digestOf("hello\n"), bytes: 6 });
    assert.deepEqual(record.stderr, { hash: digestOf("warn\n"), bytes: 5 });
    assert.deepEqual(record.timing.phases, [
      { phase: "exec", start: 0, end: 100, lane: 1 },
      { phase: "drain", start: 100, end: 100, lane: 1 },
    ]);
    assert.deepEqual(h.observer.events.map((event) => event.kind), [
      "started",
      "stdout",
      "stderr",
      "stdout",
      "finished",
    ]);
    assert.equal(h.observer.stdoutOf("p:t"), "hello\n");
  });

  test("EXEC-009 a non-zero exit is a failed CompletedRecord, never a task error", async () => {
    const h = createHarness({ tasks: [{ id: "p:t" }] }, {
      programs: { "fake p:t": { steps: [{ exit: 3 }] } },
    });
    const record = completed(await run(h));
    assert.equal(record.state, "failed");
    assert.deepEqual(record.failure, { kind: "exit-code", code: 3 });
    assert.deepEqual(record.materialisedOutputs, []);
  });

  test("EXEC-009 a signal haz did not send fails with cause signal", async () => {
    const h = createHarness({ tasks: [{ id: "p:t" }] }, {
      programs: { "fake p:t": { steps: [{ die: "SIGSEGV" }] } },
    });
    const record = completed(await run(h));
    assert.deepEqual(record.failure, { kind: "signal", signal: "SIGSEGV" });
    assert.deepEqual(record.exitStatus, { code: null, signal: "SIGSEGV" });
  });

  test("PROC-006 stragglers are killed after the 250 ms drain window", async () => {
    const h = createHarness({ tasks: [{ id: "p:t" }] }, {
      programs: { "fake p:t": { steps: [{ sleep: 10 }], stragglers: 2 } },
    });
    const record = completed(await run(h));
    assert.equal(record.state, "succeeded");
    assert.deepEqual(record.timing.phases.map((phase) => [phase.phase, phase.start, phase.end]), [
      ["exec", 0, 10],
      ["drain", 10, 260],
    ]);
    assert.deepEqual(h.spawner.liveGroups(), []);
    const kinds = h.spawner.events.map((event) => [event.at, event.kind, event.signal ?? ""]);
    assert.deepEqual(kinds, [
      [0, "spawn", ""],
      [10, "exit", ""],
      [260, "signal", "SIGKILL"],
      [260, "eof", ""],
      [
        260,
        "group-dead",
        "",
      ],
    ]);
  });

  test("EXEC-009 spawn errors are task errors with their reason (PROC-003)", async () => {
    const h = createHarness({ tasks: [{ id: "p:t" }] }, {
      programs: { "fake p:t": { steps: [], spawnError: "permission-denied" } },
    });
    const record = taskError(await run(h));
    assert.deepEqual(record.error, {
      kind: "spawn",
      reason: "permission-denied",
      program: "fake",
      message: "permission denied: fake",
    });
    assert.equal(record.stdout, null);
    assert.deepEqual(h.observer.events.map((event) => event.kind), ["started", "errored"]);
  });

  test("EXEC-102 an aggregate completes at once through runTask", async () => {
    const h = createHarness({ tasks: [{ id: "p:t", aggregate: true }] });
    const record = completed(await run(h));
    assert.equal(record.source, "aggregate");
    assert.equal(record.stdout.hash, digestOf(""));
    assert.equal(h.spawner.plans.length, 0);
  });

  test("CACHE-024 eligibility: action, declared inputs, cache not false", () => {
    const { graph } = buildGraph({
      tasks: [
        { id: "p:a", inputs: ["src/**"] },
        { id: "p:b", inputs: [] },
        { id: "p:c" },
        { id: "p:d", inputs: ["src/**"], cache: false },
        { id: "p:e", aggregate: true },
      ],
    });
    const verdicts = ["p:a", "p:b", "p:c", "p:d", "p:e"].map((id) => isCacheable(graph.tasks.get(id)!));
    assert.deepEqual(verdicts, [true, true, false, false, false]);
  });
});

describe("runTask with a cache (04-execution.md §4 steps 2–4, 9)", () => {
  test("CACHE-018 a succeeded fresh run is stored; the next run is a hit that replays the streams", async () => {
    const cache = new MemoryCache({ hash: sha256 });
    const spec = { tasks: [{ id: "p:t", inputs: [] }] };
    const first = createHarness(spec, {
      cache,
      programs: { "fake p:t": { steps: [{ out: "hi\n" }, { err: "e\n" }, { sleep: 40 }] } },
    });
    const fresh = completed(await run(first));
    assert.equal(fresh.stored, true);
    assert.match(fresh.key ?? "", /^[0-9a-f]{64}$/);
    assert.equal(cache.stores.length, 1);
    assert.equal(cache.stores[0].durationMs, 40);
    assert.equal(cache.stores[0].createdAtUnix, 1_767_225_600);
    assert.deepEqual(fresh.timing.phases.map((phase) => phase.phase), ["lookup", "exec", "drain", "store"]);

    const second = createHarness(spec, { cache });
    const hit = completed(await run(second));
    assert.equal(hit.source, "cache-hit");
    assert.equal(hit.state, "succeeded");
    assert.equal(hit.exitStatus, null);
    assert.equal(hit.stored, false);
    assert.equal(hit.key, fresh.key);
    assert.deepEqual(hit.stdout, fresh.stdout);
    assert.deepEqual(hit.stderr, fresh.stderr);
    assert.equal(second.spawner.plans.length, 0);
    assert.deepEqual(second.observer.events.map((event) => event.kind), [
      "started",
      "stdout",
      "stderr",
      "finished",
    ]);
    assert.equal(second.observer.stdoutOf("p:t"), "hi\n");
    assert.deepEqual(hit.timing.phases.map((phase) => phase.phase), ["lookup", "restore"]);
  });

  test("EXEC-107 without a cache nothing is looked up and the key is null", async () => {
    const h = createHarness({ tasks: [{ id: "p:t", inputs: [] }] });
    const record = completed(await run(h));
    assert.equal(record.key, null);
    assert.deepEqual(record.timing.phases.map((phase) => phase.phase), ["exec", "drain"]);
  });

  test("CACHE-024 a task that is not cacheable is never looked up or stored", async () => {
    const h = createHarness({ tasks: [{ id: "p:t", inputs: [], cache: false }] }, { cache: true });
    const record = completed(await run(h));
    assert.equal(record.key, null);
    assert.deepEqual(h.cache!.lookups, []);
    assert.deepEqual(h.cache!.captures, []);
  });

  test("CACHE-018 a failed run stores nothing and discards its capture", async () => {
    const h = createHarness({ tasks: [{ id: "p:t", inputs: [] }] }, {
      cache: true,
      programs: { "fake p:t": { steps: [{ exit: 1 }] } },
    });
    const record = completed(await run(h));
    assert.equal(record.stored, false);
    assert.equal(h.cache!.stores.length, 0);
    assert.equal(h.cache!.discards, 1);
  });

  test("CACHE-033 a store failure is a warning; the task stays succeeded", async () => {
    const h = createHarness({ tasks: [{ id: "p:t", inputs: [] }] }, { cache: { storeFailure: "disk full" } });
    const record = completed(await run(h));
    assert.equal(record.state, "succeeded");
    assert.equal(record.stored, false);
    const warnings = h.observer.ofKind("warning");
    assert.deepEqual(warnings.map((event) => event.warning), [{
      kind: "store-failed",
      task: P_T,
      message: "disk full",
    }]);
    assert.deepEqual(h.observer.events.map((event) => event.kind).slice(-2), ["warning", "finished"]);
  });

  test("CACHE-031 no store directory: capture hashes only and the store is skipped with a warning", async () => {
    const h = createHarness({ tasks: [{ id: "p:t", inputs: [] }] }, {
      cache: { captureUnavailable: true },
      programs: { "fake p:t": { steps: [{ out: "x" }] } },
    });
    const record = completed(await run(h));
    assert.equal(record.stored, false);
    assert.deepEqual(record.stdout, { hash: digestOf("x"), bytes: 1 });
    assert.equal(h.observer.ofKind("warning")[0].warning.kind, "capture-failed");
  });

  test("CACHE-031 a failed capture write disables the store but not the hashing or the output", async () => {
    const h = createHarness({ tasks: [{ id: "p:t", inputs: [] }] }, {
      cache: { captureWriteFailure: "EIO: i/o error" },
      programs: { "fake p:t": { steps: [{ out: "a\n" }, { out: "b\n" }] } },
    });
    const record = completed(await run(h));
    assert.equal(record.stored, false);
    assert.equal(h.cache!.stores.length, 0);
    assert.equal(h.observer.stdoutOf("p:t"), "a\nb\n");
    assert.deepEqual(h.observer.ofKind("warning").map((event) => event.warning), [
      { kind: "capture-failed", task: P_T, message: "EIO: i/o error" },
    ]);
  });

  test("CACHE-020 a failed restore is a task error, not a fresh run", async () => {
    const h = createHarness({ tasks: [{ id: "p:t", inputs: [] }] }, {
      cache: {
        hitTasks: ["p:t"],
        restoreErrors: new Map([["p:t", "cannot restore /p/x: a directory is in the way"]]),
      },
    });
    const record = taskError(await run(h));
    assert.deepEqual(record.error, {
      kind: "restore",
      message: "cannot restore /p/x: a directory is in the way",
    });
    assert.match(record.key ?? "", /^[0-9a-f]{64}$/);
    assert.equal(h.spawner.plans.length, 0);
  });

  test("CACHE-038 a late miss continues on the miss path and stores again", async () => {
    const h = createHarness({ tasks: [{ id: "p:t", inputs: [] }] }, {
      cache: { hitTasks: ["p:t"], lateMisses: new Set(["p:t"]) },
    });
    const record = completed(await run(h));
    assert.equal(record.source, "fresh-run");
    assert.equal(record.stored, true);
    assert.equal(h.spawner.plans.length, 1);
  });

  test("CACHE-029 a missing literal input is a key-derivation error", async () => {
    const root = await realpath(await mkdtemp(join(tmpdir(), "haz-exec-task-")));
    try {
      await mkdir(join(root, "p"));
      await writeFile(join(root, "p", "there.txt"), "x");
      const h = createHarness({ root, tasks: [{ id: "p:t", inputs: ["there.txt", "missing.txt"] }] }, {
        cache: true,
      });
      const record = taskError(await run(h));
      assert.equal(record.error.kind, "key-derivation");
      assert.match((record.error as { message: string }).message, /missing\.txt/);
      assert.equal(h.spawner.plans.length, 0);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test("EXEC-009 outputs are enumerated for every succeeded task with outputs (PATH-022)", async () => {
    const root = await realpath(await mkdtemp(join(tmpdir(), "haz-exec-task-")));
    try {
      await mkdir(join(root, "p", "dist", "sub"), { recursive: true });
      await writeFile(join(root, "p", "dist", "b.js"), "b");
      await writeFile(join(root, "p", "dist", "sub", "a.js"), "a");
      await writeFile(join(root, "p", "log.txt"), "l");
      const h = createHarness({ root, tasks: [{ id: "p:t", outputs: ["dist", "*.txt", "none/*.js"] }] });
      const record = completed(await run(h));
      assert.deepEqual(record.materialisedOutputs, ["/p/dist/b.js", "/p/dist/sub/a.js", "/p/log.txt"]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe("runTask errors after the spawn (04-execution.md §2 RunTaskError)", () => {
  function harnessWith(spawner: ProcessSpawner): Harness {
    const h = createHarness({ tasks: [{ id: "p:t" }] });
    return { ...h, ctx: { ...h.ctx, spawner } };
  }

  /** A pipe that ends at once, without data. */
  function closedStream(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      start(controller) {
        controller.close();
      },
    });
  }

  test("EXEC-009 a failing pipe is a stream-read error", async () => {
    const spawner: ProcessSpawner = {
      spawn: () => ({
        pid: 7,
        stdout: new ReadableStream({
          pull(controller) {
            controller.error(new Error("EIO: pipe broke"));
          },
        }),
        stderr: closedStream(),
        exited: Promise.resolve({ code: 0, signal: null }),
        closeStdin: () => {},
      }),
      signalGroup: () => false,
    };
    const record = taskError(await run(harnessWith(spawner)));
    assert.deepEqual(record.error, { kind: "stream-read", stream: "stdout", message: "EIO: pipe broke" });
    assert.notEqual(record.stdout, null);
  });

  test("EXEC-009 waiting for the leader failing is a wait error", async () => {
    const spawner: ProcessSpawner = {
      spawn: () => ({
        pid: 8,
        stdout: closedStream(),
        stderr: closedStream(),
        exited: Promise.reject(new Error("ECHILD")),
        closeStdin: () => {},
      }),
      signalGroup: () => false,
    };
    const record = taskError(await run(harnessWith(spawner)));
    assert.deepEqual(record.error, { kind: "wait", message: "ECHILD" });
  });

  test("EXEC-009 signalGroup throwing (EPERM) is a signal error", async () => {
    const spawner: ProcessSpawner = {
      spawn: () => ({
        pid: 9,
        stdout: closedStream(),
        stderr: closedStream(),
        exited: Promise.resolve({ code: 0, signal: null }),
        closeStdin: () => {},
      }),
      signalGroup: () => {
        throw new Error("EPERM: operation not permitted");
      },
    };
    const record = taskError(await run(harnessWith(spawner)));
    assert.deepEqual(record.error, {
      kind: "signal",
      signal: "SIGKILL",
      message: "EPERM: operation not permitted",
    });
  });
});

describe("runTask cancellation (04-execution.md EXEC-013)", () => {
  test("EXEC-013 a cancel while running ends the task signaled-in-flight", async () => {
    const h = createHarness({ tasks: [{ id: "p:t" }] }, {
      programs: { "fake p:t": { steps: [{ sleep: 1000 }] } },
    });
    void h.clock.sleep(100).then(() => h.control.cancel({ kind: "programmatic" }));
    const record = await run(h);
    assert.ok("kind" in record && record.kind === "signaled-in-flight");
    assert.equal(record.lastSignal, "SIGTERM");
    assert.deepEqual(h.observer.events.map((event) => event.kind), ["started", "cancelled"]);
  });

  test("EXEC-013 05 §4.5 a cacheable task signalled in flight keeps the key derived before its spawn", async () => {
    const h = createHarness({ tasks: [{ id: "p:t", inputs: [] }] }, {
      cache: true,
      programs: { "fake p:t": { steps: [{ sleep: 1000 }] } },
    });
    void h.clock.sleep(100).then(() => h.control.cancel({ kind: "programmatic" }));
    const record = await run(h);
    assert.ok("kind" in record && record.kind === "signaled-in-flight");
    assert.match(record.key ?? "", /^[0-9a-f]{64}$/);
  });

  test("EXEC-013 a task cancelled before its spawn is run-cancelled", async () => {
    const h = createHarness({ tasks: [{ id: "p:t" }] });
    h.control.cancel({ kind: "programmatic" });
    const record = await run(h);
    assert.ok("kind" in record && record.kind === "run-cancelled");
    assert.equal(h.spawner.plans.length, 0);
  });
});
