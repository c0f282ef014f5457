/**
 * `haz run` (05-cli.md §4): select, dry-run or execute with the cache and the presenter, report,
 * exit with the code of §8.
 *
 * @module
 */

import { loadHashAlgorithm } from "../cache/hash_algorithm.ts";
import { openInputStatCache } from "../cache/input_stat_cache.ts";
import { openCache } from "../cache/local_cache.ts";
import { exitCodeFor } from "../exec/exit_code.ts";
import { createPresenter } from "../exec/output/presenter.ts";
import type { HostSignal } from "../exec/process.ts";
import { resolveConcurrency } from "../exec/resolve_concurrency.ts";
import { runGraph, type RunGraphResult } from "../exec/run_graph.ts";
import { createRunControl } from "../exec/run_control.ts";
import { openWorkspaceLocks } from "../lock/fs_workspace_locks.ts";
import { formatDuration } from "../util/format_duration.ts";
import { nodeOs } from "../util/builtin_modules.ts";
import { systemClock } from "../util/system_clock.ts";
import type { CommandContext } from "./command_context.ts";
import { dryRunJson, dryRunText } from "./dry_run.ts";
import { hostEnvironment } from "./host_environment.ts";
import { failFastNoticeObserver } from "./fail_fast_notice.ts";
import type { ParsedCommandLine } from "./parse_args.ts";
import { resolveSelection } from "./resolve_selection.ts";
import { type RunReports, writeRunReports } from "./run_reports.ts";
import { runOptions } from "./run_options.ts";
import { type RunPhase, watchRunSignals } from "./run_signals.ts";
import { isUsageError } from "./selection_options.ts";
import { writeText } from "./stdio_sink.ts";
import { epochMsToNs } from "../util/file_identity.ts";
import { reportUsageError } from "./usage_report.ts";
import { netProber } from "../runtime/net_prober.ts";

/**
 * Runs the selected tasks and their hard predecessors.
 *
 * @example
 * ```ts
 * const code = await runCommand(context, parsed); // 0 when every task succeeded
 * ```
 */
export async function runCommand(context: CommandContext, parsed: ParsedCommandLine): Promise<number> {
  const options = runOptions(parsed, context.env);
  if (isUsageError(options)) return reportUsageError(context, options);
  let phase: RunPhase = "before";
  let control = createRunControl();
  let presenterNotice = (text: string) => writeText(context.stderr, text);
  let graceMs = 0;
  const clock = systemClock(context.startedAt);
  let killedAt: number | null = null;
  const signals = watchRunSignals(context, {
    phase: () => phase,
    onCancel(signal: HostSignal) {
      control.cancel({ kind: "signal", signal });
      presenterNotice(
        `haz: received ${signal}, stopping running tasks (grace ${
          formatDuration(graceMs)
        }); send it again to kill them now\n`,
      );
    },
    onKill(signal: HostSignal) {
      presenterNotice(`haz: received ${signal} again, killing all tasks now\n`);
      killedAt = clock.now();
      control.kill();
    },
  });
  try {
    const resolved = await resolveSelection(context, parsed, "run");
    if (typeof resolved === "number") return resolved;
    const { loaded, selection } = resolved;
    if (!isPosixPlatform(context.runtime.os)) {
      writeText(context.stderr, "error: haz run needs a POSIX system\n");
      return 2;
    }
    if (selection.servicesLeftOut.length > 0) {
      writeText(context.stderr, servicesLeftOutNote(parsed, selection.servicesLeftOut));
    }
    if (selection.emptiedByGit) {
      writeText(context.stdout, "nothing to run: no task is affected by the changes\n");
      return 0;
    }
    const selected = new Set(selection.selected);
    if (options.dryRun) {
      const request = { graph: loaded.graph, runSet: selection.runSet, selected, noCache: options.noCache };
      writeText(context.stdout, options.json ? dryRunJson(request) : dryRunText(request));
      return 0;
    }
    const settings = loaded.workspace.settings;
    let hash;
    try {
      hash = await loadHashAlgorithm(settings.hash);
    } catch (error) {
      writeText(
        context.stderr,
        `error: cannot load the ${settings.hash} hash function: ${(error as Error).message}\n`,
      );
      return 2;
    }
    graceMs = settings.cancelGraceMs;
    const concurrency = resolveConcurrency(options.concurrency ?? settings.concurrency.default);
    const presenter = createPresenter({
      mode: options.outputMode ?? settings.outputMode,
      stdout: context.stdout,
      stderr: context.stderr,
      color: context.color,
      progress: showProgressFooter(context),
      columns: context.columns,
      clock,
      tempDir: nodeOs().tmpdir(),
      cancelGraceMs: graceMs,
      runSetSize: selection.runSet.length,
      services: new Set(selection.runSet.filter((id) => loaded.graph.tasks.get(id)!.service !== null)),
    });
    presenterNotice = (text) => presenter.notice(text);
    const inputDigests = options.noCache ? null : openInputStatCache({
      workspaceRoot: loaded.workspace.root,
      hashLabel: hash.label,
      referenceNs: epochMsToNs(Date.now()),
    });
    control = createRunControl();
    const runStartedAt = clock.now();
    phase = "running";
    let outcome: RunGraphResult;
    try {
      outcome = await runGraph({
        workspace: loaded.workspace,
        graph: loaded.graph,
        runSet: new Set(selection.runSet),
        cache: inputDigests === null
          ? null
          : openCache({ workspaceRoot: loaded.workspace.root, hash, clock, fileDigests: inputDigests }),
        hash,
        ...(inputDigests === null ? {} : { inputDigests }),
        spawner: context.spawner,
        clock,
        observer: failFastNoticeObserver(presenter, (text) => presenter.notice(text)),
        hostEnv: hostEnvironment(context.env),
        concurrency,
        tagCaps: settings.concurrency.tags,
        cancelGraceMs: graceMs,
        failFast: options.failFast,
        control,
        prober: netProber,
        kept: selected,
        locks: openWorkspaceLocks(loaded.workspace.root),
      });
    } finally {
      phase = "settled";
      inputDigests?.save();
    }
    presenter.epilogue(outcome, clock.now());
    await presenter.close();
    const code = exitCodeFor(outcome);
    const reports: RunReports = {
      context,
      resolved,
      settings: {
        concurrency,
        outputMode: options.outputMode ?? settings.outputMode,
        cancelGraceMs: graceMs,
        failFast: options.failFast,
        cacheEnabled: !options.noCache,
        hash: hash.label,
      },
      summaryFile: options.summary,
      profileFile: options.profile,
      outcome,
      trace: outcome.trace,
      killedAt,
      exitCode: code,
      runStartedAt,
      clock,
    };
    return await writeRunReports(reports, (text) => writeText(context.stderr, text));
  } finally {
    // CLI-030: once the scheduler has started, a signal stays handled until the process exits (ignored
    // after the run settled, or 128+n at once for another one), even while cli.ts flushes the output.
    if (phase === "before") signals.stop();
  }
}

/**
 * SVC-051: `note: --workspace selected no service tasks (3 left out); name them to run them, e.g. haz run web:dev`.
 *
 * @example
 * ```ts
 * servicesLeftOutNote(parsed, ["web:dev"]); // "note: --all selected no service tasks (1 left out); …"
 * ```
 */
export function servicesLeftOutNote(parsed: ParsedCommandLine, leftOut: readonly string[]): string {
  const flag = parsed.options.has("workspace") ? "--workspace" : "--all";
  return `note: ${flag} selected no service tasks (${leftOut.length} left out); name them to run them, e.g. haz ${parsed.command.name} ${
    leftOut[0]
  }\n`;
}

/**
 * CLI-011: the footer is shown iff stdout is a terminal, `CI` is unset/empty/`0`/`false` and `TERM`
 * is not `dumb` (the caller only asks for real runs).
 *
 * @example
 * ```ts
 * showProgressFooter(context); // false when piped
 * ```
 */
export function showProgressFooter(context: CommandContext): boolean {
  const ci = context.env.CI ?? "";
  return context.stdoutIsTerminal && ["", "0", "false"].includes(ci) && context.env.TERM !== "dumb";
}

/**
 * PROC-008: haz runs tasks on POSIX hosts only (process groups and signals); Windows is refused.
 *
 * @example
 * ```ts
 * isPosixPlatform("linux"); // true
 * isPosixPlatform("win32"); // false
 * ```
 */
export function isPosixPlatform(platform: string): boolean {
  return platform !== "win32";
}
