/**
 * The run profile (05-cli.md §4.6, CLI-041): Chrome trace events, readable by trace viewers.
 *
 * @module
 */

import type { RemoteProfileEvent } from "../cache/remote/remote_session.ts";
import { formatTaskId } from "../domain/task_id.ts";
import type { RunGraphOutcome } from "../exec/records.ts";
import type { RunTrace } from "../exec/run_trace.ts";
import type { TaskResult } from "./run_summary.ts";
import { taskResults, violationJson } from "./run_summary.ts";

/** Everything the profile is built from; times in ms on the run clock. */
export interface RunProfileInput {
  readonly hazVersion: string;
  readonly exitCode: number;
  readonly outcome: RunGraphOutcome;
  readonly load: { readonly start: number; readonly end: number };
  readonly select: { readonly start: number; readonly end: number };
  readonly runStart: number;
  /** Admission periods (one `task` event each, on their lane) and mutex waits of the run. */
  readonly trace: RunTrace;
  /** Run clock time of `RunControl.kill()`, when the run was forced. */
  readonly killedAt: number | null;
  /** The global cap: services' up periods are drawn on lanes after it (SVC-086). */
  readonly concurrency: number;
  /** Upload pairs and the trip instant of the remote cache (REMOTE-094). */
  readonly remoteEvents: readonly RemoteProfileEvent[];
}

interface TraceEvent {
  name: string;
  cat?: string;
  ph: string;
  pid: 1;
  tid: number;
  ts: number;
  dur?: number;
  s?: string;
  id?: string;
  args?: Record<string, unknown>;
}

const us = (ms: number) => Math.max(0, Math.round(ms * 1000));

/**
 * Builds the profile value (`ProfileV1`).
 *
 * @example
 * ```ts
 * const profile = runProfile(input);
 * profile.otherData.kind; // "haz-profile"
 * ```
 */
export function runProfile(input: RunProfileInput) {
  const { outcome } = input;
  const events: TraceEvent[] = [];
  const lanes = new Set<number>();
  const span = (name: string, start: number, end: number, args?: Record<string, unknown>) =>
    events.push({
      name,
      cat: "haz",
      ph: "X",
      pid: 1,
      tid: 0,
      ts: us(start),
      dur: us(end) - us(start),
      ...(args ? { args } : {}),
    });
  // Instant events of the whole run (global scope), drawn across every lane.
  const runInstant = (name: string, at: number, args: Record<string, unknown>) =>
    events.push({ name, cat: "haz", ph: "i", s: "g", pid: 1, tid: 0, ts: us(at), args });
  span("load", input.load.start, input.load.end);
  span("select", input.select.start, input.select.end);
  span("run", input.runStart, outcome.endedAt, { exitCode: input.exitCode });

  const results = taskResults(outcome);
  const upSpans = [...(input.trace.services ?? [])].sort((a, b) => a.start - b.start);
  const everUp = new Set(upSpans.map((up) => up.task));
  for (const [id, result] of results) {
    const timing = result.record.timing;
    if (timing.admissions === 0 || (result.kind === "completed" && result.record.source === "aggregate")) {
      const category = result.kind === "completed"
        ? "aggregate"
        : result.kind === "skipped"
        ? "skipped"
        : "cancelled";
      events.push({
        name: id,
        cat: category,
        ph: "i",
        s: "t",
        pid: 1,
        tid: 0,
        ts: us(timing.endedAt),
        args: { cause: causeText(result) },
      });
      continue;
    }
    // A service that came up gave its slot lane back: its process is drawn by its up periods.
    if (everUp.has(id)) continue;
    for (const phase of timing.phases) {
      events.push({
        name: phase.phase,
        cat: "phase",
        ph: "X",
        pid: 1,
        tid: phase.lane,
        ts: us(phase.start),
        dur: us(phase.end) - us(phase.start),
        args: { task: id },
      });
    }
  }
  for (const period of input.trace.admissions) {
    const result = results.get(period.task);
    if (result === undefined) continue;
    lanes.add(period.lane);
    events.push({
      name: period.task,
      cat: "task",
      ph: "X",
      pid: 1,
      tid: period.lane,
      ts: us(period.start),
      dur: us(period.end) - us(period.start),
      args: { ...taskArgs(result), admission: period.admission },
    });
  }
  const serviceLanes = new Map<string, number>();
  for (const up of upSpans) {
    if (!serviceLanes.has(up.task)) serviceLanes.set(up.task, input.concurrency + serviceLanes.size + 1);
    events.push({
      name: up.task,
      cat: "service",
      ph: "X",
      pid: 1,
      tid: serviceLanes.get(up.task)!,
      ts: us(up.start),
      dur: us(up.end) - us(up.start),
      args: { task: up.task },
    });
  }
  for (const wait of input.trace.mutexWaits) {
    const common = {
      name: `wait ${wait.lock}`,
      cat: "mutex-wait",
      pid: 1 as const,
      tid: 0,
      id: wait.task,
      args: { task: wait.task },
    };
    events.push({ ...common, ph: "b", ts: us(wait.start) });
    events.push({ ...common, ph: "e", ts: us(wait.end) });
  }
  for (const event of input.remoteEvents) {
    if (event.kind === "remote-off") {
      runInstant("remote-off", event.at, { reason: event.reason });
      continue;
    }
    const common = { name: "upload", cat: "remote-upload", pid: 1 as const, tid: 0, id: event.task };
    events.push({ ...common, ph: "b", ts: us(event.start), args: { task: event.task } });
    events.push({
      ...common,
      ph: "e",
      ts: us(event.end),
      args: { outcome: event.outcome, bytes: event.bytes },
    });
  }
  if (outcome.cancel !== null) {
    const reason = outcome.cancel.kind;
    // One event when the cancellation started and one more for the kill (RunControl.kill).
    runInstant("cancel", outcome.cancelledAt ?? outcome.endedAt, { reason, forced: false });
    if (outcome.forced) runInstant("cancel", input.killedAt ?? outcome.endedAt, { reason, forced: true });
  }
  for (const violation of outcome.invariantViolations) {
    const trigger = violation.kind === "output-overlap" ? violation.second : violation.closingEdge.producer;
    const at = results.get(formatTaskId(trigger))?.record.timing.endedAt ?? outcome.endedAt;
    runInstant("violation", at, violationJson(violation));
  }
  events.sort((a, b) => a.ts - b.ts || a.tid - b.tid || phaseRank(a.ph) - phaseRank(b.ph));
  const metadata: TraceEvent[] = [
    { name: "process_name", ph: "M", pid: 1, tid: 0, ts: 0, args: { name: "haz run" } },
    { name: "thread_name", ph: "M", pid: 1, tid: 0, ts: 0, args: { name: "haz" } },
    ...[...lanes].sort((a, b) => a - b).map((lane): TraceEvent => ({
      name: "thread_name",
      ph: "M",
      pid: 1,
      tid: lane,
      ts: 0,
      args: { name: `lane ${lane}` },
    })),
    ...[...serviceLanes].map(([task, lane]): TraceEvent => ({
      name: "thread_name",
      ph: "M",
      pid: 1,
      tid: lane,
      ts: 0,
      args: { name: `service ${task}` },
    })),
  ];
  return {
    traceEvents: [...metadata, ...events],
    displayTimeUnit: "ms",
    otherData: { kind: "haz-profile", version: 1, haz: input.hazVersion, exitCode: input.exitCode },
  };
}

function taskArgs(result: TaskResult) {
  const record = result.record;
  const exitStatus = result.kind === "completed"
    ? result.record.exitStatus
    : result.kind === "cancelled" && result.record.kind === "signaled-in-flight"
    ? result.record.exitStatus
    : null;
  return {
    outcome: result.kind === "completed" ? result.record.state : result.kind,
    source: result.kind === "completed" ? result.record.source : null,
    key: result.kind === "completed" || result.kind === "errored"
      ? (record as { key: string | null }).key
      : null,
    exitCode: exitStatus?.code ?? null,
    signal: exitStatus?.signal ?? null,
  };
}

function causeText(result: TaskResult): string {
  if (result.kind === "skipped") {
    const cause = result.record.cause;
    return cause.kind === "unneeded" || cause.kind === "stale" || cause.kind === "unchanged"
      ? cause.kind
      : `${cause.kind} ${formatTaskId(cause.root)}`;
  }
  if (result.kind === "cancelled") {
    return result.record.kind === "upstream-cancelled"
      ? `upstream-cancelled ${formatTaskId(result.record.root)}`
      : result.record.kind;
  }
  return "aggregate";
}

function phaseRank(ph: string): number {
  return ph === "b" ? 0 : ph === "e" ? 2 : 1;
}
