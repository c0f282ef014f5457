import assert from "node:assert/strict";
import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import { exitCodeFor } from "../../lib/exec/exit_code.ts";
import { runGraph } from "../../lib/exec/run_graph.ts";
import { RuntimeChecks } from "../../lib/exec/runtime_checks.ts";
import {
  buildGraph,
  createHarness,
  type GraphSpec,
  type HarnessOptions,
  outcomeOf,
  verdictOf,
} from "../support/graph_builder.ts";

const sleeps = (ms: number) => ({ steps: [{ sleep: ms }] });
const id = (printed: string) => ({ project: printed.split(":")[0], task: printed.split(":")[1] });

/** Runs a graph in a temp workspace holding `files` (what the fake tasks "wrote"). */
async function runIn(files: readonly string[], spec: GraphSpec, options: HarnessOptions = {}) {
  const root = await realpath(await mkdtemp(join(tmpdir(), "haz-exec-checks-")));
  try {
    for (const file of files) {
      await mkdir(dirname(join(root, file)), { recursive: true });
      await writeFile(join(root, file), "x");
    }
    const h = createHarness({ ...spec, root }, { clock: { idleMs: 30 }, ...options });
    const result = await runGraph(h.ctx);
    return { h, result };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

describe("runtime graph checks (04-execution.md §8)", () => {
  test("EXEC-020 example 34 (lib): one overlap, the tasks stay done, the rest is withdrawn", async () => {
    const { h, result } = await runIn(["shared/x.txt"], {
      tasks: [
        { id: "p:a", outputs: ["/shared/*.txt"] },
        { id: "q:b", outputs: ["/shared/*.txt"] },
        { id: "r:c", deps: ["q:b"] },
      ],
    }, { concurrency: 1 });
    assert.deepEqual(result.invariantViolations, [
      {
        kind: "output-overlap",
        rule: "EXEC-020",
        first: id("p:a"),
        second: id("q:b"),
        path: "/shared/x.txt",
      },
    ]);
    assert.equal(verdictOf(result, "p:a"), "succeeded");
    assert.equal(verdictOf(result, "q:b"), "succeeded");
    const c = outcomeOf(result, "r:c");
    assert.ok(c.kind === "skipped");
    assert.deepEqual(c.record.cause, {
      kind: "admission-closed",
      root: id("q:b"),
      violation: "output-overlap",
    });
    assert.equal(exitCodeFor(result), 1);
    assert.deepEqual(h.observer.ofKind("violation").length, 1);
    const order = h.observer.events.filter((event) => event.kind !== "stdout" && event.kind !== "started")
      .map((event) => event.kind + ("task" in event ? ` ${event.task}` : ""));
    assert.deepEqual(order, ["finished p:a", "finished q:b", "violation", "skipped r:c"]);
  });

  test("EXEC-020 example 35: a third task is reported against the first claimant", async () => {
    const { result } = await runIn(["shared/x.txt"], {
      tasks: [
        { id: "p:a", outputs: ["/shared/*.txt"] },
        { id: "q:b", outputs: ["/shared/x.txt"] },
        { id: "s:c", outputs: ["/shared"] },
        { id: "t:d", deps: ["s:c"] },
      ],
    }, { programs: { "fake p:a": sleeps(100), "fake q:b": sleeps(200), "fake s:c": sleeps(300) } });
    assert.deepEqual(result.invariantViolations, [
      {
        kind: "output-overlap",
        rule: "EXEC-020",
        first: id("p:a"),
        second: id("q:b"),
        path: "/shared/x.txt",
      },
      {
        kind: "output-overlap",
        rule: "EXEC-020",
        first: id("p:a"),
        second: id("s:c"),
        path: "/shared/x.txt",
      },
    ]);
    assert.equal(verdictOf(result, "s:c"), "succeeded");
    const d = outcomeOf(result, "t:d");
    assert.ok(d.kind === "skipped");
    assert.deepEqual(d.record.cause, {
      kind: "admission-closed",
      root: id("q:b"),
      violation: "output-overlap",
    });
  });

  test("EXEC-019 example 36: a cycle closed at run time is recorded once; both tasks stay succeeded", async () => {
    const { result } = await runIn(["lib/a_out/a.txt", "app/b_out/b.txt"], {
      tasks: [
        { id: "lib:produce", inputs: ["/app/b_out/*"], outputs: ["/lib/a_out/*"] },
        { id: "app:consume", inputs: ["/lib/a_out/*"], outputs: ["/app/b_out/*"] },
      ],
    }, { programs: { "fake app:consume": sleeps(100), "fake lib:produce": sleeps(200) } });
    assert.equal(verdictOf(result, "lib:produce"), "succeeded");
    assert.equal(verdictOf(result, "app:consume"), "succeeded");
    assert.deepEqual(result.invariantViolations, [{
      kind: "runtime-cycle",
      rule: "EXEC-019",
      nodes: [id("app:consume"), id("lib:produce")],
      closingEdge: { producer: id("lib:produce"), consumer: id("app:consume"), path: "/lib/a_out/a.txt" },
    }]);
    assert.equal(exitCodeFor(result), 1);
  });

  test("EXEC-019 example 37: the cycle's waiting member is skipped runtime-cycle, others admission-closed", async () => {
    const { h, result } = await runIn(["a/out/f.txt"], {
      tasks: [
        { id: "a:x", outputs: ["out/*"] },
        { id: "b:y", inputs: ["/a/out/*"] },
        { id: "c:z" },
      ],
      producerEdges: [["b:y", "a:x"]],
    }, { concurrency: 1 });
    assert.equal(verdictOf(result, "a:x"), "succeeded");
    const y = outcomeOf(result, "b:y");
    assert.ok(y.kind === "skipped");
    assert.deepEqual(y.record.cause, { kind: "runtime-cycle", root: id("a:x") });
    const z = outcomeOf(result, "c:z");
    assert.ok(z.kind === "skipped");
    assert.deepEqual(z.record.cause, {
      kind: "admission-closed",
      root: id("a:x"),
      violation: "runtime-cycle",
    });
    assert.equal(result.invariantViolations.length, 1);
    assert.deepEqual(h.observer.tasksOf("started"), ["a:x"]);
    assert.equal(result.cancel, null);
  });

  test("EXEC-106 a task whose lookup returns after the gate closed is withdrawn after onTaskStarted", async () => {
    const { h, result } = await runIn(["shared/x.txt"], {
      tasks: [
        { id: "p:a", outputs: ["/shared/*.txt"] },
        { id: "q:b", outputs: ["/shared/*.txt"] },
        { id: "r:c", inputs: [] },
      ],
    }, { cache: { lookupDelayMs: 500 }, programs: { "fake p:a": sleeps(100), "fake q:b": sleeps(200) } });
    const c = outcomeOf(result, "r:c");
    assert.ok(c.kind === "skipped");
    assert.deepEqual(c.record.cause, {
      kind: "admission-closed",
      root: id("q:b"),
      violation: "output-overlap",
    });
    assert.equal(c.record.timing.admissions, 1);
    assert.equal(h.spawner.spawnCount("fake r:c"), 0);
    const events = h.observer.events.filter((event) => "task" in event && event.task === "r:c").map((event) =>
      event.kind
    );
    assert.deepEqual(events, ["started", "skipped"]);
  });

  test("EXEC-106 the gate sends no signals; under --fail-fast a violation cancels (EXEC-104)", async () => {
    const spec: GraphSpec = {
      tasks: [
        { id: "p:a", outputs: ["/shared/*.txt"] },
        { id: "q:b", outputs: ["/shared/*.txt"] },
        { id: "s:long" },
      ],
    };
    const programs = { "fake p:a": sleeps(100), "fake q:b": sleeps(200), "fake s:long": sleeps(5000) };
    const plain = await runIn(["shared/x.txt"], spec, { programs });
    assert.equal(verdictOf(plain.result, "s:long"), "succeeded");
    assert.equal(plain.result.cancel, null);
    const failFast = await runIn(["shared/x.txt"], spec, { programs, failFast: true });
    assert.equal(verdictOf(failFast.result, "s:long"), "cancelled:signaled-in-flight");
    assert.deepEqual(failFast.result.cancel, { kind: "fail-fast", root: id("q:b") });
  });

  test("EXEC-019 a static edge of any kind suppresses the runtime edge; self edges are ignored", () => {
    const { graph } = buildGraph({
      tasks: [
        { id: "a:x", inputs: ["/a/out/*"], outputs: ["/a/out/*"] },
        { id: "b:y", inputs: ["/a/out/*"], outputs: ["/b/out/*"], weakDeps: ["a:x"] },
        { id: "c:z", inputs: ["/b/out/*"], outputs: ["/c/out.txt"] },
      ],
      producerEdges: [["a:x", "a:x"]],
    });
    const checks = new RuntimeChecks(graph, new Set(graph.order));
    assert.deepEqual(checks.check("a:x", ["/a/out/1.txt"]), []);
    assert.deepEqual(checks.check("b:y", ["/b/out/1.txt"]), []);
    assert.deepEqual(checks.check("c:z", ["/c/out.txt"]), []);
  });

  test("EXEC-019 input exclusions keep a path from making a runtime edge", () => {
    const { graph } = buildGraph({
      tasks: [
        { id: "a:x", inputs: ["/b/**"], inputExclusions: ["/b/gen/**"], outputs: ["/a/out.txt"] },
        { id: "b:y", inputs: ["/a/out.txt"], outputs: ["/b/gen/f.txt"] },
      ],
    });
    const checks = new RuntimeChecks(graph, new Set(graph.order));
    assert.deepEqual(checks.check("a:x", ["/a/out.txt"]), []);
    assert.deepEqual(checks.check("b:y", ["/b/gen/f.txt"]), []);
    const { graph: open } = buildGraph({
      tasks: [
        { id: "a:x", inputs: ["/b/**"], outputs: ["/a/out.txt"] },
        { id: "b:y", inputs: ["/a/out.txt"], outputs: ["/b/gen/f.txt"] },
      ],
    });
    const openChecks = new RuntimeChecks(open, new Set(open.order));
    assert.deepEqual(openChecks.check("a:x", ["/a/out.txt"]), []);
    assert.equal(openChecks.check("b:y", ["/b/gen/f.txt"])[0]?.kind, "runtime-cycle");
  });

  test("EXEC-019 tasks outside the run set make no runtime edges", () => {
    const { graph } = buildGraph({
      tasks: [
        { id: "a:x", inputs: ["/b/f"], outputs: ["/a/f"] },
        { id: "b:y", inputs: ["/a/f"], outputs: ["/b/f"] },
      ],
    });
    const checks = new RuntimeChecks(graph, new Set(["b:y"]));
    assert.deepEqual(checks.check("b:y", ["/b/f"]), []);
  });
});
