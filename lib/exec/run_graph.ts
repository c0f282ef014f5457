/**
 * The scheduler (04-execution.md §5–8): readiness, admission under the global and tag caps, mutex
 * parking, the failure cascade, soft edges, aggregates, cancellation, and the runtime graph checks;
 * and services (09-services-and-watch.md §3–4): slots held while starting, consumers admitted when
 * a service is up, restarts, release in reverse dependency order, kept services.
 *
 * @module
 */

import { join } from "node:path";
import { FileObservations } from "../cache/file_observations.ts";
import { compileGlobAlternatives } from "../domain/glob.ts";
import { buildCacheKey, type HashedInput } from "../cache/key.ts";
import type { ServiceSpec } from "../domain/service_spec.ts";
import type { TaskId } from "../domain/task_id.ts";
import type { TaskDefinition } from "../domain/workspace.ts";
import { LOCK_POLL_MS, type LockHolder, type LockLease, type LockRequest } from "../lock/workspace_locks.ts";
import { lockKey, lockLabel, MutexTable } from "./mutex_table.ts";
import type { RunningProcess } from "./process_controller.ts";
import { RankHeap } from "./rank_heap.ts";
import { SlotPool } from "./slot_pool.ts";
import type {
  CancelledRecord,
  CancelReason,
  CompletedRecord,
  FailureCause,
  RunObserver,
  RunOutcome,
  RuntimeInvariantViolation,
  RunWarning,
  ServiceRecordPart,
  SkipCause,
  SkipRecord,
  TaskErrorRecord,
} from "./records.ts";
import type { Digest, StreamDigest } from "../cache/digest.ts";
import type { ExitStatus } from "./process.ts";
import type { RunContext } from "./run_context.ts";
import { wasKilled, watchRunControl } from "./run_control.ts";
import {
  aggregateEnding,
  cacheLookupNow,
  cacheLookupPhase,
  isCacheable,
  type LookupPhaseResult,
  recheckEntry,
  remoteLookupPhase,
  restoreFromHit,
  restoreNow,
  type RestorePhaseResult,
  runFresh,
  type TaskEnding,
  type TaskSession,
} from "./run_task.ts";
import { RuntimeChecks } from "./runtime_checks.ts";
import { runServiceSpawn, type ServiceHandle, type ServiceSpawnResult } from "./run_service.ts";
import type { AdmissionSpan, MutexWaitSpan, RunGraphResult, ServiceUpSpan } from "./run_trace.ts";
import { TimingRecorder } from "./task_timing.ts";

export type { RunContext } from "./run_context.ts";
export { createRunControl, type RunControl } from "./run_control.ts";
export type { RunGraphOutcome, RuntimeInvariantViolation } from "./records.ts";
export type { RunGraphResult, RunTrace } from "./run_trace.ts";

/** SVC-029: the first back-off, doubled for each further restart, and its cap. */
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;

/**
 * Runs the run set to completion: every task ends exactly once in `outcomes` or `taskErrors`, every
 * group is dead. Resolves for failures, errors, violations and cancellation; rejects only on a haz
 * bug (an observer that throws, a stalled graph). The result carries a {@link RunTrace} for the
 * summary and profile files.
 *
 * @example
 * ```ts
 * const outcome = await runGraph(ctx);
 * exitCodeFor(outcome); // 0 when every task succeeded
 * ```
 */
export function runGraph(ctx: RunContext): Promise<RunGraphResult> {
  return new GraphRun(ctx).run();
}

type NodeState = "waiting" | "ready" | "admitted" | "parked" | "terminal";

interface Node {
  readonly rank: number;
  readonly id: string;
  readonly task: TaskDefinition;
  readonly aggregate: boolean;
  readonly cacheable: boolean;
  readonly queue: ReadyQueue;
  readonly hardSuccessors: number[];
  /** Soft successors and, in a watch cycle, producer successors (WATCH-042): released when this ends. */
  readonly softSuccessors: number[];
  /** WATCH-042/043: in a watch cycle, successors along producer edges; they learn whether this changed. */
  readonly producerSuccessors: number[];
  readonly hardPredecessors: number[];
  /** WATCH-042: in a watch cycle, predecessors along producer edges (for WATCH-046's restart reason). */
  readonly producerPredecessors: number[];
  readonly session: TaskSession;
  /** Set for services and service aggregates (SVC-046). */
  readonly service: ServiceState | null;
  pendingHard: number;
  pendingSoft: number;
  state: NodeState;
  started: boolean;
  lane: number;
  admittedAt: number;
  parkedAt: number;
  holdsLock: boolean;
  /** Holds a global slot, tag slots and a lane (a service gives them back when it is up, SVC-040). */
  holdsSlot: boolean;
  process: RunningProcess | null;
  /** This process's hold of the task's workspace lock (XPROC-001). */
  taskLease: LockLease | null;
  /** This process's cross-process hold of the task's mutex (XPROC-003). */
  mutexLease: LockLease | null;
  /** The lock another haz process holds while this task is parked on it (XPROC-002/003). */
  elsewhere: LockRequest | null;
  /** Kinds of cross-process wait already noted for this task (the note is printed once). */
  readonly noted: Set<LockRequest["kind"]>;
  /** WATCH-043: a hard predecessor (or, in a watch cycle, a producer predecessor) changed in this run. */
  predecessorChanged: boolean;
  /** WATCH-043: this task changed in this run (its successors are not cut off). */
  changed: boolean;
}

/** What the scheduler tracks of a service or service aggregate across its spawns. */
interface ServiceState {
  /** null for a service aggregate. */
  readonly spec: ServiceSpec | null;
  /** Runs until the run is cancelled (SVC-050). */
  readonly kept: boolean;
  /** Whether a start key exists: a service with `inputs`, an aggregate whose services all have one. */
  readonly keyed: boolean;
  up: boolean;
  upAt: number | null;
  announced: boolean;
  restarts: number;
  /** Why haz is stopping it; null while it is wanted. */
  stop: "unneeded" | "cancelled" | null;
  handle: ServiceHandle | null;
  /** Aborts the back-off of SVC-029. */
  backoff: AbortController | null;
  startKey: Digest | null;
  /** Successors whose pending count this service's being up already decremented (SVC-042/043). */
  readonly releasedHard: Set<number>;
  readonly releasedSoft: Set<number>;
  /** WATCH-046: the cut-off's `beforeStart` was awaited (once, before the first spawn). */
  replaced: boolean;
}

/** Ready tasks that carry the same capped tags, so they fit or not together. */
interface ReadyQueue {
  readonly tags: readonly string[];
  readonly slotless: boolean;
  readonly heap: RankHeap;
}

type Terminal =
  | { readonly kind: "completed"; readonly record: CompletedRecord }
  | { readonly kind: "errored"; readonly record: TaskErrorRecord }
  | { readonly kind: "skipped"; readonly record: SkipRecord }
  | { readonly kind: "cancelled"; readonly record: CancelledRecord };

type AttemptOutcome =
  | { readonly kind: "parked" }
  | { readonly kind: "run-cancelled" }
  | { readonly kind: "withdrawn" }
  | { readonly kind: "ended"; readonly ending: TaskEnding };

interface Gate {
  readonly root: TaskId;
  readonly violation: RuntimeInvariantViolation["kind"];
}

class GraphRun {
  readonly #ctx: RunContext;
  /** The context the phases see: the observer is guarded. */
  readonly #phaseContext: RunContext;
  readonly #nodes: Node[] = [];
  readonly #queues: ReadyQueue[] = [];
  /** Shared with the other runs of a watch loop (WATCH-047), else this run's own. */
  readonly #slots: SlotPool;
  readonly #mutexes = new MutexTable();
  readonly #checks: RuntimeChecks;
  readonly #digests = new Map<string, { stdout: string; stderr: string }>();
  readonly #results: (Terminal | undefined)[] = [];
  readonly #violations: RuntimeInvariantViolation[] = [];
  readonly #warnings: RunWarning[] = [];
  readonly #admissions: AdmissionSpan[] = [];
  readonly #mutexWaits: MutexWaitSpan[] = [];
  readonly #upSpans: ServiceUpSpan[] = [];
  /** Printed id of a recorded cycle's member → the task whose outputs closed it. */
  readonly #cycleRoots = new Map<string, TaskId>();
  /** Tasks parked on a lock another haz process holds; the poll loop looks at them. */
  readonly #elsewhere = new Set<Node>();
  readonly #pollAbort = new AbortController();
  #polling = false;
  #candidates: number[] = [];
  #inFlight = 0;
  #remaining = 0;
  #pumping = false;
  #settled = false;
  #cancelled = false;
  #cancelledAt: number | null = null;
  #forced = false;
  #servicesOnlyAnnounced = false;
  /** Whether the run set holds a kept service at all (SVC-053 has nothing to announce otherwise). */
  #keptServices = false;
  #gate: Gate | null = null;
  #bug: { error: unknown } | null = null;
  #startedAt = 0;
  #unwatch: () => void = () => {};
  #unlisten: () => void = () => {};
  /** Who waits for a node's terminal event (a service stopped through `serviceStops`). */
  readonly #terminalWaiters = new Map<Node, (() => void)[]>();
  #resolve: (result: RunGraphResult) => void = () => {};
  #reject: (error: unknown) => void = () => {};

  constructor(ctx: RunContext) {
    this.#ctx = ctx;
    this.#phaseContext = {
      ...ctx,
      observer: this.#guardedObserver(),
      ...(sharesObservations(ctx) ? { observations: new FileObservations() } : {}),
    };
    this.#checks = new RuntimeChecks(ctx.graph, ctx.runSet);
    for (const [id, digests] of ctx.predecessorDigests ?? []) this.#digests.set(id, { ...digests });
    this.#slots = ctx.slots ?? new SlotPool(ctx.concurrency, ctx.tagCaps);
  }

  run(): Promise<RunGraphResult> {
    return new Promise<RunGraphResult>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
      this.#startedAt = this.#ctx.clock.now();
      const unknown = [...this.#ctx.runSet].filter((id) => !this.#ctx.graph.tasks.has(id));
      if (unknown.length > 0) return reject(new Error(`run set names unknown tasks: ${unknown.join(", ")}`));
      this.#buildNodes();
      const { control } = this.#ctx;
      this.#unwatch = watchRunControl(control, {
        onCancel: (reason) => this.#startCancellation(reason),
        onKill: () => this.#kill(),
      });
      // WATCH-047: a slot another run of the loop gave back may admit a task of this one.
      const unlisten = this.#ctx.slots?.onRelease(() => this.#pump());
      if (unlisten !== undefined) this.#unlisten = unlisten;
      this.#ctx.serviceStops?.attach((ids) => this.#stopServices(ids));
      for (const node of this.#nodes) this.#offerIfReady(node);
      if (control.reason !== null) this.#startCancellation(control.reason);
      if (wasKilled(control)) this.#kill();
      this.#pump();
    });
  }

  #buildNodes(): void {
    const { graph, runSet, tagCaps } = this.#ctx;
    const ranks = new Map<string, number>();
    for (const id of graph.order) {
      if (runSet.has(id)) ranks.set(id, ranks.size);
    }
    const queues = new Map<string, ReadyQueue>();
    const queueFor = (tags: readonly string[], slotless: boolean) => {
      const signature = slotless ? "" : `slot\u0000${tags.join("\u0000")}`;
      let queue = queues.get(signature);
      if (queue === undefined) {
        queue = { tags, slotless, heap: new RankHeap() };
        queues.set(signature, queue);
        this.#queues.push(queue);
      }
      return queue;
    };
    // A loop, not flatMap: five lists per task of a run of thousands.
    const inRunSet = (ids: readonly string[] | undefined) => {
      const found: number[] = [];
      for (const id of ids ?? []) {
        const rank = ranks.get(id);
        if (rank !== undefined) found.push(rank);
      }
      return found;
    };
    const services = serviceShapes(graph, ranks, this.#ctx.kept ?? new Set());
    const producers = this.#ctx.cutOff === undefined ? null : producerAdjacency(graph, ranks);
    for (const [id, rank] of ranks) {
      const task = graph.tasks.get(id)!;
      const aggregate = task.action === null;
      const shape = services.get(id);
      if (shape?.kept) this.#keptServices = true;
      const hardPredecessors = inRunSet(graph.hardPredecessors.get(id));
      const hardSuccessors = inRunSet(graph.hardSuccessors.get(id));
      const softPredecessors = inRunSet(graph.softPredecessors.get(id));
      const softSuccessors = inRunSet(graph.softSuccessors.get(id));
      const producerSuccessors = producers?.successors.get(rank) ?? [];
      const producerPredecessors = producers?.predecessors.get(rank) ?? [];
      const unkeyedService = (graph.hardPredecessors.get(id) ?? []).some((pred) =>
        services.get(pred)?.keyed === false || this.#ctx.runningServices?.has(pred) === true
      );
      this.#nodes.push({
        rank,
        id,
        task,
        aggregate,
        // SVC-045: a key cannot tell whether a service without inputs changed.
        cacheable: isCacheable(task) && this.#ctx.cache !== null && !unkeyedService,
        queue: queueFor(task.tags.filter((tag) => tagCaps.has(tag)), aggregate),
        hardSuccessors,
        // WATCH-042: a producer edge orders like a soft one; a pair joined by several kinds counts once.
        softSuccessors: [...softSuccessors, ...beyond(producerSuccessors, hardSuccessors, softSuccessors)],
        producerSuccessors,
        hardPredecessors,
        producerPredecessors,
        session: { task, timing: new TimingRecorder() },
        service: shape === undefined ? null : {
          spec: task.service,
          kept: shape.kept,
          keyed: shape.keyed &&
            !(graph.hardPredecessors.get(id) ?? []).some((pred) => this.#ctx.runningServices?.has(pred)),
          up: false,
          upAt: null,
          announced: false,
          restarts: 0,
          stop: null,
          handle: null,
          backoff: null,
          startKey: null,
          releasedHard: new Set(),
          releasedSoft: new Set(),
          replaced: false,
        },
        pendingHard: hardPredecessors.length,
        pendingSoft: softPredecessors.length +
          beyond(producerPredecessors, hardPredecessors, softPredecessors).length,
        state: "waiting",
        started: false,
        lane: 0,
        admittedAt: 0,
        parkedAt: 0,
        holdsLock: false,
        holdsSlot: false,
        process: null,
        taskLease: null,
        mutexLease: null,
        elsewhere: null,
        noted: new Set(),
        predecessorChanged: false,
        changed: false,
      });
    }
    this.#remaining = this.#nodes.length;
  }

  // ---- admission (EXEC-004..006) -------------------------------------------------------------

  /** Runs admission rounds until nothing changes, then settles the run if it is done. */
  #pump(): void {
    if (this.#pumping || this.#settled) return;
    this.#pumping = true;
    try {
      for (;;) {
        this.#processCandidates();
        const admitted = this.#round();
        if (admitted === 0 && this.#candidates.length === 0) break;
      }
    } catch (error) {
      this.#recordBug(error);
    } finally {
      this.#pumping = false;
    }
    this.#announceServicesOnly();
    this.#finishIfDone();
  }

  /**
   * One admission round: the ready tasks in canonical order, each admitted when it fits. A queue's
   * tasks share their capped tags, so the smallest fitting head is the next task the walk admits.
   * Tasks that become ready during the round wait for the next one.
   */
  #round(): number {
    let admitted = 0;
    while (!this.#admissionClosed()) {
      let best: ReadyQueue | null = null;
      let bestRank = Infinity;
      for (const queue of this.#queues) {
        const head = this.#readyHead(queue);
        if (head !== undefined && head < bestRank && this.#fits(queue)) {
          best = queue;
          bestRank = head;
        }
      }
      if (best === null) break;
      best.heap.pop();
      this.#admit(this.#nodes[bestRank]);
      admitted += 1;
    }
    return admitted;
  }

  /** The smallest rank of a queue that is still ready (withdrawn tasks are dropped lazily). */
  #readyHead(queue: ReadyQueue): number | undefined {
    for (;;) {
      const head = queue.heap.peek();
      if (head === undefined || this.#nodes[head].state === "ready") return head;
      queue.heap.pop();
    }
  }

  #fits(queue: ReadyQueue): boolean {
    if (queue.slotless) return true;
    return this.#slots.fits(queue.tags);
  }

  #admissionClosed(): boolean {
    return this.#cancelled || this.#gate !== null || this.#bug !== null;
  }

  #admit(node: Node): void {
    const now = this.#ctx.clock.now();
    node.state = "admitted";
    if (node.aggregate) {
      // EXEC-102: no slot, tag slot, lane or lock; completes at once.
      node.session.timing.markAdmitted(now, 0);
      this.#markStarted(node);
      // SVC-046: a service aggregate is up instead, until it is released.
      if (node.service !== null) return this.#serviceUp(node);
      const ending = aggregateEnding(this.#ctx, node.task);
      this.#settle(node, {
        kind: "completed",
        record: { ...ending.record, timing: node.session.timing.finish(now) },
      });
      return;
    }
    node.lane = this.#slots.take(node.queue.tags);
    node.holdsSlot = true;
    node.admittedAt = now;
    node.session.timing.markAdmitted(now, node.lane);
    this.#markStarted(node);
    this.#inFlight += 1;
    void (node.service !== null ? this.#driveService(node) : this.#drive(node));
  }

  #markStarted(node: Node): void {
    if (node.started) return;
    node.started = true;
    this.#emit((observer) => observer.onTaskStarted(node.task.id));
  }

  #releaseSlots(node: Node): void {
    this.#admissions.push({
      task: node.id,
      admission: node.session.timing.admissions,
      lane: node.lane,
      start: node.admittedAt,
      end: this.#ctx.clock.now(),
    });
    this.#slots.give(node.lane, node.queue.tags);
    node.lane = 0;
    node.holdsSlot = false;
  }

  // ---- one admitted task (§4) ------------------------------------------------------------------

  async #drive(node: Node): Promise<void> {
    let outcome: AttemptOutcome | null = null;
    try {
      outcome = await this.#attempt(node);
    } catch (error) {
      this.#recordBug(error);
    }
    // XPROC-001: after the restore, or after the group is dead and the store is done (or on parking).
    node.taskLease?.release();
    node.taskLease = null;
    node.mutexLease?.release();
    node.mutexLease = null;
    this.#inFlight -= 1;
    try {
      if (outcome !== null) this.#afterAttempt(node, outcome);
    } catch (error) {
      this.#recordBug(error);
    }
    this.#pump();
  }

  async #attempt(node: Node): Promise<AttemptOutcome> {
    const ctx = this.#phaseContext;
    const { session } = node;
    const { locks } = ctx;
    let found: Exclude<LookupPhaseResult, { kind: "errored" }> | null = null;
    if (node.cacheable) {
      // The synchronous phases answer the common fully cached hit without a promise round trip.
      const services = this.#serviceKeys(node);
      let looked = cacheLookupNow(ctx, session, this.#digests, services) ??
        await cacheLookupPhase(ctx, session, this.#digests, services);
      if (looked.kind === "ask-remote") looked = await remoteLookupPhase(ctx, session, looked);
      const stop = this.#stopReason();
      if (stop !== null) return { kind: stop };
      if (looked.kind === "errored") return { kind: "ended", ending: looked.ending };
      found = looked;
      if (found.kind === "hit" && locks !== undefined) {
        // A hit whose outputs are all in place writes nothing, so it needs no workspace lock: the
        // common fully cached run takes none (XPROC-006).
        const untouched = restoreNow(ctx, session, found, { onlyIfUpToDate: true }) ??
          await restoreFromHit(ctx, session, found, { onlyIfUpToDate: true });
        if (untouched.kind !== "late-miss" && untouched.kind !== "needs-writes") {
          return { kind: "ended", ending: untouched };
        }
        const late = this.#stopReason();
        if (late !== null) return { kind: late };
        if (untouched.kind === "late-miss") found = { kind: "miss", key: found.key, inputs: found.inputs };
      }
    }
    if (locks !== undefined) {
      // XPROC-001: restore and spawn only under the task's lock. A task held elsewhere parks and, when
      // woken, repeats its whole lookup (XPROC-002).
      const request: LockRequest = { kind: "task", task: node.id };
      const attempt = locks.acquire(request);
      if (!attempt.acquired) {
        this.#waitElsewhere(node, request, attempt.holder);
        return { kind: "parked" };
      }
      node.taskLease = attempt.lease;
      // Another process may have stored the entry between the lookup and the lock: no second run.
      if (found?.kind === "miss") found = await recheckEntry(ctx, session, found);
    }
    if (found?.kind === "hit") {
      const restored = restoreNow(ctx, session, found) ?? await restoreFromHit(ctx, session, found);
      forgetRestored(ctx, node.task, restored);
      if (restored.kind !== "late-miss" && restored.kind !== "needs-writes") {
        return { kind: "ended", ending: restored };
      }
      const late = this.#stopReason();
      if (late !== null) return { kind: late };
    }
    const key = found?.key ?? null;
    const inputs: readonly HashedInput[] | null = found?.inputs ?? null;
    const { mutex } = node.task;
    if (mutex !== null) {
      if (!this.#mutexes.tryAcquire(mutex, node.rank)) {
        this.#park(node);
        return { kind: "parked" };
      }
      node.holdsLock = true;
      if (locks !== undefined) {
        const request: LockRequest = { kind: "mutex", key: lockKey(mutex), mode: mutex.mode };
        const attempt = locks.acquire(request);
        if (!attempt.acquired) {
          this.#releaseMutex(node);
          this.#waitElsewhere(node, request, attempt.holder);
          return { kind: "parked" };
        }
        node.mutexLease = attempt.lease;
      }
    }
    const fresh = await runFresh(ctx, session, {
      key,
      inputs,
      guard: {
        blocked: () => {
          const stop = this.#stopReason();
          return stop === null ? null : stop === "run-cancelled" ? "cancelled" : "withdrawn";
        },
        onSpawned: (process) => {
          node.process = process;
        },
      },
    }).finally(() => {
      node.process = null;
      ctx.observations?.forget();
    });
    if (fresh.kind === "not-started") {
      return { kind: fresh.reason === "cancelled" ? "run-cancelled" : "withdrawn" };
    }
    return { kind: "ended", ending: fresh };
  }

  /** Why a task that was admitted must not go on: the run was cancelled (or hit a bug), or the gate closed. */
  #stopReason(): "run-cancelled" | "withdrawn" | null {
    if (this.#cancelled || this.#bug !== null) return "run-cancelled";
    return this.#gate === null ? null : "withdrawn";
  }

  #afterAttempt(node: Node, outcome: AttemptOutcome): void {
    if (outcome.kind === "parked") return;
    const now = this.#ctx.clock.now();
    // MUTEX-006: released only now, after the group is dead and the store is done.
    this.#releaseMutex(node);
    this.#releaseSlots(node);
    const timing = () => node.session.timing.finish(now);
    if (outcome.kind === "run-cancelled") {
      this.#settle(node, {
        kind: "cancelled",
        record: { kind: "run-cancelled", task: node.task.id, timing: timing() },
      });
      return;
    }
    if (outcome.kind === "withdrawn") {
      this.#settle(node, {
        kind: "skipped",
        record: { task: node.task.id, cause: this.#withdrawCause(node), timing: timing() },
      });
      return;
    }
    const { ending } = outcome;
    if (ending.kind === "completed") {
      if (ending.warning !== null) {
        const { warning } = ending;
        this.#warnings.push(warning);
        this.#emit((observer) => observer.onWarning(warning));
      }
      this.#settle(node, { kind: "completed", record: { ...ending.record, timing: timing() } });
    } else if (ending.kind === "errored") {
      this.#settle(node, { kind: "errored", record: { ...ending.record, timing: timing() } });
    } else {
      this.#settle(node, { kind: "cancelled", record: { ...ending.record, timing: timing() } });
    }
  }

  // ---- services (09-services-and-watch.md §3) --------------------------------------------------

  async #driveService(node: Node): Promise<void> {
    let result: ServiceSpawnResult | { readonly kind: "parked" } | null = null;
    try {
      result = await this.#serviceAttempt(node);
    } catch (error) {
      this.#recordBug(error);
    }
    // SVC-048: the task lock is held until the service's group is dead.
    node.taskLease?.release();
    node.taskLease = null;
    this.#inFlight -= 1;
    try {
      if (result !== null && result.kind !== "parked") this.#afterServiceAttempt(node, result);
    } catch (error) {
      this.#recordBug(error);
    }
    this.#pump();
  }

  /** SVC-041: start-key derivation, task lock, spawn, readiness; resolves when the group is dead. */
  async #serviceAttempt(node: Node): Promise<ServiceSpawnResult | { readonly kind: "parked" }> {
    const service = node.service!;
    const ctx = this.#phaseContext;
    if (ctx.cutOff !== undefined && !service.replaced) {
      // WATCH-046: a watch cycle stops the instance an earlier cycle started before starting this one.
      service.replaced = true;
      const changed = [...node.hardPredecessors, ...node.producerPredecessors].map((rank) =>
        this.#nodes[rank]
      )
        .find((pred) => pred.changed);
      await ctx.cutOff.beforeStart(node.id, changed?.id ?? null);
    }
    if (service.keyed && ctx.cache !== null) {
      const services = this.#serviceKeys(node);
      const start = ctx.clock.now();
      const derived = await buildCacheKey({
        workspaceRoot: ctx.workspace.root,
        task: node.task,
        hostEnv: ctx.hostEnv,
        predecessors: this.#digests,
        hardPredecessors: (ctx.graph.hardPredecessors.get(node.id) ?? []).filter((id) => !services.has(id)),
        services,
        hash: ctx.hash,
      });
      node.session.timing.addPhase("lookup", start, ctx.clock.now());
      if (!derived.ok) {
        const error = { kind: "key-derivation" as const, message: derived.message };
        return {
          kind: "errored",
          record: { task: node.task.id, error, key: null, stdout: null, stderr: null },
        };
      }
      service.startKey = derived.key;
    }
    const { locks } = ctx;
    if (locks !== undefined && this.#stopReason() === null && service.stop === null) {
      // SVC-048: another haz process that runs this service holds it; wait until it stops it.
      const request: LockRequest = { kind: "task", task: node.id };
      const attempt = locks.acquire(request);
      if (!attempt.acquired) {
        this.#waitElsewhere(node, request, attempt.holder);
        return { kind: "parked" };
      }
      node.taskLease = attempt.lease;
    }
    return await runServiceSpawn(ctx, node.session, {
      blocked: () => {
        if (this.#cancelled || this.#bug !== null) return "cancelled";
        return service.stop !== null || this.#gate !== null ? "withdrawn" : null;
      },
      onSpawned: (handle) => {
        service.handle = handle;
      },
      onUp: () => this.#serviceUp(node),
    }).finally(() => {
      service.handle = null;
    });
  }

  /** SVC-021/040/042: the slot is given back and the consumers become ready in this very event. */
  #serviceUp(node: Node): void {
    const service = node.service!;
    const now = this.#ctx.clock.now();
    service.up = true;
    service.upAt = now;
    if (node.holdsSlot) this.#releaseSlots(node);
    if (service.spec === null) {
      service.startKey = this.#aggregateStartKey(node);
      if (!service.announced) this.#emit((observer) => observer.onServiceUp(node.task.id, null));
    } else {
      this.#emit((observer) => observer.onServiceUp(node.task.id, now - node.admittedAt));
    }
    service.announced = true;
    // WATCH-043: a service started in this run changed; so did an aggregate over one.
    node.changed = true;
    this.#tellProducerSuccessors(node);
    for (const rank of node.hardSuccessors) {
      const successor = this.#nodes[rank];
      if (service.releasedHard.has(rank) || successor.state !== "waiting") continue;
      service.releasedHard.add(rank);
      this.#releaseSuccessor(node, successor);
    }
    for (const rank of node.softSuccessors) {
      const successor = this.#nodes[rank];
      if (service.releasedSoft.has(rank) || successor.state !== "waiting") continue;
      service.releasedSoft.add(rank);
      successor.pendingSoft -= 1;
      this.#offerIfReady(successor);
    }
    this.#pump();
  }

  /** SVC-044: consumers not admitted yet wait until the service is up again. */
  #serviceDown(node: Node): void {
    const service = node.service!;
    service.up = false;
    for (const rank of [...service.releasedHard]) {
      const successor = this.#nodes[rank];
      const upAggregate = successor.service?.spec === null && successor.state === "admitted";
      if (successor.state !== "waiting" && successor.state !== "ready" && !upAggregate) continue;
      service.releasedHard.delete(rank);
      successor.pendingHard += 1;
      successor.state = "waiting";
      if (upAggregate) this.#serviceDown(successor);
    }
  }

  #afterServiceAttempt(node: Node, result: ServiceSpawnResult): void {
    const service = node.service!;
    const now = this.#ctx.clock.now();
    if (node.holdsSlot) this.#releaseSlots(node);
    const wasUp = service.up;
    if (wasUp && service.upAt !== null) this.#upSpans.push({ task: node.id, start: service.upAt, end: now });
    const timing = () => node.session.timing.finish(now);
    if (result.kind === "not-started") {
      if (result.reason === "cancelled") {
        return this.#settle(node, {
          kind: "cancelled",
          record: { kind: "run-cancelled", task: node.task.id, timing: timing() },
        });
      }
      const cause = service.stop === "unneeded" ? { kind: "unneeded" as const } : this.#withdrawCause(node);
      return this.#settle(node, { kind: "skipped", record: { task: node.task.id, cause, timing: timing() } });
    }
    if (result.kind === "errored") {
      return this.#settle(node, { kind: "errored", record: { ...result.record, timing: timing() } });
    }
    const { status, history, stdout, stderr } = result;
    if (result.stopped) {
      if (service.stop === "cancelled" && !wasUp) {
        // SVC-054: a service still starting when cancelled ends like any signalled task.
        return this.#settle(node, {
          kind: "cancelled",
          record: {
            kind: "signaled-in-flight",
            task: node.task.id,
            key: null,
            exitStatus: status,
            lastSignal: history.lastSignal ?? "SIGTERM",
            escalation: history.escalation,
            stdout,
            stderr,
            timing: timing(),
          },
        });
      }
      service.up = false;
      return this.#settleService(node, {
        state: "succeeded",
        failure: null,
        exitStatus: status,
        streams: { stdout, stderr },
        part: this.#servicePart(node, service.stop ?? "cancelled", history),
      });
    }
    const spec = service.spec!;
    if (wasUp && spec.onExit === "restart" && service.restarts < spec.maxRestarts && service.stop === null) {
      // SVC-029: back-off 1 s, 2 s, 4 s … at most 30 s, counted from the end of the drain.
      service.restarts += 1;
      const backoffMs = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (service.restarts - 1));
      this.#serviceDown(node);
      const restart = { status, restart: service.restarts, maxRestarts: spec.maxRestarts, backoffMs };
      this.#emit((observer) => observer.onServiceRestarting(node.task.id, restart));
      void this.#backOff(node, backoffMs, { stdout, stderr });
      return;
    }
    service.up = false;
    const failure = result.notReady
      ? { kind: "not-ready" as const, limitMs: spec.ready!.timeoutMs }
      : wasUp
      ? { kind: "exited-while-running" as const, status }
      : { kind: "exited-before-ready" as const, status };
    this.#settleService(node, {
      state: "failed",
      failure,
      exitStatus: status,
      streams: { stdout, stderr },
      part: this.#servicePart(node, null, history),
    });
  }

  async #backOff(
    node: Node,
    ms: number,
    streams: { stdout: StreamDigest; stderr: StreamDigest },
  ): Promise<void> {
    const service = node.service!;
    const abort = new AbortController();
    service.backoff = abort;
    this.#inFlight += 1;
    try {
      await this.#ctx.clock.sleep(ms, abort.signal);
    } finally {
      service.backoff = null;
      this.#inFlight -= 1;
    }
    try {
      const now = this.#ctx.clock.now();
      if (this.#cancelled || this.#bug !== null) {
        this.#settle(node, {
          kind: "cancelled",
          record: { kind: "run-cancelled", task: node.task.id, timing: node.session.timing.finish(now) },
        });
      } else if (service.stop !== null) {
        // SVC-027: a service with no process stops at once.
        this.#settleService(node, {
          state: "succeeded",
          failure: null,
          exitStatus: null,
          streams,
          part: this.#servicePart(node, service.stop, null),
        });
      } else {
        node.state = "waiting";
        this.#offerIfReady(node);
      }
    } catch (error) {
      this.#recordBug(error);
    }
    this.#pump();
  }

  #settleService(node: Node, ending: {
    readonly state: "succeeded" | "failed";
    readonly failure: FailureCause | null;
    readonly exitStatus: ExitStatus | null;
    readonly streams: { readonly stdout: StreamDigest; readonly stderr: StreamDigest };
    readonly part: ServiceRecordPart;
  }): void {
    this.#settle(node, {
      kind: "completed",
      record: {
        task: node.task.id,
        source: "service",
        hitFrom: null,
        state: ending.state,
        exitStatus: ending.exitStatus,
        failure: ending.failure,
        key: null,
        stored: false,
        stdout: ending.streams.stdout,
        stderr: ending.streams.stderr,
        materialisedOutputs: [],
        timing: node.session.timing.finish(this.#ctx.clock.now()),
        service: ending.part,
      },
    });
  }

  #servicePart(
    node: Node,
    stop: ServiceRecordPart["stop"],
    history: { lastSignal: "SIGTERM" | "SIGKILL" | null; escalation: ServiceRecordPart["escalation"] } | null,
  ): ServiceRecordPart {
    const service = node.service!;
    return {
      upAt: service.upAt,
      restarts: service.restarts,
      stop,
      lastSignal: history?.lastSignal ?? null,
      escalation: history?.escalation ?? "none",
      kept: service.kept,
    };
  }

  /** SVC-046: ends succeeded, without a status line. */
  #settleServiceAggregate(node: Node): void {
    const service = node.service!;
    const { record } = aggregateEnding(this.#ctx, node.task);
    service.up = false;
    this.#settle(node, {
      kind: "completed",
      record: {
        ...record,
        timing: node.session.timing.finish(this.#ctx.clock.now()),
        service: this.#servicePart(node, service.stop ?? "cancelled", null),
      },
    });
  }

  /** After any terminal event: release dependency services nobody needs any more (SVC-052). */
  #afterTerminal(node: Node): void {
    for (const rank of node.hardSuccessors) {
      const successor = this.#nodes[rank];
      // A service aggregate whose services all ended cannot be up again.
      if (
        successor.service?.spec === null && successor.state === "admitted" &&
        successor.hardPredecessors.every((pred) => this.#nodes[pred].state === "terminal")
      ) {
        this.#settleServiceAggregate(successor);
      }
    }
    for (const rank of node.hardPredecessors) {
      const predecessor = this.#nodes[rank];
      const service = predecessor.service;
      if (service === null || service.kept || service.stop !== null || predecessor.state === "terminal") {
        continue;
      }
      if (!predecessor.hardSuccessors.every((successor) => this.#nodes[successor].state === "terminal")) {
        continue;
      }
      this.#release(predecessor);
    }
  }

  #release(node: Node): void {
    const service = node.service!;
    service.stop = "unneeded";
    if (node.state === "parked") this.#unpark(node);
    if (node.state === "waiting" || node.state === "ready" || node.state === "parked") {
      const now = this.#ctx.clock.now();
      node.session.timing.markReady(now);
      this.#settle(node, {
        kind: "skipped",
        record: { task: node.task.id, cause: { kind: "unneeded" }, timing: node.session.timing.finish(now) },
      });
      return;
    }
    if (service.spec === null) return this.#settleServiceAggregate(node);
    if (service.backoff !== null) service.backoff.abort();
    else service.handle?.stop();
  }

  /** WATCH-046: stops these services one after the other, each only once the one before it ended. */
  async #stopServices(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const node = this.#nodes.find((candidate) => candidate.id === id);
      if (node === undefined || node.service === null || node.state === "terminal") continue;
      const ended = new Promise<void>((resolve) => {
        const waiters = this.#terminalWaiters.get(node) ?? [];
        waiters.push(resolve);
        this.#terminalWaiters.set(node, waiters);
      });
      try {
        this.#release(node);
      } catch (error) {
        this.#recordBug(error);
      }
      this.#pump();
      await ended;
    }
  }

  /** Start keys of a task's direct service predecessors, by printed id (SVC-045). */
  #serviceKeys(node: Node): Map<string, Digest> {
    const keys = new Map<string, Digest>();
    for (const rank of node.hardPredecessors) {
      const predecessor = this.#nodes[rank];
      if (predecessor.service === null) continue;
      keys.set(predecessor.id, predecessor.service.startKey ?? "0".repeat(64));
    }
    return keys;
  }

  /** SVC-046: H over the sorted ids and start keys of the aggregate's service predecessors. */
  #aggregateStartKey(node: Node): Digest | null {
    if (!node.service!.keyed || this.#ctx.cache === null) return null;
    const hasher = this.#ctx.hash.create();
    for (const [id, key] of [...this.#serviceKeys(node)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      hasher.update(new TextEncoder().encode(`${id}\u0000${key}\n`));
    }
    return hasher.digestHex();
  }

  /** SVC-053: once, when only kept services are left and they are up. */
  #announceServicesOnly(): void {
    // Without a kept service the scan below, after every event, would be quadratic in the run's size.
    if (!this.#keptServices) return;
    if (this.#servicesOnlyAnnounced || this.#cancelled || this.#bug !== null || this.#settled) return;
    const running: Node[] = [];
    for (const node of this.#nodes) {
      if (node.state === "terminal") continue;
      const service = node.service;
      if (service === null) return;
      if (!service.kept) continue;
      if (!service.up) return;
      if (service.spec !== null) running.push(node);
    }
    if (running.length === 0) return;
    this.#servicesOnlyAnnounced = true;
    this.#emit((observer) => observer.onServicesOnly(running.map((node) => node.task.id)));
  }

  // ---- mutexes (MUTEX-101) ---------------------------------------------------------------------

  #releaseMutex(node: Node): void {
    if (!node.holdsLock) return;
    node.holdsLock = false;
    for (const rank of this.#mutexes.release(node.task.mutex!, node.rank)) this.#wake(this.#nodes[rank]);
  }

  #park(node: Node): void {
    this.#releaseSlots(node);
    node.state = "parked";
    node.parkedAt = this.#ctx.clock.now();
  }

  #endWait(node: Node): void {
    const now = this.#ctx.clock.now();
    const waited = node.elsewhere;
    node.elsewhere = null;
    if (waited?.kind === "task") return;
    node.session.timing.addMutexWait(now - node.parkedAt);
    this.#mutexWaits.push({
      task: node.id,
      lock: lockLabel(node.task.mutex!),
      start: node.parkedAt,
      end: now,
    });
  }

  /** A release made the lock compatible: the task rejoins the ready set. */
  #wake(node: Node): void {
    if (node.state !== "parked") return;
    this.#endWait(node);
    node.state = "waiting";
    this.#candidates.push(node.rank);
  }

  /** A parked task leaves the wait queue for good (cancellation, closed gate). */
  #unpark(node: Node): void {
    if (node.elsewhere !== null) this.#elsewhere.delete(node);
    else this.#mutexes.unpark(node.task.mutex!, node.rank);
    this.#endWait(node);
  }

  // ---- locks held by other haz processes (XPROC-002, XPROC-003) -------------------------------

  /** Parks a task on a lock another process holds, notes it once, and makes sure somebody polls. */
  #waitElsewhere(node: Node, request: LockRequest, holder: LockHolder): void {
    this.#park(node);
    node.elsewhere = request;
    this.#elsewhere.add(node);
    if (!node.noted.has(request.kind)) {
      node.noted.add(request.kind);
      const task = node.task.id;
      const wait = request.kind === "task"
        ? { kind: "task" as const, task, pid: holder.pid }
        : { kind: "mutex" as const, task, pid: holder.pid, lock: lockLabel(node.task.mutex!) };
      this.#emit((observer) => observer.onTaskWaiting?.(wait));
    }
    if (!this.#polling) {
      this.#polling = true;
      this.#inFlight += 1;
      void this.#pollElsewhere();
    }
  }

  /**
   * Looks at the locks of the tasks parked on other processes at most 20 times a second; a task
   * whose lock looks free rejoins the ready set and repeats its whole lookup (XPROC-002). Counts as
   * work in flight, so the run does not end while a task waits; cancellation aborts the sleep.
   */
  async #pollElsewhere(): Promise<void> {
    try {
      while (this.#elsewhere.size > 0 && !this.#admissionClosed()) {
        await this.#ctx.clock.sleep(LOCK_POLL_MS, this.#pollAbort.signal);
        if (this.#admissionClosed()) break;
        for (const node of [...this.#elsewhere].sort((a, b) => a.rank - b.rank)) {
          if (this.#ctx.locks!.holderOf(node.elsewhere!) !== null) continue;
          this.#elsewhere.delete(node);
          this.#wake(node);
        }
        this.#pump();
      }
    } catch (error) {
      this.#recordBug(error);
    }
    this.#polling = false;
    this.#inFlight -= 1;
    this.#pump();
  }

  // ---- readiness -------------------------------------------------------------------------------

  #offerIfReady(node: Node): void {
    if (node.state === "waiting" && node.pendingHard === 0 && node.pendingSoft === 0) {
      this.#candidates.push(node.rank);
    }
  }

  /** Tasks whose last predecessor ended: ready, or cancelled / withdrawn at once. In canonical order. */
  #processCandidates(): void {
    while (this.#candidates.length > 0) {
      const batch = this.#candidates.sort((a, b) => a - b);
      this.#candidates = [];
      for (const rank of batch) {
        const node = this.#nodes[rank];
        // A service that went down again (SVC-044) may have taken a candidate back.
        if (node.state !== "waiting" || node.pendingHard > 0 || node.pendingSoft > 0) continue;
        const now = this.#ctx.clock.now();
        node.session.timing.markReady(now);
        if (this.#cancelled) {
          this.#settle(node, {
            kind: "cancelled",
            record: { kind: "run-cancelled", task: node.task.id, timing: node.session.timing.finish(now) },
          });
        } else if (this.#gate !== null) {
          this.#withdraw(node);
        } else if (this.#ctx.isStale?.(node.id)) {
          this.#withdrawStale(node);
        } else if (this.#cutsOff(node)) {
          this.#settleUnchanged(node);
        } else {
          node.state = "ready";
          node.queue.heap.push(rank);
        }
      }
    }
  }

  /** WATCH-043: outside the matched set, and no hard predecessor changed in this run. */
  #cutsOff(node: Node): boolean {
    const { cutOff } = this.#ctx;
    return cutOff !== undefined && !cutOff.matched.has(node.id) && !node.predecessorChanged;
  }

  /** WATCH-043: ends silently with its previous outcome; successors see an unchanged success. */
  #settleUnchanged(node: Node): void {
    this.#settle(node, {
      kind: "skipped",
      record: { task: node.task.id, cause: { kind: "unchanged" }, timing: this.#finishTiming(node) },
    });
    for (const rank of node.hardSuccessors) this.#releaseSuccessor(node, this.#nodes[rank]);
  }

  /**
   * WATCH-043: a changed task's successors along producer edges are not cut off. They are offered
   * when this task is terminal (or a service up), with the soft ones; the candidates are looked at
   * only after the current event, so they know by then.
   */
  #tellProducerSuccessors(node: Node): void {
    if (!node.changed) return;
    for (const rank of node.producerSuccessors) this.#nodes[rank].predecessorChanged = true;
  }

  /** A hard successor has one predecessor less to wait for, and learns whether it changed (WATCH-043). */
  #releaseSuccessor(node: Node, successor: Node): void {
    if (node.changed) successor.predecessorChanged = true;
    successor.pendingHard -= 1;
    this.#offerIfReady(successor);
  }

  // ---- terminal events (§5.2) ------------------------------------------------------------------

  /**
   * Records a terminal event and handles its consequences. Victims of a cascade are settled with
   * `cascade: false`: the cascade already lists every descendant, in canonical order.
   */
  #settle(node: Node, terminal: Terminal, cascade = true): void {
    this.#settleOne(node, terminal, cascade);
    this.#afterTerminal(node);
  }

  #settleOne(node: Node, terminal: Terminal, cascade: boolean): void {
    node.state = "terminal";
    this.#remaining -= 1;
    for (const resolve of this.#terminalWaiters.get(node) ?? []) resolve();
    this.#terminalWaiters.delete(node);
    this.#results[node.rank] = terminal;
    this.#emitTerminal(terminal);
    for (const rank of node.softSuccessors) {
      if (node.service?.releasedSoft.has(rank)) continue;
      const successor = this.#nodes[rank];
      successor.pendingSoft -= 1;
      this.#offerIfReady(successor);
    }
    if (terminal.kind === "completed" && terminal.record.state === "succeeded") {
      const { record } = terminal;
      this.#digests.set(node.id, { stdout: record.stdout.hash, stderr: record.stderr.hash });
      const violations = this.#checks.check(node.id, record.materialisedOutputs);
      for (const violation of violations) {
        this.#violations.push(violation);
        this.#emit((observer) => observer.onInvariantViolation(violation));
      }
      if (violations.length > 0) this.#closeGate(node, violations);
      if (this.#ctx.isStale?.(node.id)) {
        // WATCH-045: a stale result releases no successor in this cycle.
        for (const victim of this.#descendantsToEnd(node)) this.#withdrawStale(victim);
        return;
      }
      node.changed = this.#ctx.cutOff?.changed(record) ?? true;
      this.#tellProducerSuccessors(node);
      for (const rank of node.hardSuccessors) {
        if (node.service?.releasedHard.has(rank)) continue;
        this.#releaseSuccessor(node, this.#nodes[rank]);
      }
      if (violations.length > 0 && this.#ctx.failFast) {
        this.#ctx.control.cancel({ kind: "fail-fast", root: node.task.id });
      }
    } else if (!cascade || terminal.kind === "skipped") {
      return;
    } else if (terminal.kind === "completed" || terminal.kind === "errored") {
      const kind = terminal.kind === "errored" ? "upstream-errored" : "upstream-failed";
      for (const victim of this.#descendantsToEnd(node)) {
        this.#settle(victim, {
          kind: "skipped",
          record: {
            task: victim.task.id,
            cause: { kind, root: node.task.id },
            timing: this.#finishTiming(victim),
          },
        }, false);
      }
      if (this.#ctx.failFast) this.#ctx.control.cancel({ kind: "fail-fast", root: node.task.id });
    } else if (terminal.kind === "cancelled") {
      // EXEC-015: the root is the cancelled task that is not itself upstream-cancelled.
      const root = terminal.record.kind === "upstream-cancelled" ? terminal.record.root : node.task.id;
      for (const victim of this.#descendantsToEnd(node)) {
        this.#settle(victim, {
          kind: "cancelled",
          record: {
            kind: "upstream-cancelled",
            task: victim.task.id,
            root,
            timing: this.#finishTiming(victim),
          },
        }, false);
      }
    }
  }

  /**
   * Every transitive hard descendant not admitted yet, in canonical order (EXEC-010/015). Consumers
   * of a service that were admitted while it was up keep running (SVC-061).
   */
  #descendantsToEnd(node: Node): Node[] {
    const seen = new Set<number>();
    const stack = [...node.hardSuccessors];
    while (stack.length > 0) {
      const rank = stack.pop()!;
      if (seen.has(rank) || this.#nodes[rank].state === "terminal") continue;
      seen.add(rank);
      stack.push(...this.#nodes[rank].hardSuccessors);
    }
    return [...seen].sort((a, b) => a - b).map((rank) => this.#nodes[rank])
      .filter((victim) => victim.state !== "admitted");
  }

  #finishTiming(node: Node) {
    return node.session.timing.finish(this.#ctx.clock.now());
  }

  // ---- runtime checks (EXEC-106) ---------------------------------------------------------------

  #closeGate(node: Node, violations: readonly RuntimeInvariantViolation[]): void {
    for (const violation of violations) {
      if (violation.kind !== "runtime-cycle") continue;
      for (const member of violation.nodes) {
        const id = `${member.project}:${member.task}`;
        if (!this.#cycleRoots.has(id)) this.#cycleRoots.set(id, node.task.id);
      }
    }
    if (this.#gate !== null) return;
    this.#gate = { root: node.task.id, violation: violations[0].kind };
    this.#pollAbort.abort();
    for (const waiting of this.#nodes) {
      if (waiting.state === "waiting" || waiting.state === "ready" || waiting.state === "parked") {
        this.#withdraw(waiting);
      }
    }
  }

  /** WATCH-045: withdraws a stale task and the descendants still waiting on it. */
  #withdrawStale(node: Node): void {
    if (node.state === "terminal") return;
    const victims = this.#descendantsToEnd(node);
    this.#settle(node, {
      kind: "skipped",
      record: { task: node.task.id, cause: { kind: "stale" }, timing: this.#finishTiming(node) },
    });
    for (const victim of victims) {
      if (victim.state === "terminal") continue;
      this.#settle(victim, {
        kind: "skipped",
        record: { task: victim.task.id, cause: { kind: "stale" }, timing: this.#finishTiming(victim) },
      }, false);
    }
  }

  #withdraw(node: Node): void {
    if (node.state === "parked") this.#unpark(node);
    this.#settle(node, {
      kind: "skipped",
      record: { task: node.task.id, cause: this.#withdrawCause(node), timing: this.#finishTiming(node) },
    });
  }

  #withdrawCause(node: Node): SkipCause {
    const gate = this.#gate!;
    const cycleRoot = this.#cycleRoots.get(node.id);
    if (cycleRoot !== undefined) return { kind: "runtime-cycle", root: cycleRoot };
    return { kind: "admission-closed", root: gate.root, violation: gate.violation };
  }

  // ---- cancellation (EXEC-013, EXEC-105) -------------------------------------------------------

  #startCancellation(reason: CancelReason): void {
    if (this.#cancelled || this.#settled) return;
    this.#cancelled = true;
    this.#cancelledAt = this.#ctx.clock.now();
    this.#pollAbort.abort();
    this.#emit((observer) => observer.onCancelling(reason, false));
    const now = this.#ctx.clock.now();
    for (const node of this.#nodes) {
      if (node.state !== "ready" && node.state !== "parked") continue;
      if (node.state === "parked") this.#unpark(node);
      this.#settle(node, {
        kind: "cancelled",
        record: { kind: "run-cancelled", task: node.task.id, timing: node.session.timing.finish(now) },
      });
    }
    for (const node of this.#nodes) node.process?.cancel();
    // SVC-062: every service at once, not in reverse order.
    for (const node of this.#nodes) {
      const service = node.service;
      if (service === null || service.spec === null || node.state !== "admitted") continue;
      service.stop ??= "cancelled";
      if (service.backoff !== null) service.backoff.abort();
      else service.handle?.stop();
    }
    for (const node of this.#nodes) {
      if (node.service?.spec === null && node.state === "admitted") this.#settleServiceAggregate(node);
    }
    this.#pump();
  }

  #kill(): void {
    if (this.#forced || this.#settled) return;
    this.#forced = true;
    const reason = this.#ctx.control.reason ?? { kind: "programmatic" };
    this.#emit((observer) => observer.onCancelling(reason, true));
    for (const node of this.#nodes) {
      node.process?.kill();
      node.service?.handle?.kill();
    }
  }

  // ---- observer and settlement -----------------------------------------------------------------

  #emitTerminal(terminal: Terminal): void {
    switch (terminal.kind) {
      case "completed":
        return this.#emit((observer) => observer.onTaskFinished(terminal.record));
      case "errored":
        return this.#emit((observer) => observer.onTaskErrored(terminal.record));
      case "skipped":
        return this.#emit((observer) => observer.onTaskSkipped(terminal.record));
      case "cancelled":
        return this.#emit((observer) => observer.onTaskCancelled(terminal.record));
    }
  }

  /** Calls the observer; one that throws is a haz bug: kill every group, then reject (§2.1). */
  #emit(call: (observer: RunObserver) => void): void {
    if (this.#bug !== null) return;
    try {
      call(this.#ctx.observer);
    } catch (error) {
      this.#recordBug(error);
    }
  }

  #recordBug(error: unknown): void {
    if (this.#bug !== null) return;
    this.#bug = { error };
    this.#pollAbort.abort();
    // Outside the current event, so the bookkeeping in progress completes first.
    queueMicrotask(() => {
      this.#ctx.control.kill();
      this.#pump();
    });
  }

  #guardedObserver(): RunObserver {
    const emit = (call: (observer: RunObserver) => void) => this.#emit(call);
    return {
      onTaskStarted: (task) => emit((observer) => observer.onTaskStarted(task)),
      onStdout: (task, chunk) => emit((observer) => observer.onStdout(task, chunk)),
      onStderr: (task, chunk) => emit((observer) => observer.onStderr(task, chunk)),
      onTaskFinished: (record) => emit((observer) => observer.onTaskFinished(record)),
      onTaskErrored: (record) => emit((observer) => observer.onTaskErrored(record)),
      onTaskSkipped: (record) => emit((observer) => observer.onTaskSkipped(record)),
      onTaskCancelled: (record) => emit((observer) => observer.onTaskCancelled(record)),
      onInvariantViolation: (violation) => emit((observer) => observer.onInvariantViolation(violation)),
      onCancelling: (reason, forced) => emit((observer) => observer.onCancelling(reason, forced)),
      onWarning: (warning) => emit((observer) => observer.onWarning(warning)),
      onServiceUp: (task, upMs) => emit((observer) => observer.onServiceUp(task, upMs)),
      onServiceRestarting: (task, restart) => emit((observer) => observer.onServiceRestarting(task, restart)),
      onServicesOnly: (services) => emit((observer) => observer.onServicesOnly(services)),
    };
  }

  #finishIfDone(): void {
    if (this.#settled || this.#pumping || this.#inFlight > 0) return;
    // WATCH-047: a ready task waits for a slot another run of the loop holds; its release pumps again.
    if (this.#ctx.slots !== undefined && this.#nodes.some((node) => node.state === "ready")) return;
    this.#settled = true;
    this.#unwatch();
    this.#unlisten();
    if (this.#bug !== null) return this.#reject(this.#bug.error);
    if (this.#remaining > 0) {
      const stuck = this.#nodes.filter((node) => node.state !== "terminal").map((node) => node.id);
      return this.#reject(new Error(`the run stalled with tasks that never ended: ${stuck.join(", ")}`));
    }
    this.#resolve(this.#outcome());
  }

  #outcome(): RunGraphResult {
    const outcomes: RunOutcome[] = [];
    const taskErrors: TaskErrorRecord[] = [];
    for (const terminal of this.#results) {
      if (terminal === undefined) continue;
      if (terminal.kind === "errored") taskErrors.push(terminal.record);
      else if (terminal.kind === "completed") outcomes.push({ kind: "completed", record: terminal.record });
      else if (terminal.kind === "skipped") outcomes.push({ kind: "skipped", record: terminal.record });
      else outcomes.push({ kind: "cancelled", record: terminal.record });
    }
    return {
      outcomes,
      taskErrors,
      invariantViolations: this.#violations,
      cancel: this.#cancelled ? this.#ctx.control.reason : null,
      cancelledAt: this.#cancelledAt,
      forced: this.#forced,
      warnings: this.#warnings,
      startedAt: this.#startedAt,
      endedAt: this.#ctx.clock.now(),
      trace: { admissions: this.#admissions, mutexWaits: this.#mutexWaits, services: this.#upSpans },
    };
  }
}

/** How a service or service aggregate of the run set lives (SVC-046, SVC-050, SVC-045). */
interface ServiceShape {
  readonly kept: boolean;
  readonly keyed: boolean;
}

/**
 * The run set's services and service aggregates: kept when the selection names them or a kept
 * service aggregate needs them; keyed when a start key can be derived.
 */
function serviceShapes(
  graph: RunContext["graph"],
  ranks: ReadonlyMap<string, number>,
  named: ReadonlySet<string>,
): Map<string, ServiceShape> {
  const memo = new Map<string, boolean>();
  const isServiceLike = (id: string): boolean => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    memo.set(id, false);
    const task = graph.tasks.get(id)!;
    const result = task.service !== null ||
      (task.action === null && (graph.hardPredecessors.get(id) ?? []).some(isServiceLike));
    memo.set(id, result);
    return result;
  };
  const serviceIds = [...ranks.keys()].filter(isServiceLike);
  const servicePredecessors = (id: string) => (graph.hardPredecessors.get(id) ?? []).filter(isServiceLike);
  const keyedMemo = new Map<string, boolean>();
  const keyed = (id: string): boolean => {
    const known = keyedMemo.get(id);
    if (known !== undefined) return known;
    const task = graph.tasks.get(id)!;
    const result = task.service !== null ? task.inputs !== null : servicePredecessors(id).every(keyed);
    keyedMemo.set(id, result);
    return result;
  };
  const kept = new Set<string>();
  const keep = (id: string) => {
    if (kept.has(id)) return;
    kept.add(id);
    if (graph.tasks.get(id)!.action === null) { for (const pred of servicePredecessors(id)) keep(pred); }
  };
  for (const id of serviceIds) if (named.has(id)) keep(id);
  return new Map(serviceIds.map((id) => [id, { kept: kept.has(id), keyed: keyed(id) }]));
}

/**
 * WATCH-042: the producer edges (DAG-013) between run-set tasks, self edges left out, by rank in
 * both directions. Only a watch cycle orders by them; `haz run` treats them as metadata.
 */
function producerAdjacency(
  graph: RunContext["graph"],
  ranks: ReadonlyMap<string, number>,
): { successors: Map<number, number[]>; predecessors: Map<number, number[]> } {
  const successors = new Map<number, number[]>();
  const predecessors = new Map<number, number[]>();
  for (const edge of graph.edges) {
    if (edge.kind !== "producer" || edge.from === edge.to) continue;
    const from = ranks.get(edge.from);
    const to = ranks.get(edge.to);
    if (from === undefined || to === undefined) continue;
    const out = successors.get(from);
    if (out === undefined) successors.set(from, [to]);
    else out.push(to);
    const into = predecessors.get(to);
    if (into === undefined) predecessors.set(to, [from]);
    else into.push(from);
  }
  for (const list of [...successors.values(), ...predecessors.values()]) list.sort((a, b) => a - b);
  return { successors, predecessors };
}

/** The ranks of `list` in none of `others`. */
function beyond(list: readonly number[], ...others: readonly (readonly number[])[]): number[] {
  if (list.length === 0) return [];
  const taken = new Set(others.flat());
  return list.filter((rank) => !taken.has(rank));
}

/**
 * Whether the run's key derivations may share file-system answers: only tasks of the run write
 * files then, and each write forgets them. A service writes whenever it likes, so a run with one
 * (started here or earlier) reads the disk afresh for every key.
 */
function sharesObservations(ctx: RunContext): boolean {
  if ((ctx.runningServices?.size ?? 0) > 0) return false;
  for (const id of ctx.runSet) if ((ctx.graph.tasks.get(id)?.service ?? null) !== null) return false;
  return true;
}

/**
 * After a restore, the run's shared observations forget what it may have changed: everything at,
 * above and below the task's outputs (their static prefixes and the files written). Anything but a
 * completed restore forgets everything.
 */
function forgetRestored(ctx: RunContext, task: TaskDefinition, restored: RestorePhaseResult): void {
  const observations = ctx.observations;
  if (observations === undefined) return;
  if (restored.kind !== "completed") {
    observations.forget();
    return;
  }
  const touched = new Set(restored.record.materialisedOutputs);
  for (const output of [...task.outputs, ...(task.outputExclusions ?? [])]) {
    const prefixes = output.isGlob
      ? compileGlobAlternatives(output.canonical).map((alternative) => alternative.literalPrefix)
      : [output.canonical];
    for (const prefix of prefixes) touched.add(prefix);
  }
  observations.forgetAround([...touched].map((path) => hostPathIn(ctx.workspace.root, path)));
}

function hostPathIn(workspaceRoot: string, path: string): string {
  return path === "/" ? workspaceRoot : join(workspaceRoot, path);
}
