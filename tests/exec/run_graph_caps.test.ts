import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runGraph } from "../../lib/exec/run_graph.ts";
import { resolveConcurrency } from "../../lib/exec/resolve_concurrency.ts";
import { emptyStreamDigest } from "../../lib/exec/stream_capture.ts";
import { sha256 } from "../../lib/cache/hash_algorithm.ts";
import { createHarness, outcomeOf, verdictOf } from "../support/graph_builder.ts";

const sleeps = (ms: number) => ({ steps: [{ sleep: ms }] });

function overlaps(a: [number, number], b: [number, number]): boolean {
  return a[0] < b[1] && b[0] < a[1];
}

describe("caps (04-execution.md §5.1)", () => {
  test("EXEC-004 example 1: concurrency 1 spawns a:x, a:y, b:z at 0, 1000, 2000", async () => {
    const h = createHarness({ tasks: [{ id: "b:z" }, { id: "a:y" }, { id: "a:x" }] }, {
      concurrency: 1,
      programs: { "fake a:x": sleeps(1000), "fake a:y": sleeps(1000), "fake b:z": sleeps(1000) },
    });
    await runGraph(h.ctx);
    const spawns = h.spawner.events.filter((event) => event.kind === "spawn");
    assert.deepEqual(spawns.map((event) => [event.at, event.argv.join(" ")]), [
      [0, "fake a:x"],
      [1000, "fake a:y"],
      [2000, "fake b:z"],
    ]);
    assert.equal(h.spawner.maxConcurrent(), 1);
    assert.deepEqual(h.spawner.liveGroups(), []);
  });

  test("EXEC-004 example 2: concurrency 2, five 100 ms tasks end at 300 ms", async () => {
    const ids = ["p:a", "p:b", "p:c", "p:d", "p:e"];
    const h = createHarness({ tasks: ids.map((id) => ({ id })) }, {
      concurrency: 2,
      programs: Object.fromEntries(ids.map((id) => [`fake ${id}`, sleeps(100)])),
    });
    const result = await runGraph(h.ctx);
    assert.equal(h.spawner.maxConcurrent(), 2);
    assert.equal(result.endedAt, 300);
    assert.ok(ids.every((id) => verdictOf(result, id) === "succeeded"));
  });

  test("EXEC-004 example 3: auto with 3 CPUs runs six tasks three at a time", async () => {
    const ids = ["p:a", "p:b", "p:c", "p:d", "p:e", "p:f"];
    const h = createHarness({ tasks: ids.map((id) => ({ id })) }, {
      concurrency: resolveConcurrency("auto", () => 3),
      programs: Object.fromEntries(ids.map((id) => [`fake ${id}`, sleeps(100)])),
    });
    const result = await runGraph(h.ctx);
    assert.equal(h.spawner.maxConcurrent(), 3);
    assert.equal(result.endedAt, 200);
  });

  test("EXEC-004 resolveConcurrency keeps numbers and never goes below 1", () => {
    assert.equal(resolveConcurrency(7, () => 3), 7);
    assert.equal(resolveConcurrency("auto", () => 0), 1);
  });

  test("EXEC-005 example 4: heavy tasks never overlap, q:t overlaps the first of them", async () => {
    const h = createHarness({
      tags: { h1: ["heavy"], h2: ["heavy"], h3: ["heavy"] },
      tasks: [{ id: "h1:t" }, { id: "h2:t" }, { id: "h3:t" }, { id: "q:t" }],
    }, {
      tagCaps: { heavy: 1 },
      programs: {
        "fake h1:t": sleeps(1000),
        "fake h2:t": sleeps(1000),
        "fake h3:t": sleeps(1000),
        "fake q:t": sleeps(1000),
      },
    });
    await runGraph(h.ctx);
    const heavy = ["h1:t", "h2:t", "h3:t"].map((id) => h.spawner.intervals(`fake ${id}`)[0]);
    for (let i = 0; i < heavy.length; i++) {
      for (let j = i + 1; j < heavy.length; j++) {
        assert.ok(!overlaps(heavy[i], heavy[j]), `${i} overlaps ${j}`);
      }
    }
    assert.ok(overlaps(h.spawner.intervals("fake q:t")[0], heavy[0]));
  });

  test("EXEC-006 example 5: no head-of-line blocking behind a full tag", async () => {
    const h = createHarness({
      tags: { h: ["heavy"], a: ["db", "heavy"], b: ["db"] },
      tasks: [{ id: "h:t" }, { id: "gate:t" }, { id: "a:t", deps: ["gate:t"] }, {
        id: "b:t",
        deps: ["gate:t"],
      }],
    }, {
      tagCaps: { heavy: 1, db: 2 },
      programs: {
        "fake h:t": sleeps(1000),
        "fake gate:t": sleeps(100),
        "fake a:t": sleeps(100),
        "fake b:t": sleeps(100),
      },
    });
    const result = await runGraph(h.ctx);
    assert.deepEqual(h.spawner.intervals("fake b:t"), [[100, 200]]);
    assert.deepEqual(h.spawner.intervals("fake a:t"), [[1000, 1100]]);
    const a = outcomeOf(result, "a:t");
    assert.equal(a.record.timing.readyAt, 100);
    assert.equal(a.record.timing.firstAdmittedAt, 1000);
  });

  test("EXEC-005 caps of tags no task carries are ignored", async () => {
    const h = createHarness({ tasks: [{ id: "p:a" }, { id: "p:b" }] }, {
      tagCaps: { nobody: 1 },
      programs: { "fake p:a": sleeps(100), "fake p:b": sleeps(100) },
    });
    await runGraph(h.ctx);
    assert.equal(h.spawner.maxConcurrent(), 2);
  });

  test("EXEC-102 example 6: an aggregate completes the instant its last dep succeeds, without a slot", async () => {
    const h = createHarness({
      tasks: [{ id: "p:a" }, { id: "p:b" }, { id: "p:all", aggregate: true, deps: ["p:a", "p:b"] }],
    }, { concurrency: 1, programs: { "fake p:a": sleeps(100), "fake p:b": sleeps(200) } });
    const result = await runGraph(h.ctx);
    const all = outcomeOf(result, "p:all");
    assert.equal(all.kind, "completed");
    if (all.kind !== "completed") return;
    const b = outcomeOf(result, "p:b");
    assert.equal(all.record.source, "aggregate");
    assert.equal(all.record.state, "succeeded");
    assert.equal(all.record.exitStatus, null);
    assert.equal(all.record.key, null);
    assert.equal(all.record.timing.endedAt, b.record.timing.endedAt);
    assert.deepEqual(all.record.stdout, emptyStreamDigest(sha256));
    assert.deepEqual(all.record.stderr, {
      hash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      bytes: 0,
    });
    assert.deepEqual(all.record.timing.phases, []);
    assert.equal(h.spawner.plans.length, 2);
    assert.ok(!result.trace.admissions.some((span) => span.task === "p:all"));
    const events = h.observer.events.filter((event) => "task" in event && event.task === "p:all").map((e) =>
      e.kind
    );
    assert.deepEqual(events, ["started", "finished"]);
  });

  test("EXEC-102 an aggregate takes no slot even when every slot is busy", async () => {
    const h = createHarness({
      tasks: [{ id: "p:long" }, { id: "p:agg", aggregate: true }],
    }, { concurrency: 1, programs: { "fake p:long": sleeps(1000) } });
    const result = await runGraph(h.ctx);
    assert.equal(outcomeOf(result, "p:agg").record.timing.endedAt, 0);
  });

  test("EXEC-102 a failing hard predecessor skips an aggregate", async () => {
    const h = createHarness({
      tasks: [{ id: "p:a" }, { id: "p:all", aggregate: true, deps: ["p:a"] }],
    }, { programs: { "fake p:a": { steps: [{ exit: 2 }] } } });
    const result = await runGraph(h.ctx);
    assert.equal(verdictOf(result, "p:all"), "skipped:upstream-failed");
  });

  test("EXEC-006 an empty run set settles at once", async () => {
    const h = createHarness({ tasks: [{ id: "p:a" }] }, { runSet: [] });
    const result = await runGraph(h.ctx);
    assert.deepEqual([result.outcomes, result.taskErrors, result.endedAt], [[], [], 0]);
  });

  test("EXEC-006 lanes: each admission takes the lowest free lane", async () => {
    const h = createHarness({ tasks: [{ id: "p:a" }, { id: "p:b" }, { id: "p:c" }] }, {
      concurrency: 2,
      programs: { "fake p:a": sleeps(300), "fake p:b": sleeps(100), "fake p:c": sleeps(100) },
    });
    const result = await runGraph(h.ctx);
    const lanes = Object.fromEntries(result.trace.admissions.map((span) => [span.task, span.lane]));
    assert.deepEqual(lanes, { "p:a": 1, "p:b": 2, "p:c": 2 });
    const c = outcomeOf(result, "p:c");
    assert.ok(c.record.timing.phases.every((phase) => phase.lane === 2));
    assert.deepEqual(c.record.timing.phases.map((phase) => [phase.phase, phase.start, phase.end]), [
      ["exec", 100, 200],
      ["drain", 200, 200],
    ]);
  });
});
