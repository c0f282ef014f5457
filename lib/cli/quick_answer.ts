/**
 * The answers that need no workspace: help, the version and usage errors (05-cli.md §2). Pure and
 * free of runtime modules, so that `cli.ts` gives them before it loads anything else.
 *
 * @module
 */

import type { RuntimeInfo } from "./command_context.ts";
import { helpPage, usageErrorText } from "./help_text.ts";
import type { ParseOutcome } from "./parse_args.ts";

/** Text for one stream and the exit code. */
export interface QuickAnswer {
  readonly stream: "stdout" | "stderr";
  readonly text: string;
  readonly code: number;
}

/**
 * The answer to a command line that asks for help or the version, or is malformed.
 *
 * @example
 * ```ts
 * const outcome = parseCommandLine(["--version"]);
 * if (outcome.kind !== "command") quickAnswer(outcome, runtime);
 * // { stream: "stdout", text: "haz 0.4.0 (bun 1.2.19, linux-x64)\n", code: 0 }
 * ```
 */
export function quickAnswer(
  outcome: Exclude<ParseOutcome, { kind: "command" }>,
  runtime: RuntimeInfo,
): QuickAnswer {
  if (outcome.kind === "help") return { stream: "stdout", text: helpPage(outcome.command), code: 0 };
  if (outcome.kind === "version") return { stream: "stdout", text: `${versionLine(runtime)}\n`, code: 0 };
  return { stream: "stderr", text: usageErrorText(outcome.error), code: 2 };
}

/**
 * `haz <version> (<runtime> <runtime-version>, <os>-<arch>)` (05-cli.md §2.2).
 *
 * @example
 * ```ts
 * versionLine({ hazVersion: "0.4.0", runtime: "bun", runtimeVersion: "1.2.19", os: "linux", arch: "x64" });
 * // "haz 0.4.0 (bun 1.2.19, linux-x64)"
 * ```
 */
export function versionLine(runtime: RuntimeInfo): string {
  return `haz ${runtime.hazVersion} (${runtime.runtime} ${runtime.runtimeVersion}, ${runtime.os}-${runtime.arch})`;
}
