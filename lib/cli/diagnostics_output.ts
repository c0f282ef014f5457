/**
 * Printing diagnostics from a command (DIAG-005, DIAG-008).
 *
 * @module
 */

import type { Diagnostic } from "../domain/diagnostic.ts";
import { parseCliRef } from "../domain/task_ref.ts";
import { invalidRefMessage } from "../domain/task_ref.ts";
import { type LoadedWorkspace, loadWorkspace } from "../graph/load_workspace.ts";
import { codeFingerprint } from "./code_fingerprint.ts";
import type { CommandContext } from "./command_context.ts";
import { renderDiagnosticReport } from "./render_diagnostic.ts";
import { writeText } from "./stdio_sink.ts";

/**
 * Prints diagnostics to stderr, sorted, with the `found N errors` line when any is an error.
 * Returns true when an error was printed.
 *
 * @example
 * ```ts
 * if (printDiagnostics(context, diagnostics)) return 2;
 * ```
 */
export function printDiagnostics(
  context: CommandContext,
  diagnostics: readonly Diagnostic[],
  options: { keepOrder?: boolean } = {},
): boolean {
  if (diagnostics.length > 0) {
    writeText(context.stderr, renderDiagnosticReport(diagnostics, context.color, options));
  }
  return diagnostics.some((diagnostic) => diagnostic.severity === "error");
}

/**
 * Loads the workspace of the start directory, printing load warnings; on errors prints them and
 * returns null (the command exits 2). The workspace snapshot (PERF-001) is used and refreshed unless
 * `readOnly` (`haz why` writes nothing, AUX-018).
 *
 * @example
 * ```ts
 * const loaded = await loadOrReport(context);
 * if (loaded === null) return 2;
 * ```
 */
export async function loadOrReport(
  context: CommandContext,
  options: { collectAll?: boolean; readOnly?: boolean } = {},
): Promise<LoadedWorkspace | null> {
  const result = await loadWorkspace(context.startDir, {
    collectAll: options.collectAll ?? false,
    snapshot: {
      version: codeFingerprint(context.runtime),
      readOnly: options.readOnly ?? false,
    },
  });
  if (!result.ok) {
    printDiagnostics(context, result.diagnostics);
    return null;
  }
  printDiagnostics(context, result.loaded.warnings);
  return result.loaded;
}

/**
 * REF-001 on the command line, before anything is loaded: one diagnostic per invalid reference, in
 * argument order, without a location (print them with `keepOrder`).
 *
 * @example
 * ```ts
 * refSyntaxDiagnostics(["bad name!:build"]); // [error REF-001 …]
 * ```
 */
export function refSyntaxDiagnostics(refs: readonly string[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const text of refs) {
    const parsed = parseCliRef(text, true);
    if (!parsed.ok) {
      diagnostics.push({
        severity: "error",
        rule: "REF-001",
        message: invalidRefMessage(text, parsed.reason),
        phase: 0,
      });
    }
  }
  return diagnostics;
}
