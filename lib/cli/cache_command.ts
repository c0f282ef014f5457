/**
 * `haz cache clear | info | clean` (05-cli.md §6, 03-cache.md AUX-017..029): only
 * `.haz/workspace.yml` is read, so broken project files never block cache maintenance.
 *
 * @module
 */

import { cleanCache, renderCleanFailures, renderCleanReport } from "../cache/clean.ts";
import { clearCache } from "../cache/clear.ts";
import { cacheInfo, renderCacheInfo } from "../cache/info.ts";
import { loadSettings } from "../config/load_settings.ts";
import type { WorkspaceSettings } from "../domain/workspace.ts";
import { parseDuration } from "../domain/duration.ts";
import { parseSize } from "../domain/size.ts";
import type { CommandContext } from "./command_context.ts";
import { printDiagnostics } from "./diagnostics_output.ts";
import { type ParsedCommandLine, usageError } from "./parse_args.ts";
import { writeText } from "./stdio_sink.ts";
import { reportUsageError } from "./usage_report.ts";

/**
 * `haz cache clear`.
 *
 * @example
 * ```ts
 * await cacheClearCommand(context, parsed); // stdout "cleared .haz/cache"
 * ```
 */
export async function cacheClearCommand(context: CommandContext, parsed: ParsedCommandLine): Promise<number> {
  if (parsed.positionals.length > 0) return unexpected(context, parsed);
  const workspace = await workspaceSettings(context);
  if (workspace === null) return 2;
  const result = await clearCache(workspace.root);
  writeText(context.stdout, result.text);
  if (result.error === null) return 0;
  writeText(context.stderr, result.error);
  return 2;
}

/**
 * `haz cache info [--json]`.
 *
 * @example
 * ```ts
 * await cacheInfoCommand(context, parsed); // stdout "cache root: .haz/cache\n…"
 * ```
 */
export async function cacheInfoCommand(context: CommandContext, parsed: ParsedCommandLine): Promise<number> {
  if (parsed.positionals.length > 0) return unexpected(context, parsed);
  const workspace = await workspaceSettings(context);
  if (workspace === null) return 2;
  const result = await cacheInfo(workspace.root, workspace.settings.hash);
  if (!result.ok) {
    writeText(context.stderr, result.errors.map((line) => `${line}\n`).join(""));
    return 2;
  }
  writeText(context.stdout, renderCacheInfo(result.info, parsed.options.has("json")));
  return 0;
}

/**
 * `haz cache clean [--soft] [--max-age D] [--max-size S] [--dry-run] [--json]`.
 *
 * @example
 * ```ts
 * await cacheCleanCommand(context, parsed); // stdout "modes: soft\n…"
 * ```
 */
export async function cacheCleanCommand(context: CommandContext, parsed: ParsedCommandLine): Promise<number> {
  if (parsed.positionals.length > 0) return unexpected(context, parsed);
  const maxAgeText = parsed.options.get("max-age");
  const maxSizeText = parsed.options.get("max-size");
  const maxAgeFlag = typeof maxAgeText === "string" ? parseDuration(maxAgeText) : null;
  if (typeof maxAgeText === "string" && maxAgeFlag === null) {
    return reportUsageError(
      context,
      usageError(
        "cache clean",
        `invalid value for --max-age: ${
          JSON.stringify(maxAgeText)
        } (expected an integer and a unit s, m, h, d or w, e.g. 7d)`,
      ),
    );
  }
  const maxSizeFlag = typeof maxSizeText === "string" ? parseSize(maxSizeText) : null;
  if (typeof maxSizeText === "string" && maxSizeFlag === null) {
    return reportUsageError(
      context,
      usageError(
        "cache clean",
        `invalid value for --max-size: ${
          JSON.stringify(maxSizeText)
        } (expected an integer and an optional unit B, KB, MB, GB, KiB, MiB, GiB or TiB, e.g. 10GiB)`,
      ),
    );
  }
  const workspace = await workspaceSettings(context);
  if (workspace === null) return 2;
  const soft = parsed.options.has("soft");
  const maxAgeSeconds = maxAgeFlag ?? workspace.settings.clean.maxAgeSeconds;
  const maxSizeBytes = maxSizeFlag ?? workspace.settings.clean.maxSizeBytes;
  if (!soft && maxAgeSeconds === null && maxSizeBytes === null) {
    writeText(
      context.stderr,
      "error: cache clean: no mode given (use --soft, --max-age or --max-size, or set cache.clean in .haz/workspace.yml)\n",
    );
    return 2;
  }
  const result = await cleanCache({
    workspaceRoot: workspace.root,
    soft,
    maxAgeSeconds,
    maxSizeBytes,
    dryRun: parsed.options.has("dry-run"),
    nowUnix: Math.floor(Date.now() / 1000),
  });
  if (!result.ok) {
    writeText(context.stderr, result.error);
    return 2;
  }
  writeText(context.stdout, renderCleanReport(result.report, parsed.options.has("json")));
  const failures = renderCleanFailures(result.report);
  if (failures === "") return 0;
  writeText(context.stderr, failures);
  return 2;
}

async function workspaceSettings(
  context: CommandContext,
): Promise<{ root: string; settings: WorkspaceSettings } | null> {
  const loaded = await loadSettings(context.startDir);
  if (!loaded.ok) {
    printDiagnostics(context, loaded.diagnostics);
    return null;
  }
  printDiagnostics(context, loaded.diagnostics);
  return loaded;
}

function unexpected(context: CommandContext, parsed: ParsedCommandLine): number {
  return reportUsageError(
    context,
    usageError(parsed.command.name, `unexpected argument '${parsed.positionals[0]}'`),
  );
}
