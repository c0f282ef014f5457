/**
 * One spawn of a service (09-services-and-watch.md §2): held stdin, readiness (line, port, url,
 * timeout), stopping on request, and how the spawn ended. The scheduler decides what an ending means
 * for the run (restart, failure, release).
 *
 * @module
 */

import type { ReadyCondition } from "../domain/service_spec.ts";
import { childEnvironment } from "./child_env.ts";
import type { SignalHistory } from "./process_controller.ts";
import { controlProcess } from "./controlled_process.ts";
import { type ExitStatus, type SpawnedProcess, spawnFailure } from "./process.ts";
import { ReadyLineWatch } from "./ready_line.ts";
import type { StreamDigest } from "../cache/digest.ts";
import type { TaskErrorRecord } from "./records.ts";
import type { RunContext } from "./run_context.ts";
import type { SpawnBlock, TaskSession } from "./run_task.ts";
import type { ServiceProber } from "./service_prober.ts";
import { spawnPlan } from "./spawn_plan.ts";
import { StreamCapture } from "./stream_capture.ts";

/** SVC-023/024: the pause between the end of one probe and the next. */
export const PROBE_INTERVAL_MS = 250;
/** SVC-023: bound of one TCP connect. */
export const TCP_PROBE_TIMEOUT_MS = 1000;
/** SVC-024: bound of one HTTP GET. */
export const HTTP_PROBE_TIMEOUT_MS = 2000;

/** How the scheduler stops or kills a running service. */
export interface ServiceHandle {
  /** SVC-027: closes stdin and sends SIGTERM at the same instant; SIGKILL after the grace. */
  stop(): void;
  /** EXEC-105: SIGKILL now. */
  kill(): void;
}

/** What {@link runServiceSpawn} needs besides the task. */
export interface ServiceSpawnRequest {
  /** Asked right before spawning: a reason not to spawn, or null. */
  blocked(): SpawnBlock | null;
  /** The process runs; keep the handle to stop it. */
  onSpawned(handle: ServiceHandle): void;
  /** The readiness condition holds (SVC-021); called once, at that instant. */
  onUp(): void;
}

/** How one spawn of a service ended. */
export type ServiceSpawnResult =
  | { readonly kind: "not-started"; readonly reason: SpawnBlock }
  | { readonly kind: "errored"; readonly record: Omit<TaskErrorRecord, "timing"> }
  | {
    readonly kind: "ended";
    /** The readiness condition held before the exit. */
    readonly up: boolean;
    /** haz signalled the group before it saw the leader exit: the exit was requested (SVC-027/028). */
    readonly stopped: boolean;
    /** haz stopped it because `ready.timeout` expired (SVC-025). */
    readonly notReady: boolean;
    readonly status: ExitStatus;
    readonly history: SignalHistory;
    readonly stdout: StreamDigest;
    readonly stderr: StreamDigest;
  };

/**
 * Spawns a service with a held stdin, checks its readiness and resolves when its group is dead.
 * Requires `session.task.service`.
 *
 * @example
 * ```ts
 * const ended = await runServiceSpawn(ctx, session, { blocked: () => null, onSpawned, onUp });
 * ended.kind === "ended" && ended.up; // true for a service that came up before it exited
 * ```
 */
export async function runServiceSpawn(
  ctx: RunContext,
  session: TaskSession,
  request: ServiceSpawnRequest,
): Promise<ServiceSpawnResult> {
  const { task, timing } = session;
  const spec = task.service;
  if (task.action === null || spec === null) throw new Error(`${task.key} is not a service`);
  const blocked = request.blocked();
  if (blocked !== null) return { kind: "not-started", reason: blocked };
  const plan = {
    ...spawnPlan(task.action, {
      workspaceRoot: ctx.workspace.root,
      projectRoot: task.projectRoot,
      env: childEnvironment(task, ctx.workspace.settings.passThrough, ctx.hostEnv),
    }),
    stdin: "held" as const,
  };
  let spawned: SpawnedProcess;
  try {
    spawned = ctx.spawner.spawn(plan);
  } catch (error) {
    const spawnError = spawnFailure(error, plan.program);
    return {
      kind: "errored",
      record: { task: task.id, error: spawnError, key: null, stdout: null, stderr: null },
    };
  }
  const { clock } = ctx;
  const spawnedAt = clock.now();
  const checks = new AbortController();
  let up = false;
  let exited = false;
  let stopSent = false;
  /** haz asked for the stop before it saw the leader exit (SVC-028). */
  let requested = false;
  let notReady = false;
  const ready = spec.ready;
  let outstanding = ready === null ? 0 : [ready.line, ready.port, ready.url].filter((c) => c !== null).length;
  const satisfy = () => {
    outstanding -= 1;
    if (outstanding > 0 || up || exited || stopSent) return;
    up = true;
    checks.abort("up");
    request.onUp();
  };
  const lines = ready?.line ? new ReadyLineWatch(ready.line) : null;
  const streams = new StreamCapture({
    hash: ctx.hash,
    capture: null,
    onChunk: (stream, chunk) => {
      if (stream === "stdout") ctx.observer.onStdout(task.id, chunk);
      else ctx.observer.onStderr(task.id, chunk);
      if (lines?.push(stream, chunk)) satisfy();
    },
  });
  const { supervised, controller } = controlProcess(spawned, {
    spawner: ctx.spawner,
    clock,
    streams,
    timeoutMs: null,
    graceMs: ctx.cancelGraceMs,
    onLeaderExit: () => {
      exited = true;
      checks.abort("exited");
    },
  });
  const stop = () => {
    if (stopSent) return;
    stopSent = true;
    requested = !exited;
    checks.abort("stopped");
    spawned.closeStdin();
    controller.cancel();
  };
  request.onSpawned({
    stop,
    kill: () => {
      if (!stopSent) requested = !exited;
      stopSent = true;
      checks.abort("stopped");
      spawned.closeStdin();
      controller.kill();
    },
  });
  if (ready === null) {
    up = true;
    request.onUp();
  } else {
    startProbes(ctx, ready, checks.signal, satisfy);
    void clock.sleep(ready.timeoutMs, checks.signal).then(() => {
      if (up || exited || stopSent) return;
      notReady = true;
      stop();
    });
  }
  const result = await supervised.finished;
  controller.finished();
  checks.abort("finished");
  spawned.closeStdin();
  timing.addPhase("exec", spawnedAt, result.leaderExitedAt);
  timing.addPhase("drain", result.leaderExitedAt, result.drainEndedAt);
  const stdout = streams.digest("stdout");
  const stderr = streams.digest("stderr");
  const history = controller.history();
  const erroredWith = (error: TaskErrorRecord["error"]): ServiceSpawnResult => ({
    kind: "errored",
    record: { task: task.id, error, key: null, stdout, stderr },
  });
  if (result.status === null) {
    return erroredWith({ kind: "wait", message: result.waitError ?? "waiting for the process failed" });
  }
  if (history.signalError !== null) return erroredWith({ kind: "signal", ...history.signalError });
  if (result.streamError !== null) return erroredWith({ kind: "stream-read", ...result.streamError });
  return {
    kind: "ended",
    up,
    stopped: requested && !notReady,
    notReady,
    status: result.status,
    history,
    stdout,
    stderr,
  };
}

/** SVC-023/024: one probe loop per network condition, each satisfied once. */
function startProbes(
  ctx: RunContext,
  ready: ReadyCondition,
  signal: AbortSignal,
  satisfy: () => void,
): void {
  const prober = ctx.prober;
  if (ready.port === null && ready.url === null) return;
  if (prober === undefined) throw new Error("a service with ready.port or ready.url needs ctx.prober");
  const { port, url } = ready;
  if (port !== null) void probeLoop(ctx, signal, () => tcpAttempt(prober, port), satisfy);
  if (url !== null) {
    void probeLoop(ctx, signal, async () => {
      const status = await prober.http(url, HTTP_PROBE_TIMEOUT_MS);
      return status !== null && status >= 200 && status <= 399;
    }, satisfy);
  }
}

async function tcpAttempt(
  prober: ServiceProber,
  port: NonNullable<ReadyCondition["port"]>,
): Promise<boolean> {
  const hosts = port.host === null ? ["127.0.0.1", "::1"] : [port.host];
  const answers = await Promise.all(hosts.map((host) => prober.tcp(host, port.port, TCP_PROBE_TIMEOUT_MS)));
  return answers.some(Boolean);
}

async function probeLoop(
  ctx: RunContext,
  signal: AbortSignal,
  attempt: () => Promise<boolean>,
  satisfy: () => void,
): Promise<void> {
  while (!signal.aborted) {
    let success = false;
    try {
      success = await attempt();
    } catch {
      success = false;
    }
    if (signal.aborted) return;
    if (success) return satisfy();
    await ctx.clock.sleep(PROBE_INTERVAL_MS, signal);
  }
}
