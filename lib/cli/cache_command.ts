/**
 * `haz cache clear | info | clean` (05-cli.md §6, 03-cache.md AUX-017..029): only
 * `.haz/workspace.yml` is read, so broken project files never block cache maintenance.
 *
 * @module
 */

import { cleanCache, renderCleanFailures, renderCleanReport } from "../cache/clean.ts";
import { clearCache } from "../cache/clear.ts";
import { remoteEnvError } from "./remote_options.ts";
import { cacheInfo, type RemoteInfoReport, renderCacheInfo } from "../cache/info.ts";
import { resolveRemoteConfig } from "../cache/remote/remote_config.ts";
import { checkRemote } from "../cache/remote/remote_probe.ts";
import type { RemoteCacheSettings } from "../domain/workspace.ts";
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
  const envError = remoteEnvError(context.env, "cache info");
  if (envError !== null) return reportUsageError(context, envError);
  const workspace = await workspaceSettings(context);
  if (workspace === null) return 2;
  const result = await cacheInfo(workspace.root, workspace.settings.hash);
  if (!result.ok) {
    writeText(context.stderr, result.errors.map((line) => `${line}\n`).join(""));
    return 2;
  }
  const checking = parsed.options.has("remote");
  const remote = await remoteInfo(context, workspace.settings.remote, checking);
  writeText(context.stdout, renderCacheInfo(result.info, parsed.options.has("json"), remote));
  if (checking && remote === null) {
    writeText(
      context.stderr,
      "error: cache info: no remote cache is configured (set cache.remote.url or HAZ_REMOTE_CACHE_URL)\n",
    );
    return 2;
  }
  return remote?.failed ? 2 : 0;
}

/**
 * REMOTE-096: the remote lines and JSON member of `cache info`, with the `--remote` check when asked;
 * null without a configured remote.
 *
 * @example
 * ```ts
 * (await remoteInfo(context, settings.remote, false))?.lines[0]; // "remote: https://cache.example.com (team haz)"
 * ```
 */
export async function remoteInfo(
  context: CommandContext,
  settings: RemoteCacheSettings,
  checking: boolean,
): Promise<(RemoteInfoReport & { readonly failed: boolean }) | null> {
  const config = resolveRemoteConfig({ settings, env: context.env, flag: null, noCache: false });
  if (config === null) return null;
  const source = { flag: "--remote-cache", env: "HAZ_REMOTE_CACHE", config: "config", default: "default" }[
    config.modeSource
  ];
  const lines = [
    `remote: ${config.url} (team ${config.team})`,
    `remote mode: ${config.mode === "off" ? `off: ${config.offReason}` : `${config.mode} (${source})`}`,
    `remote signature: ${config.signature ? "on" : "off"}`,
  ];
  let check = null;
  if (checking) {
    const started = performance.now();
    const result = await checkRemote(config, `haz ${context.runtime.hazVersion}`, () => performance.now());
    check = result.ok ? { ok: true, status: result.status, ms: result.ms, error: null } : {
      ok: false,
      status: result.status,
      ms: Math.round(performance.now() - started),
      error: result.error,
    };
    lines.push(
      result.ok
        ? `remote check: ok (status ${result.status}, token accepted, ${result.ms}ms)`
        : `remote check: failed: ${result.error}`,
    );
  }
  const json = {
    url: config.url,
    team: config.team,
    token_set: config.tokenSet,
    mode: config.mode,
    mode_source: config.modeSource,
    off_reason: config.offReason,
    signature: config.signature,
    check,
  };
  return { lines, json, failed: check !== null && !check.ok };
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
