/**
 * `haz query` (05-cli.md §5.3, 02-graph.md QRY-001..011).
 *
 * @module
 */

import { evaluateQuery, type QueryShortcuts } from "../query/evaluate_query.ts";
import { FILTER_FLAGS, parseQueryFilters } from "../query/query_filters.ts";
import type { CommandContext } from "./command_context.ts";
import { loadOrReport, printDiagnostics } from "./diagnostics_output.ts";
import { type ParsedCommandLine, usageError } from "./parse_args.ts";
import { writeText } from "./stdio_sink.ts";
import { reportUsageError } from "./usage_report.ts";

const PAIRS = [["all", "workspace"], ["has-deps", "no-deps"], ["has-inputs", "no-inputs"], [
  "has-outputs",
  "no-outputs",
]] as const;

/**
 * Lists the tasks that match every given filter, in canonical order.
 *
 * @example
 * ```ts
 * await queryCommand(context, parsed); // stdout "core:build\nutil:build\n" for --tags lib --tasks build
 * ```
 */
export async function queryCommand(context: CommandContext, parsed: ParsedCommandLine): Promise<number> {
  const has = (name: string) => parsed.options.has(name);
  for (const [first, second] of PAIRS) {
    if (has(first) && has(second)) {
      return reportUsageError(context, usageError("query", `--${first} cannot be combined with --${second}`));
    }
  }
  if (parsed.positionals.length > 0) {
    return reportUsageError(context, usageError("query", `unexpected argument '${parsed.positionals[0]}'`));
  }
  const given = FILTER_FLAGS.flatMap((flag) => {
    const text = parsed.options.get(flag);
    return typeof text === "string" ? [{ flag, text }] : [];
  });
  const filters = parseQueryFilters(given);
  if (!filters.ok) {
    printDiagnostics(context, filters.diagnostics);
    return 2;
  }
  const loaded = await loadOrReport(context);
  if (loaded === null) return 2;
  const shortcuts: QueryShortcuts = {
    ...(has("has-deps") || has("no-deps") ? { deps: has("has-deps") } : {}),
    ...(has("has-inputs") || has("no-inputs") ? { inputs: has("has-inputs") } : {}),
    ...(has("has-outputs") || has("no-outputs") ? { outputs: has("has-outputs") } : {}),
    ...(has("mutex") ? { mutex: true } : {}),
  };
  const result = evaluateQuery(loaded, {
    scope: has("workspace") ? "workspace" : "all",
    filters: filters.filters,
    shortcuts,
  });
  if (!result.ok) {
    printDiagnostics(context, result.diagnostics);
    return 2;
  }
  const tasks = result.ids.map((id) => loaded.graph.tasks.get(id)!);
  const format = parsed.options.get("format") ?? "plain";
  if (format === "json") {
    const value = tasks.map((task) => ({
      id: task.key,
      project: task.id.project,
      task: task.id.task,
      tags: [...task.tags],
      description: task.description,
    }));
    writeText(context.stdout, `${JSON.stringify(value, null, 2)}\n`);
  } else if (format === "long") {
    const width = Math.max(0, ...tasks.map((task) => task.key.length));
    const lines = tasks.map((task) =>
      task.description === null ? task.key : `${task.key.padEnd(width)}  ${task.description}`
    );
    if (lines.length > 0) writeText(context.stdout, `${lines.join("\n")}\n`);
  } else if (tasks.length > 0) {
    writeText(context.stdout, `${tasks.map((task) => task.key).join("\n")}\n`);
  }
  return 0;
}
