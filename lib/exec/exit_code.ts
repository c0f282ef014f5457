/**
 * The exit code of `haz run` (04-execution.md §10, EXEC-021).
 *
 * @module
 */

import { SIGNAL_NUMBERS } from "./process.ts";
import type { RunGraphOutcome } from "./records.ts";

export type { CancelReason } from "./records.ts";

/**
 * EXEC-021, first match wins: a signal cancel gives 128 + its number; any failure, task error,
 * invariant violation or other cancel reason gives 1; otherwise 0.
 *
 * @example
 * ```ts
 * exitCodeFor({ ...outcome, cancel: { kind: "signal", signal: "SIGINT" } }); // 130
 * ```
 */
export function exitCodeFor(outcome: RunGraphOutcome): number {
  const { cancel } = outcome;
  if (cancel?.kind === "signal") return 128 + SIGNAL_NUMBERS[cancel.signal];
  if (cancel !== null) return 1;
  if (outcome.taskErrors.length > 0 || outcome.invariantViolations.length > 0) return 1;
  const failed = outcome.outcomes.some((entry) =>
    entry.kind === "completed" && entry.record.state === "failed"
  );
  return failed ? 1 : 0;
}
