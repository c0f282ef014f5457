/**
 * Builds test workspaces and task graphs directly as domain values (no YAML loader), and a run
 * harness around them: fake clock, fake spawner, optional memory cache and a recording observer.
 *
 * @module
 */

import { sha256 } from "../../lib/cache/hash_algorithm.ts";
import { DEFAULT_REMOTE_CACHE_SETTINGS } from "../../lib/domain/workspace.ts";
import { compareBytes, comparePrintedIds, parseTaskId, type TaskId } from "../../lib/domain/task_id.ts";
import type {
  Edge,
  MutexSpec,
  PathPattern,
  Project,
  TaskAction,
  TaskDefinition,
  TaskGraph,
  Workspace,
} from "../../lib/domain/workspace.ts";
import { defaultServiceSpec, type ServiceSpec } from "../../lib/domain/service_spec.ts";
import type { SpawnPlan } from "../../lib/exec/process.ts";
import type {
  CancelledRecord,
  CancelReason,
  CompletedRecord,
  CrossProcessWait,
  RunObserver,
  RunOutcome,
  RuntimeInvariantViolation,
  RunWarning,
  ServiceRestart,
  SkipRecord,
  TaskErrorRecord,
} from "../../lib/exec/records.ts";
import type { RunContext } from "../../lib/exec/run_context.ts";
import { createRunControl, type RunControl } from "../../lib/exec/run_control.ts";
import type { RunGraphResult } from "../../lib/exec/run_trace.ts";
import { spawnPlan } from "../../lib/exec/spawn_plan.ts";
import { childEnvironment } from "../../lib/exec/child_env.ts";
import { FakeClock, type FakeClockOptions } from "./fake_clock.ts";
import { type FakeProgram, FakeSpawner } from "./fake_spawner.ts";
import { MemoryCache, type MemoryCacheOptions } from "./memory_cache.ts";
import { FakeProber, type FakeProberAnswers } from "./fake_prober.ts";

/** One task of a test graph. */
export interface TaskSpec {
  /** Printed id `project:task`. */
  readonly id: string;
  /** argv; default `["fake", id]`. */
  readonly command?: readonly string[];
  /** `sh -c <shell>` instead of a command. */
  readonly shell?: string;
  /** No action (EXEC-102). */
  readonly aggregate?: boolean;
  /** Printed ids of hard predecessors. */
  readonly deps?: readonly string[];
  /** Printed ids of soft predecessors. */
  readonly weakDeps?: readonly string[];
  /** Input patterns as written; absent = not declared. */
  readonly inputs?: readonly string[];
  readonly inputExclusions?: readonly string[];
  readonly outputs?: readonly string[];
  /** `db` (global), `~:db` (project), or the mapping form. */
  readonly mutex?: string | { readonly name: string; readonly mode?: "exclusive" | "shared" };
  readonly cache?: boolean;
  readonly timeoutMs?: number;
  readonly env?: {
    readonly fromHost?: readonly string[];
    readonly override?: Readonly<Record<string, string>>;
  };
  /** Makes the task a service (SVC-001): `true` for every default, or the parts that differ. */
  readonly service?: true | Partial<ServiceSpec>;
}

/** A test workspace. */
export interface GraphSpec {
  /** Host path of the workspace root (default: a path that does not exist). */
  readonly root?: string;
  /** Project tags; projects named by tasks but absent here have none. */
  readonly tags?: Readonly<Record<string, readonly string[]>>;
  readonly tasks: readonly TaskSpec[];
  /** Static producer edges `[from, to]` (DAG-013), declared by hand. */
  readonly producerEdges?: readonly (readonly [string, string])[];
  readonly passThrough?: readonly string[];
}

/**
 * Builds the workspace and the graph. Each project lives in the directory named like it.
 *
 * @example
 * ```ts
 * const { graph } = buildGraph({ tasks: [{ id: "p:a" }, { id: "p:b", deps: ["p:a"] }] });
 * graph.hardSuccessors.get("p:a"); // ["p:b"]
 * ```
 */
export function buildGraph(spec: GraphSpec): { workspace: Workspace; graph: TaskGraph } {
  const root = spec.root ?? "/nonexistent-haz-test-workspace";
  const tasks = new Map<string, TaskDefinition>();
  for (const taskSpec of spec.tasks) tasks.set(taskSpec.id, taskDefinition(taskSpec, spec.tags ?? {}));
  const order = [...tasks.keys()].sort(comparePrintedIds);
  const edges: Edge[] = [];
  for (const taskSpec of spec.tasks) {
    for (const from of taskSpec.deps ?? []) edges.push({ from, to: taskSpec.id, kind: "hard" });
    for (const from of taskSpec.weakDeps ?? []) edges.push({ from, to: taskSpec.id, kind: "soft" });
  }
  for (const [from, to] of spec.producerEdges ?? []) edges.push({ from, to, kind: "producer" });
  const kindRank = { hard: 0, soft: 1, producer: 2 };
  edges.sort((a, b) =>
    comparePrintedIds(a.from, b.from) || comparePrintedIds(a.to, b.to) || kindRank[a.kind] - kindRank[b.kind]
  );
  const adjacency = (kind: Edge["kind"], forward: boolean) => {
    const map = new Map<string, string[]>();
    for (const id of order) map.set(id, []);
    for (const edge of edges) {
      if (edge.kind !== kind) continue;
      map.get(forward ? edge.from : edge.to)!.push(forward ? edge.to : edge.from);
    }
    for (const list of map.values()) list.sort(comparePrintedIds);
    return map;
  };
  const graph: TaskGraph = {
    tasks: new Map(order.map((id) => [id, tasks.get(id)!])),
    order,
    edges,
    hardPredecessors: adjacency("hard", false),
    hardSuccessors: adjacency("hard", true),
    softPredecessors: adjacency("soft", false),
    softSuccessors: adjacency("soft", true),
  };
  const byProject = new Map<string, [string, TaskDefinition][]>();
  for (const printedId of order) {
    const { project, task } = parseTaskId(printedId);
    const members = byProject.get(project) ?? [];
    members.push([task, tasks.get(printedId)!]);
    byProject.set(project, members);
  }
  const projects: Project[] = [...byProject.keys()].sort(compareBytes).map((name) => ({
    name,
    dir: name,
    root: `/${name}`,
    file: `/${name}/haz.yml`,
    tags: [...(spec.tags?.[name] ?? [])].sort(compareBytes),
    tasks: new Map(byProject.get(name)),
  }));
  const workspace: Workspace = {
    root,
    settings: {
      concurrency: { default: 4, tags: new Map() },
      outputMode: "live",
      cancelGraceMs: 5000,
      hash: "sha256",
      clean: { maxAgeSeconds: null, maxSizeBytes: null },
      passThrough: spec.passThrough ?? [],
      remote: DEFAULT_REMOTE_CACHE_SETTINGS,
    },
    projects,
  };
  return { workspace, graph };
}

function taskDefinition(spec: TaskSpec, tags: Readonly<Record<string, readonly string[]>>): TaskDefinition {
  const id = parseTaskId(spec.id);
  const projectRoot = `/${id.project}`;
  const action: TaskAction | null = spec.aggregate
    ? null
    : spec.shell !== undefined
    ? { kind: "shell", shell: "sh", script: spec.shell }
    : { kind: "command", argv: spec.command ?? ["fake", spec.id] };
  const pattern = (written: string): PathPattern => ({
    written,
    canonical: written.startsWith("/") ? written : `${projectRoot}/${written}`,
    isGlob: /[*?[{\\]/.test(written),
  });
  const env = {
    fromHost: spec.env?.fromHost ?? [],
    override: new Map(Object.entries(spec.env?.override ?? {})),
  };
  const service = spec.service === undefined
    ? null
    : { ...defaultServiceSpec(), ...(spec.service === true ? {} : spec.service) };
  const body = {
    name: id.task,
    action,
    inputs: null,
    outputs: [],
    deps: [],
    weakDeps: [],
    mutex: null,
    env,
    description: null,
    cache: spec.cache ?? true,
    timeoutMs: spec.timeoutMs ?? null,
    service,
    file: `${projectRoot}/haz.yml`,
    overlay: null,
  };
  return {
    id,
    key: spec.id,
    projectRoot,
    tags: [...(tags[id.project] ?? [])].sort(compareBytes),
    action,
    inputs: spec.inputs === undefined ? null : spec.inputs.map(pattern),
    inputExclusions: (spec.inputExclusions ?? []).map(pattern),
    outputs: (spec.outputs ?? []).map(pattern),
    deps: [],
    weakDeps: [],
    mutex: mutexSpec(spec.mutex, id.project),
    env,
    description: null,
    cache: spec.cache ?? true,
    timeoutMs: spec.timeoutMs ?? null,
    service,
    body,
  };
}

function mutexSpec(mutex: TaskSpec["mutex"], project: string): MutexSpec | null {
  if (mutex === undefined) return null;
  const { name, mode } = typeof mutex === "string" ? { name: mutex, mode: "exclusive" as const } : mutex;
  const projectScoped = name.startsWith("~:");
  return {
    name: projectScoped ? name.slice(2) : name,
    scope: projectScoped ? "project" : "global",
    project: projectScoped ? project : null,
    mode: mode ?? "exclusive",
  };
}

/** One observer callback, as recorded. */
export type ObservedEvent =
  | { readonly kind: "started"; readonly task: string; readonly at: number }
  | { readonly kind: "stdout" | "stderr"; readonly task: string; readonly at: number; readonly text: string }
  | {
    readonly kind: "finished";
    readonly task: string;
    readonly at: number;
    readonly record: CompletedRecord;
  }
  | { readonly kind: "errored"; readonly task: string; readonly at: number; readonly record: TaskErrorRecord }
  | { readonly kind: "skipped"; readonly task: string; readonly at: number; readonly record: SkipRecord }
  | {
    readonly kind: "cancelled";
    readonly task: string;
    readonly at: number;
    readonly record: CancelledRecord;
  }
  | { readonly kind: "violation"; readonly at: number; readonly violation: RuntimeInvariantViolation }
  | {
    readonly kind: "cancelling";
    readonly at: number;
    readonly reason: CancelReason;
    readonly forced: boolean;
  }
  | { readonly kind: "warning"; readonly task: string; readonly at: number; readonly warning: RunWarning }
  | { readonly kind: "up"; readonly task: string; readonly at: number; readonly upMs: number | null }
  | {
    readonly kind: "restarting";
    readonly task: string;
    readonly at: number;
    readonly restart: ServiceRestart;
  }
  | { readonly kind: "services-only"; readonly at: number; readonly services: readonly string[] }
  | { readonly kind: "waiting"; readonly task: string; readonly at: number; readonly wait: CrossProcessWait };

const decoder = new TextDecoder();

/**
 * An observer that records every callback with its fake time.
 *
 * @example
 * ```ts
 * const observer = new RecordingObserver(clock);
 * observer.ofKind("started"); // [] before the run
 * ```
 */
export class RecordingObserver implements RunObserver {
  readonly events: ObservedEvent[] = [];
  readonly #clock: FakeClock;

  constructor(clock: FakeClock) {
    this.#clock = clock;
  }

  onTaskStarted(task: TaskId): void {
    this.events.push({ kind: "started", task: printed(task), at: this.#clock.now() });
  }
  onStdout(task: TaskId, chunk: Uint8Array): void {
    this.events.push({
      kind: "stdout",
      task: printed(task),
      at: this.#clock.now(),
      text: decoder.decode(chunk),
    });
  }
  onStderr(task: TaskId, chunk: Uint8Array): void {
    this.events.push({
      kind: "stderr",
      task: printed(task),
      at: this.#clock.now(),
      text: decoder.decode(chunk),
    });
  }
  onTaskFinished(record: CompletedRecord): void {
    this.events.push({ kind: "finished", task: printed(record.task), at: this.#clock.now(), record });
  }
  onTaskErrored(record: TaskErrorRecord): void {
    this.events.push({ kind: "errored", task: printed(record.task), at: this.#clock.now(), record });
  }
  onTaskSkipped(record: SkipRecord): void {
    this.events.push({ kind: "skipped", task: printed(record.task), at: this.#clock.now(), record });
  }
  onTaskCancelled(record: CancelledRecord): void {
    this.events.push({ kind: "cancelled", task: printed(record.task), at: this.#clock.now(), record });
  }
  onInvariantViolation(violation: RuntimeInvariantViolation): void {
    this.events.push({ kind: "violation", at: this.#clock.now(), violation });
  }
  onCancelling(reason: CancelReason, forced: boolean): void {
    this.events.push({ kind: "cancelling", at: this.#clock.now(), reason, forced });
  }
  onWarning(warning: RunWarning): void {
    this.events.push({ kind: "warning", task: printed(warning.task), at: this.#clock.now(), warning });
  }
  onTaskWaiting(wait: CrossProcessWait): void {
    this.events.push({ kind: "waiting", task: printed(wait.task), at: this.#clock.now(), wait });
  }

  onServiceUp(task: TaskId, upMs: number | null): void {
    this.events.push({ kind: "up", task: printed(task), at: this.#clock.now(), upMs });
  }
  onServiceRestarting(task: TaskId, restart: ServiceRestart): void {
    this.events.push({ kind: "restarting", task: printed(task), at: this.#clock.now(), restart });
  }
  onServicesOnly(services: readonly TaskId[]): void {
    this.events.push({ kind: "services-only", at: this.#clock.now(), services: services.map(printed) });
  }

  /** Events of one kind. */
  ofKind<K extends ObservedEvent["kind"]>(kind: K): Extract<ObservedEvent, { kind: K }>[] {
    return this.events.filter((event): event is Extract<ObservedEvent, { kind: K }> => event.kind === kind);
  }

  /** Printed ids of the tasks, in callback order, whose terminal callback was of `kind`. */
  tasksOf(
    kind: "started" | "finished" | "errored" | "skipped" | "cancelled" | "up" | "restarting",
  ): string[] {
    return this.events.flatMap((event) => event.kind === kind ? [event.task] : []);
  }

  /** Captured stdout text of a task. */
  stdoutOf(task: string): string {
    return this.events.flatMap((event) => event.kind === "stdout" && event.task === task ? [event.text] : [])
      .join("");
  }
}

/** Options of {@link createHarness}. */
export interface HarnessOptions {
  /** Fake programs keyed by joined argv; `fake …` commands without one exit 0 at once, any other
   *  program is not found. */
  readonly programs?: Readonly<Record<string, FakeProgram>>;
  readonly concurrency?: number;
  readonly tagCaps?: Readonly<Record<string, number>>;
  readonly cancelGraceMs?: number;
  readonly failFast?: boolean;
  /** `true` for a fresh memory cache, options for a configured one, an instance to share one between
   *  runs, absent for `--no-cache`. */
  readonly cache?: true | Omit<MemoryCacheOptions, "hash" | "clock"> | MemoryCache;
  /** Printed ids; default every task. */
  readonly runSet?: readonly string[];
  readonly hostEnv?: Readonly<Record<string, string>>;
  readonly clock?: FakeClockOptions;
  /** Answers of the fake readiness prober (SVC-100). */
  readonly probes?: FakeProberAnswers;
  /** Printed ids the selection names (SVC-050); default none. */
  readonly kept?: readonly string[];
}

/** A ready-to-run context with its fakes. */
export interface Harness {
  readonly ctx: RunContext;
  readonly clock: FakeClock;
  readonly spawner: FakeSpawner;
  readonly observer: RecordingObserver;
  readonly cache: MemoryCache | null;
  readonly control: RunControl;
  readonly prober: FakeProber;
}

/**
 * Builds a graph and a {@link RunContext} around fakes (concurrency 4, grace 5 s unless given).
 *
 * @example
 * ```ts
 * const { ctx, spawner } = createHarness({ tasks: [{ id: "p:a" }] }, { programs: { "fake p:a": { steps: [] } } });
 * await runGraph(ctx);
 * spawner.spawnCount("fake p:a"); // 1
 * ```
 */
export function createHarness(spec: GraphSpec, options: HarnessOptions = {}): Harness {
  const { workspace, graph } = buildGraph(spec);
  const clock = new FakeClock(options.clock);
  const programs: Record<string, FakeProgram> = {};
  const owners = new Map<string, TaskId | null>();
  const hostEnv = new Map(Object.entries(options.hostEnv ?? {}));
  for (const task of graph.tasks.values()) {
    if (task.action === null) continue;
    const plan = spawnPlan(task.action, {
      workspaceRoot: workspace.root,
      projectRoot: task.projectRoot,
      env: childEnvironment(task, workspace.settings.passThrough, hostEnv),
    });
    const argv = [plan.program, ...plan.args].join(" ");
    if (plan.program === "fake") programs[argv] = { steps: [] };
    const owner = `${plan.cwd}\u0000${argv}`;
    owners.set(owner, owners.has(owner) ? null : task.id);
  }
  Object.assign(programs, options.programs ?? {});
  const spawner = new FakeSpawner(clock, programs, {
    taskOf: (plan: SpawnPlan) =>
      owners.get(`${plan.cwd}\u0000${[plan.program, ...plan.args].join(" ")}`) ?? null,
  });
  const cache = options.cache === undefined
    ? null
    : options.cache instanceof MemoryCache
    ? options.cache
    : new MemoryCache({ hash: sha256, clock, ...(options.cache === true ? {} : options.cache) });
  const observer = new RecordingObserver(clock);
  const control = createRunControl();
  const prober = new FakeProber(clock, options.probes);
  const ctx: RunContext = {
    workspace,
    graph,
    runSet: new Set(options.runSet ?? graph.order),
    cache,
    hash: sha256,
    spawner,
    clock,
    observer,
    hostEnv,
    concurrency: options.concurrency ?? 4,
    tagCaps: new Map(Object.entries(options.tagCaps ?? {})),
    cancelGraceMs: options.cancelGraceMs ?? 5000,
    failFast: options.failFast ?? false,
    control,
    prober,
    kept: new Set(options.kept ?? []),
  };
  return { ctx, clock, spawner, observer, cache, control, prober };
}

/**
 * The outcome of one task in a run result, errors included, as a short comparable value.
 *
 * @example
 * ```ts
 * outcomeOf(result, "p:a"); // { kind: "completed", record }
 * ```
 */
export function outcomeOf(
  result: RunGraphResult,
  task: string,
): RunOutcome | { kind: "errored"; record: TaskErrorRecord } {
  const outcome = result.outcomes.find((entry) => printed(entry.record.task) === task);
  if (outcome !== undefined) return outcome;
  const error = result.taskErrors.find((entry) => printed(entry.task) === task);
  if (error !== undefined) return { kind: "errored", record: error };
  throw new Error(`no outcome for ${task}`);
}

/**
 * A one-word summary: `succeeded`, `failed`, `cached`, `errored`, `skipped:<cause>`, `cancelled:<shape>`.
 *
 * @example
 * ```ts
 * verdictOf(result, "p:b"); // "skipped:upstream-failed"
 * ```
 */
export function verdictOf(result: RunGraphResult, task: string): string {
  const outcome = outcomeOf(result, task);
  switch (outcome.kind) {
    case "completed":
      return outcome.record.source === "cache-hit" ? "cached" : outcome.record.state;
    case "errored":
      return "errored";
    case "skipped":
      return `skipped:${outcome.record.cause.kind}`;
    case "cancelled":
      return `cancelled:${outcome.record.kind}`;
  }
}

function printed(task: TaskId): string {
  return `${task.project}:${task.task}`;
}
