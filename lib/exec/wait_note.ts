/**
 * The note printed when a task waits for another haz process (04-execution.md §5.8).
 *
 * @module
 */

import { formatTaskId } from "../domain/task_id.ts";
import type { CrossProcessWait } from "./records.ts";

/**
 * The XPROC-002 / XPROC-003 note, ending with a newline.
 *
 * @example
 * ```ts
 * waitNote({ kind: "task", task: { project: "app", task: "build" }, pid: 4242 });
 * // "note: app:build waits for haz process 4242, which holds it\n"
 * waitNote({ kind: "mutex", task: { project: "app", task: "deploy" }, pid: 4242, lock: "deploy" });
 * // "note: app:deploy waits for mutex deploy, held by haz process 4242\n"
 * ```
 */
export function waitNote(wait: CrossProcessWait): string {
  const task = formatTaskId(wait.task);
  return wait.kind === "task"
    ? `note: ${task} waits for haz process ${wait.pid}, which holds it\n`
    : `note: ${task} waits for mutex ${wait.lock}, held by haz process ${wait.pid}\n`;
}
