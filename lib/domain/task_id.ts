/**
 * Task identifiers and the canonical order (02-graph.md DAG-018).
 *
 * @module
 */

/** A task's identity: its project name and task name. Printed `project:task`. */
export interface TaskId {
  /** The project name. */
  readonly project: string;
  /** The task name within the project. */
  readonly task: string;
}

/**
 * Prints a task id as `project:task`.
 *
 * @example
 * ```ts
 * formatTaskId({ project: "web", task: "build" }); // "web:build"
 * ```
 */
export function formatTaskId(id: TaskId): string {
  return `${id.project}:${id.task}`;
}

/**
 * Parses a printed `project:task` id (identifiers contain no `:`).
 *
 * @example
 * ```ts
 * parseTaskId("web:build"); // { project: "web", task: "build" }
 * ```
 */
export function parseTaskId(printed: string): TaskId {
  const colon = printed.indexOf(":");
  return { project: printed.slice(0, colon), task: printed.slice(colon + 1) };
}

/**
 * Compares two strings by Unicode code points, which equals UTF-8 byte order
 * (JavaScript's `<` compares UTF-16 code units and is wrong for astral characters).
 *
 * @example
 * ```ts
 * ["b", "B", "a"].sort(compareBytes); // ["B", "a", "b"]
 * ```
 */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (0xD800..0xDFFF) encode code points above 0xFFFF and must sort after 0xE000..0xFFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * Canonical order of tasks: project name, then task name, each bytewise.
 *
 * @example
 * ```ts
 * compareTaskIds({ project: "a", task: "x" }, { project: "a-b", task: "x" }); // < 0
 * ```
 */
export function compareTaskIds(a: TaskId, b: TaskId): number {
  return compareBytes(a.project, b.project) || compareBytes(a.task, b.task);
}

/**
 * Canonical order on printed ids (`project:task`), comparing the two parts separately.
 *
 * @example
 * ```ts
 * ["a-b:x", "a:x"].sort(comparePrintedIds); // ["a:x", "a-b:x"]
 * ```
 */
export function comparePrintedIds(a: string, b: string): number {
  return compareTaskIds(parseTaskId(a), parseTaskId(b));
}
