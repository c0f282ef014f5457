import assert from "node:assert/strict";
import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { runGraph } from "../../lib/exec/run_graph.ts";
import { createHarness, outcomeOf, verdictOf } from "../support/graph_builder.ts";

const sleeps = (ms: number) => ({ steps: [{ sleep: ms }] });

function overlaps(a: [number, number], b: [number, number]): boolean {
  return a[0] < b[1] && b[0] < a[1];
}

async function withWorkspace(
  files: Record<string, string>,
  body: (root: string) => Promise<void>,
): Promise<void> {
  const root = await realpath(await mkdtemp(join(tmpdir(), "haz-exec-mutex-")));
  try {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(root, path, ".."), { recursive: true });
      await writeFile(join(root, path), text);
    }
    await body(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

describe("mutexes (04-execution.md §5.3)", () => {
  test("MUTEX-003 example 7: exclusive holders of one global lock never overlap, in canonical order", async () => {
    const ids = ["db_a:migrate", "db_a:seed", "db_b:migrate"];
    const h = createHarness({ tasks: ids.map((id) => ({ id, mutex: "db" })) }, {
      programs: Object.fromEntries(ids.map((id) => [`fake ${id}`, sleeps(1000)])),
    });
    const result = await runGraph(h.ctx);
    const intervals = ids.map((id) => h.spawner.intervals(`fake ${id}`)[0]);
    assert.deepEqual(intervals, [[0, 1000], [1000, 2000], [2000, 3000]]);
    const seed = outcomeOf(result, "db_a:seed");
    assert.equal(seed.record.timing.mutexWaitMs, 1000);
    assert.equal(seed.record.timing.admissions, 2);
    const other = outcomeOf(result, "db_b:migrate");
    assert.equal(other.record.timing.mutexWaitMs, 2000);
    assert.equal(other.record.timing.admissions, 3);
    assert.deepEqual(
      result.trace.mutexWaits.map((
        wait,
      ) => [wait.task, wait.lock, wait.start, wait.end]),
      [["db_a:seed", "db", 0, 1000], ["db_b:migrate", "db", 0, 1000], ["db_b:migrate", "db", 1000, 2000]],
    );
    assert.deepEqual(h.observer.tasksOf("started"), ids);
    assert.deepEqual(
      result.trace.admissions.filter((span) => span.task === "db_a:seed")
        .map((span) => [span.admission, span.lane, span.start, span.end]),
      [[1, 2, 0, 0], [2, 1, 1000, 2000]],
    );
  });

  test("MUTEX-001 example 8: ~:db is one lock per project", async () => {
    const h = createHarness({
      tasks: [{ id: "p:x", mutex: "~:db" }, { id: "q:y", mutex: "~:db" }, { id: "p:z", mutex: "~:db" }],
    }, { programs: { "fake p:x": sleeps(1000), "fake q:y": sleeps(1000), "fake p:z": sleeps(1000) } });
    const result = await runGraph(h.ctx);
    const [x, y, z] = ["p:x", "q:y", "p:z"].map((id) => h.spawner.intervals(`fake ${id}`)[0]);
    assert.ok(overlaps(x, y));
    assert.ok(!overlaps(x, z));
    assert.deepEqual(result.trace.mutexWaits.map((wait) => wait.lock), ["~:db (p)"]);
  });

  test("MUTEX-004 example 9: shared holders overlap each other, never an exclusive one", async () => {
    const h = createHarness({
      tasks: [
        { id: "r:a", mutex: { name: "db", mode: "shared" } },
        { id: "r:b", mutex: { name: "db", mode: "shared" } },
        { id: "w:c", mutex: "db" },
      ],
    }, { programs: { "fake r:a": sleeps(1000), "fake r:b": sleeps(1500), "fake w:c": sleeps(1000) } });
    await runGraph(h.ctx);
    const [a, b, c] = ["r:a", "r:b", "w:c"].map((id) => h.spawner.intervals(`fake ${id}`)[0]);
    assert.ok(overlaps(a, b));
    assert.ok(!overlaps(a, c));
    assert.ok(!overlaps(b, c));
    assert.deepEqual(c, [1500, 2500]);
  });

  test("MUTEX-004 a release wakes only the waiters compatible with the remaining holds", async () => {
    const h = createHarness({
      tasks: [
        { id: "a:w", mutex: "db" },
        { id: "b:r", mutex: { name: "db", mode: "shared" } },
        { id: "c:r", mutex: { name: "db", mode: "shared" } },
        { id: "d:w", mutex: "db" },
      ],
    }, {
      programs: {
        "fake a:w": sleeps(100),
        "fake b:r": sleeps(300),
        "fake c:r": sleeps(100),
        "fake d:w": sleeps(100),
      },
    });
    await runGraph(h.ctx);
    assert.deepEqual(h.spawner.intervals("fake b:r"), [[100, 400]]);
    assert.deepEqual(h.spawner.intervals("fake c:r"), [[100, 200]]);
    assert.deepEqual(h.spawner.intervals("fake d:w"), [[400, 500]]);
  });

  test("MUTEX-007 example 10: a cache hit never acquires the lock held by a running task", async () => {
    const h = createHarness({
      tasks: [{ id: "p:a", mutex: "db" }, { id: "p:b", mutex: "db", inputs: [] }],
    }, { cache: { hitTasks: ["p:b"] }, programs: { "fake p:a": sleeps(5000) } });
    const result = await runGraph(h.ctx);
    assert.equal(verdictOf(result, "p:b"), "cached");
    assert.equal(outcomeOf(result, "p:b").record.timing.endedAt, 0);
    assert.equal(h.spawner.spawnCount("fake p:b"), 0);
    assert.deepEqual(result.trace.mutexWaits, []);
    assert.equal(outcomeOf(result, "p:b").record.timing.mutexWaitMs, 0);
  });

  test("MUTEX-101 example 11: the parked twin looks up again on release and ends cached", async () => {
    await withWorkspace({ "p/in.txt": "input\n" }, async (root) => {
      const h = createHarness({
        root,
        tasks: [
          { id: "p:t1", command: ["fake", "same"], inputs: ["in.txt"], mutex: "m" },
          { id: "p:t2", command: ["fake", "same"], inputs: ["in.txt"], mutex: "m" },
        ],
      }, {
        cache: { lookupDelayMs: 1 },
        clock: { idleMs: 50 },
        programs: { "fake same": { steps: [{ out: "built\n" }, { sleep: 100 }] } },
      });
      const result = await runGraph(h.ctx);
      assert.equal(verdictOf(result, "p:t1"), "succeeded");
      assert.equal(verdictOf(result, "p:t2"), "cached");
      const t1 = outcomeOf(result, "p:t1");
      assert.ok(t1.kind === "completed" && t1.record.stored);
      assert.equal(h.spawner.spawnCount("fake same"), 1);
      assert.deepEqual(h.observer.tasksOf("started"), ["p:t1", "p:t2"]);
      assert.equal(h.cache!.lookups.filter((lookup) => lookup.task === "p:t2").length, 2);
      assert.equal(h.observer.stdoutOf("p:t2"), "built\n");
      const t2 = outcomeOf(result, "p:t2");
      assert.equal(t2.record.timing.admissions, 2);
      assert.deepEqual(t2.record.timing.phases.map((phase) => phase.phase), ["lookup", "lookup", "restore"]);
    });
  });

  test("MUTEX-101 example 12: a 60 s holder costs the waiter exactly two lookups (no polling)", async () => {
    await withWorkspace({ "p/in.txt": "input\n" }, async (root) => {
      const h = createHarness({
        root,
        tasks: [
          { id: "p:t1", command: ["fake", "same"], inputs: ["in.txt"], mutex: "m" },
          { id: "p:t2", command: ["fake", "same"], inputs: ["in.txt"], mutex: "m" },
        ],
      }, {
        cache: { lookupDelayMs: 1 },
        clock: { idleMs: 50 },
        programs: { "fake same": sleeps(60_000) },
      });
      const result = await runGraph(h.ctx);
      assert.equal(h.cache!.lookups.filter((lookup) => lookup.task === "p:t2").length, 2);
      assert.equal(verdictOf(result, "p:t2"), "cached");
      assert.equal(outcomeOf(result, "p:t2").record.timing.mutexWaitMs, 60_000);
    });
  });

  test("MUTEX-006 the lock is held through the drain: the next holder starts after the group is dead", async () => {
    const h = createHarness({ tasks: [{ id: "p:a", mutex: "db" }, { id: "p:b", mutex: "db" }] }, {
      programs: { "fake p:a": { steps: [{ sleep: 100 }], stragglers: 1 }, "fake p:b": sleeps(100) },
    });
    const result = await runGraph(h.ctx);
    assert.deepEqual(h.spawner.intervals("fake p:b"), [[350, 450]]);
    const a = outcomeOf(result, "p:a");
    assert.deepEqual(a.record.timing.phases.map((phase) => [phase.phase, phase.start, phase.end]), [
      ["exec", 0, 100],
      ["drain", 100, 350],
    ]);
    assert.deepEqual(h.spawner.liveGroups(), []);
  });

  test("MUTEX-006 the lock is released whatever the outcome (failure, spawn error)", async () => {
    const h = createHarness({
      tasks: [{ id: "p:a", mutex: "db" }, { id: "p:b", mutex: "db" }, { id: "p:c", mutex: "db" }],
    }, {
      programs: {
        "fake p:a": { steps: [{ sleep: 100 }, { exit: 1 }] },
        "fake p:b": { steps: [], spawnError: "not-found" },
        "fake p:c": sleeps(100),
      },
    });
    const result = await runGraph(h.ctx);
    assert.equal(verdictOf(result, "p:a"), "failed");
    assert.equal(verdictOf(result, "p:b"), "errored");
    assert.equal(verdictOf(result, "p:c"), "succeeded");
    assert.deepEqual(h.spawner.intervals("fake p:c"), [[100, 200]]);
  });

  test("MUTEX-101 a parked task gives back its slot to an unrelated task", async () => {
    const h = createHarness({
      tasks: [{ id: "p:a", mutex: "db" }, { id: "p:b", mutex: "db" }, { id: "p:c" }],
    }, {
      concurrency: 2,
      programs: { "fake p:a": sleeps(1000), "fake p:b": sleeps(100), "fake p:c": sleeps(100) },
    });
    await runGraph(h.ctx);
    assert.deepEqual(h.spawner.intervals("fake p:c"), [[0, 100]]);
    assert.deepEqual(h.spawner.intervals("fake p:b"), [[1000, 1100]]);
  });
});
