/**
 * Status lines (04-execution.md §9.3, EXEC-017): `<glyph> <verb> <project:task>[ (<duration>)][: <detail>]`.
 *
 * @module
 */

import { formatTaskId, type TaskId } from "../../domain/task_id.ts";
import type { ExitStatus } from "../process.ts";
import { formatDuration } from "../../util/format_duration.ts";
import type {
  CancelledRecord,
  CompletedRecord,
  ServiceRestart,
  SkipRecord,
  TaskErrorRecord,
  TaskTiming,
} from "../records.ts";
import { SGR, styler } from "./ansi_style.ts";
import { describeTaskError } from "./describe_task_error.ts";
import { taskColorParams } from "./task_color.ts";

/** A record that ends a task, as handed to the terminal observer callbacks. */
export type TerminalRecord = CompletedRecord | TaskErrorRecord | SkipRecord | CancelledRecord;

/** How a status line is drawn. */
export interface StatusLineOptions {
  readonly color: boolean;
  /** `execution.cancel_grace` in ms, printed in `killed with SIGKILL after <grace> grace`. */
  readonly cancelGraceMs: number;
}

interface StatusParts {
  readonly glyphVerb: string;
  readonly style: string;
  readonly withDuration: boolean;
  readonly detail: string | null;
}

/**
 * Builds the status line of a terminal record, without a trailing newline. The duration is
 * `endedAt − admittedAt` (latest admission) and is left out where the table says so or when the task
 * was never admitted.
 *
 * @example
 * ```ts
 * import type { SkipRecord } from "../records.ts";
 * declare const skip: SkipRecord; // cause { kind: "upstream-failed", root: lib:compile } for app:deploy
 * statusLine(skip, { color: false, cancelGraceMs: 5000 });
 * // "- skipped app:deploy: upstream lib:compile failed"
 * ```
 */
export function statusLine(outcome: TerminalRecord, options: StatusLineOptions): string {
  const parts = statusParts(outcome, options.cancelGraceMs);
  const id = formatTaskId(outcome.task);
  const style = styler(options.color);
  // The id's colour is computed only when it is shown (a status line per task).
  let line = `${style(parts.glyphVerb, parts.style)} ${options.color ? style(id, taskColorParams(id)) : id}`;
  const duration = parts.withDuration ? durationOf(outcome.timing) : null;
  if (duration !== null) line += ` (${duration})`;
  if (parts.detail !== null) line += `: ${parts.detail}`;
  return line;
}

function durationOf(timing: TaskTiming): string | null {
  return timing.admittedAt === null ? null : formatDuration(timing.endedAt - timing.admittedAt);
}

function statusParts(outcome: TerminalRecord, cancelGraceMs: number): StatusParts {
  if ("source" in outcome) return completedParts(outcome, cancelGraceMs);
  if ("error" in outcome) {
    return {
      glyphVerb: "✗ errored",
      style: SGR.red,
      withDuration: true,
      detail: describeTaskError(outcome.error),
    };
  }
  if ("cause" in outcome) {
    return { glyphVerb: "- skipped", style: SGR.dim, withDuration: false, detail: skipDetail(outcome) };
  }
  return cancelledParts(outcome, cancelGraceMs);
}

function completedParts(record: CompletedRecord, cancelGraceMs: number): StatusParts {
  if (record.source === "service" && record.state === "succeeded") {
    return {
      glyphVerb: "■ stopped",
      style: SGR.green,
      withDuration: true,
      detail: stoppedDetail(record, cancelGraceMs),
    };
  }
  if (record.state === "failed") {
    return { glyphVerb: "✗ failed", style: SGR.red, withDuration: true, detail: failureDetail(record) };
  }
  if (record.source === "cache-hit") {
    const detail = record.hitFrom === "remote" ? "from remote cache" : null;
    return { glyphVerb: "◉ cached", style: SGR.cyan, withDuration: true, detail };
  }
  return { glyphVerb: "✓ done", style: SGR.green, withDuration: record.source === "fresh-run", detail: null };
}

function failureDetail(record: CompletedRecord): string | null {
  const failure = record.failure;
  if (failure === null) return null;
  switch (failure.kind) {
    case "exit-code":
      return `exit code ${failure.code}`;
    case "signal":
      return `killed by ${failure.signal}`;
    case "timeout":
      return `timed out after ${formatDuration(failure.limitMs)}`;
    case "not-ready":
      return `not ready after ${formatDuration(failure.limitMs)}`;
    case "exited-before-ready":
      return `${exitText(failure.status)} before it was ready`;
    case "exited-while-running":
      return `${exitText(failure.status)} while running`;
  }
}

/** `exited with code <n>` or `killed by <SIG>`. */
function exitText(status: ExitStatus): string {
  return status.code !== null
    ? `exited with code ${status.code}`
    : `killed by ${status.signal ?? "a signal"}`;
}

/** SVC-080: how a stop by haz ended, when it is worth saying. */
function stoppedDetail(record: CompletedRecord, cancelGraceMs: number): string | null {
  const service = record.service;
  if (service === undefined) return null;
  if (service.escalation === "forced") return "killed with SIGKILL";
  if (service.escalation === "grace-expired") {
    return `killed with SIGKILL after ${formatDuration(cancelGraceMs)} grace`;
  }
  return service.upAt === null ? "stopped before it was ready" : null;
}

/**
 * SVC-080: `▲ ready <id> (<admission → up>)`; no duration for a service aggregate.
 *
 * @example
 * ```ts
 * serviceUpLine({ project: "api", task: "serve" }, 2310, { color: false }); // "▲ ready api:serve (2s 310ms)"
 * ```
 */
export function serviceUpLine(
  task: TaskId,
  upMs: number | null,
  options: { readonly color: boolean },
): string {
  const id = formatTaskId(task);
  const style = styler(options.color);
  const duration = upMs === null ? "" : ` (${formatDuration(upMs)})`;
  return `${style("▲ ready", SGR.blue)} ${style(id, taskColorParams(id))}${duration}`;
}

/**
 * SVC-080: `↻ restarting <id>: exited with code <n> (restart <k> of <max> in <backoff>)`.
 *
 * @example
 * ```ts
 * serviceRestartLine(task, { status: { code: 1, signal: null }, restart: 1, maxRestarts: 3, backoffMs: 1000 }, { color: false });
 * // "↻ restarting api:serve: exited with code 1 (restart 1 of 3 in 1s)"
 * ```
 */
export function serviceRestartLine(
  task: TaskId,
  restart: ServiceRestart,
  options: { readonly color: boolean },
): string {
  const id = formatTaskId(task);
  const style = styler(options.color);
  const detail = `${exitText(restart.status)} (restart ${restart.restart} of ${restart.maxRestarts} in ${
    formatDuration(restart.backoffMs)
  })`;
  return `${style("↻ restarting", SGR.magenta)} ${style(id, taskColorParams(id))}: ${detail}`;
}

function skipDetail(record: SkipRecord): string {
  const cause = record.cause;
  if (cause.kind === "unneeded") return "no longer needed";
  if (cause.kind === "stale") return "its inputs changed; it runs in the next cycle";
  if (cause.kind === "unchanged") return "no predecessor changed";
  const root = formatTaskId(cause.root);
  switch (cause.kind) {
    case "upstream-failed":
      return `upstream ${root} failed`;
    case "upstream-errored":
      return `upstream ${root} errored`;
    case "runtime-cycle":
      return `in a runtime cycle closed by ${root}`;
    case "admission-closed":
      return cause.violation === "output-overlap"
        ? `run stopped by output overlap after ${root}`
        : `run stopped by runtime cycle after ${root}`;
  }
}

function cancelledParts(record: CancelledRecord, cancelGraceMs: number): StatusParts {
  const base = { glyphVerb: "! cancelled", style: SGR.yellow };
  switch (record.kind) {
    case "signaled-in-flight":
      return { ...base, withDuration: true, detail: signalledDetail(record, cancelGraceMs) };
    case "upstream-cancelled":
      return { ...base, withDuration: false, detail: `upstream ${formatTaskId(record.root)} cancelled` };
    case "run-cancelled":
      return { ...base, withDuration: false, detail: "not started" };
  }
}

function signalledDetail(
  record: Extract<CancelledRecord, { kind: "signaled-in-flight" }>,
  cancelGraceMs: number,
): string {
  switch (record.escalation) {
    case "none":
      return `stopped with ${record.lastSignal}`;
    case "grace-expired":
      return `killed with SIGKILL after ${formatDuration(cancelGraceMs)} grace`;
    case "forced":
      return "killed with SIGKILL";
  }
}
