/**
 * `haz run --dry-run [--json]` output (05-cli.md §4.4, EXEC-030).
 *
 * @module
 */

import type { TaskDefinition, TaskGraph } from "../domain/workspace.ts";
import { unkeyedServiceOf } from "../graph/service_tasks.ts";

/**
 * Why a task is not cacheable, in the order of 05-cli.md §4.4 (CACHE-024 after `--no-cache`, a
 * service first, SVC-084) and the SVC-045 reason last.
 */
export type NotCacheableReason =
  | "no-cache-flag"
  | "service"
  | "aggregate"
  | "no-inputs"
  | "cache-false"
  | "service-without-inputs";

const REASON_TEXT: Readonly<Record<Exclude<NotCacheableReason, "service-without-inputs">, string>> = {
  "no-cache-flag": "--no-cache",
  service: "service (never cached)",
  aggregate: "aggregate task (no action)",
  "no-inputs": "no inputs declared",
  "cache-false": "cache: false",
};

/**
 * The first reason a task is not cacheable, or null when it is.
 *
 * @example
 * ```ts
 * notCacheableReason(task, false, graph); // "no-inputs" for a task without `inputs`
 * ```
 */
export function notCacheableReason(
  task: TaskDefinition,
  noCache: boolean,
  graph: TaskGraph,
): NotCacheableReason | null {
  if (noCache) return "no-cache-flag";
  if (task.service !== null) return "service";
  if (task.action === null) return "aggregate";
  if (task.inputs === null) return "no-inputs";
  if (!task.cache) return "cache-false";
  if (unkeyedServiceOf(graph, task.key) !== null) return "service-without-inputs";
  return null;
}

/**
 * The `haz why` / dry-run text of a reason.
 *
 * @example
 * ```ts
 * notCacheableText("cache-false", task, graph); // "cache: false"
 * ```
 */
export function notCacheableText(reason: NotCacheableReason, task: TaskDefinition, graph: TaskGraph): string {
  if (reason === "service-without-inputs") {
    return `depends on service ${unkeyedServiceOf(graph, task.key)}, which declares no inputs`;
  }
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
    const task = request.graph.tasks.get(id)!;
    const reason = notCacheableReason(task, request.noCache, request.graph);
    const column2 = (request.selected.has(id) ? "selected" : "dependency").padEnd(10);
    const column3 = reason === null
      ? "cacheable"
      : `not cacheable: ${notCacheableText(reason, task, request.graph)}`;
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
    const reason = notCacheableReason(task, request.noCache, request.graph);
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
      service: task.service !== null,
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
