/**
 * `haz graph` (05-cli.md §5.4, 02-graph.md GRAPH-001..007).
 *
 * @module
 */

import { resolve } from "node:path";
import type { TaskGraph } from "../domain/workspace.ts";
import { exportDot } from "../graph/export_dot.ts";
import { exportHtml } from "../graph/export_html.ts";
import { exportJson } from "../graph/export_json.ts";
import { exportMermaid } from "../graph/export_mermaid.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import { ioFailureReason } from "../util/io_failure_reason.ts";
import type { CommandContext } from "./command_context.ts";
import type { ParsedCommandLine } from "./parse_args.ts";
import { resolveSelection } from "./resolve_selection.ts";
import { writeText } from "./stdio_sink.ts";

type Exporter = (graph: TaskGraph, nodes: readonly string[], selected: ReadonlySet<string>) => string;

const EXPORTERS: Readonly<Record<string, Exporter>> = {
  dot: exportDot,
  mermaid: exportMermaid,
  json: exportJson,
  html: exportHtml,
};

/**
 * Exports the run set of the selection (no selection = `--all`) to stdout or, atomically, to a file.
 *
 * @example
 * ```ts
 * await graphCommand(context, parsed); // stdout "digraph haz {\n…"
 * ```
 */
export async function graphCommand(context: CommandContext, parsed: ParsedCommandLine): Promise<number> {
  const resolved = await resolveSelection(context, parsed, "graph");
  if (typeof resolved === "number") return resolved;
  const { loaded, selection } = resolved;
  const exporter = EXPORTERS[(parsed.options.get("format") as string | undefined) ?? "dot"];
  const text = exporter(loaded.graph, selection.runSet, new Set(selection.selected));
  const file = parsed.options.get("output");
  if (typeof file !== "string") {
    writeText(context.stdout, text);
    return 0;
  }
  try {
    await writeFileAtomic(resolve(context.startDir, file), text);
    return 0;
  } catch (error) {
    writeText(context.stderr, `error: could not write graph to ${file}: ${ioFailureReason(error)}\n`);
    return 2;
  }
}
