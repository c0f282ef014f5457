import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { comparePrintedIds } from "../../lib/domain/task_id.ts";
import { lockKey } from "../../lib/exec/mutex_table.ts";
import { runGraph } from "../../lib/exec/run_graph.ts";
import type { RunGraphResult } from "../../lib/exec/run_trace.ts";
import type { FakeProgram } from "../support/fake_spawner.ts";
import {
  createHarness,
  type GraphSpec,
  type Harness,
  type HarnessOptions,
  type TaskSpec,
} from "../support/graph_builder.ts";
import { seededRandom } from "../support/seeded_random.ts";

interface Scenario {
  readonly spec: GraphSpec;
  readonly options: HarnessOptions;
  readonly cancelAt: number | null;
  readonly killAt: number | null;
}

const PROJECTS = ["a", "a-b", "b", "c", "db_a", "z"];
const TAGS = ["heavy", "db", "io"];
const LOCKS = ["m1", "m2", "~:m1", "~:m3"];

function scenario(seed: number): Scenario {
  const next = seededRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
  const count = 1 + Math.floor(next() ** 2 * 200);
  const ids: string[] = [];
  for (let index = 0; index < count; index++) ids.push(`${pick(PROJECTS)}:t${index}`);
  // Edges only go forward in this creation order, so hard ∪ soft is acyclic (DAG-014).
  const tasks: TaskSpec[] = [];
  const programs: Record<string, FakeProgram> = {};
  const hits: string[] = [];
  for (const [index, id] of ids.entries()) {
    const earlier = ids.slice(0, index);
    const deps = new Set<string>();
    const weakDeps = new Set<string>();
    for (let k = Math.floor(next() * 4); k > 0 && earlier.length > 0; k--) deps.add(pick(earlier));
    for (let k = Math.floor(next() * 3); k > 0 && earlier.length > 0; k--) {
      const candidate = pick(earlier);
      if (!deps.has(candidate)) weakDeps.add(candidate);
    }
    const aggregate = next() < 0.05;
    const cacheable = !aggregate && next() < 0.3;
    if (cacheable && next() < 0.5) hits.push(id);
    const mutexRoll = next();
    const mutex = aggregate || mutexRoll > 0.3
      ? undefined
      : { name: pick(LOCKS), mode: next() < 0.4 ? "shared" as const : "exclusive" as const };
    const timeoutMs = !aggregate && next() < 0.05 ? 20 + Math.floor(next() * 40) : undefined;
    tasks.push({
      id,
      deps: [...deps],
      weakDeps: [...weakDeps],
      aggregate,
      inputs: cacheable ? [] : undefined,
      mutex,
      timeoutMs,
    });
    if (aggregate) continue;
    const steps: FakeProgram["steps"] = [];
    for (let k = Math.floor(next() * 3); k > 0; k--) {
      steps.push({ out: `${id} ${k}\n` }, { sleep: 10 * Math.floor(next() * 6) });
    }
    const ending = next();
    if (ending < 0.08) steps.push({ exit: 1 });
    else if (ending < 0.1) steps.push({ die: "SIGSEGV" });
    programs[`fake ${id}`] = {
      steps,
      spawnError: next() < 0.02 ? "not-found" : undefined,
      stragglers: next() < 0.05 ? 1 : undefined,
      onTerm: next() < 0.1 ? "ignore" : undefined,
    };
  }
  const tags: Record<string, string[]> = {};
  for (const project of PROJECTS) tags[project] = TAGS.filter(() => next() < 0.3);
  const tagCaps: Record<string, number> = {};
  for (const tag of TAGS) if (next() < 0.5) tagCaps[tag] = 1 + Math.floor(next() * 3);
  const runSet = next() < 0.3 ? closedSubset(ids, tasks, next) : undefined;
  return {
    spec: { tags, tasks },
    options: {
      programs,
      concurrency: 1 + Math.floor(next() * 6),
      tagCaps,
      cancelGraceMs: pick([0, 30, 5000]),
      failFast: next() < 0.1,
      cache: { hitTasks: hits },
      runSet,
    },
    cancelAt: next() < 0.1 ? Math.floor(next() * 200) : null,
    killAt: next() < 0.05 ? Math.floor(next() * 300) : null,
  };
}

/** A random selection plus its transitive hard predecessors (02-graph.md). */
function closedSubset(ids: readonly string[], tasks: readonly TaskSpec[], next: () => number): string[] {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const chosen = new Set<string>();
  const stack = ids.filter(() => next() < 0.3);
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (chosen.has(id)) continue;
    chosen.add(id);
    stack.push(...(byId.get(id)?.deps ?? []));
  }
  return [...chosen];
}

type Interval = readonly [number, number];

/** Peak number of overlapping half-open intervals; releases at an instant come before admissions. */
function peak(intervals: readonly Interval[]): number {
  const events = intervals.flatMap(([start, end]) => [[start, 1], [end, -1]] as const);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let current = 0;
  let highest = 0;
  for (const [, delta] of events) {
    current += delta;
    highest = Math.max(highest, current);
  }
  return highest;
}

function check(seed: number, scenario: Scenario, h: Harness, result: RunGraphResult): void {
  const label = `seed ${seed}`;
  const { graph, runSet } = h.ctx;
  const printed = (task: { project: string; task: string }) => `${task.project}:${task.task}`;

  // Every run-set task is reported exactly once, by record and by terminal callback.
  const reported = [
    ...result.outcomes.map((o) => printed(o.record.task)),
    ...result.taskErrors.map((e) => printed(e.task)),
  ];
  assert.deepEqual([...reported].sort(comparePrintedIds), [...runSet].sort(comparePrintedIds), label);
  const terminal = h.observer.events.flatMap((event) =>
    ["finished", "errored", "skipped", "cancelled"].includes(event.kind)
      ? [(event as { task: string }).task]
      : []
  );
  assert.deepEqual(terminal.sort(comparePrintedIds), [...runSet].sort(comparePrintedIds), label);
  const started = h.observer.tasksOf("started");
  assert.equal(new Set(started).size, started.length, `${label}: onTaskStarted twice`);
  assert.deepEqual(h.spawner.liveGroups(), [], label);

  const records = new Map<string, { kind: string; record: any }>();
  for (const outcome of result.outcomes) records.set(printed(outcome.record.task), outcome);
  for (const error of result.taskErrors) records.set(printed(error.task), { kind: "errored", record: error });
  const timing = (id: string) => records.get(id)!.record.timing;
  const succeeded = (id: string) => {
    const entry = records.get(id)!;
    return entry.kind === "completed" && entry.record.state === "succeeded";
  };

  // Caps over admission periods (EXEC-004/005) and live leaders.
  const spans = result.trace.admissions.map((span) => ({
    id: span.task,
    interval: [span.start, span.end] as const,
  }));
  assert.ok(peak(spans.map((span) => span.interval)) <= h.ctx.concurrency, `${label}: global cap`);
  assert.ok(h.spawner.maxConcurrent() <= h.ctx.concurrency, `${label}: live leaders`);
  for (const [tag, cap] of h.ctx.tagCaps) {
    const tagged = spans.filter((span) => graph.tasks.get(span.id)!.tags.includes(tag));
    assert.ok(peak(tagged.map((span) => span.interval)) <= cap, `${label}: tag ${tag}`);
  }

  // Mutexes (MUTEX-003/004): group lifetimes of incompatible holders never overlap.
  const holders = [...runSet].flatMap((id) => {
    const mutex = graph.tasks.get(id)!.mutex;
    const phases = timing(id).phases as { phase: string; start: number; end: number }[];
    const exec = phases.find((phase) => phase.phase === "exec");
    const drain = phases.find((phase) => phase.phase === "drain");
    return mutex === null || exec === undefined
      ? []
      : [{ id, key: lockKey(mutex), mode: mutex.mode, span: [exec.start, drain!.end] }];
  });
  for (const a of holders) {
    for (const b of holders) {
      if (a.id >= b.id || a.key !== b.key || (a.mode === "shared" && b.mode === "shared")) continue;
      const overlap = a.span[0] < b.span[1] && b.span[0] < a.span[1];
      assert.ok(!overlap, `${label}: ${a.id} and ${b.id} share ${a.key}`);
    }
  }

  // Hard and active soft edges (EXEC-006, EXEC-101): a started task's predecessors ended first.
  for (const id of runSet) {
    const admitted = timing(id).firstAdmittedAt;
    if (admitted === null) continue;
    for (const predecessor of graph.hardPredecessors.get(id) ?? []) {
      assert.ok(succeeded(predecessor), `${label}: ${id} started after ${predecessor} did not succeed`);
      assert.ok(timing(predecessor).endedAt <= admitted, `${label}: hard edge ${predecessor} -> ${id}`);
    }
    for (const predecessor of graph.softPredecessors.get(id) ?? []) {
      if (!runSet.has(predecessor)) continue;
      assert.ok(timing(predecessor).endedAt <= admitted, `${label}: soft edge ${predecessor} -> ${id}`);
    }
  }

  // Skips never start and name a root that is a failed or errored hard ancestor (EXEC-010/011/015).
  const ancestors = (id: string) => {
    const seen = new Set<string>();
    const stack = [...(graph.hardPredecessors.get(id) ?? [])];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(graph.hardPredecessors.get(next) ?? []));
    }
    return seen;
  };
  const spawned = new Set(h.spawner.plans.map((plan) => plan.args[0]));
  for (const [id, entry] of records) {
    if (entry.kind === "skipped") {
      assert.ok(!started.includes(id) && !spawned.has(id), `${label}: skipped ${id} started`);
      const { cause } = entry.record;
      const root = printed(cause.root);
      assert.ok(ancestors(id).has(root), `${label}: ${id} names ${root}, not an ancestor`);
      const rootEntry = records.get(root)!;
      if (cause.kind === "upstream-failed") {
        assert.ok(rootEntry.kind === "completed" && rootEntry.record.state === "failed", label);
      } else assert.equal(rootEntry.kind, "errored", `${label}: ${id} root ${root}`);
    } else if (entry.kind === "cancelled" && entry.record.kind === "upstream-cancelled") {
      const root = printed(entry.record.root);
      assert.ok(ancestors(id).has(root), label);
      const rootEntry = records.get(root)!;
      assert.ok(rootEntry.kind === "cancelled" && rootEntry.record.kind !== "upstream-cancelled", label);
    } else if (entry.kind === "cancelled" && entry.record.kind === "run-cancelled") {
      assert.ok(!spawned.has(id), `${label}: run-cancelled ${id} was spawned`);
    }
  }

  // Without cancellation every task whose hard ancestors all succeeded ran to an outcome.
  if (result.cancel === null) {
    for (const [id, entry] of records) {
      if (entry.kind === "completed" || entry.kind === "errored") continue;
      assert.ok(entry.kind === "skipped", `${label}: ${id} is ${entry.kind} in an uncancelled run`);
    }
  } else {
    assert.ok(scenario.cancelAt !== null || scenario.killAt !== null || h.ctx.failFast, label);
  }
}

describe("scheduler properties (04-execution.md §5)", () => {
  // 500 graphs in batches, so no single test runs long.
  for (let batch = 0; batch < 10; batch++) {
    test(`EXEC-006 random graphs ${batch * 50}..${batch * 50 + 49}: caps, mutexes, edges, cascades, reporting`, async () => {
      for (let index = batch * 50; index < batch * 50 + 50; index++) {
        const seed = 0x5eed + index * 7919;
        const current = scenario(seed);
        const h = createHarness(current.spec, current.options);
        if (current.cancelAt !== null) {
          void h.clock.sleep(current.cancelAt).then(() =>
            h.control.cancel({ kind: "signal", signal: "SIGINT" })
          );
        }
        if (current.killAt !== null) void h.clock.sleep(current.killAt).then(() => h.control.kill());
        const result = await runGraph(h.ctx);
        check(seed, current, h, result);
      }
    });
  }
});
