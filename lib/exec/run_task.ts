/**
 * The life of one task (04-execution.md §4, EXEC-007, EXEC-009), split into the phases the
 * scheduler drives — {@link cacheLookupPhase}, {@link restoreFromHit}, {@link runFresh} — and
 * {@link runTask}, which runs one task outside the scheduler (no caps, no mutex).
 *
 * @module
 */

import type { Capture, RestoreOptions, RestoreResult } from "../cache/cache_handle.ts";
import type { Manifest } from "../cache/manifest.ts";
import {
  buildCacheKey,
  buildCacheKeyNow,
  type HashedInput,
  INPUTS_CHANGED_REASON,
  inputsUnchanged,
  type KeyRequest,
} from "../cache/key.ts";
import { resolveOutputs } from "../cache/file_walk.ts";
import { compareBytes, formatTaskId, type TaskId } from "../domain/task_id.ts";
import type { TaskDefinition } from "../domain/workspace.ts";
import { LOCK_POLL_MS, type LockLease } from "../lock/workspace_locks.ts";
import { childEnvironment } from "./child_env.ts";
import type { RunningProcess } from "./process_controller.ts";
import { type SpawnedProcess, spawnFailure } from "./process.ts";
import type {
  CancelledRecord,
  CompletedRecord,
  FailureCause,
  RunTaskError,
  RunWarning,
  TaskErrorRecord,
  TaskTiming,
} from "./records.ts";
import type { Digest, StreamDigest } from "../cache/digest.ts";
import type { RunContext } from "./run_context.ts";
import { watchRunControl } from "./run_control.ts";
import { spawnPlan } from "./spawn_plan.ts";
import { emptyStreamDigest, StreamCapture } from "./stream_capture.ts";
import { controlProcess } from "./controlled_process.ts";
import { TimingRecorder } from "./task_timing.ts";

export type { RunningProcess } from "./process_controller.ts";
export type {
  CancelledRecord,
  CompletedRecord,
  RunObserver,
  RunOutcome,
  SkipRecord,
  TaskErrorRecord,
} from "./records.ts";

/** Stream digests of succeeded tasks, by printed id (§6). */
export type PredecessorDigests = ReadonlyMap<string, { readonly stdout: Digest; readonly stderr: Digest }>;

/** The state one task carries through its phases. */
export interface TaskSession {
  readonly task: TaskDefinition;
  readonly timing: TimingRecorder;
}

/** A signalled cancelled record. */
export type SignaledRecord = Extract<CancelledRecord, { kind: "signaled-in-flight" }>;

/** How a phase ended a task; the caller adds the timing at the terminal event. */
export type TaskEnding =
  | {
    readonly kind: "completed";
    readonly record: Omit<CompletedRecord, "timing">;
    readonly warning: RunWarning | null;
  }
  | { readonly kind: "errored"; readonly record: Omit<TaskErrorRecord, "timing"> }
  | { readonly kind: "signaled"; readonly record: Omit<SignaledRecord, "timing"> };

/** Result of {@link cacheLookupPhase}. */
export type LookupPhaseResult =
  | {
    readonly kind: "hit";
    readonly key: Digest;
    readonly inputs: readonly HashedInput[];
    readonly manifest: Manifest;
    /** Where the entry came from: the local cache, or the remote through an import (REMOTE-060). */
    readonly from: "local" | "remote";
  }
  | { readonly kind: "miss"; readonly key: Digest; readonly inputs: readonly HashedInput[] }
  | { readonly kind: "errored"; readonly ending: TaskEnding };

/**
 * A local miss the remote is to be asked about (REMOTE-060 step 2), from {@link cacheLookupNow}: the
 * key is derived and the `lookup` phase recorded; {@link remoteLookupPhase} goes on from here.
 */
export interface RemoteAsk {
  readonly kind: "ask-remote";
  readonly key: Digest;
  readonly inputs: readonly HashedInput[];
}

/**
 * Result of {@link restoreFromHit}: a completed or errored ending, a late miss (CACHE-038), or, when
 * asked to write nothing, `needs-writes`.
 */
export type RestorePhaseResult = TaskEnding | { readonly kind: "late-miss" } | {
  readonly kind: "needs-writes";
};

/** Why a fresh run did not spawn. */
export type SpawnBlock = "cancelled" | "withdrawn";

/** How the caller steers a fresh run around its spawn. */
export interface SpawnGuard {
  /** Asked right before spawning (after the store directory exists): a reason not to spawn, or null. */
  blocked(): SpawnBlock | null;
  /** The process runs; keep the handle to cancel or kill it. */
  onSpawned(process: RunningProcess): void;
}

/** What {@link runFresh} needs besides the task. */
export interface FreshRunRequest {
  /** The key from the lookup; null when the task is not looked up or stored. */
  readonly key: Digest | null;
  /** The hashed inputs of the key, for CACHE-035. */
  readonly inputs: readonly HashedInput[] | null;
  readonly guard: SpawnGuard;
}

/** Result of {@link runFresh}. */
export type FreshRunResult = TaskEnding | { readonly kind: "not-started"; readonly reason: SpawnBlock };

/**
 * CACHE-024: not a service (SVC-045), an action, declared `inputs`, and `cache` not false.
 *
 * @example
 * ```ts
 * isCacheable(task); // true for { command: [tsc], inputs: ["src/**"] }
 * ```
 */
export function isCacheable(task: TaskDefinition): boolean {
  return task.service === null && task.action !== null && task.inputs !== null && task.cache;
}

/**
 * §4 step 3: derives the key (inputs, direct hard predecessors' digests, env) and reads the entry,
 * recording the `lookup` phase. A derivation failure is a `key-derivation` error; every lookup problem
 * is a miss. Requires a cacheable task and `ctx.cache`. Service predecessors enter through `services`
 * (id → start key, SVC-045) instead of their streams.
 *
 * @example
 * ```ts
 * const found = await cacheLookupPhase(ctx, session, digests);
 * if (found.kind === "hit") await restoreFromHit(ctx, session, found);
 * ```
 */
export async function cacheLookupPhase(
  ctx: RunContext,
  session: TaskSession,
  predecessors: PredecessorDigests,
  services: ReadonlyMap<string, Digest> = new Map(),
): Promise<LookupPhaseResult> {
  const { task, timing } = session;
  const cache = requireCache(ctx);
  const start = ctx.clock.now();
  const derived = await buildCacheKey(keyRequest(ctx, task, predecessors, services));
  if (!derived.ok) {
    timing.addPhase("lookup", start, ctx.clock.now());
    return {
      kind: "errored",
      ending: errored(task, { kind: "key-derivation", message: derived.message }, null, null),
    };
  }
  const found = await cache.lookup(derived.key, task);
  timing.addPhase("lookup", start, ctx.clock.now());
  if (found.kind === "hit") {
    return { kind: "hit", key: derived.key, inputs: derived.inputs, manifest: found.manifest, from: "local" };
  }
  if (cache.remote !== null && ctx.control.reason === null) {
    return await remoteLookupPhase(ctx, session, {
      kind: "ask-remote",
      key: derived.key,
      inputs: derived.inputs,
    });
  }
  return { kind: "miss", key: derived.key, inputs: derived.inputs };
}

/** What key derivation needs of the run and the task (both lookup paths). */
function keyRequest(
  ctx: RunContext,
  task: TaskDefinition,
  predecessors: PredecessorDigests,
  services: ReadonlyMap<string, Digest>,
): KeyRequest {
  return {
    workspaceRoot: ctx.workspace.root,
    task,
    hostEnv: ctx.hostEnv,
    predecessors,
    hardPredecessors: hardPredecessorsOf(ctx, task, services),
    services,
    hash: ctx.hash,
    ...(ctx.inputDigests === undefined ? {} : { inputDigests: ctx.inputDigests }),
    ...(ctx.observations === undefined ? {} : { observations: ctx.observations }),
  };
}

/**
 * {@link cacheLookupPhase} synchronously, when the key needs no walk and no streamed read and the
 * cache answers at once (`lookupNow`): the same result and `lookup` phase. A local miss with a remote
 * to ask is `ask-remote`, for {@link remoteLookupPhase} (the key is not derived twice). Null, having
 * recorded nothing, when the asynchronous phase must answer.
 *
 * @example
 * ```ts
 * let found = cacheLookupNow(ctx, session, digests) ?? await cacheLookupPhase(ctx, session, digests);
 * if (found.kind === "ask-remote") found = await remoteLookupPhase(ctx, session, found);
 * ```
 */
export function cacheLookupNow(
  ctx: RunContext,
  session: TaskSession,
  predecessors: PredecessorDigests,
  services: ReadonlyMap<string, Digest> = new Map(),
): LookupPhaseResult | RemoteAsk | null {
  const { task, timing } = session;
  const cache = requireCache(ctx);
  if (cache.lookupNow === undefined) return null;
  const start = ctx.clock.now();
  const derived = buildCacheKeyNow(keyRequest(ctx, task, predecessors, services));
  if (derived === null) return null;
  if (!derived.ok) {
    timing.addPhase("lookup", start, ctx.clock.now());
    return {
      kind: "errored",
      ending: errored(task, { kind: "key-derivation", message: derived.message }, null, null),
    };
  }
  const found = cache.lookupNow(derived.key, task);
  timing.addPhase("lookup", start, ctx.clock.now());
  if (found.kind === "hit") {
    return { kind: "hit", key: derived.key, inputs: derived.inputs, manifest: found.manifest, from: "local" };
  }
  return cache.remote !== null && ctx.control.reason === null
    ? { kind: "ask-remote", key: derived.key, inputs: derived.inputs }
    : { kind: "miss", key: derived.key, inputs: derived.inputs };
}

/**
 * REMOTE-060 step 2 (phase `download`) after a local miss: asks the remote; an import is followed by
 * a local lookup of the new entry, which makes the task a remote hit. Anything else is a miss.
 * Cancelling the run aborts the download (REMOTE-063). Requires `ctx.cache` with a remote.
 *
 * @example
 * ```ts
 * const found = await remoteLookupPhase(ctx, session, { kind: "ask-remote", key, inputs });
 * found.kind; // "hit" (from: "remote") or "miss"
 * ```
 */
export async function remoteLookupPhase(
  ctx: RunContext,
  session: TaskSession,
  ask: RemoteAsk,
): Promise<Exclude<LookupPhaseResult, { kind: "errored" }>> {
  const { task, timing } = session;
  const cache = requireCache(ctx);
  const { key, inputs } = ask;
  const start = ctx.clock.now();
  const controller = new AbortController();
  const unwatch = watchRunControl(ctx.control, {
    onCancel: () => controller.abort(),
    onKill: () => controller.abort(),
  });
  try {
    const fetched = cache.remote === null
      ? "miss"
      : await cache.remote.fetch({ key, task, signal: controller.signal });
    if (fetched === "imported") {
      const found = cache.lookupNow?.(key, task) ?? await cache.lookup(key, task);
      if (found.kind === "hit") return { kind: "hit", key, inputs, manifest: found.manifest, from: "remote" };
    }
    return { kind: "miss", key, inputs };
  } finally {
    unwatch();
    timing.addPhase("download", start, ctx.clock.now());
  }
}

/**
 * Reads the entry of an already derived key again (no key derivation), recording a `lookup` phase:
 * after a task has taken its workspace lock, the result another haz process stored meanwhile is a
 * hit (XPROC-002).
 *
 * @example
 * ```ts
 * const again = await recheckEntry(ctx, session, miss);
 * again.kind; // "hit" when another process stored the entry meanwhile
 * ```
 */
export async function recheckEntry(
  ctx: RunContext,
  session: TaskSession,
  miss: { readonly key: Digest; readonly inputs: readonly HashedInput[] },
): Promise<Exclude<LookupPhaseResult, { kind: "errored" }>> {
  const start = ctx.clock.now();
  const found = await requireCache(ctx).lookup(miss.key, session.task);
  session.timing.addPhase("lookup", start, ctx.clock.now());
  return found.kind === "hit"
    ? { kind: "hit", key: miss.key, inputs: miss.inputs, manifest: found.manifest, from: "local" }
    : { kind: "miss", key: miss.key, inputs: miss.inputs };
}

/**
 * §4 step 4: restores a hit's outputs, then replays its stdout and stderr to the observer, recording
 * the `restore` phase. No mutex is touched (MUTEX-007). With `onlyIfUpToDate` it writes nothing and
 * ends `needs-writes` unless every output is already in place.
 *
 * @example
 * ```ts
 * const restored = await restoreFromHit(ctx, session, hit);
 * restored.kind; // "completed", "errored" or "late-miss"
 * ```
 */
export async function restoreFromHit(
  ctx: RunContext,
  session: TaskSession,
  hit: { readonly key: Digest; readonly manifest: Manifest; readonly from: "local" | "remote" },
  options: RestoreOptions = {},
): Promise<RestorePhaseResult> {
  const { task, timing } = session;
  const cache = requireCache(ctx);
  const { manifest } = hit;
  const start = ctx.clock.now();
  try {
    const restored = await cache.restore(manifest, task, options);
    if (restored.kind === "restored") {
      // An empty recorded stream replays nothing (most tasks print nothing on at least one).
      if (manifest.stdout.size > 0) {
        await cache.replay(manifest, "stdout", (chunk) => ctx.observer.onStdout(task.id, chunk));
      }
      if (manifest.stderr.size > 0) {
        await cache.replay(manifest, "stderr", (chunk) => ctx.observer.onStderr(task.id, chunk));
      }
    }
    return restoredEnding(task, hit, restored);
  } catch (error) {
    return errored(task, { kind: "restore", message: messageOf(error) }, hit.key, null);
  } finally {
    timing.addPhase("restore", start, ctx.clock.now());
  }
}

/**
 * {@link restoreFromHit} synchronously, when the cache can answer at once (`restoreAndReplayNow`):
 * the same ending, replay and `restore` phase. Null, having recorded, written and replayed nothing,
 * when the asynchronous restore must answer.
 *
 * @example
 * ```ts
 * const untouched = restoreNow(ctx, session, hit, { onlyIfUpToDate: true }) ??
 *   await restoreFromHit(ctx, session, hit, { onlyIfUpToDate: true });
 * ```
 */
export function restoreNow(
  ctx: RunContext,
  session: TaskSession,
  hit: { readonly key: Digest; readonly manifest: Manifest; readonly from: "local" | "remote" },
  options: RestoreOptions = {},
): RestorePhaseResult | null {
  const { task, timing } = session;
  const cache = requireCache(ctx);
  if (cache.restoreAndReplayNow === undefined) return null;
  const start = ctx.clock.now();
  let restored: RestoreResult | null;
  try {
    restored = cache.restoreAndReplayNow(hit.manifest, task, options, (stream, chunk) => {
      if (stream === "stdout") ctx.observer.onStdout(task.id, chunk);
      else ctx.observer.onStderr(task.id, chunk);
    });
  } catch (error) {
    timing.addPhase("restore", start, ctx.clock.now());
    return errored(task, { kind: "restore", message: messageOf(error) }, hit.key, null);
  }
  if (restored === null) return null;
  timing.addPhase("restore", start, ctx.clock.now());
  return restoredEnding(task, hit, restored);
}

/**
 * §4 steps 6–9: spawns the task (unless the guard blocks it), captures and hashes its streams,
 * enforces the timeout, drains (PROC-006), classifies (EXEC-009), enumerates the outputs and stores
 * the entry of a succeeded cacheable run. The caller holds the mutex around it.
 *
 * @example
 * ```ts
 * const result = await runFresh(ctx, session, { key: null, inputs: null, guard });
 * if (result.kind === "completed") result.record.state; // "succeeded" or "failed"
 * ```
 */
export async function runFresh(
  ctx: RunContext,
  session: TaskSession,
  request: FreshRunRequest,
): Promise<FreshRunResult> {
  const { task, timing } = session;
  if (task.action === null) throw new Error(`aggregate task ${task.key} cannot run fresh`);
  const { clock, cache } = ctx;
  const { key } = request;
  const storing = key !== null && cache !== null;
  const capture = storing ? await cache.beginCapture(key) : null;
  const discard = async () => {
    if (capture !== null && cache !== null) await cache.discard(capture);
  };
  const blocked = request.guard.blocked();
  if (blocked !== null) {
    await discard();
    return { kind: "not-started", reason: blocked };
  }
  const plan = spawnPlan(task.action, {
    workspaceRoot: ctx.workspace.root,
    projectRoot: task.projectRoot,
    env: childEnvironment(task, ctx.workspace.settings.passThrough, ctx.hostEnv),
  });
  let spawned: SpawnedProcess;
  try {
    spawned = ctx.spawner.spawn(plan);
  } catch (error) {
    await discard();
    const spawnError = spawnFailure(error, plan.program);
    return errored(task, spawnError, key, null);
  }
  const spawnedAt = clock.now();
  const streams = new StreamCapture({
    hash: ctx.hash,
    capture,
    onChunk: (stream, chunk) => {
      if (stream === "stdout") ctx.observer.onStdout(task.id, chunk);
      else ctx.observer.onStderr(task.id, chunk);
    },
  });
  const { supervised, controller } = controlProcess(spawned, {
    spawner: ctx.spawner,
    clock,
    streams,
    timeoutMs: task.timeoutMs,
    graceMs: ctx.cancelGraceMs,
  });
  request.guard.onSpawned(controller);
  const result = await supervised.finished;
  controller.finished();
  timing.addPhase("exec", spawnedAt, result.leaderExitedAt);
  timing.addPhase("drain", result.leaderExitedAt, result.drainEndedAt);
  const stdout = streams.digest("stdout");
  const stderr = streams.digest("stderr");
  const history = controller.history();

  if (result.status === null) {
    await discard();
    return errored(
      task,
      { kind: "wait", message: result.waitError ?? "waiting for the process failed" },
      key,
      {
        stdout,
        stderr,
      },
    );
  }
  if (history.cancelSignalled && history.lastSignal !== null) {
    await discard();
    return {
      kind: "signaled",
      record: {
        kind: "signaled-in-flight",
        task: task.id,
        key,
        exitStatus: result.status,
        lastSignal: history.lastSignal,
        escalation: history.escalation,
        stdout,
        stderr,
      },
    };
  }
  const signalError = history.signalError ??
    (result.signalError === null ? null : { signal: "SIGKILL" as const, message: result.signalError });
  if (signalError !== null) {
    await discard();
    return errored(task, { kind: "signal", ...signalError }, key, { stdout, stderr });
  }
  if (result.streamError !== null) {
    await discard();
    return errored(task, { kind: "stream-read", ...result.streamError }, key, { stdout, stderr });
  }
  const failure = failureOf(result.status, history, task.timeoutMs);
  const completed = {
    task: task.id,
    source: "fresh-run" as const,
    hitFrom: null,
    exitStatus: result.status,
    key,
    stdout,
    stderr,
  };
  if (failure !== null) {
    await discard();
    return {
      kind: "completed",
      warning: null,
      record: { ...completed, state: "failed", failure, stored: false, materialisedOutputs: [] },
    };
  }
  let materialised: readonly string[] = [];
  if (task.outputs.length > 0) {
    const resolution = await resolveOutputs(ctx.workspace.root, task.outputs, task.outputExclusions);
    if (!resolution.ok) {
      await discard();
      return errored(task, resolution.error, key, { stdout, stderr });
    }
    materialised = sortedUnique(resolution.paths);
  }
  let warning: RunWarning | null = null;
  let stored = false;
  if (storing) {
    const stores = await storeFreshRun(ctx, session, {
      capture,
      captureFailure: streams.failure,
      key,
      inputs: request.inputs,
      outputs: materialised,
      stdout,
      stderr,
      durationMs: result.leaderExitedAt - spawnedAt,
    });
    stored = stores.stored;
    warning = stores.warning;
    cache.remote?.freshRunSucceeded({ key, task, stored });
  }
  return {
    kind: "completed",
    warning,
    record: { ...completed, state: "succeeded", failure: null, stored, materialisedOutputs: materialised },
  };
}

/**
 * Runs one task outside the scheduler: no caps, no mutex, no cascade. Fires `onTaskStarted`, the
 * streams and exactly one terminal callback; honours `ctx.control` (cancel before the spawn ends it
 * `run-cancelled`; while running, SIGTERM and the grace; `kill()` SIGKILL).
 *
 * @example
 * ```ts
 * const record = await runTask(ctx, { project: "app", task: "build" }, new Map());
 * "source" in record && record.state; // "succeeded"
 * ```
 */
export async function runTask(
  ctx: RunContext,
  task: TaskId,
  predecessors: PredecessorDigests,
): Promise<CompletedRecord | CancelledRecord | TaskErrorRecord> {
  const definition = ctx.graph.tasks.get(formatTaskId(task));
  if (definition === undefined) throw new Error(`task ${formatTaskId(task)} is not in the graph`);
  const session: TaskSession = { task: definition, timing: new TimingRecorder() };
  const started = ctx.clock.now();
  session.timing.markReady(started);
  session.timing.markAdmitted(started, definition.action === null ? 0 : 1);
  ctx.observer.onTaskStarted(definition.id);

  let running: RunningProcess | null = null;
  const waiting = new AbortController();
  const unwatch = watchRunControl(ctx.control, {
    onCancel: () => {
      waiting.abort();
      running?.cancel();
    },
    onKill: () => running?.kill(),
  });
  let lease: LockLease | null = null;
  const ending = await (async (): Promise<TaskEnding | "run-cancelled"> => {
    if (definition.action === null) return aggregateEnding(ctx, definition);
    if (ctx.control.reason !== null) return "run-cancelled";
    lease = await takeTaskLock(ctx, definition, waiting.signal);
    if (ctx.control.reason !== null) return "run-cancelled";
    let key: Digest | null = null;
    let inputs: readonly HashedInput[] | null = null;
    if (isCacheable(definition) && ctx.cache !== null) {
      const found = await cacheLookupPhase(ctx, session, predecessors);
      if (ctx.control.reason !== null) return "run-cancelled";
      if (found.kind === "errored") return found.ending;
      if (found.kind === "hit") {
        const restored = await restoreFromHit(ctx, session, found);
        if (restored.kind !== "late-miss" && restored.kind !== "needs-writes") return restored;
        if (ctx.control.reason !== null) return "run-cancelled";
      }
      key = found.key;
      inputs = found.inputs;
    }
    const fresh = await runFresh(ctx, session, {
      key,
      inputs,
      guard: {
        blocked: () => ctx.control.reason === null ? null : "cancelled",
        onSpawned: (process) => {
          running = process;
        },
      },
    });
    return fresh.kind === "not-started" ? "run-cancelled" : fresh;
  })().finally(() => {
    lease?.release();
    unwatch();
  });

  const timing = session.timing.finish(ctx.clock.now());
  if (ending === "run-cancelled") {
    const record: CancelledRecord = { kind: "run-cancelled", task: definition.id, timing };
    ctx.observer.onTaskCancelled(record);
    return record;
  }
  if (ending.kind === "completed" && ending.warning !== null) ctx.observer.onWarning(ending.warning);
  const record = finalRecord(ending, timing);
  emitTerminal(ctx.observer, ending.kind, record);
  return record;
}

/**
 * XPROC-001/002 outside the scheduler: takes the task's workspace lock, waiting while another haz
 * process holds it (noted once, polled at most 20 times a second) until `abort` fires. Null when the
 * context has no locks or the wait was aborted.
 */
async function takeTaskLock(
  ctx: RunContext,
  task: TaskDefinition,
  abort: AbortSignal,
): Promise<LockLease | null> {
  const { locks } = ctx;
  if (locks === undefined) return null;
  let noted = false;
  while (!abort.aborted) {
    const attempt = locks.acquire({ kind: "task", task: task.key });
    if (attempt.acquired) return attempt.lease;
    if (!noted) {
      noted = true;
      ctx.observer.onTaskWaiting?.({ kind: "task", task: task.id, pid: attempt.holder.pid });
    }
    await ctx.clock.sleep(LOCK_POLL_MS, abort);
  }
  return null;
}

/**
 * EXEC-102: the record of an aggregate task, which runs nothing and succeeds at once.
 *
 * @example
 * ```ts
 * aggregateEnding(ctx, task).record.source; // "aggregate"
 * ```
 */
export function aggregateEnding(
  ctx: RunContext,
  task: TaskDefinition,
): Extract<TaskEnding, { kind: "completed" }> {
  const empty = emptyStreamDigest(ctx.hash);
  return {
    kind: "completed",
    warning: null,
    record: {
      task: task.id,
      source: "aggregate",
      hitFrom: null,
      state: "succeeded",
      exitStatus: null,
      failure: null,
      key: null,
      stored: false,
      stdout: empty,
      stderr: empty,
      materialisedOutputs: [],
    },
  };
}

/**
 * Adds the timing of the terminal event to an ending.
 *
 * @example
 * ```ts
 * finalRecord(ending, session.timing.finish(clock.now()));
 * ```
 */
export function finalRecord(
  ending: TaskEnding,
  timing: TaskTiming,
): CompletedRecord | TaskErrorRecord | SignaledRecord {
  return { ...ending.record, timing };
}

/**
 * Fires the terminal callback that matches an ending's kind.
 *
 * @example
 * ```ts
 * emitTerminal(observer, "completed", record); // observer.onTaskFinished(record)
 * ```
 */
export function emitTerminal(
  observer: RunContext["observer"],
  kind: TaskEnding["kind"],
  record: CompletedRecord | TaskErrorRecord | SignaledRecord,
): void {
  if (kind === "completed") observer.onTaskFinished(record as CompletedRecord);
  else if (kind === "errored") observer.onTaskErrored(record as TaskErrorRecord);
  else observer.onTaskCancelled(record as SignaledRecord);
}

interface StoreInput {
  readonly capture: Capture | null;
  readonly captureFailure: string | null;
  readonly key: Digest;
  readonly inputs: readonly HashedInput[] | null;
  readonly outputs: readonly string[];
  readonly stdout: StreamDigest;
  readonly stderr: StreamDigest;
  readonly durationMs: number;
}

/** §4 step 9 store, CACHE-031/033/035: any problem is one warning; the task stays succeeded. */
async function storeFreshRun(
  ctx: RunContext,
  session: TaskSession,
  input: StoreInput,
): Promise<{ stored: boolean; warning: RunWarning | null }> {
  const cache = requireCache(ctx);
  const { task } = session;
  const warn = (kind: RunWarning["kind"], message: string) => ({
    stored: false,
    warning: { kind, task: task.id, message },
  });
  const { capture } = input;
  if (capture === null) return warn("capture-failed", "could not create the store directory");
  if (input.captureFailure !== null) {
    await cache.discard(capture);
    return warn("capture-failed", input.captureFailure);
  }
  if (input.inputs !== null && !inputsUnchanged(task, input.inputs)) {
    await cache.discard(capture);
    return warn("store-failed", INPUTS_CHANGED_REASON);
  }
  const start = ctx.clock.now();
  const result = await cache.store(capture, {
    task,
    key: input.key,
    outputs: input.outputs,
    stdout: input.stdout,
    stderr: input.stderr,
    createdAtUnix: ctx.clock.unixSeconds(),
    durationMs: Math.max(0, Math.round(input.durationMs)),
  });
  session.timing.addPhase("store", start, ctx.clock.now());
  return result.ok ? { stored: true, warning: null } : warn("store-failed", result.reason);
}

/** EXEC-009 after the cancellation and error cases: timeout, exit code, foreign signal. */
function failureOf(
  status: { readonly code: number | null; readonly signal: string | null },
  history: { readonly timedOut: boolean; readonly lastSignal: "SIGTERM" | "SIGKILL" | null },
  timeoutMs: number | null,
): FailureCause | null {
  if (history.timedOut && timeoutMs !== null) {
    return { kind: "timeout", limitMs: timeoutMs, lastSignal: history.lastSignal ?? "SIGTERM" };
  }
  if (status.code === 0) return null;
  if (status.code !== null) return { kind: "exit-code", code: status.code };
  return { kind: "signal", signal: status.signal ?? "unknown" };
}

function errored(
  task: TaskDefinition,
  error: RunTaskError,
  key: Digest | null,
  streams: { stdout: StreamDigest; stderr: StreamDigest } | null,
): TaskEnding {
  return {
    kind: "errored",
    record: { task: task.id, error, key, stdout: streams?.stdout ?? null, stderr: streams?.stderr ?? null },
  };
}

/** The phase result of a restore whose streams, if it restored, are replayed. */
function restoredEnding(
  task: TaskDefinition,
  hit: { readonly key: Digest; readonly manifest: Manifest; readonly from: "local" | "remote" },
  restored: RestoreResult,
): RestorePhaseResult {
  if (restored.kind === "late-miss" || restored.kind === "needs-writes") return restored;
  if (restored.kind === "error") {
    return errored(task, { kind: "restore", message: restored.message }, hit.key, null);
  }
  const { manifest } = hit;
  return {
    kind: "completed",
    warning: null,
    record: {
      task: task.id,
      source: "cache-hit",
      hitFrom: hit.from,
      state: "succeeded",
      exitStatus: null,
      failure: null,
      key: hit.key,
      stored: false,
      stdout: { hash: manifest.stdout.hash, bytes: manifest.stdout.size },
      stderr: { hash: manifest.stderr.hash, bytes: manifest.stderr.size },
      materialisedOutputs: sortedUnique(restored.materialised),
    },
  };
}

/** The direct hard predecessors of a task that enter its key through their streams (not services). */
function hardPredecessorsOf(
  ctx: RunContext,
  task: TaskDefinition,
  services: ReadonlyMap<string, Digest>,
): readonly string[] {
  const hard = ctx.graph.hardPredecessors.get(task.key) ?? [];
  return services.size === 0 ? hard : hard.filter((id) => !services.has(id));
}

function requireCache(ctx: RunContext): NonNullable<RunContext["cache"]> {
  if (ctx.cache === null) throw new Error("the cache phases need ctx.cache");
  return ctx.cache;
}

function sortedUnique(paths: readonly string[]): string[] {
  return [...new Set(paths)].sort(compareBytes);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
