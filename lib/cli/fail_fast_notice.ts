/**
 * The `--fail-fast` notice (05-cli.md §4.3): `haz: p:a failed, cancelling the run (--fail-fast)`.
 *
 * @module
 */

import { formatTaskId } from "../domain/task_id.ts";
import type { RunObserver } from "../exec/records.ts";

/**
 * Wraps an observer so that the start of a fail-fast cancellation prints its notice, naming how the
 * root ended (`failed`, `errored`, or `invariant violation after p:a`).
 *
 * @example
 * ```ts
 * const observer = failFastNoticeObserver(presenter, (text) => presenter.notice(text));
 * ```
 */
export function failFastNoticeObserver(inner: RunObserver, notice: (text: string) => void): RunObserver {
  const errored = new Set<string>();
  let violationSeen = false;
  return {
    onTaskStarted: (task) => inner.onTaskStarted(task),
    onStdout: (task, chunk) => inner.onStdout(task, chunk),
    onStderr: (task, chunk) => inner.onStderr(task, chunk),
    onTaskFinished: (record) => inner.onTaskFinished(record),
    onTaskErrored(record) {
      errored.add(formatTaskId(record.task));
      inner.onTaskErrored(record);
    },
    onTaskSkipped: (record) => inner.onTaskSkipped(record),
    onTaskCancelled: (record) => inner.onTaskCancelled(record),
    onInvariantViolation(violation) {
      violationSeen = true;
      inner.onInvariantViolation(violation);
    },
    onCancelling(reason, forced) {
      if (reason.kind === "fail-fast" && !forced) {
        const root = formatTaskId(reason.root);
        const what = errored.has(root)
          ? `${root} errored`
          : violationSeen
          ? `invariant violation after ${root}`
          : `${root} failed`;
        notice(`haz: ${what}, cancelling the run (--fail-fast)\n`);
      }
      inner.onCancelling(reason, forced);
    },
    onWarning: (warning) => inner.onWarning(warning),
    onTaskWaiting: (wait) => inner.onTaskWaiting?.(wait),
  };
}
