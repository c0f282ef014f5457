/**
 * Minimal run records for tests of what is made of them (presenters, epilogue, exit code): empty
 * streams, a one-admission timing, succeeded tasks and uncancelled runs.
 *
 * @module
 */

import { parseTaskId } from "../../lib/domain/task_id.ts";
import type { CompletedRecord, RunGraphOutcome, TaskTiming } from "../../lib/exec/records.ts";
import type { StreamDigest } from "../../lib/cache/digest.ts";

/**
 * A placeholder stream digest; presenters never look at it.
 *
 * @example
 * ```ts
 * EMPTY_STREAM.bytes; // 0
 * ```
 */
export const EMPTY_STREAM: StreamDigest = { hash: "0".repeat(64), bytes: 0 };

/**
 * The timing of a task admitted once at 0 that ended at `endedAt` (the status line prints the difference).
 *
 * @example
 * ```ts
 * timingEndedAt(1204).endedAt; // 1204
 * ```
 */
export function timingEndedAt(endedAt: number): TaskTiming {
  return {
    readyAt: 0,
    firstAdmittedAt: 0,
    admittedAt: 0,
    endedAt,
    admissions: 1,
    mutexWaitMs: 0,
    phases: [],
  };
}

/**
 * A succeeded record of the printed task `project:task` with empty streams; a fresh run exited 0.
 *
 * @example
 * ```ts
 * succeededRecord("p:a", 7).state; // "succeeded"
 * succeededRecord("p:a", 7, "cache-hit").exitStatus; // null
 * ```
 */
export function succeededRecord(
  task: string,
  endedAt: number,
  source: CompletedRecord["source"] = "fresh-run",
): CompletedRecord {
  return {
    task: parseTaskId(task),
    source,
    hitFrom: source === "cache-hit" ? "local" : null,
    state: "succeeded",
    exitStatus: source === "fresh-run" ? { code: 0, signal: null } : null,
    failure: null,
    key: null,
    stored: false,
    stdout: EMPTY_STREAM,
    stderr: EMPTY_STREAM,
    materialisedOutputs: [],
    timing: timingEndedAt(endedAt),
  };
}

/**
 * The outcome of an uncancelled run from 0 to `endedAt` in which every task completed.
 *
 * @example
 * ```ts
 * completedRun([succeededRecord("p:a", 1)], 20).outcomes.length; // 1
 * ```
 */
export function completedRun(records: readonly CompletedRecord[], endedAt: number): RunGraphOutcome {
  return {
    outcomes: records.map((record) => ({ kind: "completed" as const, record })),
    taskErrors: [],
    invariantViolations: [],
    cancel: null,
    cancelledAt: null,
    forced: false,
    warnings: [],
    startedAt: 0,
    endedAt,
  };
}
