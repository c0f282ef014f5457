/**
 * `haz run` (05-cli.md §4): select, dry-run or execute with the cache and the presenter, report,
 * exit with the code of §8.
 *
 * @module
 */

import { openInputStatCache } from "../cache/input_stat_cache.ts";
import { openCache } from "../cache/local_cache.ts";
import { exitCodeFor } from "../exec/exit_code.ts";
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
import { type ResolvedSelection, resolveSelection } from "./resolve_selection.ts";
import type { Shard } from "./remote_options.ts";
import { shardRunSet } from "../graph/shard.ts";
import { type RunReports, writeRunReports } from "./run_reports.ts";
import { type RunOptions, runOptions } from "./run_options.ts";
import { cacheLine, type RunRemote } from "./remote_report.ts";
import { resolveRemoteConfig } from "../cache/remote/remote_config.ts";
import { cacheRootOf } from "../cache/layout.ts";
import type { HashAlgorithm } from "../cache/hash_algorithm.ts";
import type { WorkspaceSettings } from "../domain/workspace.ts";
import type { Clock } from "../util/clock.ts";
import { createPresenter } from "../exec/output/presenter.ts";
import type { Presenter } from "../exec/output/presenter_port.ts";
import { warningText } from "../exec/output/run_diagnostics.ts";
import { type RunPhase, watchRunSignals } from "./run_signals.ts";
import { isUsageError } from "./selection_options.ts";
import { writeText } from "./stdio_sink.ts";
import { loadRunHash } from "./run_hash.ts";
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
  const uploadWait = new AbortController();
  const signals = watchRunSignals(context, {
    onUploadWaitInterrupted: () => uploadWait.abort(),
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
    const unsharded = await resolveSelection(context, parsed, "run");
    if (typeof unsharded === "number") return unsharded;
    const resolved = options.shard === null || unsharded.selection.emptiedByGit
      ? unsharded
      : shardedSelection(unsharded, options.shard);
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
    if (options.shard !== null && selection.selected.length === 0) {
      writeText(
        context.stdout,
        `nothing to run: shard ${options.shard.index}/${options.shard.count} has no task\n`,
      );
      return 0;
    }
    const selected = new Set(selection.selected);
    if (options.dryRun) {
      const request = {
        graph: loaded.graph,
        runSet: selection.runSet,
        selected,
        noCache: options.noCache,
        shard: options.shard,
      };
      writeText(context.stdout, options.json ? dryRunJson(request) : dryRunText(request));
      return 0;
    }
    const settings = loaded.workspace.settings;
    const hash = await loadRunHash(context, settings);
    if (hash === null) return 2;
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
    const remote = await runRemote({
      context,
      options,
      settings,
      hash,
      clock,
      presenter,
      workspaceRoot: loaded.workspace.root,
    });
    const runStartedAt = clock.now();
    phase = "running";
    let outcome: RunGraphResult;
    try {
      outcome = await runGraph({
        workspace: loaded.workspace,
        graph: loaded.graph,
        runSet: new Set(selection.runSet),
        cache: inputDigests === null ? null : {
          ...openCache({ workspaceRoot: loaded.workspace.root, hash, clock, fileDigests: inputDigests }),
          remote: remote?.session ?? null,
        },
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
      phase = "uploading";
      inputDigests?.save();
    }
    const session = remote?.session ?? null;
    if (session !== null && session.pendingUploads > 0 && outcome.cancel === null) {
      presenter.uploading(() => session.pendingUploads);
    }
    try {
      await remote?.session?.finish({ cancelled: outcome.cancel !== null, interrupt: uploadWait.signal });
    } finally {
      phase = "settled";
    }
    presenter.epilogue(outcome, clock.now(), remote === null ? null : cacheLine(remote));
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
        shard: options.shard,
      },
      remote,
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
 * REMOTE-102: the selection narrowed to one shard: its units are the selected tasks.
 *
 * @example
 * ```ts
 * shardedSelection(resolved, { index: 1, count: 3 }).selection.selected; // the shard's units
 * ```
 */
export function shardedSelection(resolved: ResolvedSelection, shard: Shard): ResolvedSelection {
  const { selection, loaded } = resolved;
  const sharded = shardRunSet(loaded.graph, selection.runSet, shard.index, shard.count);
  return {
    ...resolved,
    selection: { ...selection, selected: [...sharded.units], runSet: [...sharded.runSet] },
  };
}

/** Inputs of {@link runRemote}. */
interface RunRemoteInputs {
  readonly context: CommandContext;
  readonly options: RunOptions;
  readonly settings: WorkspaceSettings;
  readonly hash: HashAlgorithm;
  readonly clock: Clock;
  readonly presenter: Presenter;
  readonly workspaceRoot: string;
}

/**
 * REMOTE-020: the run's remote, with a session when its mode is not `off`; null without a configured
 * remote. Warnings go to the presenter as they happen (REMOTE-081). The session's module (HTTP client,
 * gzip, streams) is imported only here: evaluating `node:http` and `node:zlib` is a noticeable share of
 * a fully cached run's start-up, and most runs have no remote.
 *
 * @example
 * ```ts
 * const remote = await runRemote(inputs); // { config, session } or null
 * ```
 */
export async function runRemote(inputs: RunRemoteInputs): Promise<RunRemote | null> {
  const config = resolveRemoteConfig({
    settings: inputs.settings.remote,
    env: inputs.context.env,
    flag: inputs.options.remoteCache,
    noCache: inputs.options.noCache,
  });
  if (config === null) return null;
  if (config.mode === "off") return { config, session: null };
  const { RemoteSession } = await import("../cache/remote/remote_session.ts");
  const session = new RemoteSession({
    config,
    context: {
      root: cacheRootOf(inputs.workspaceRoot),
      workspaceRoot: inputs.workspaceRoot,
      hash: inputs.hash,
    },
    userAgent: `haz ${inputs.context.runtime.hazVersion}`,
    now: () => inputs.clock.now(),
    nowUnix: () => inputs.clock.unixSeconds(),
    onWarning: (warning) => {
      if (warning.printed) inputs.presenter.notice(warningText(warning.message, inputs.context.color));
    },
  });
  return { config, session };
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
