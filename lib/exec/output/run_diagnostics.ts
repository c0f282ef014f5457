/**
 * Lines a run writes to stderr besides task output (04-execution.md §9.3): cache warnings
 * (CACHE-033) and runtime invariant violations (EXEC-019, EXEC-020).
 *
 * @module
 */

import { formatTaskId } from "../../domain/task_id.ts";
import type { RuntimeInvariantViolation, RunWarning } from "../records.ts";
import { SGR, styler } from "./ansi_style.ts";

/**
 * `warning: <message>`, with `warning` in bold yellow when colour is on; no trailing newline.
 *
 * @example
 * ```ts
 * warningText("cannot create a temp file in /tmp", false); // "warning: cannot create a temp file in /tmp"
 * ```
 */
export function warningText(message: string, color: boolean): string {
  return `${styler(color)("warning", SGR.boldYellow)}: ${message}`;
}

/**
 * `warning: <project:task>: result not cached: <reason>`, without a trailing newline.
 *
 * @example
 * ```ts
 * warningLine({ kind: "store-failed", task: { project: "p", task: "t" }, message: "disk full" }, false);
 * // "warning: p:t: result not cached: disk full"
 * ```
 */
export function warningLine(warning: RunWarning, color: boolean): string {
  return warningText(`${formatTaskId(warning.task)}: result not cached: ${warning.message}`, color);
}

/**
 * The `error[EXEC-0nn]: …` line of a runtime invariant violation, without a trailing newline.
 *
 * @example
 * ```ts
 * violationLine({
 *   kind: "output-overlap", rule: "EXEC-020", path: "/shared/x.txt",
 *   first: { project: "p", task: "a" }, second: { project: "q", task: "b" },
 * }, false);
 * // "error[EXEC-020]: output overlap: /shared/x.txt was materialised by p:a and q:b"
 * ```
 */
export function violationLine(violation: RuntimeInvariantViolation, color: boolean): string {
  const head = styler(color)(`error[${violation.rule}]`, SGR.boldRed);
  if (violation.kind === "output-overlap") {
    const { path, first, second } = violation;
    return `${head}: output overlap: ${path} was materialised by ${formatTaskId(first)} and ${
      formatTaskId(second)
    }`;
  }
  const nodes = violation.nodes.map(formatTaskId).join(", ");
  const { producer, consumer, path } = violation.closingEdge;
  return `${head}: runtime cycle: ${nodes} (closed by ${formatTaskId(producer)} -> ${
    formatTaskId(consumer)
  } via ${path})`;
}
