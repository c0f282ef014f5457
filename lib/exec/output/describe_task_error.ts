/**
 * The one-line message of a task error, printed as the detail of `✗ errored` (04-execution.md §9.3).
 *
 * @module
 */

import type { RunTaskError } from "../records.ts";

/**
 * Describes a {@link RunTaskError} in one line. Messages that are complete sentences where they are
 * made (key derivation, restore, spawn) are printed as they are; the others get the operation that
 * failed in front of the underlying reason. Line breaks inside a reason become spaces.
 *
 * @example
 * ```ts
 * describeTaskError({ kind: "spawn", reason: "not-found", program: "tsc", message: "program not found: tsc" });
 * // "program not found: tsc"
 * describeTaskError({ kind: "output-missing", path: "/p/dist/a.js" });
 * // "declared output `/p/dist/a.js` was not produced"
 * ```
 */
export function describeTaskError(error: RunTaskError): string {
  return oneLine(messageOf(error));
}

function messageOf(error: RunTaskError): string {
  switch (error.kind) {
    case "key-derivation":
    case "restore":
    case "spawn":
      return error.message;
    case "wait":
      return `cannot wait for the process: ${error.message}`;
    case "stream-read":
      return `cannot read ${error.stream}: ${error.message}`;
    case "signal":
      return `cannot send ${error.signal}: ${error.message}`;
    case "output-resolution":
      return `cannot resolve output \`${error.pattern}\`: ${error.message}`;
    case "output-missing":
    case "output-unsupported":
      return `declared output \`${error.path}\` was not produced`;
    case "output-invalid-path":
      return `invalid output path \`${error.path}\`: ${error.message}`;
  }
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ");
}
