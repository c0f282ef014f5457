import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { TaskId } from "../../lib/domain/task_id.ts";
import type { RunGraphOutcome } from "../../lib/exec/records.ts";
import {
  type CycleReason,
  watchGraph,
  type WatchObserver,
  type WatchOutcome,
  type WatchReload,
} from "../../lib/watch/watch_graph.ts";
import type { FakeClock } from "../support/fake_clock.ts";
import { FakeFileWatcher } from "../support/fake_file_watcher.ts";
import {
  buildGraph,
  createHarness,
  type GraphSpec,
  type HarnessOptions,
  RecordingObserver,
} from "../support/graph_builder.ts";

const ROOT = "/nonexistent-haz-test-workspace";

/** Records the watch callbacks besides the run ones. */
class WatchRecorder extends RecordingObserver implements WatchObserver {
  readonly cycles: { cycle: number; reason: CycleReason; at: number }[] = [];
  readonly ends: { cycle: number; outcome: RunGraphOutcome; at: number }[] = [];
  readonly #clockOf: FakeClock;
  #waiting: (() => void)[] = [];

  constructor(clock: FakeClock) {
    super(clock);
    this.#clockOf = clock;
  }
  readonly down: string[] = [];
  onWatching(): void {}
  readonly suspended: { task: string; path: string; at: number }[] = [];
  onSuspended(task: TaskId, path: string): void {
    this.suspended.push({ task: `${task.project}:${task.task}`, path, at: this.#clockOf.now() });
  }
  readonly changed: string[] = [];
  onServiceChanged(task: TaskId, reason: string): void {
    this.changed.push(`${task.project}:${task.task}: ${reason}`);
  }
  readonly configErrors: number[] = [];
  onConfigError(): void {
    this.configErrors.push(this.#clockOf.now());
  }
  onServiceDown(task: TaskId): void {
    this.down.push(`${task.project}:${task.task}`);
  }
  onCycleStart(cycle: number, reason: CycleReason): void {
    this.cycles.push({ cycle, reason, at: this.#clockOf.now() });
  }
  onCycleEnd(cycle: number, outcome: RunGraphOutcome): void {
    this.ends.push({ cycle, outcome, at: this.#clockOf.now() });
  }
  onWaiting(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const resolve of waiting) resolve();
  }
  /** Resolves at the next `onWaiting`. */
  waiting(): Promise<void> {
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
}

function watchHarness(spec: GraphSpec, options: HarnessOptions & { debounceMs?: number } = {}) {
  const h = createHarness(spec, options);
  const observer = new WatchRecorder(h.clock);
  const watcher = new FakeFileWatcher();
  const run = (): Promise<WatchOutcome> =>
    watchGraph({ ...h.ctx, observer, watcher, debounceMs: options.debounceMs ?? 200 });
  return { ...h, observer, watcher, run };
}

const formatTask = (task: TaskId) => `${task.project}:${task.task}`;

const stop = (h: ReturnType<typeof watchHarness>) => h.control.cancel({ kind: "signal", signal: "SIGINT" });

describe("the watch loop (09-services-and-watch.md §8, [lib])", () => {
  test("WATCH-030 scenario 29: the window closes D after its last event, at most D + 2 s after its first", async () => {
    const h = watchHarness({ tasks: [{ id: "p:t", inputs: ["src/**"] }] });
    const loop = h.run();
    await h.observer.waiting();
    h.watcher.emit(`${ROOT}/p/src/a`);
    await h.clock.sleep(150);
    h.watcher.emit(`${ROOT}/p/src/b`);
    await h.clock.sleep(150);
    h.watcher.emit(`${ROOT}/p/src/c`);
    await h.observer.waiting();
    assert.deepEqual(h.observer.cycles.map((cycle) => cycle.at), [0, 500]);
    assert.deepEqual(h.observer.cycles[1].reason, {
      kind: "changes",
      paths: ["/p/src/a", "/p/src/b", "/p/src/c"],
    });
    const start = h.clock.now();
    const emitting = (async () => {
      for (let at = 0; at < 3000; at += 100) {
        h.watcher.emit(`${ROOT}/p/src/x${at}`);
        await h.clock.sleep(100);
      }
    })();
    await h.observer.waiting();
    assert.equal(h.observer.cycles[2].at - start, 2200);
    await emitting;
    stop(h);
    const outcome = await loop;
    assert.deepEqual(outcome.cancel, { kind: "signal", signal: "SIGINT" });
    assert.equal(h.watcher.closed, 1);
  });

  test("WATCH-030 scenario 29: D = 0 plans in the same fake instant", async () => {
    const h = watchHarness({ tasks: [{ id: "p:t", inputs: ["src/**"] }] }, { debounceMs: 0 });
    const loop = h.run();
    await h.observer.waiting();
    await h.clock.sleep(700);
    h.watcher.emit(`${ROOT}/p/src/a`);
    await h.observer.waiting();
    assert.deepEqual(h.observer.cycles.map((cycle) => cycle.at), [0, 700]);
    stop(h);
    await loop;
  });

  test("WATCH-022 scenario 30: changes matching no trigger open no window", async () => {
    const h = watchHarness({
      tasks: [{ id: "p:build", inputs: ["src/**"] }, {
        id: "q:gen",
        inputs: ["in/**"],
        outputs: ["/p/src/gen/**"],
      }],
    });
    const loop = h.run();
    await h.observer.waiting();
    h.watcher.emit(
      `${ROOT}/p/README.md`,
      `${ROOT}/p/node_modules/x/y.js`,
      `${ROOT}/p/src/gen/a`,
      `${ROOT}/.git/x`,
    );
    await h.clock.sleep(5000);
    assert.equal(h.observer.cycles.length, 1);
    stop(h);
    await loop;
  });

  test("WATCH-045 scenario 33: a change while a task runs makes it stale; its successor waits for the next cycle", async () => {
    const h = watchHarness({
      tasks: [{ id: "p:t", inputs: ["src/**"] }, { id: "q:u", deps: ["p:t"], inputs: [] }],
    }, { programs: { "fake p:t": { steps: [{ sleep: 3000 }] } } });
    const loop = h.run();
    await h.clock.sleep(1000);
    h.watcher.emit(`${ROOT}/p/src/a`);
    await h.observer.waiting();
    assert.deepEqual(h.spawner.events.filter((event) => event.kind === "signal"), []);
    assert.equal(h.spawner.spawnCount("fake q:u"), 0);
    assert.deepEqual(h.observer.tasksOf("skipped"), []);
    await h.observer.waiting();
    assert.equal(h.spawner.spawnCount("fake p:t"), 2);
    assert.equal(h.spawner.spawnCount("fake q:u"), 1);
    assert.deepEqual(h.observer.cycles.map((cycle) => cycle.at), [0, 3000]);
    stop(h);
    await loop;
  });

  test("WATCH-026 scenario 35: an overflow matches every task with a trigger set", async () => {
    const h = watchHarness({
      tasks: [{ id: "p:a", inputs: ["src/**"] }, { id: "p:b", inputs: ["lib/**"] }, {
        id: "p:c",
        inputs: [],
      }],
    });
    const loop = h.run();
    await h.observer.waiting();
    h.watcher.overflow();
    await h.observer.waiting();
    assert.deepEqual(h.observer.cycles[1].reason, { kind: "overflow" });
    assert.equal(h.spawner.spawnCount("fake p:a"), 2);
    assert.equal(h.spawner.spawnCount("fake p:b"), 2);
    assert.equal(h.spawner.spawnCount("fake p:c"), 1);
    stop(h);
    await loop;
  });

  test("WATCH-044 scenario 37: a task whose predecessor failed last time is skipped, not spawned", async () => {
    const h = watchHarness({
      tasks: [{ id: "lib:build", inputs: ["src/**"] }, {
        id: "app:build",
        deps: ["lib:build"],
        inputs: ["src/**"],
      }],
    }, { programs: { "fake lib:build": { steps: [{ exit: 1 }] } } });
    const loop = h.run();
    await h.observer.waiting();
    h.watcher.emit(`${ROOT}/app/src/a.ts`);
    await h.observer.waiting();
    const skips = h.observer.ofKind("skipped").filter((event) => event.task === "app:build");
    assert.equal(skips.length, 2);
    assert.deepEqual(skips[1].record.cause, {
      kind: "upstream-failed",
      root: { project: "lib", task: "build" },
    });
    assert.equal(h.spawner.spawnCount("fake app:build"), 0);
    assert.equal(h.spawner.spawnCount("fake lib:build"), 1);
    stop(h);
    await loop;
  });

  test("WATCH-091 scenario 40: a watcher failure cancels the cycle and ends the loop with the error", async () => {
    const h = watchHarness({ tasks: [{ id: "p:t", inputs: ["src/**"] }] }, {
      programs: { "fake p:t": { steps: [{ sleep: 10_000 }] } },
    });
    const loop = h.run();
    await h.clock.sleep(1000);
    h.watcher.fail("limit");
    const outcome = await loop;
    assert.equal(outcome.error?.reason, "limit");
    assert.deepEqual(h.spawner.liveGroups(), []);
    assert.equal(h.observer.ofKind("cancelled").length, 1);
  });

  test("WATCH-090 a watcher that cannot start ends the loop before anything runs", async () => {
    const h = watchHarness({ tasks: [{ id: "p:t", inputs: ["src/**"] }] });
    h.watcher.failStart = "limit";
    const outcome = await h.run();
    assert.equal(outcome.error?.reason, "limit");
    assert.equal(outcome.cycles, 0);
    assert.equal(h.spawner.plans.length, 0);
  });

  test("WATCH-046 services stay up between cycles and restart when their inputs change", async () => {
    for (const onChange of ["restart", "keep"] as const) {
      const h = watchHarness({
        tasks: [
          { id: "app:serve", inputs: ["src/**"], service: { onChange } },
          { id: "app:e2e", deps: ["app:serve"], inputs: ["test/**"] },
        ],
      }, { programs: { "fake app:serve": { steps: [{ sleep: 1e9 }] } } });
      const loop = h.run();
      await h.observer.waiting();
      assert.equal(h.spawner.liveGroups().length, 1, "the service is up between cycles");
      h.watcher.emit(`${ROOT}/app/src/server.js`);
      // With `keep` nothing runs: no cycle, and so no wait for changes is announced.
      if (onChange === "restart") await h.observer.waiting();
      else await h.clock.sleep(1000);
      assert.equal(h.observer.cycles.length, onChange === "restart" ? 2 : 1);
      assert.equal(h.spawner.spawnCount("fake app:serve"), onChange === "restart" ? 2 : 1, onChange);
      assert.equal(h.spawner.spawnCount("fake app:e2e"), onChange === "restart" ? 2 : 1, onChange);
      assert.deepEqual(h.observer.changed, onChange === "restart" ? ["app:serve: 1 input changed"] : []);
      // The stop of a restart is not reported as a stop.
      assert.deepEqual(h.observer.tasksOf("finished").filter((task) => task === "app:serve"), []);
      h.watcher.emit(`${ROOT}/app/test/a.spec`);
      await h.observer.waiting();
      assert.equal(h.spawner.spawnCount("fake app:serve"), onChange === "restart" ? 2 : 1, onChange);
      assert.equal(h.spawner.spawnCount("fake app:e2e"), onChange === "restart" ? 3 : 2, onChange);
      stop(h);
      const outcome = await loop;
      assert.deepEqual(outcome.cancel, { kind: "signal", signal: "SIGINT" });
      assert.deepEqual(h.spawner.liveGroups(), []);
    }
  });

  test("WATCH-046 a service that fails between cycles is reported and the loop goes on", async () => {
    const h = watchHarness({
      tasks: [{ id: "s:web", inputs: ["src/**"], service: true }],
    }, { programs: { "fake s:web": { steps: [{ sleep: 5000 }, { exit: 1 }] } }, kept: ["s:web"] });
    const loop = h.run();
    await h.observer.waiting();
    await h.clock.sleep(6000);
    assert.deepEqual(h.observer.down, ["s:web"]);
    h.watcher.emit(`${ROOT}/s/src/a`);
    await h.observer.waiting();
    assert.equal(h.spawner.spawnCount("fake s:web"), 2);
    stop(h);
    await loop;
    assert.deepEqual(h.spawner.liveGroups(), []);
  });

  test("WATCH-048 scenario 36: a task that changes its own inputs is suspended after 3 cycles", async () => {
    const h = watchHarness({ tasks: [{ id: "p:stamp", inputs: ["src/**"] }] }, {
      programs: { "fake p:stamp": { steps: [{ sleep: 100 }] } },
    });
    const loop = h.run();
    for (const at of [50, 300, 550]) {
      await h.clock.sleep(at - h.clock.now());
      h.watcher.emit(`${ROOT}/p/src/stamp.txt`);
    }
    await h.clock.sleep(2000 - h.clock.now());
    assert.deepEqual(h.observer.cycles.map((cycle) => cycle.at), [0, 250, 500]);
    assert.deepEqual(h.observer.suspended, [{ task: "p:stamp", path: "/p/src/stamp.txt", at: 750 }]);
    h.watcher.emit(`${ROOT}/p/src/other.txt`);
    await h.observer.waiting();
    assert.deepEqual(h.observer.cycles.map((cycle) => cycle.at), [0, 250, 500, 2200]);
    assert.equal(h.spawner.spawnCount("fake p:stamp"), 4);
    stop(h);
    await loop;
  });

  test("WATCH-048 a write the task made, reported only after it ended, still counts as its own", async () => {
    const root = await realpath(await mkdtemp(join(tmpdir(), "haz-watch-guard-")));
    try {
      await mkdir(join(root, "p", "src"), { recursive: true });
      const h = watchHarness({ root, tasks: [{ id: "p:stamp", inputs: ["src/**"] }] }, {
        programs: { "fake p:stamp": { steps: [{ sleep: 100 }] } },
      });
      const loop = h.run();
      // Each run "writes" its input at +50 ms; the notification is handled 100 ms later, after its exit.
      for (const at of [50, 400, 750]) {
        await h.clock.sleep(at - h.clock.now());
        // Synchronous: the fake clock must not move (and end the task) while the file is written.
        writeFileSync(join(root, "p", "src", "stamp.txt"), String(at));
        await h.clock.sleep(100);
        h.watcher.emit(`${root}/p/src/stamp.txt`);
      }
      await h.clock.sleep(2000 - h.clock.now());
      assert.deepEqual(h.observer.cycles.map((cycle) => cycle.at), [0, 350, 700]);
      assert.deepEqual(h.observer.suspended.map(({ task, path }) => ({ task, path })), [
        { task: "p:stamp", path: "/p/src/stamp.txt" },
      ]);
      assert.equal(h.spawner.spawnCount("fake p:stamp"), 3);
      // A change made while it is idle runs it again (written later than the coarse file clock's step).
      await new Promise((resolve) => setTimeout(resolve, 100));
      await writeFile(join(root, "p", "src", "other.txt"), "x");
      h.watcher.emit(`${root}/p/src/other.txt`);
      await h.observer.waiting();
      assert.equal(h.spawner.spawnCount("fake p:stamp"), 4);
      stop(h);
      await loop;
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test("WATCH-041 scenario 31: a match whose key is unchanged runs nothing; after a failure it runs", async () => {
    const root = await realpath(await mkdtemp(join(tmpdir(), "haz-watch-prefilter-")));
    try {
      await mkdir(join(root, "p", "src"), { recursive: true });
      await writeFile(join(root, "p", "src", "a.txt"), "a");
      for (const exit of [0, 1]) {
        const h = watchHarness({ root, tasks: [{ id: "p:t", inputs: ["src/**"] }] }, {
          cache: true,
          clock: { idleMs: 5 },
          programs: { "fake p:t": { steps: [{ exit }] } },
        });
        const loop = h.run();
        await h.observer.waiting();
        const events = h.observer.events.length;
        h.watcher.emit(`${root}/p/src/a.txt`);
        if (exit === 0) {
          await h.clock.sleep(1000);
          assert.equal(h.observer.cycles.length, 1);
          assert.equal(h.observer.events.length, events);
        } else {
          await h.observer.waiting();
          assert.equal(h.spawner.spawnCount("fake p:t"), 2);
        }
        stop(h);
        await loop;
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test("WATCH-043 scenario 32: an unchanged result cuts off its successors; a changed one restarts the service", async () => {
    const root = await realpath(await mkdtemp(join(tmpdir(), "haz-watch-cutoff-")));
    try {
      await mkdir(join(root, "lib", "src"), { recursive: true });
      await mkdir(join(root, "app", "src"), { recursive: true });
      await writeFile(join(root, "app", "src", "main.ts"), "main");
      for (const onChange of ["restart", "keep"] as const) {
        await writeFile(join(root, "lib", "src", "a.ts"), "// 1");
        const gen = { steps: [{ out: "constant\n" }] };
        const h = watchHarness({
          root,
          tasks: [
            { id: "lib:gen", inputs: ["src/**"] },
            { id: "app:build", deps: ["lib:gen"], inputs: ["src/**"] },
            { id: "app:serve", deps: ["app:build"], service: { onChange } },
          ],
        }, {
          cache: true,
          clock: { idleMs: 5 },
          // The clock advances by itself while keys are hashed: the service must not end on a timer.
          programs: { "fake lib:gen": gen, "fake app:serve": { steps: [{ hang: true }] } },
        });
        const loop = h.run();
        await h.observer.waiting();
        // A comment changes lib:gen's key but not its stdout: app:build is a hit with the same key.
        await writeFile(join(root, "lib", "src", "a.ts"), "// 2");
        h.watcher.emit(`${root}/lib/src/a.ts`);
        await h.observer.waiting();
        const cycle2 = h.observer.ends[1].outcome.outcomes.map((entry) =>
          entry.kind === "completed" ? `${formatTask(entry.record.task)} ${entry.record.source}` : entry.kind
        );
        assert.deepEqual(cycle2, ["lib:gen fresh-run", "app:build cache-hit"], onChange);
        assert.equal(h.spawner.spawnCount("fake app:build"), 1, onChange);
        assert.equal(h.spawner.spawnCount("fake app:serve"), 1, onChange);
        assert.deepEqual(h.observer.changed, [], onChange);
        // A change of lib:gen's stdout: app:build runs, and a restarting service restarts.
        gen.steps[0] = { out: "changed\n" };
        await writeFile(join(root, "lib", "src", "a.ts"), "// 3");
        h.watcher.emit(`${root}/lib/src/a.ts`);
        await h.observer.waiting();
        assert.equal(h.spawner.spawnCount("fake app:build"), 2, onChange);
        assert.equal(h.spawner.spawnCount("fake app:serve"), onChange === "restart" ? 2 : 1, onChange);
        assert.deepEqual(
          h.observer.changed,
          onChange === "restart" ? ["app:serve: app:build changed"] : [],
          onChange,
        );
        assert.equal(h.spawner.liveGroups().length, 1, "one instance of the service");
        stop(h);
        await loop;
        assert.deepEqual(h.spawner.liveGroups(), []);
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test("WATCH-042 a task reading another's outputs without a dep runs after it in a later cycle", async () => {
    const h = watchHarness({
      tasks: [
        { id: "lib:gen", inputs: ["src/**"], outputs: ["out/**"] },
        { id: "app:use", inputs: ["/lib/out/**"] },
      ],
      producerEdges: [["lib:gen", "app:use"]],
    }, { programs: { "fake lib:gen": { steps: [{ sleep: 3000 }] } } });
    const loop = h.run();
    await h.observer.waiting();
    const at = (kind: "started" | "finished", task: string) =>
      h.observer.events.filter((event) => event.kind === kind && event.task === task).map((event) =>
        event.at
      );
    // WATCH-040: cycle 1 runs as `haz run` does, where producer edges are metadata (DAG-013).
    assert.deepEqual(at("started", "app:use"), [0]);
    assert.deepEqual(at("finished", "lib:gen"), [3000]);
    const cycle2 = h.clock.now();
    h.watcher.emit(`${ROOT}/lib/src/a.ts`);
    await h.observer.waiting();
    const generated = at("finished", "lib:gen")[1];
    assert.equal(generated, cycle2 + 200 + 3000);
    assert.deepEqual(at("started", "app:use"), [0, generated]);
    stop(h);
    await loop;
  });

  test("WATCH-046 a service reading a producer's outputs restarts after it, naming it", async () => {
    const h = watchHarness({
      tasks: [
        { id: "lib:gen", inputs: ["src/**"], outputs: ["out/**"] },
        { id: "app:serve", inputs: ["/lib/out/**"], service: true },
      ],
      producerEdges: [["lib:gen", "app:serve"]],
    }, {
      programs: {
        "fake lib:gen": { steps: [{ sleep: 1000 }] },
        "fake app:serve": { steps: [{ hang: true }] },
      },
    });
    const loop = h.run();
    await h.observer.waiting();
    h.watcher.emit(`${ROOT}/lib/src/a.ts`);
    await h.observer.waiting();
    assert.deepEqual(h.observer.changed, ["app:serve: lib:gen changed"]);
    const generated =
      h.observer.events.filter((event) => event.kind === "finished" && event.task === "lib:gen")
        .at(-1)!.at;
    const started = h.observer.events.filter((event) =>
      event.kind === "started" && event.task === "app:serve"
    );
    assert.equal(started.length, 2);
    assert.ok(
      started[1].at >= generated,
      `app:serve started at ${started[1].at}, lib:gen ended at ${generated}`,
    );
    assert.equal(h.spawner.liveGroups().length, 1, "one instance of the service");
    stop(h);
    await loop;
    assert.deepEqual(h.spawner.liveGroups(), []);
  });

  test("WATCH-043 a producer whose key did not change cuts off its consumer; a new key runs it", async () => {
    const root = await realpath(await mkdtemp(join(tmpdir(), "haz-watch-producer-")));
    try {
      await mkdir(join(root, "lib", "src"), { recursive: true });
      await writeFile(join(root, "lib", "src", "a.ts"), "// 1");
      const tool = { steps: [{ out: "constant\n" }] };
      const h = watchHarness({
        root,
        tasks: [
          { id: "lib:tool", inputs: ["src/**"] },
          { id: "lib:gen", deps: ["lib:tool"], inputs: ["gen/**"], outputs: ["out/**"] },
          { id: "app:use", inputs: ["/lib/out/**"] },
        ],
        producerEdges: [["lib:gen", "app:use"]],
      }, {
        cache: true,
        clock: { idleMs: 5 },
        programs: { "fake lib:tool": tool, "fake lib:gen": { steps: [{ sleep: 1000 }] } },
      });
      const loop = h.run();
      await h.observer.waiting();
      assert.equal(h.spawner.spawnCount("fake app:use"), 1);
      // lib:tool's key changes, its stdout does not: lib:gen is a hit with its last key.
      await writeFile(join(root, "lib", "src", "a.ts"), "// 2");
      h.watcher.emit(`${root}/lib/src/a.ts`);
      await h.observer.waiting();
      const cycle2 = h.observer.ends[1].outcome.outcomes.map((entry) =>
        entry.kind === "completed" ? `${formatTask(entry.record.task)} ${entry.record.source}` : entry.kind
      );
      assert.deepEqual(cycle2, ["lib:tool fresh-run", "lib:gen cache-hit"]);
      assert.equal(
        h.observer.events.filter((event) => event.kind === "started" && event.task === "app:use").length,
        1,
      );
      // A new stdout gives lib:gen a new key: it runs, and app:use after it.
      tool.steps[0] = { out: "changed\n" };
      await writeFile(join(root, "lib", "src", "a.ts"), "// 3");
      h.watcher.emit(`${root}/lib/src/a.ts`);
      await h.observer.waiting();
      // app:use writes nothing its key covers, so it is a hit: it ran, after lib:gen.
      const cycle3 = h.observer.ends[2].outcome.outcomes.map((entry) =>
        entry.kind === "completed" ? `${formatTask(entry.record.task)} ${entry.record.source}` : entry.kind
      );
      assert.deepEqual(cycle3, ["lib:tool fresh-run", "lib:gen fresh-run", "app:use cache-hit"]);
      const generated = h.observer.events.filter((event) =>
        event.kind === "finished" && event.task === "lib:gen"
      )
        .at(-1)!.at;
      const used = h.observer.events.filter((event) => event.kind === "started" && event.task === "app:use")
        .at(-1)!.at;
      assert.ok(used >= generated, `app:use started at ${used}, before lib:gen finished at ${generated}`);
      stop(h);
      await loop;
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test("WATCH-047 scenario 39: with concurrency 1 a restarting service and a cycle task never start at once", async () => {
    const h = watchHarness({
      tasks: [
        { id: "p:t", inputs: ["src/**"] },
        {
          id: "s:svc",
          service: {
            ready: { line: /^ok$/u, port: null, url: null, timeoutMs: 60_000 },
            onExit: "restart",
            maxRestarts: 3,
          },
        },
      ],
    }, {
      concurrency: 1,
      programs: {
        "fake p:t": { steps: [{ sleep: 3000 }] },
        "fake s:svc": { steps: [{ sleep: 500 }, { out: "ok\n" }, { sleep: 1500 }, { exit: 1 }] },
      },
    });
    const loop = h.run();
    await h.observer.waiting();
    // s:svc exits at 5000 and wants its slot back at 6000, while cycle 2's p:t holds it (4200–7200).
    await h.clock.sleep(4000 - h.clock.now());
    h.watcher.emit(`${ROOT}/p/src/a`);
    // Cycle 3 wants the slot at 7600, while the restarted s:svc is still starting (7200–7700).
    await h.clock.sleep(7400 - h.clock.now());
    h.watcher.emit(`${ROOT}/p/src/b`);
    await h.clock.sleep(12_000 - h.clock.now());
    const spawns = (argv: string) =>
      h.spawner.events.filter((event) => event.kind === "spawn" && event.argv.join(" ") === argv)
        .map((event) => event.at);
    assert.deepEqual(spawns("fake p:t"), [0, 4200, 7700]);
    assert.deepEqual(spawns("fake s:svc").slice(0, 2), [3000, 7200]);
    const starting = [
      ...spawns("fake p:t").map((at) => [at, at + 3000]),
      ...spawns("fake s:svc").map((at) => [at, at + 500]),
    ].sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < starting.length; i++) {
      assert.ok(starting[i][0] >= starting[i - 1][1], `overlap: ${JSON.stringify(starting)}`);
    }
    stop(h);
    await loop;
    assert.deepEqual(h.spawner.liveGroups(), []);
  });

  test("WATCH-049 scenario 38: configuration reloads; errors hold every window until a fix", async () => {
    const spec = { tasks: [{ id: "p:t", inputs: ["src/**"] }] };
    const changed = buildGraph({ tasks: [{ id: "p:t", inputs: ["src/**"], command: ["fake", "p:t2"] }] });
    const h = createHarness(spec, { programs: { "fake p:t2": { steps: [] } } });
    const observer = new WatchRecorder(h.clock);
    const watcher = new FakeFileWatcher();
    const answers: WatchReload[] = [
      { ok: true, workspace: changed.workspace, graph: changed.graph, runSet: new Set(["p:t"]) },
      { ok: false, diagnostics: [] },
      { ok: true, workspace: changed.workspace, graph: changed.graph, runSet: new Set(["p:t"]) },
    ];
    const loop = watchGraph({
      ...h.ctx,
      observer,
      watcher,
      debounceMs: 200,
      reload: () => Promise.resolve(answers.shift()!),
    });
    await observer.waiting();
    watcher.emit(`${ROOT}/p/haz.yml`);
    await observer.waiting();
    assert.deepEqual(observer.cycles[1].reason, { kind: "configuration", path: "/p/haz.yml" });
    assert.equal(h.spawner.spawnCount("fake p:t2"), 1);
    watcher.emit(`${ROOT}/p/haz.yml`);
    await h.clock.sleep(1000);
    assert.equal(observer.configErrors.length, 1);
    watcher.emit(`${ROOT}/p/src/a.ts`);
    await h.clock.sleep(1000);
    assert.equal(observer.cycles.length, 2, "no cycle while the configuration has errors");
    watcher.emit(`${ROOT}/p/haz.yml`);
    await observer.waiting();
    assert.equal(observer.cycles.length, 3);
    assert.equal(h.spawner.spawnCount("fake p:t2"), 2);
    h.control.cancel({ kind: "signal", signal: "SIGINT" });
    await loop;
  });
});
