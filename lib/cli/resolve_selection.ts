/**
 * The selection pipeline of `run` and `graph`: options, reference syntax (before loading), load,
 * git changes, select (02-graph.md §5).
 *
 * @module
 */

import { errorDiagnostic } from "../domain/diagnostic.ts";
import type { LoadedWorkspace } from "../graph/load_workspace.ts";
import { select, type SelectionResult } from "../graph/select.ts";
import { systemClock } from "../util/system_clock.ts";
import { gitChangedPaths } from "../vcs/git_changes.ts";
import type { CommandContext } from "./command_context.ts";
import { loadOrReport, printDiagnostics, refSyntaxDiagnostics } from "./diagnostics_output.ts";
import type { ParsedCommandLine } from "./parse_args.ts";
import { isUsageError, selectionOptions } from "./selection_options.ts";
import { reportUsageError } from "./usage_report.ts";

/** A successful selection with its workspace. */
export interface ResolvedSelection {
  readonly loaded: LoadedWorkspace;
  readonly selection: Extract<SelectionResult, { ok: true }>;
  /** Run-clock spans of loading and selecting (for `--profile`). */
  readonly spans: { readonly load: TimeSpan; readonly select: TimeSpan };
}

/** A start and end on the run clock, in ms. */
export interface TimeSpan {
  readonly start: number;
  readonly end: number;
}

/**
 * Runs the selection pipeline; on any problem prints it and returns the exit code (2) instead.
 *
 * @example
 * ```ts
 * const resolved = await resolveSelection(context, parsed, "graph");
 * if (typeof resolved === "number") return resolved;
 * ```
 */
export async function resolveSelection(
  context: CommandContext,
  parsed: ParsedCommandLine,
  command: "run" | "watch" | "graph",
): Promise<ResolvedSelection | number> {
  const options = selectionOptions(parsed);
  if (isUsageError(options)) return reportUsageError(context, options);
  const syntax = refSyntaxDiagnostics(options.refs);
  if (syntax.length > 0) {
    printDiagnostics(context, syntax, { keepOrder: true });
    return 2;
  }
  const clock = systemClock(context.startedAt);
  const loadStart = clock.now();
  const loaded = await loadOrReport(context);
  if (loaded === null) return 2;
  const load = { start: loadStart, end: clock.now() };
  let changedPaths: ReadonlySet<string> | null = null;
  if (options.git !== null) {
    const changes = await gitChangedPaths({
      spawner: context.spawner,
      clock,
      workspaceRoot: loaded.workspace.root,
      env: context.env,
      filter: options.git,
    });
    if (!changes.ok) {
      printDiagnostics(context, [errorDiagnostic("SEL-007", changes.message, { phase: 5 })]);
      return 2;
    }
    changedPaths = changes.paths;
  }
  const selection = select(loaded, { refs: options.refs, scope: options.scope, command, changedPaths });
  if (!selection.ok) {
    printDiagnostics(context, selection.diagnostics);
    return 2;
  }
  printDiagnostics(context, selection.warnings);
  return { loaded, selection, spans: { load, select: { start: load.end, end: clock.now() } } };
}
