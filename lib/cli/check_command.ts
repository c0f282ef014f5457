/**
 * `haz check [--all | --workspace]` (05-cli.md §5.1, AUX-009..012, SEL-012).
 *
 * @module
 */

import { candidateSet } from "../graph/select.ts";
import type { CommandContext } from "./command_context.ts";
import { loadOrReport } from "./diagnostics_output.ts";
import { type ParsedCommandLine, usageError } from "./parse_args.ts";
import { writeText } from "./stdio_sink.ts";
import { reportUsageError } from "./usage_report.ts";

/**
 * Validates everything (every phase, every error) and prints `N tasks validated.`.
 *
 * @example
 * ```ts
 * const code = await checkCommand(context, parsed); // 0, stdout "12 tasks validated."
 * ```
 */
export async function checkCommand(context: CommandContext, parsed: ParsedCommandLine): Promise<number> {
  if (parsed.options.has("all") && parsed.options.has("workspace")) {
    return reportUsageError(context, usageError("check", "--all cannot be combined with --workspace"));
  }
  if (parsed.positionals.length > 0) {
    return reportUsageError(context, usageError("check", `unexpected argument '${parsed.positionals[0]}'`));
  }
  const loaded = await loadOrReport(context, { collectAll: true });
  if (loaded === null) return 2;
  const count = candidateSet(loaded, parsed.options.has("workspace") ? "workspace" : "all").length;
  writeText(context.stdout, `${count} ${count === 1 ? "task" : "tasks"} validated.\n`);
  return 0;
}
