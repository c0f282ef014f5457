/**
 * Task references (01-workspace.md §10, REF-001 and REF-010): parsing the six file forms and the
 * command-line bare form into a {@linkcode TaskRef}. Resolution against a workspace lives elsewhere.
 *
 * @module
 */

import { checkIdentifier } from "./identifier.ts";
import type { TaskRef } from "./workspace.ts";

/** The result of parsing a reference; `reason` completes ``invalid task reference `<r>`: <reason>``. */
export type RefParse = { ok: true; ref: TaskRef } | { ok: false; reason: string };

/**
 * Builds the REF-001 message for a failed parse.
 *
 * @example
 * ```ts
 * invalidRefMessage(":build", "project: name is empty");
 * // "invalid task reference `:build`: project: name is empty"
 * ```
 */
export function invalidRefMessage(text: string, reason: string): string {
  return `invalid task reference \`${text}\`: ${reason}`;
}

/**
 * Parses a reference as written in `deps` / `weakDeps` (REF-001): `~:t`, `p:t`, `^:t`, `^~:t`,
 * `[g]:t` or `[g]~:t`. On failure the reason names the failing component (`project`, `task`, `tag`).
 *
 * @example
 * ```ts
 * parseTaskRef("[x]~:build");
 * // { ok: true, ref: { form: "tag", tag: "x", excludeOwn: true, task: "build", text: "[x]~:build" } }
 * parseTaskRef(":build"); // { ok: false, reason: "project: name is empty" }
 * ```
 */
export function parseTaskRef(text: string): RefParse {
  if (text === "") return { ok: false, reason: "the reference is empty" };
  if (text.startsWith("[")) return parseTagRef(text);
  if (text.startsWith("^~:")) return everyRef(text, true, text.slice(3));
  if (text.startsWith("^:")) return everyRef(text, false, text.slice(2));
  if (text.startsWith("~:")) return exactRef(text, null, text.slice(2));
  const colon = text.indexOf(":");
  if (colon < 0) {
    return {
      ok: false,
      reason: "missing `:`; write `<project>:<task>`, `~:<task>`, `^:<task>` or `[<tag>]:<task>`",
    };
  }
  const project = text.slice(0, colon);
  const problem = checkIdentifier(project);
  if (problem) return { ok: false, reason: `project: ${problem.message}` };
  return exactRef(text, project, text.slice(colon + 1));
}

/**
 * Parses a command-line reference (REF-010): a file form, or a bare task name meaning `~:t` when there
 * is a bearing project and `^:t` otherwise. The ref keeps the text as written.
 *
 * @example
 * ```ts
 * parseCliRef("build", true); // { ok: true, ref: { form: "exact", project: null, task: "build", text: "build" } }
 * parseCliRef("build", false); // { ok: true, ref: { form: "every", excludeOwn: false, task: "build", text: "build" } }
 * ```
 */
export function parseCliRef(text: string, hasBearingProject: boolean): RefParse {
  if (text === "" || text.startsWith("[") || text.includes(":")) return parseTaskRef(text);
  const problem = checkIdentifier(text);
  if (problem) return { ok: false, reason: `task: ${problem.message}` };
  const ref: TaskRef = hasBearingProject
    ? { form: "exact", project: null, task: text, text }
    : { form: "every", excludeOwn: false, task: text, text };
  return { ok: true, ref };
}

function parseTagRef(text: string): RefParse {
  const close = text.indexOf("]");
  if (close < 0) return { ok: false, reason: "tag: missing `]` after the tag name" };
  const tag = text.slice(1, close);
  const problem = checkIdentifier(tag);
  if (problem) return { ok: false, reason: `tag: ${problem.message}` };
  const rest = text.slice(close + 1);
  const excludeOwn = rest.startsWith("~:");
  if (!excludeOwn && !rest.startsWith(":")) {
    return { ok: false, reason: `expected \`:\` or \`~:\` after \`[${tag}]\`` };
  }
  const task = rest.slice(excludeOwn ? 2 : 1);
  const taskProblem = checkIdentifier(task);
  if (taskProblem) return { ok: false, reason: `task: ${taskProblem.message}` };
  return { ok: true, ref: { form: "tag", tag, excludeOwn, task, text } };
}

function everyRef(text: string, excludeOwn: boolean, task: string): RefParse {
  const problem = checkIdentifier(task);
  if (problem) return { ok: false, reason: `task: ${problem.message}` };
  return { ok: true, ref: { form: "every", excludeOwn, task, text } };
}

function exactRef(text: string, project: string | null, task: string): RefParse {
  const problem = checkIdentifier(task);
  if (problem) return { ok: false, reason: `task: ${problem.message}` };
  return { ok: true, ref: { form: "exact", project, task, text } };
}
