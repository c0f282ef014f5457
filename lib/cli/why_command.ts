/**
 * `haz why REF` (05-cli.md §5.2, 03-cache.md AUX-013..016).
 *
 * @module
 */

import { openCache } from "../cache/local_cache.ts";
import { whyReport } from "../cache/why_report.ts";
import { select } from "../graph/select.ts";
import { systemClock } from "../util/system_clock.ts";
import type { CommandContext } from "./command_context.ts";
import { loadOrReport, printDiagnostics, refSyntaxDiagnostics } from "./diagnostics_output.ts";
import { type ParsedCommandLine, usageError } from "./parse_args.ts";
import { hostEnvironment } from "./host_environment.ts";
import { loadRunHash } from "./run_hash.ts";
import { writeText } from "./stdio_sink.ts";
import { reportUsageError } from "./usage_report.ts";
import { remoteEnvError } from "./remote_options.ts";
import { resolveRemoteConfig } from "../cache/remote/remote_config.ts";
import { probeArtifact } from "../cache/remote/remote_probe.ts";
import type { WhyRemote } from "../cache/why_report.ts";
import type { RemoteCacheSettings } from "../domain/workspace.ts";

/**
 * Explains the cache state of exactly one task; read-only.
 *
 * @example
 * ```ts
 * await whyCommand(context, parsed); // stdout "task: app:hello\n…"
 * ```
 */
export async function whyCommand(context: CommandContext, parsed: ParsedCommandLine): Promise<number> {
  const [ref, extra] = parsed.positionals;
  if (ref === undefined) return reportUsageError(context, usageError("why", "missing task reference"));
  if (extra !== undefined) {
    return reportUsageError(context, usageError("why", `unexpected argument '${extra}'`));
  }
  const envError = remoteEnvError(context.env, "why");
  if (envError !== null) return reportUsageError(context, envError);
  const syntax = refSyntaxDiagnostics([ref]);
  if (syntax.length > 0) {
    printDiagnostics(context, syntax);
    return 2;
  }
  const loaded = await loadOrReport(context, { readOnly: true });
  if (loaded === null) return 2;
  const selection = select(loaded, { refs: [ref], scope: "none", command: "why", changedPaths: null });
  if (!selection.ok) {
    printDiagnostics(context, selection.diagnostics);
    return 2;
  }
  const hash = await loadRunHash(context, loaded.workspace.settings);
  if (hash === null) return 2;
  const report = await whyReport({
    loaded,
    target: selection.selected[0],
    cache: openCache({ workspaceRoot: loaded.workspace.root, hash, clock: systemClock(context.startedAt) }),
    hash,
    hostEnv: hostEnvironment(context.env),
    platform: { os: process.platform, arch: process.arch },
    remote: whyRemote(context, loaded.workspace.settings.remote),
  });
  writeText(context.stdout, report.text);
  if (report.errors.length === 0) return 0;
  writeText(context.stderr, report.errors.map((line) => `${line}\n`).join(""));
  return 2;
}

/**
 * REMOTE-095: the remote `why` reports on (REMOTE-020 without `--no-cache` and flags), or null.
 *
 * @example
 * ```ts
 * whyRemote(context, settings.remote)?.writeOnly; // false
 * ```
 */
export function whyRemote(context: CommandContext, settings: RemoteCacheSettings): WhyRemote | null {
  const config = resolveRemoteConfig({ settings, env: context.env, flag: null, noCache: false });
  if (config === null) return null;
  return {
    offReason: config.mode === "off" ? config.offReason : null,
    writeOnly: config.mode === "write",
    probe: (key) => probeArtifact(config, key, `haz ${context.runtime.hazVersion}`),
  };
}
