/**
 * The run summary document (05-cli.md §4.5, CLI-040): `RunSummaryV1`.
 *
 * @module
 */

import { compareTaskIds, formatTaskId, type TaskId } from "../domain/task_id.ts";
import type { TaskGraph } from "../domain/workspace.ts";
import type {
  CancelledRecord,
  CompletedRecord,
  RunGraphOutcome,
  RuntimeInvariantViolation,
  SkipRecord,
  TaskErrorRecord,
  TaskTiming,
} from "../exec/records.ts";
import type { StreamDigest } from "../cache/digest.ts";
import { describeTaskError } from "../exec/output/describe_task_error.ts";
import type { RuntimeInfo } from "./command_context.ts";
import { notCacheableReason } from "./dry_run.ts";
import { remoteCacheSummary, type RunRemote, taskRemoteSummary } from "./remote_report.ts";

/** Everything the summary is built from. */
export interface RunSummaryInput {
  readonly runtime: RuntimeInfo;
  readonly argv: readonly string[];
  readonly workspaceRoot: string;
  readonly startedAtUnixMs: number;
  /** ms from process start to the moment the summary is written. */
  readonly durationMs: number;
  readonly exitCode: number;
  readonly graph: TaskGraph;
  readonly runSet: readonly string[];
  readonly selected: ReadonlySet<string>;
  readonly outcome: RunGraphOutcome;
  readonly settings: {
    readonly concurrency: number;
    readonly tagCaps: ReadonlyMap<string, number>;
    readonly outputMode: "live" | "buffered";
    readonly cancelGraceMs: number;
    readonly failFast: boolean;
    readonly cacheEnabled: boolean;
    readonly hash: "sha256" | "blake3";
    /** `--shard` (REMOTE-100), or null. */
    readonly shard: { readonly index: number; readonly count: number } | null;
  };
  /** The run's remote cache (REMOTE-093); null without a configured remote. */
  readonly remote: RunRemote | null;
}

/** One terminal record of a task, whatever its kind. */
export type TaskResult =
  | { readonly kind: "completed"; readonly record: CompletedRecord }
  | { readonly kind: "skipped"; readonly record: SkipRecord }
  | { readonly kind: "cancelled"; readonly record: CancelledRecord }
  | { readonly kind: "errored"; readonly record: TaskErrorRecord };

/**
 * Every task's terminal record by printed id.
 *
 * @example
 * ```ts
 * taskResults(outcome).get("p:a")?.kind; // "completed"
 * ```
 */
export function taskResults(outcome: RunGraphOutcome): Map<string, TaskResult> {
  const results = new Map<string, TaskResult>();
  for (const entry of outcome.outcomes) results.set(formatTaskId(entry.record.task), entry as TaskResult);
  for (const record of outcome.taskErrors) {
    results.set(formatTaskId(record.task), { kind: "errored", record });
  }
  return results;
}

/**
 * Builds the summary value (serialise with `JSON.stringify(value, null, 2)` and a newline).
 *
 * @example
 * ```ts
 * const summary = runSummary(input);
 * summary.kind; // "haz-run-summary"
 * ```
 */
export function runSummary(input: RunSummaryInput) {
  const { outcome } = input;
  const results = taskResults(outcome);
  const counts = {
    tasks: input.runSet.length,
    completed: 0,
    cached: 0,
    failed: 0,
    errored: 0,
    skipped: 0,
    cancelled: 0,
    services: 0,
  };
  const tasks = input.runSet.map((id) => {
    const task = input.graph.tasks.get(id)!;
    const result = results.get(id)!;
    tally(counts, result);
    const reason = notCacheableReason(task, !input.settings.cacheEnabled, input.graph);
    if (task.service !== null) counts.services += 1;
    return {
      id,
      project: task.id.project,
      task: task.id.task,
      selected: input.selected.has(id),
      outcome: outcomeName(result),
      source: result.kind === "completed" ? result.record.source : null,
      hitFrom: result.kind === "completed" ? result.record.hitFrom : null,
      cacheable: reason === null,
      notCacheableReason: reason,
      key: result.kind === "completed" || result.kind === "errored" ? result.record.key : null,
      stored: result.kind === "completed" && result.record.stored,
      exitStatus: exitStatusOf(result),
      failure: result.kind === "completed" ? failureOf(result.record) : null,
      service: serviceOf(task.service !== null, result),
      error: result.kind === "errored"
        ? { kind: result.record.error.kind, message: describeTaskError(result.record.error) }
        : null,
      cause: causeOf(result),
      stdout: streamOf(result, "stdout"),
      stderr: streamOf(result, "stderr"),
      outputs: result.kind === "completed" ? [...result.record.materialisedOutputs] : [],
      remote: taskRemoteSummary(input.remote, id, reason === null),
      timing: timingOf(result.record.timing),
    };
  });
  return {
    kind: "haz-run-summary",
    version: 1,
    haz: {
      version: input.runtime.hazVersion,
      runtime: input.runtime.runtime,
      runtimeVersion: input.runtime.runtimeVersion,
      os: input.runtime.os,
      arch: input.runtime.arch,
    },
    argv: [...input.argv],
    workspaceRoot: input.workspaceRoot,
    startedAt: new Date(input.startedAtUnixMs).toISOString(),
    durationMs: Math.round(input.durationMs),
    exitCode: input.exitCode,
    cancel: cancelOf(outcome),
    settings: {
      concurrency: input.settings.concurrency,
      tagCaps: Object.fromEntries(input.settings.tagCaps),
      outputMode: input.settings.outputMode,
      cancelGraceMs: input.settings.cancelGraceMs,
      failFast: input.settings.failFast,
      cacheEnabled: input.settings.cacheEnabled,
      hash: input.settings.hash,
      shard: input.settings.shard,
    },
    remoteCache: remoteCacheSummary(input.remote),
    counts,
    tasks,
    invariantViolations: outcome.invariantViolations.map(violationJson),
    warnings: [
      ...outcome.warnings.map((warning) => ({
        kind: warning.kind as string,
        task: formatTaskId(warning.task),
        message: warning.message,
      })),
      ...(input.remote?.session?.warnings ?? []).map((warning) => ({
        kind: warning.kind as string,
        task: warning.task,
        message: warning.message,
      })),
    ],
  };
}

/**
 * A runtime invariant violation as the summary and the profile print it: ids as `project:task`,
 * cycle nodes in canonical order.
 *
 * @example
 * ```ts
 * violationJson(violation); // { kind: "output-overlap", rule: "EXEC-020", first: "p:a", second: "q:b", path: "/shared/x.txt" }
 * ```
 */
export function violationJson(violation: RuntimeInvariantViolation) {
  if (violation.kind === "runtime-cycle") {
    return {
      kind: violation.kind,
      rule: violation.rule,
      nodes: [...violation.nodes].sort(compareTaskIds).map(formatTaskId),
      closingEdge: {
        producer: formatTaskId(violation.closingEdge.producer),
        consumer: formatTaskId(violation.closingEdge.consumer),
        path: violation.closingEdge.path,
      },
    };
  }
  return {
    kind: violation.kind,
    rule: violation.rule,
    first: formatTaskId(violation.first),
    second: formatTaskId(violation.second),
    path: violation.path,
  };
}

function tally(counts: Record<string, number>, result: TaskResult): void {
  if (result.kind === "completed") {
    if (result.record.state === "succeeded") {
      counts.completed++;
      if (result.record.source === "cache-hit") counts.cached++;
    } else {
      counts.failed++;
    }
  } else if (result.kind === "errored") counts.errored++;
  else if (result.kind === "skipped") counts.skipped++;
  else counts.cancelled++;
}

function outcomeName(result: TaskResult): "succeeded" | "failed" | "errored" | "skipped" | "cancelled" {
  if (result.kind === "completed") return result.record.state;
  return result.kind;
}

function exitStatusOf(result: TaskResult) {
  if (result.kind === "completed") return result.record.exitStatus;
  if (result.kind === "cancelled" && result.record.kind === "signaled-in-flight") {
    return result.record.exitStatus;
  }
  return null;
}

function causeOf(result: TaskResult) {
  if (result.kind === "skipped") {
    const cause = result.record.cause;
    if (cause.kind === "unneeded" || cause.kind === "stale" || cause.kind === "unchanged") {
      return { kind: cause.kind };
    }
    if (cause.kind === "admission-closed") {
      return { kind: cause.kind, root: formatTaskId(cause.root), violation: cause.violation };
    }
    return { kind: cause.kind, root: formatTaskId(cause.root) };
  }
  if (result.kind === "cancelled") {
    const record = result.record;
    if (record.kind === "upstream-cancelled") return { kind: record.kind, root: formatTaskId(record.root) };
    if (record.kind === "run-cancelled") return { kind: record.kind };
    return { kind: record.kind, lastSignal: record.lastSignal, escalation: record.escalation };
  }
  return null;
}

function streamOf(result: TaskResult, stream: "stdout" | "stderr"): StreamDigest | null {
  if (result.kind === "completed") {
    return { hash: result.record[stream].hash, bytes: result.record[stream].bytes };
  }
  if (result.kind === "errored") {
    const digest = result.record[stream];
    return digest === null ? null : { hash: digest.hash, bytes: digest.bytes };
  }
  if (result.kind === "cancelled" && result.record.kind === "signaled-in-flight") {
    return { hash: result.record[stream].hash, bytes: result.record[stream].bytes };
  }
  return null;
}

function timingOf(timing: TaskTiming) {
  const sum = (phase: string) =>
    Math.round(
      timing.phases.filter((span) => span.phase === phase).reduce(
        (total, span) => total + span.end - span.start,
        0,
      ),
    );
  const ms = (value: number | null) => (value === null ? null : Math.round(value));
  return {
    readyMs: ms(timing.readyAt),
    startMs: ms(timing.firstAdmittedAt),
    endMs: Math.round(timing.endedAt),
    admissions: timing.admissions,
    mutexWaitMs: Math.round(timing.mutexWaitMs),
    lookupMs: sum("lookup"),
    downloadMs: sum("download"),
    restoreMs: sum("restore"),
    execMs: sum("exec"),
    drainMs: sum("drain"),
    storeMs: sum("store"),
  };
}

function cancelOf(outcome: RunGraphOutcome) {
  const reason = outcome.cancel;
  if (reason === null) return null;
  const atMs = Math.round(outcome.cancelledAt ?? outcome.endedAt);
  if (reason.kind === "signal") {
    return { reason: "signal", signal: reason.signal, atMs, forced: outcome.forced };
  }
  if (reason.kind === "fail-fast") {
    return { reason: "fail-fast", root: formatTaskId(reason.root as TaskId), atMs, forced: outcome.forced };
  }
  return { reason: "programmatic", atMs, forced: outcome.forced };
}

/** SVC-085: a service's failure carries the exit's `code` and `signal`. */
function failureOf(record: CompletedRecord) {
  const failure = record.failure;
  if (failure?.kind === "exited-before-ready" || failure?.kind === "exited-while-running") {
    return { kind: failure.kind, code: failure.status.code, signal: failure.status.signal };
  }
  return failure;
}

/** SVC-085: `null` for other tasks. */
function serviceOf(isService: boolean, result: TaskResult) {
  if (!isService) return null;
  const part = result.kind === "completed" ? result.record.service : undefined;
  if (part === undefined) return { upMs: null, restarts: 0, stop: null, kept: false };
  const admittedAt = result.record.timing.admittedAt;
  return {
    upMs: part.upAt === null || admittedAt === null ? null : Math.round(part.upAt - admittedAt),
    restarts: part.restarts,
    stop: part.stop,
    kept: part.kept,
  };
}
