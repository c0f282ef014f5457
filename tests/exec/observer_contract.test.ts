import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runGraph } from "../../lib/exec/run_graph.ts";
import { createHarness } from "../support/graph_builder.ts";

const sleeps = (ms: number) => ({ steps: [{ sleep: ms }] });
const TERMINAL = new Set(["finished", "errored", "skipped", "cancelled"]);

describe("observer contract (04-execution.md §2.1)", () => {
  test("EXEC-007 one onTaskStarted at the first admission, one terminal callback, output in between", async () => {
    const h = createHarness({
      tasks: [
        { id: "p:a", mutex: "m" },
        { id: "p:b", mutex: "m" },
        { id: "p:c", deps: ["p:a"] },
        { id: "p:d", command: ["nope"] },
        { id: "p:e", deps: ["p:d"] },
      ],
    }, {
      concurrency: 2,
      programs: {
        "fake p:a": { steps: [{ out: "a1\n" }, { sleep: 100 }, { out: "a2\n" }] },
        "fake p:b": { steps: [{ out: "b\n" }, { sleep: 100 }] },
      },
    });
    const result = await runGraph(h.ctx);
    const perTask = new Map<string, string[]>();
    for (const event of h.observer.events) {
      if (!("task" in event)) continue;
      perTask.set(event.task, [...(perTask.get(event.task) ?? []), event.kind]);
    }
    assert.deepEqual(Object.fromEntries(perTask), {
      "p:a": ["started", "stdout", "stdout", "finished"],
      "p:b": ["started", "stdout", "finished"],
      "p:c": ["started", "finished"],
      "p:d": ["started", "errored"],
      "p:e": ["skipped"],
    });
    assert.equal(result.outcomes.length + result.taskErrors.length, 5);
    const b = result.outcomes.find((outcome) => outcome.record.task.task === "b")!;
    assert.equal(b.record.timing.admissions, 2);
  });

  test("EXEC-007 every run-set task gets exactly one terminal callback, in a cancelled run too", async () => {
    const h = createHarness({
      tasks: [{ id: "p:a" }, { id: "p:b", deps: ["p:a"] }, { id: "p:c" }, { id: "p:d", weakDeps: ["p:c"] }],
    }, { concurrency: 1, programs: { "fake p:a": sleeps(1000), "fake p:c": sleeps(1000) } });
    void h.clock.sleep(500).then(() => h.control.cancel({ kind: "signal", signal: "SIGTERM" }));
    await runGraph(h.ctx);
    const terminal = h.observer.events.filter((event) => TERMINAL.has(event.kind)).map((event) =>
      (event as { task: string }).task
    );
    assert.deepEqual([...terminal].sort(), ["p:a", "p:b", "p:c", "p:d"]);
  });

  test("EXEC-110 an observer that throws kills every group and makes runGraph reject with that error", async () => {
    const h = createHarness({ tasks: [{ id: "p:a" }, { id: "p:b" }, { id: "p:c", deps: ["p:a"] }] }, {
      programs: {
        "fake p:a": { steps: [{ sleep: 100 }] },
        "fake p:b": { steps: [{ sleep: 60_000 }], onTerm: "ignore" },
      },
    });
    const boom = new Error("observer bug");
    const original = h.observer.onTaskFinished.bind(h.observer);
    h.observer.onTaskFinished = (record) => {
      original(record);
      throw boom;
    };
    await assert.rejects(runGraph(h.ctx), (error) => error === boom);
    assert.deepEqual(h.spawner.liveGroups(), []);
    const kill = h.spawner.events.find((event) => event.kind === "signal" && event.signal === "SIGKILL");
    assert.equal(kill?.at, 100);
    const afterBug = h.observer.events.filter((event) => event.at >= 100 && event.kind !== "finished");
    assert.deepEqual(afterBug, []);
  });

  test("EXEC-012 no callback after runGraph settled, even when cancel comes later", async () => {
    const h = createHarness({ tasks: [{ id: "p:a" }] });
    await runGraph(h.ctx);
    const count = h.observer.events.length;
    h.control.cancel({ kind: "signal", signal: "SIGINT" });
    h.control.kill();
    assert.equal(h.observer.events.length, count);
  });
});
