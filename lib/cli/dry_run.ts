/**
 * `haz run --dry-run [--json]` output (05-cli.md §4.4, EXEC-030).
 *
 * @module
 */

import type { TaskDefinition, TaskGraph } from "../domain/workspace.ts";

/** Why a task is not cacheable, in the order of 05-cli.md §4.4 (CACHE-024 after `--no-cache`). */
export type NotCacheableReason = "no-cache-flag" | "aggregate" | "no-inputs" | "cache-false";

const REASON_TEXT: Readonly<Record<NotCacheableReason, string>> = {
  "no-cache-flag": "--no-cache",
  aggregate: "aggregate task (no action)",
  "no-inputs": "no inputs declared",
  "cache-false": "cache: false",
};

/**
 * The first reason a task is not cacheable, or null when it is.
 *
 * @example
 * ```ts
 * notCacheableReason(task, false); // "no-inputs" for a task without `inputs`
 * ```
 */
export function notCacheableReason(task: TaskDefinition, noCache: boolean): NotCacheableReason | null {
  if (noCache) return "no-cache-flag";
  if (task.action === null) return "aggregate";
  if (task.inputs === null) return "no-inputs";
  if (!task.cache) return "cache-false";
  return null;
}

/**
 * The `haz why` / dry-run text of a reason.
 *
 * @example
 * ```ts
 * notCacheableText("cache-false"); // "cache: false"
 * ```
 */
export function notCacheableText(reason: NotCacheableReason): string {
  return REASON_TEXT[reason];
}

/** Inputs of the dry-run renderers. */
export interface DryRunRequest {
  readonly graph: TaskGraph;
  readonly runSet: readonly string[];
  readonly selected: ReadonlySet<string>;
  readonly noCache: boolean;
  /** `--shard` (REMOTE-102); absent or null without it. */
  readonly shard?: { readonly index: number; readonly count: number } | null;
}

/**
 * The text layout: one line per run-set task in canonical order, then `would run N tasks`.
 *
 * @example
 * ```ts
 * dryRunText({ graph, runSet: ["lib:compile"], selected: new Set(["lib:compile"]), noCache: false });
 * // "lib:compile  selected    cacheable\nwould run 1 task\n"
 * ```
 */
export function dryRunText(request: DryRunRequest): string {
  const width = Math.max(...request.runSet.map((id) => id.length));
  const lines = request.runSet.map((id) => {
    const reason = notCacheableReason(request.graph.tasks.get(id)!, request.noCache);
    const column2 = (request.selected.has(id) ? "selected" : "dependency").padEnd(10);
    const column3 = reason === null ? "cacheable" : `not cacheable: ${REASON_TEXT[reason]}`;
    return `${id.padEnd(width)}  ${column2}  ${column3}`;
  });
  const count = request.runSet.length;
  return `${lines.join("\n")}\nwould run ${count} ${count === 1 ? "task" : "tasks"}\n`;
}

/**
 * The `--json` document (`DryRunV1`).
 *
 * @example
 * ```ts
 * JSON.parse(dryRunJson(request)).kind; // "haz-dry-run"
 * ```
 */
export function dryRunJson(request: DryRunRequest): string {
  const inRunSet = new Set(request.runSet);
  const tasks = request.runSet.map((id) => {
    const task = request.graph.tasks.get(id)!;
    const reason = notCacheableReason(task, request.noCache);
    return {
      id,
      project: task.id.project,
      task: task.id.task,
      selected: request.selected.has(id),
      action: task.action?.kind ?? "aggregate",
      cacheable: reason === null,
      notCacheableReason: reason,
      deps: [...(request.graph.hardPredecessors.get(id) ?? [])],
      weakDeps: (request.graph.softPredecessors.get(id) ?? []).filter((pred) => inRunSet.has(pred)),
      mutex: task.mutex === null
        ? null
        : { name: task.mutex.name, scope: task.mutex.scope, mode: task.mutex.mode },
      timeoutMs: task.timeoutMs,
      description: task.description,
    };
  });
  const document = {
    kind: "haz-dry-run",
    version: 1,
    count: tasks.length,
    shard: request.shard ?? null,
    tasks,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
