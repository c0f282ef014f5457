import assert from "node:assert/strict";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { sha256 } from "../../lib/cache/hash_algorithm.ts";
import { exitCodeFor } from "../../lib/exec/exit_code.ts";
import { runGraph } from "../../lib/exec/run_graph.ts";
import { createHarness, outcomeOf, verdictOf } from "../support/graph_builder.ts";
import { MemoryCache } from "../support/memory_cache.ts";

const sleeps = (ms: number) => ({ steps: [{ sleep: ms }] });
const failsAt = (ms: number, code = 1) => ({ steps: [{ sleep: ms }, { exit: code }] });

describe("failure cascade (04-execution.md §5.4)", () => {
  test("EXEC-010 a failure skips every hard descendant, naming the root; other branches run", async () => {
    const h = createHarness({
      tasks: [{ id: "p:a" }, { id: "p:b", deps: ["p:a"] }, { id: "p:c", deps: ["p:b"] }, { id: "p:d" }],
    }, { programs: { "fake p:a": { steps: [{ exit: 1 }] }, "fake p:d": sleeps(100) } });
    const result = await runGraph(h.ctx);
    assert.equal(verdictOf(result, "p:a"), "failed");
    const a = outcomeOf(result, "p:a");
    assert.ok(
      a.kind === "completed" && a.record.failure?.kind === "exit-code" && a.record.failure.code === 1,
    );
    for (const id of ["p:b", "p:c"]) {
      const skip = outcomeOf(result, id);
      assert.ok(skip.kind === "skipped");
      assert.deepEqual(skip.record.cause, { kind: "upstream-failed", root: { project: "p", task: "a" } });
      assert.equal(skip.record.timing.admissions, 0);
    }
    assert.equal(verdictOf(result, "p:d"), "succeeded");
    assert.deepEqual(h.spawner.plans.map((plan) => plan.args[0]), ["p:a", "p:d"]);
    assert.deepEqual(h.observer.tasksOf("skipped"), ["p:b", "p:c"]);
    assert.ok(!h.observer.tasksOf("started").includes("p:b"));
    assert.equal(exitCodeFor(result), 1);
  });

  test("EXEC-011 example 15: the first root handled wins; no second skip event", async () => {
    const h = createHarness({
      tasks: [{ id: "p:a" }, { id: "p:b" }, { id: "p:c", deps: ["p:a", "p:b"] }],
    }, { programs: { "fake p:a": failsAt(100), "fake p:b": failsAt(200) } });
    const result = await runGraph(h.ctx);
    const c = outcomeOf(result, "p:c");
    assert.ok(c.kind === "skipped");
    assert.deepEqual(c.record.cause, { kind: "upstream-failed", root: { project: "p", task: "a" } });
    assert.equal(c.record.timing.endedAt, 100);
    assert.deepEqual(h.observer.tasksOf("skipped"), ["p:c"]);
  });

  test("EXEC-010 example 16: an independent task keeps running; runGraph resolves after it", async () => {
    const h = createHarness({ tasks: [{ id: "p:a" }, { id: "p:e" }] }, {
      programs: { "fake p:a": { steps: [{ exit: 1 }] }, "fake p:e": sleeps(3000) },
    });
    const result = await runGraph(h.ctx);
    assert.equal(verdictOf(result, "p:e"), "succeeded");
    assert.equal(outcomeOf(result, "p:e").record.timing.endedAt, 3000);
    assert.equal(result.endedAt, 3000);
  });

  test("EXEC-010 example 17: a missing literal output errors the task and skips its successors", async () => {
    const root = await realpath(await mkdtemp(join(tmpdir(), "haz-exec-cascade-")));
    try {
      const h = createHarness({
        root,
        tasks: [{ id: "p:a", outputs: ["dist/a.js"] }, { id: "p:b", deps: ["p:a"] }, {
          id: "p:c",
          deps: ["p:b"],
        }],
      });
      const result = await runGraph(h.ctx);
      assert.equal(result.taskErrors.length, 1);
      assert.deepEqual(result.taskErrors[0].error, { kind: "output-missing", path: "/p/dist/a.js" });
      assert.ok(result.taskErrors[0].stdout !== null);
      for (const id of ["p:b", "p:c"]) {
        const skip = outcomeOf(result, id);
        assert.ok(skip.kind === "skipped");
        assert.deepEqual(skip.record.cause, { kind: "upstream-errored", root: { project: "p", task: "a" } });
      }
      assert.equal(exitCodeFor(result), 1);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test("EXEC-010 a spawn error is a task error that cascades as upstream-errored", async () => {
    const h = createHarness({
      tasks: [{ id: "p:a", command: ["no-such-program"] }, { id: "p:b", deps: ["p:a"] }],
    });
    const result = await runGraph(h.ctx);
    assert.deepEqual(result.taskErrors[0].error, {
      kind: "spawn",
      reason: "not-found",
      program: "no-such-program",
      message: "program not found: no-such-program",
    });
    assert.equal(verdictOf(result, "p:b"), "skipped:upstream-errored");
  });

  test("EXEC-010 skips are emitted in canonical order of the skipped tasks", async () => {
    const h = createHarness({
      tasks: [
        { id: "z:root" },
        { id: "b:x", deps: ["z:root"] },
        { id: "a:y", deps: ["b:x"] },
        { id: "c:w", deps: ["z:root"] },
      ],
    }, { programs: { "fake z:root": { steps: [{ exit: 1 }] } } });
    await runGraph(h.ctx);
    assert.deepEqual(h.observer.tasksOf("skipped"), ["a:y", "b:x", "c:w"]);
  });
});

describe("soft edges (04-execution.md §5.5)", () => {
  test("EXEC-101 example 19: a soft successor in the run set waits for its predecessor", async () => {
    const h = createHarness({ tasks: [{ id: "p:x" }, { id: "p:y", weakDeps: ["p:x"] }] }, {
      programs: { "fake p:x": sleeps(500), "fake p:y": sleeps(100) },
    });
    await runGraph(h.ctx);
    assert.deepEqual(h.spawner.intervals("fake p:y"), [[500, 600]]);
  });

  test("EXEC-101 example 20: a failing soft predecessor does not cascade; exit 1 from it", async () => {
    const h = createHarness({ tasks: [{ id: "p:x" }, { id: "p:y", weakDeps: ["p:x"] }] }, {
      programs: { "fake p:x": failsAt(500) },
    });
    const result = await runGraph(h.ctx);
    assert.equal(verdictOf(result, "p:x"), "failed");
    assert.equal(verdictOf(result, "p:y"), "succeeded");
    assert.deepEqual(h.spawner.intervals("fake p:y"), [[500, 500]]);
    assert.equal(exitCodeFor(result), 1);
  });

  test("EXEC-101 a soft predecessor outside the run set is ignored", async () => {
    const h = createHarness({ tasks: [{ id: "p:x" }, { id: "p:y", weakDeps: ["p:x"] }] }, {
      runSet: ["p:y"],
      programs: { "fake p:x": sleeps(500) },
    });
    const result = await runGraph(h.ctx);
    assert.equal(result.outcomes.length, 1);
    assert.equal(h.spawner.spawnCount("fake p:x"), 0);
    assert.deepEqual(h.spawner.intervals("fake p:y"), [[0, 0]]);
  });

  test("EXEC-101 a skipped soft predecessor is terminal: its soft successor runs", async () => {
    const h = createHarness({
      tasks: [{ id: "p:a" }, { id: "p:b", deps: ["p:a"] }, { id: "p:c", weakDeps: ["p:b"] }],
    }, { programs: { "fake p:a": failsAt(100) } });
    const result = await runGraph(h.ctx);
    assert.equal(verdictOf(result, "p:b"), "skipped:upstream-failed");
    assert.equal(verdictOf(result, "p:c"), "succeeded");
    assert.deepEqual(h.spawner.intervals("fake p:c"), [[100, 100]]);
  });
});

describe("stream-hash threading (04-execution.md §6)", () => {
  const graph = (stamp: string) => ({
    tasks: [
      { id: "lib:gen" },
      { id: "app:build", deps: ["lib:gen"], inputs: [] },
      { id: "app:lint", weakDeps: ["lib:gen"], inputs: [] },
    ],
    stamp,
  });
  const programs = (stamp: string) => ({ "fake lib:gen": { steps: [{ out: stamp }] } });

  test("CACHE-007 a hard predecessor's stdout digest feeds the key; a soft one's does not (example 21 at lib level)", async () => {
    const cache = new MemoryCache({ hash: sha256 });
    const run = async (stamp: string) => {
      const h = createHarness(graph(stamp), { cache, programs: programs(stamp) });
      const result = await runGraph(h.ctx);
      return [verdictOf(result, "lib:gen"), verdictOf(result, "app:build"), verdictOf(result, "app:lint")];
    };
    assert.deepEqual(await run("v1\n"), ["succeeded", "succeeded", "succeeded"]);
    assert.deepEqual(await run("v1\n"), ["succeeded", "cached", "cached"]);
    assert.deepEqual(await run("v2\n"), ["succeeded", "succeeded", "cached"]);
  });

  test("CACHE-007 a restored predecessor contributes the manifest's digests, so successors still hit", async () => {
    const cache = new MemoryCache({ hash: sha256 });
    const spec = { tasks: [{ id: "p:a", inputs: [] }, { id: "p:b", deps: ["p:a"], inputs: [] }] };
    const first = createHarness(spec, { cache, programs: { "fake p:a": { steps: [{ out: "a\n" }] } } });
    const firstResult = await runGraph(first.ctx);
    const second = createHarness(spec, { cache });
    const secondResult = await runGraph(second.ctx);
    assert.equal(verdictOf(secondResult, "p:a"), "cached");
    assert.equal(verdictOf(secondResult, "p:b"), "cached");
    assert.deepEqual(outcomeOf(secondResult, "p:a").record, {
      ...outcomeOf(secondResult, "p:a").record,
      stdout: (outcomeOf(firstResult, "p:a").record as { stdout: unknown }).stdout,
    });
    assert.equal(second.observer.stdoutOf("p:a"), "a\n");
  });
});
