import assert from "node:assert/strict";
import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256 } from "../../lib/cache/hash_algorithm.ts";
import { describe, test } from "node:test";
import type { ReadyCondition, ServiceSpec } from "../../lib/domain/service_spec.ts";
import { exitCodeFor } from "../../lib/exec/exit_code.ts";
import { runGraph } from "../../lib/exec/run_graph.ts";
import type { RunGraphResult } from "../../lib/exec/run_trace.ts";
import { FakeClock } from "../support/fake_clock.ts";
import { createHarness, type Harness, outcomeOf, verdictOf } from "../support/graph_builder.ts";
import { MemoryCache } from "../support/memory_cache.ts";

const FOREVER = 1e9;

/** A `ready` condition with the default timeout. */
function ready(parts: Partial<ReadyCondition>): ReadyCondition {
  return { line: null, port: null, url: null, timeoutMs: 60_000, ...parts };
}

/** `service` with a `ready.line`. */
function readyLine(pattern: RegExp, extra: Partial<ServiceSpec> = {}): Partial<ServiceSpec> {
  return { ready: ready({ line: pattern }), ...extra };
}

/** A server that prints `up` after `ms` and then runs until stopped. */
function upAfter(ms: number) {
  return { steps: [{ sleep: ms }, { out: "up\n" }, { sleep: FOREVER }] };
}

/** A service record's `service` part and verdict. */
function serviceOf(result: RunGraphResult, task: string) {
  const outcome = outcomeOf(result, task);
  assert.ok(outcome.kind === "completed", `${task}: ${outcome.kind}`);
  return outcome.record;
}

/** Cancels the run at fake time `at` and says whether runGraph had resolved before. */
function cancelAt(h: Harness, at: number, run: Promise<unknown>): Promise<boolean> {
  let resolved = false;
  void run.then(() => resolved = true);
  return h.clock.sleep(at).then(() => {
    const before = resolved;
    h.control.cancel({ kind: "signal", signal: "SIGINT" });
    return before;
  });
}

function signalsTo(h: Harness, argv: string): { at: number; signal: string }[] {
  return h.spawner.events.filter((event) => event.kind === "signal" && event.argv.join(" ") === argv)
    .map((event) => ({ at: event.at, signal: event.signal! }));
}

function deadAt(h: Harness, argv: string): number {
  const event = h.spawner.events.find((e) => e.kind === "group-dead" && e.argv.join(" ") === argv);
  assert.ok(event !== undefined, `${argv} never died`);
  return event.at;
}

describe("services in runGraph (09-services-and-watch.md §14, [lib])", () => {
  test("SVC-022 scenario 1: a line split across chunks and coloured comes up when completed", async () => {
    const h = createHarness({
      tasks: [
        { id: "s:api", service: readyLine(/^Local: http:\/\/localhost:\d+\/$/u) },
        { id: "t:e2e", deps: ["s:api"] },
      ],
    }, {
      programs: {
        "fake s:api": {
          steps: [{ sleep: 1000 }, { out: "\x1b[32mLocal:\x1b[0m http://lo" }, { sleep: 500 }, {
            out: "calhost:5173/\r\n",
          }, { sleep: FOREVER }],
        },
      },
    });
    const result = await runGraph(h.ctx);
    const up = h.observer.ofKind("up");
    assert.deepEqual(up.map((event) => [event.task, event.at, event.upMs]), [["s:api", 1500, 1500]]);
    const started = h.observer.ofKind("started").find((event) => event.task === "t:e2e");
    assert.equal(started?.at, 1500);
    const lastOutput = h.observer.events.findLastIndex((event) =>
      event.kind === "stdout" && event.task === "s:api"
    );
    assert.ok(lastOutput < h.observer.events.findIndex((event) => event.kind === "up"));
    assert.equal(exitCodeFor(result), 0);
    assert.deepEqual(h.spawner.liveGroups(), []);
  });

  test("SVC-023 scenario 2: port probes at spawn and 250 ms after each, on 127.0.0.1 and ::1", async () => {
    const h = createHarness({
      tasks: [{ id: "s:api", service: { ready: ready({ port: { host: null, port: 4100 } }) } }, {
        id: "t:e2e",
        deps: ["s:api"],
      }],
    }, {
      programs: { "fake s:api": { steps: [{ sleep: FOREVER }] } },
      probes: { tcp: (host, _port, now) => host === "::1" && now >= 2000 },
    });
    await runGraph(h.ctx);
    const times = [...new Set(h.prober.attempts.map((attempt) => attempt.at))];
    assert.deepEqual(times, [0, 250, 500, 750, 1000, 1250, 1500, 1750, 2000]);
    for (const at of times) {
      assert.deepEqual(
        h.prober.attempts.filter((attempt) => attempt.at === at).map((attempt) => attempt.target).sort(),
        ["127.0.0.1:4100", "::1:4100"],
      );
    }
    assert.deepEqual(h.observer.ofKind("up").map((event) => event.at), [2000]);
  });

  test("SVC-021 scenario 3: every condition must hold; one that held stays satisfied", async () => {
    const h = createHarness({
      tasks: [{
        id: "s:api",
        service: { ready: ready({ line: /ok/u, port: { host: null, port: 4100 } }) },
      }, { id: "t:e2e", deps: ["s:api"] }],
    }, {
      programs: { "fake s:api": { steps: [{ sleep: 1000 }, { out: "ok\n" }, { sleep: FOREVER }] } },
      probes: { tcp: (_host, _port, now) => now >= 3000 },
    });
    await runGraph(h.ctx);
    assert.deepEqual(h.observer.ofKind("up").map((event) => event.at), [3000]);
  });

  test("SVC-025 scenario 4: not ready in time → SIGTERM at the timeout, failed, consumer skipped", async () => {
    const h = createHarness({
      tasks: [{ id: "s:api", service: readyLine(/never/u) }, { id: "t:e2e", deps: ["s:api"] }],
    }, { programs: { "fake s:api": { steps: [{ sleep: FOREVER }] } } });
    const result = await runGraph(h.ctx);
    assert.deepEqual(signalsTo(h, "fake s:api"), [{ at: 60_000, signal: "SIGTERM" }]);
    const api = serviceOf(result, "s:api");
    assert.equal(api.state, "failed");
    assert.deepEqual(api.failure, { kind: "not-ready", limitMs: 60_000 });
    const e2e = outcomeOf(result, "t:e2e");
    assert.ok(e2e.kind === "skipped");
    assert.deepEqual(e2e.record.cause, { kind: "upstream-failed", root: { project: "s", task: "api" } });
    assert.equal(exitCodeFor(result), 1);
  });

  test("SVC-025 scenario 5: an exit before it is up fails it, never restarted", async () => {
    const h = createHarness({
      tasks: [{ id: "s:api", service: readyLine(/up/u, { onExit: "restart" }) }, {
        id: "t:e2e",
        deps: ["s:api"],
      }],
    }, { programs: { "fake s:api": { steps: [{ sleep: 500 }, { exit: 0 }] } } });
    const result = await runGraph(h.ctx);
    assert.deepEqual(serviceOf(result, "s:api").failure, {
      kind: "exited-before-ready",
      status: { code: 0, signal: null },
    });
    assert.equal(h.spawner.spawnCount("fake s:api"), 1);
    assert.equal(exitCodeFor(result), 1);
  });

  test("SVC-040 scenario 6: a service holds its slot only while starting; -j 1 does not deadlock", async () => {
    const h = createHarness({
      tasks: [
        { id: "a:s", service: readyLine(/up/u) },
        { id: "b:s", service: readyLine(/up/u) },
        { id: "t:t", deps: ["a:s", "b:s"] },
      ],
    }, { concurrency: 1, programs: { "fake a:s": upAfter(1000), "fake b:s": upAfter(1000) } });
    const result = await runGraph(h.ctx);
    const spawns = h.spawner.events.filter((event) => event.kind === "spawn");
    assert.deepEqual(spawns.map((event) => [event.argv.join(" "), event.at]), [
      ["fake a:s", 0],
      ["fake b:s", 1000],
      ["fake t:t", 2000],
    ]);
    assert.deepEqual(new Set(result.trace.admissions.map((span) => span.lane)), new Set([1]));
    assert.equal(exitCodeFor(result), 0);
  });

  test("SVC-052 scenario 7: dependency services stop after their consumers, in reverse order", async () => {
    const h = createHarness({
      tasks: [
        { id: "db:up", service: readyLine(/up/u) },
        { id: "api:serve", deps: ["db:up"], service: readyLine(/up/u) },
        { id: "web:e2e", deps: ["api:serve"] },
      ],
    }, {
      programs: {
        "fake db:up": upAfter(100),
        "fake api:serve": upAfter(100),
        "fake web:e2e": { steps: [{ sleep: 1000 }] },
      },
    });
    const result = await runGraph(h.ctx);
    const e2eEnd = outcomeOf(result, "web:e2e").record.timing.endedAt;
    assert.equal(e2eEnd, 1200);
    assert.deepEqual(signalsTo(h, "fake api:serve"), [{ at: 1200, signal: "SIGTERM" }]);
    const dbSignals = signalsTo(h, "fake db:up");
    assert.equal(dbSignals[0].signal, "SIGTERM");
    assert.ok(dbSignals[0].at >= deadAt(h, "fake api:serve"));
    const apiIndex = h.spawner.events.findIndex((e) => e.kind === "group-dead" && e.argv[1] === "api:serve");
    const dbIndex = h.spawner.events.findIndex((e) => e.kind === "signal" && e.argv[1] === "db:up");
    assert.ok(apiIndex < dbIndex);
    for (const id of ["db:up", "api:serve"]) {
      const record = serviceOf(result, id);
      assert.equal(record.state, "succeeded");
      assert.equal(record.source, "service");
      assert.equal(record.service?.stop, "unneeded");
      assert.equal(record.service?.kept, false);
    }
    assert.equal(exitCodeFor(result), 0);
    assert.deepEqual(h.spawner.liveGroups(), []);
  });

  test("SVC-050 SVC-053 scenario 8: a selected service keeps the run going until Ctrl-C (130)", async () => {
    const h = createHarness({
      tasks: [{ id: "s:web", service: readyLine(/up/u) }, { id: "s:lint" }],
    }, {
      kept: ["s:web"],
      programs: { "fake s:web": upAfter(100), "fake s:lint": { steps: [{ sleep: 500 }] } },
    });
    const run = runGraph(h.ctx);
    const resolvedEarly = cancelAt(h, 60_000, run);
    const result = await run;
    assert.equal(await resolvedEarly, false);
    const web = serviceOf(result, "s:web");
    assert.equal(web.state, "succeeded");
    assert.equal(web.service?.stop, "cancelled");
    assert.equal(web.service?.kept, true);
    assert.deepEqual(h.observer.ofKind("services-only").map((event) => [event.at, event.services]), [
      [500, ["s:web"]],
    ]);
    assert.equal(exitCodeFor(result), 130);
  });

  test("SVC-061 scenario 9: an up service fails; running consumers go on, waiting ones are skipped", async () => {
    const h = createHarness({
      tasks: [
        { id: "s:svc", service: readyLine(/up/u) },
        { id: "f:slow" },
        { id: "t:a", deps: ["s:svc"] },
        { id: "t:b", deps: ["s:svc", "f:slow"] },
      ],
    }, {
      programs: {
        "fake s:svc": { steps: [{ sleep: 1000 }, { out: "up\n" }, { sleep: 4000 }, { exit: 1 }] },
        "fake f:slow": { steps: [{ sleep: 8000 }] },
        "fake t:a": { steps: [{ sleep: 6000 }] },
      },
    });
    const result = await runGraph(h.ctx);
    assert.equal(verdictOf(result, "t:a"), "succeeded");
    assert.equal(outcomeOf(result, "t:a").record.timing.endedAt, 7000);
    const b = outcomeOf(result, "t:b");
    assert.ok(b.kind === "skipped");
    assert.deepEqual(b.record.cause, { kind: "upstream-failed", root: { project: "s", task: "svc" } });
    assert.deepEqual(serviceOf(result, "s:svc").failure, {
      kind: "exited-while-running",
      status: { code: 1, signal: null },
    });
    assert.equal(exitCodeFor(result), 1);
  });

  test("SVC-029 SVC-044 scenario 10: restarts with back-off 1 s, 2 s, 4 s; then failed", async () => {
    const h = createHarness({
      tasks: [
        { id: "s:svc", service: { onExit: "restart", maxRestarts: 3 } },
        { id: "f:slow" },
        { id: "t:c", deps: ["s:svc", "f:slow"] },
      ],
    }, {
      kept: ["s:svc"],
      programs: {
        "fake s:svc": { steps: [{ sleep: 1000 }, { exit: 1 }] },
        "fake f:slow": { steps: [{ sleep: 1500 }] },
      },
    });
    const result = await runGraph(h.ctx);
    assert.deepEqual(h.spawner.intervals("fake s:svc").map(([start]) => start), [0, 2000, 5000, 10_000]);
    const lines = h.observer.events.flatMap((event) =>
      event.kind === "restarting"
        ? [`↻ ${event.restart.restart}/${event.restart.maxRestarts} in ${event.restart.backoffMs}`]
        : event.kind === "finished" && event.task === "s:svc"
        ? [`✗ ${event.record.failure?.kind}`]
        : []
    );
    assert.deepEqual(lines, ["↻ 1/3 in 1000", "↻ 2/3 in 2000", "↻ 3/3 in 4000", "✗ exited-while-running"]);
    assert.equal(h.observer.ofKind("started").find((event) => event.task === "t:c")?.at, 2000);
    assert.equal(serviceOf(result, "s:svc").service?.restarts, 3);
    assert.equal(exitCodeFor(result), 1);
  });

  test("SVC-052 scenario 11: a dependency service no consumer needs any more is skipped `unneeded`", async () => {
    const h = createHarness({
      tasks: [{ id: "s:svc", service: true }, { id: "f:fail" }, { id: "t:c", deps: ["s:svc", "f:fail"] }],
    }, { concurrency: 1, programs: { "fake f:fail": { steps: [{ sleep: 100 }, { exit: 1 }] } } });
    const result = await runGraph(h.ctx);
    assert.equal(verdictOf(result, "s:svc"), "skipped:unneeded");
    assert.equal(h.spawner.spawnCount("fake s:svc"), 0);
    assert.equal(exitCodeFor(result), 1);
  });

  test("SVC-046 scenario 13: a service aggregate is up when its services are; released after e2e", async () => {
    const tasks = [
      { id: "db:up", service: readyLine(/up/u) },
      { id: "api:serve", deps: ["db:up"], service: readyLine(/up/u) },
      { id: "w:stack", aggregate: true, deps: ["db:up", "api:serve"] },
      { id: "w:e2e", deps: ["w:stack"] },
    ];
    const programs = { "fake db:up": upAfter(100), "fake api:serve": upAfter(100) };
    const h = createHarness({ tasks }, { programs });
    const result = await runGraph(h.ctx);
    assert.deepEqual(h.observer.ofKind("up").map((event) => [event.task, event.at]), [
      ["db:up", 100],
      ["api:serve", 200],
      ["w:stack", 200],
    ]);
    assert.equal(h.observer.ofKind("started").find((event) => event.task === "w:e2e")?.at, 200);
    assert.ok(deadAt(h, "fake api:serve") <= signalsTo(h, "fake db:up")[0].at);
    assert.equal(serviceOf(result, "w:stack").source, "aggregate");
    assert.equal(exitCodeFor(result), 0);

    const kept = createHarness({ tasks }, {
      programs,
      runSet: ["db:up", "api:serve", "w:stack"],
      kept: ["w:stack"],
    });
    const run = runGraph(kept.ctx);
    const resolvedEarly = cancelAt(kept, 30_000, run);
    const keptResult = await run;
    assert.equal(await resolvedEarly, false);
    for (const id of ["db:up", "api:serve"]) {
      assert.equal(serviceOf(keptResult, id).service?.stop, "cancelled");
    }
    assert.equal(exitCodeFor(keptResult), 130);
  });

  test("SVC-062 scenario 14: cancellation stops starting and up services in the same instant", async () => {
    const h = createHarness({
      tasks: [
        { id: "s:db", service: true },
        { id: "s:api", service: readyLine(/never/u) },
        { id: "t:e2e", deps: ["s:api", "s:db"] },
      ],
    }, { programs: { "fake s:db": upAfter(0), "fake s:api": { steps: [{ sleep: FOREVER }] } } });
    const run = runGraph(h.ctx);
    void cancelAt(h, 1000, run);
    const result = await run;
    assert.deepEqual(signalsTo(h, "fake s:api"), [{ at: 1000, signal: "SIGTERM" }]);
    assert.deepEqual(signalsTo(h, "fake s:db"), [{ at: 1000, signal: "SIGTERM" }]);
    const api = outcomeOf(result, "s:api");
    assert.ok(api.kind === "cancelled" && api.record.kind === "signaled-in-flight");
    assert.equal(api.record.lastSignal, "SIGTERM");
    assert.equal(serviceOf(result, "s:db").service?.stop, "cancelled");
    assert.equal(exitCodeFor(result), 130);
  });

  test("SVC-043 scenario 15: a soft edge waits for up; the selected service is kept", async () => {
    const h = createHarness({
      tasks: [{ id: "s:svc", service: readyLine(/up/u) }, { id: "t:t", weakDeps: ["s:svc"] }],
    }, { kept: ["s:svc", "t:t"], programs: { "fake s:svc": upAfter(700) } });
    const run = runGraph(h.ctx);
    const resolvedEarly = cancelAt(h, 10_000, run);
    const result = await run;
    assert.equal(await resolvedEarly, false);
    assert.equal(h.observer.ofKind("started").find((event) => event.task === "t:t")?.at, 700);
    assert.equal(verdictOf(result, "t:t"), "succeeded");
    assert.equal(exitCodeFor(result), 130);
  });

  test("SVC-026 a service's stdin is held and closed when it is stopped", async () => {
    const h = createHarness({
      tasks: [{ id: "s:svc", service: true }, { id: "t:t", deps: ["s:svc"] }],
    }, {
      programs: {
        "fake s:svc": { steps: [{ sleep: FOREVER }], onStdinClose: "exit", onTerm: "ignore" },
        "fake t:t": { steps: [{ sleep: 3000 }] },
      },
    });
    const result = await runGraph(h.ctx);
    assert.deepEqual(h.spawner.plans.map((plan) => plan.stdin ?? "null"), ["held", "null"]);
    const closed = h.spawner.events.find((event) => event.kind === "stdin-closed");
    assert.equal(closed?.at, 3000);
    assert.equal(serviceOf(result, "s:svc").state, "succeeded");
    assert.equal(exitCodeFor(result), 0);
  });

  test("SVC-045 scenario 12: a consumer's key carries the service's start key", async () => {
    const root = await realpath(await mkdtemp(join(tmpdir(), "haz-services-key-")));
    try {
      await mkdir(join(root, "s", "src"), { recursive: true });
      await writeFile(join(root, "s", "src", "server.js"), "one");
      const cache = new MemoryCache({ hash: sha256, clock: new FakeClock() });
      const keyed = (serviceInputs: string[] | undefined) => ({
        root,
        tasks: [
          { id: "s:api", inputs: serviceInputs, service: true as const },
          { id: "t:e2e", deps: ["s:api"], inputs: [] },
        ],
      });
      const run = async (serviceInputs: string[] | undefined) => {
        const h = createHarness(keyed(serviceInputs), {
          cache,
          clock: { idleMs: 5 },
          programs: { "fake s:api": { steps: [{ sleep: FOREVER }] } },
        });
        const result = await runGraph(h.ctx);
        return { record: serviceOf(result, "t:e2e"), lookups: cache.lookups.length };
      };
      const first = await run(["src/server.js"]);
      assert.equal(first.record.source, "fresh-run");
      assert.notEqual(first.record.key, null);
      const second = await run(["src/server.js"]);
      assert.equal(second.record.source, "cache-hit");
      assert.equal(second.record.key, first.record.key);
      await writeFile(join(root, "s", "src", "server.js"), "two");
      const changed = await run(["src/server.js"]);
      assert.equal(changed.record.source, "fresh-run");
      assert.notEqual(changed.record.key, first.record.key);
      const before = cache.lookups.length;
      const unkeyed = await run(undefined);
      assert.equal(unkeyed.record.key, null);
      assert.equal(cache.lookups.length, before);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
