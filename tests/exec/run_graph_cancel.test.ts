import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { exitCodeFor } from "../../lib/exec/exit_code.ts";
import { runGraph } from "../../lib/exec/run_graph.ts";
import type { CancelReason } from "../../lib/exec/records.ts";
import { createHarness, type Harness, outcomeOf, verdictOf } from "../support/graph_builder.ts";

const sleeps = (ms: number) => ({ steps: [{ sleep: ms }] });
const SIGINT: CancelReason = { kind: "signal", signal: "SIGINT" };

/** Calls `action` at fake time `at` (a timer like any other). */
function at(h: Harness, ms: number, action: () => void): void {
  void h.clock.sleep(ms).then(action);
}

function signalsTo(h: Harness, argv: string): [number, string | undefined][] {
  return h.spawner.events.filter((event) => event.kind === "signal" && event.argv.join(" ") === argv)
    .map((event) => [event.at, event.signal]);
}

function signaled(result: Awaited<ReturnType<typeof runGraph>>, id: string) {
  const outcome = outcomeOf(result, id);
  assert.ok(
    outcome.kind === "cancelled" && outcome.record.kind === "signaled-in-flight",
    `${id}: ${outcome.kind}`,
  );
  return outcome.record;
}

describe("cancellation (04-execution.md §7)", () => {
  test("EXEC-013 example 22 (lib): running task SIGTERMed, successor upstream-cancelled, waiting task not started", async () => {
    const h = createHarness({
      tasks: [{ id: "p:long", inputs: [] }, { id: "p:after", deps: ["p:long"] }, { id: "p:other" }],
    }, {
      concurrency: 1,
      cache: true,
      programs: {
        "fake p:long": { steps: [{ out: "started\n" }, { sleep: 30_000 }] },
        "fake p:other": sleeps(30_000),
      },
    });
    at(h, 1000, () => h.control.cancel(SIGINT));
    const result = await runGraph(h.ctx);
    const long = signaled(result, "p:long");
    assert.deepEqual(long.exitStatus, { code: null, signal: "SIGTERM" });
    assert.equal(long.lastSignal, "SIGTERM");
    assert.equal(long.escalation, "none");
    assert.equal(long.stdout.bytes, "started\n".length);
    const after = outcomeOf(result, "p:after");
    assert.ok(after.kind === "cancelled" && after.record.kind === "upstream-cancelled");
    assert.deepEqual(after.record.root, { project: "p", task: "long" });
    assert.equal(verdictOf(result, "p:other"), "cancelled:run-cancelled");
    assert.equal(h.spawner.spawnCount("fake p:other"), 0);
    assert.deepEqual(result.cancel, SIGINT);
    assert.equal(result.cancelledAt, 1000);
    assert.equal(result.forced, false);
    assert.equal(h.cache!.stores.length, 0);
    assert.equal(h.cache!.discards, 1);
    assert.equal(exitCodeFor(result), 130);
    assert.deepEqual(h.spawner.liveGroups(), []);
    assert.deepEqual(h.observer.ofKind("cancelling").map((event) => [event.at, event.forced]), [[
      1000,
      false,
    ]]);
  });

  test("EXEC-013 step 4: SIGKILL after the grace to a group that ignores SIGTERM", async () => {
    const h = createHarness({ tasks: [{ id: "p:stubborn" }] }, {
      cancelGraceMs: 1000,
      programs: { "fake p:stubborn": { steps: [{ sleep: 30_000 }], onTerm: "ignore" } },
    });
    at(h, 500, () => h.control.cancel(SIGINT));
    const result = await runGraph(h.ctx);
    assert.deepEqual(signalsTo(h, "fake p:stubborn"), [[500, "SIGTERM"], [1500, "SIGKILL"]]);
    const record = signaled(result, "p:stubborn");
    assert.equal(record.lastSignal, "SIGKILL");
    assert.equal(record.escalation, "grace-expired");
    assert.deepEqual(record.exitStatus, { code: null, signal: "SIGKILL" });
    assert.equal(result.endedAt, 1500);
  });

  test("EXEC-014 cancel_grace 0 sends SIGKILL right after SIGTERM", async () => {
    const h = createHarness({ tasks: [{ id: "p:t" }] }, {
      cancelGraceMs: 0,
      programs: { "fake p:t": { steps: [{ sleep: 30_000 }], onTerm: "ignore" } },
    });
    at(h, 500, () => h.control.cancel(SIGINT));
    const result = await runGraph(h.ctx);
    assert.deepEqual(signalsTo(h, "fake p:t"), [[500, "SIGTERM"], [500, "SIGKILL"]]);
    assert.equal(signaled(result, "p:t").escalation, "grace-expired");
  });

  test("EXEC-013 a task that exits on its own during the grace ends signaled-in-flight, escalation none", async () => {
    const h = createHarness({ tasks: [{ id: "p:t" }] }, {
      programs: { "fake p:t": { steps: [{ sleep: 30_000 }], onTerm: { exit: 0, afterMs: 300 } } },
    });
    at(h, 100, () => h.control.cancel(SIGINT));
    const result = await runGraph(h.ctx);
    const record = signaled(result, "p:t");
    assert.deepEqual(record.exitStatus, { code: 0, signal: null });
    assert.equal(record.escalation, "none");
    assert.equal(record.lastSignal, "SIGTERM");
    assert.equal(result.endedAt, 400);
  });

  test("EXEC-013 a task whose leader exit was seen before the cancel keeps its normal outcome", async () => {
    const h = createHarness({ tasks: [{ id: "p:done" }, { id: "p:long" }] }, {
      programs: { "fake p:done": { steps: [{ sleep: 100 }], stragglers: 1 }, "fake p:long": sleeps(30_000) },
    });
    at(h, 200, () => h.control.cancel(SIGINT));
    const result = await runGraph(h.ctx);
    assert.equal(verdictOf(result, "p:done"), "succeeded");
    assert.deepEqual(signalsTo(h, "fake p:done"), [[350, "SIGKILL"]]);
    assert.equal(verdictOf(result, "p:long"), "cancelled:signaled-in-flight");
    assert.deepEqual(h.spawner.liveGroups(), []);
  });

  test("EXEC-012 example 28: a failure then a SIGINT cancel exits 130", async () => {
    const h = createHarness({ tasks: [{ id: "p:a" }, { id: "p:b" }] }, {
      programs: { "fake p:a": { steps: [{ sleep: 100 }, { exit: 1 }] }, "fake p:b": sleeps(5000) },
    });
    at(h, 200, () => h.control.cancel(SIGINT));
    const result = await runGraph(h.ctx);
    assert.equal(verdictOf(result, "p:a"), "failed");
    assert.equal(verdictOf(result, "p:b"), "cancelled:signaled-in-flight");
    assert.equal(exitCodeFor(result), 130);
  });

  test("EXEC-012 example 29: a programmatic cancel while p:a runs; exit 1, never 0", async () => {
    const h = createHarness({ tasks: [{ id: "p:a" }] }, { programs: { "fake p:a": sleeps(5000) } });
    at(h, 100, () => h.control.cancel({ kind: "programmatic" }));
    const result = await runGraph(h.ctx);
    assert.equal(verdictOf(result, "p:a"), "cancelled:signaled-in-flight");
    assert.deepEqual(result.cancel, { kind: "programmatic" });
    assert.equal(exitCodeFor(result), 1);
  });

  test("EXEC-104 example 30: fail-fast cancels the running task and the one waiting for a slot", async () => {
    const h = createHarness({ tasks: [{ id: "p:a" }, { id: "p:b" }, { id: "p:c" }] }, {
      concurrency: 2,
      failFast: true,
      programs: { "fake p:a": { steps: [{ sleep: 100 }, { exit: 1 }] }, "fake p:b": sleeps(5000) },
    });
    const result = await runGraph(h.ctx);
    assert.equal(verdictOf(result, "p:b"), "cancelled:signaled-in-flight");
    assert.equal(verdictOf(result, "p:c"), "cancelled:run-cancelled");
    assert.deepEqual(result.cancel, { kind: "fail-fast", root: { project: "p", task: "a" } });
    assert.equal(result.cancelledAt, 100);
    assert.equal(exitCodeFor(result), 1);
    assert.equal(h.spawner.spawnCount("fake p:c"), 0);
  });

  test("EXEC-104 the fail-fast flow starts after the root's own cascade", async () => {
    const h = createHarness({ tasks: [{ id: "p:a" }, { id: "p:b", deps: ["p:a"] }, { id: "p:c" }] }, {
      concurrency: 1,
      failFast: true,
      programs: { "fake p:a": { steps: [{ exit: 1 }] } },
    });
    const result = await runGraph(h.ctx);
    assert.equal(verdictOf(result, "p:b"), "skipped:upstream-failed");
    assert.equal(verdictOf(result, "p:c"), "cancelled:run-cancelled");
    const kinds = h.observer.events.map((event) => event.kind + ("task" in event ? ` ${event.task}` : ""));
    assert.deepEqual(kinds, ["started p:a", "finished p:a", "skipped p:b", "cancelling", "cancelled p:c"]);
  });

  test("EXEC-012 a later signal replaces a fail-fast reason (example 45: exit 130)", async () => {
    const h = createHarness({ tasks: [{ id: "p:a" }, { id: "p:b" }] }, {
      failFast: true,
      programs: {
        "fake p:a": { steps: [{ sleep: 100 }, { exit: 1 }] },
        "fake p:b": { steps: [{ sleep: 5000 }], onTerm: "ignore" },
      },
    });
    at(h, 200, () => h.control.cancel(SIGINT));
    const result = await runGraph(h.ctx);
    assert.deepEqual(result.cancel, SIGINT);
    assert.equal(result.cancelledAt, 100);
    assert.equal(exitCodeFor(result), 130);
    assert.equal(h.observer.ofKind("cancelling").length, 1);
  });

  test("EXEC-013 example 31: a cancel during the lookup ends the task run-cancelled, no restore, no spawn", async () => {
    const h = createHarness({ tasks: [{ id: "p:t", inputs: [] }] }, {
      cache: { lookupDelayMs: 100, hitTasks: ["p:t"] },
    });
    at(h, 50, () => h.control.cancel(SIGINT));
    const result = await runGraph(h.ctx);
    assert.equal(verdictOf(result, "p:t"), "cancelled:run-cancelled");
    assert.deepEqual(h.cache!.restores, []);
    assert.equal(h.spawner.plans.length, 0);
    assert.deepEqual(h.observer.tasksOf("started"), ["p:t"]);
    assert.equal(outcomeOf(result, "p:t").record.timing.endedAt, 100);
  });

  test("EXEC-013 a restore under way finishes; the successor that becomes ready ends run-cancelled", async () => {
    const h = createHarness({ tasks: [{ id: "p:a", inputs: [] }, { id: "p:b", deps: ["p:a"] }] }, {
      cache: { restoreDelayMs: 100, hitTasks: ["p:a"] },
    });
    at(h, 50, () => h.control.cancel(SIGINT));
    const result = await runGraph(h.ctx);
    assert.equal(verdictOf(result, "p:a"), "cached");
    assert.equal(verdictOf(result, "p:b"), "cancelled:run-cancelled");
    assert.equal(outcomeOf(result, "p:b").record.timing.readyAt, 100);
  });

  test("EXEC-015 upstream-cancelled names the cancelled root, also for grandchildren", async () => {
    const h = createHarness({
      tasks: [{ id: "p:a" }, { id: "p:b", deps: ["p:a"] }, { id: "p:c", deps: ["p:b"] }],
    }, { programs: { "fake p:a": sleeps(5000) } });
    at(h, 10, () => h.control.cancel(SIGINT));
    const result = await runGraph(h.ctx);
    for (const id of ["p:b", "p:c"]) {
      const outcome = outcomeOf(result, id);
      assert.ok(outcome.kind === "cancelled" && outcome.record.kind === "upstream-cancelled");
      assert.deepEqual(outcome.record.root, { project: "p", task: "a" });
    }
    assert.deepEqual(h.observer.tasksOf("cancelled"), ["p:a", "p:b", "p:c"]);
  });

  test("EXEC-013 parked tasks end run-cancelled and leave the wait queue", async () => {
    const h = createHarness({ tasks: [{ id: "p:a", mutex: "m" }, { id: "p:b", mutex: "m" }] }, {
      programs: { "fake p:a": sleeps(5000), "fake p:b": sleeps(100) },
    });
    at(h, 100, () => h.control.cancel(SIGINT));
    const result = await runGraph(h.ctx);
    assert.equal(verdictOf(result, "p:b"), "cancelled:run-cancelled");
    assert.equal(h.spawner.spawnCount("fake p:b"), 0);
    assert.deepEqual(result.trace.mutexWaits.map((wait) => [wait.start, wait.end]), [[0, 100]]);
    assert.equal(outcomeOf(result, "p:b").record.timing.mutexWaitMs, 100);
  });

  test("EXEC-013 a run cancelled before it starts spawns nothing", async () => {
    const h = createHarness({ tasks: [{ id: "p:a" }, { id: "p:b", deps: ["p:a"] }, { id: "q:c" }] });
    h.control.cancel({ kind: "programmatic" });
    const result = await runGraph(h.ctx);
    assert.equal(h.spawner.plans.length, 0);
    assert.equal(verdictOf(result, "p:a"), "cancelled:run-cancelled");
    assert.equal(verdictOf(result, "p:b"), "cancelled:upstream-cancelled");
    assert.equal(verdictOf(result, "q:c"), "cancelled:run-cancelled");
    assert.deepEqual(h.observer.tasksOf("started"), []);
  });

  test("EXEC-105 kill after the first signal: SIGKILL now, escalation forced, exit code of the first signal", async () => {
    const h = createHarness({ tasks: [{ id: "p:t" }] }, {
      cancelGraceMs: 30_000,
      programs: { "fake p:t": { steps: [{ sleep: 60_000 }], onTerm: "ignore" } },
    });
    at(h, 100, () => h.control.cancel(SIGINT));
    at(h, 600, () => h.control.kill());
    const result = await runGraph(h.ctx);
    assert.deepEqual(signalsTo(h, "fake p:t"), [[100, "SIGTERM"], [600, "SIGKILL"]]);
    const record = signaled(result, "p:t");
    assert.equal(record.escalation, "forced");
    assert.equal(record.lastSignal, "SIGKILL");
    assert.equal(result.forced, true);
    assert.equal(result.endedAt, 600);
    assert.equal(exitCodeFor(result), 130);
    assert.deepEqual(h.observer.ofKind("cancelling").map((event) => [event.at, event.forced]), [
      [100, false],
      [600, true],
    ]);
  });

  test("EXEC-105 kill without a cancel cancels programmatically first", async () => {
    const h = createHarness({ tasks: [{ id: "p:t" }] }, {
      programs: { "fake p:t": { steps: [{ sleep: 60_000 }], onTerm: "ignore" } },
    });
    at(h, 100, () => h.control.kill());
    const result = await runGraph(h.ctx);
    assert.deepEqual(signalsTo(h, "fake p:t"), [[100, "SIGTERM"], [100, "SIGKILL"]]);
    assert.equal(signaled(result, "p:t").escalation, "forced");
    assert.deepEqual(result.cancel, { kind: "programmatic" });
    assert.equal(exitCodeFor(result), 1);
  });

  test("EXEC-105 tasks in lookup finish as in the flow after a kill", async () => {
    const h = createHarness({ tasks: [{ id: "p:t", inputs: [] }] }, { cache: { lookupDelayMs: 100 } });
    at(h, 50, () => h.control.kill());
    const result = await runGraph(h.ctx);
    assert.equal(verdictOf(result, "p:t"), "cancelled:run-cancelled");
    assert.equal(result.forced, true);
  });
});

describe("timeouts (04-execution.md §5.7)", () => {
  test("EXEC-103 example 33: SIGTERM at the limit, SIGKILL after the grace; failure timeout", async () => {
    const h = createHarness({
      tasks: [{ id: "p:slow", timeoutMs: 1000 }, { id: "p:next", deps: ["p:slow"] }],
    }, {
      cancelGraceMs: 2000,
      programs: { "fake p:slow": { steps: [{ sleep: 10_000 }], onTerm: "ignore" } },
    });
    const result = await runGraph(h.ctx);
    assert.deepEqual(signalsTo(h, "fake p:slow"), [[1000, "SIGTERM"], [3000, "SIGKILL"]]);
    const slow = outcomeOf(result, "p:slow");
    assert.ok(slow.kind === "completed");
    assert.equal(slow.record.state, "failed");
    assert.deepEqual(slow.record.failure, { kind: "timeout", limitMs: 1000, lastSignal: "SIGKILL" });
    assert.equal(verdictOf(result, "p:next"), "skipped:upstream-failed");
    assert.equal(exitCodeFor(result), 1);
  });

  test("EXEC-103 a process that dies on SIGTERM fails with lastSignal SIGTERM", async () => {
    const h = createHarness({ tasks: [{ id: "p:slow", timeoutMs: 1000 }] }, {
      programs: { "fake p:slow": sleeps(10_000) },
    });
    const result = await runGraph(h.ctx);
    const slow = outcomeOf(result, "p:slow");
    assert.ok(slow.kind === "completed");
    assert.deepEqual(slow.record.failure, { kind: "timeout", limitMs: 1000, lastSignal: "SIGTERM" });
    assert.deepEqual(slow.record.exitStatus, { code: null, signal: "SIGTERM" });
    assert.equal(slow.record.timing.endedAt, 1000);
  });

  test("EXEC-103 a task that ends before its limit is not timed out", async () => {
    const h = createHarness({ tasks: [{ id: "p:t", timeoutMs: 1000 }] }, {
      programs: { "fake p:t": sleeps(999) },
    });
    const result = await runGraph(h.ctx);
    assert.equal(verdictOf(result, "p:t"), "succeeded");
    assert.deepEqual(signalsTo(h, "fake p:t"), []);
  });

  test("EXEC-103 a run cancellation during the timeout grace does not make the task cancelled", async () => {
    const h = createHarness({ tasks: [{ id: "p:slow", timeoutMs: 1000 }] }, {
      cancelGraceMs: 2000,
      programs: { "fake p:slow": { steps: [{ sleep: 10_000 }], onTerm: "ignore" } },
    });
    at(h, 1500, () => h.control.cancel(SIGINT));
    const result = await runGraph(h.ctx);
    assert.deepEqual(signalsTo(h, "fake p:slow"), [[1000, "SIGTERM"], [3000, "SIGKILL"]]);
    const slow = outcomeOf(result, "p:slow");
    assert.ok(slow.kind === "completed");
    assert.deepEqual(slow.record.failure, { kind: "timeout", limitMs: 1000, lastSignal: "SIGKILL" });
    assert.equal(exitCodeFor(result), 130);
  });

  test("EXEC-103 kill() during the timeout grace sends SIGKILL at once; still a timeout failure", async () => {
    const h = createHarness({ tasks: [{ id: "p:slow", timeoutMs: 1000 }] }, {
      cancelGraceMs: 5000,
      programs: { "fake p:slow": { steps: [{ sleep: 10_000 }], onTerm: "ignore" } },
    });
    at(h, 1500, () => h.control.kill());
    const result = await runGraph(h.ctx);
    assert.deepEqual(signalsTo(h, "fake p:slow"), [[1000, "SIGTERM"], [1500, "SIGKILL"]]);
    const slow = outcomeOf(result, "p:slow");
    assert.ok(slow.kind === "completed");
    assert.deepEqual(slow.record.failure, { kind: "timeout", limitMs: 1000, lastSignal: "SIGKILL" });
  });
});
