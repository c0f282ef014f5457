/**
 * Writing `--summary` and `--profile` after a run (05-cli.md §4.5–4.7, §8): atomically, after the
 * epilogue; a write failure turns exit code 0 into 2.
 *
 * @module
 */

import { resolve } from "node:path";
import type { Clock } from "../util/clock.ts";
import type { RunGraphOutcome } from "../exec/records.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import { ioFailureReason } from "../util/io_failure_reason.ts";
import type { CommandContext } from "./command_context.ts";
import type { RunTrace } from "../exec/run_trace.ts";
import { runProfile } from "./run_profile.ts";
import { runSummary } from "./run_summary.ts";
import type { RunRemote } from "./remote_report.ts";
import type { ResolvedSelection } from "./resolve_selection.ts";

/** What the reports need from a finished run. */
export interface RunReports {
  readonly context: CommandContext;
  readonly resolved: ResolvedSelection;
  readonly settings: {
    readonly concurrency: number;
    readonly outputMode: "live" | "buffered";
    readonly cancelGraceMs: number;
    readonly failFast: boolean;
    readonly cacheEnabled: boolean;
    readonly hash: "sha256" | "blake3";
    readonly shard: { readonly index: number; readonly count: number } | null;
  };
  /** The run's remote cache; null without a configured remote. */
  readonly remote: RunRemote | null;
  readonly summaryFile: string | null;
  readonly profileFile: string | null;
  readonly outcome: RunGraphOutcome;
  /** Admission periods and mutex waits, from `runGraph`'s result. */
  readonly trace: RunTrace;
  /** Run clock time of the forced kill (second signal), if any. */
  readonly killedAt: number | null;
  readonly exitCode: number;
  readonly runStartedAt: number;
  readonly clock: Clock;
}

/**
 * Writes the requested files and returns the final exit code.
 *
 * @example
 * ```ts
 * return await writeRunReports(reports, (line) => presenter.notice(line));
 * ```
 */
export async function writeRunReports(
  reports: RunReports,
  reportError: (text: string) => void,
): Promise<number> {
  const { context, resolved, outcome } = reports;
  let code = reports.exitCode;
  const write = async (kind: "summary" | "profile", file: string, value: unknown) => {
    try {
      await writeFileAtomic(resolve(context.startDir, file), `${JSON.stringify(value, null, 2)}\n`);
    } catch (error) {
      reportError(`error: could not write ${kind} to ${file}: ${ioFailureReason(error)}\n`);
      if (code === 0) code = 2;
    }
  };
  if (reports.summaryFile !== null) {
    const summary = runSummary({
      runtime: context.runtime,
      argv: context.argv,
      workspaceRoot: resolved.loaded.workspace.root,
      startedAtUnixMs: context.startedAtUnixMs,
      durationMs: reports.clock.now(),
      exitCode: code,
      graph: resolved.loaded.graph,
      runSet: resolved.selection.runSet,
      selected: new Set(resolved.selection.selected),
      outcome,
      settings: { ...reports.settings, tagCaps: resolved.loaded.workspace.settings.concurrency.tags },
      remote: reports.remote,
    });
    await write("summary", reports.summaryFile, summary);
  }
  if (reports.profileFile !== null) {
    const profile = runProfile({
      hazVersion: context.runtime.hazVersion,
      exitCode: code,
      outcome,
      load: resolved.spans.load,
      select: resolved.spans.select,
      runStart: reports.runStartedAt,
      trace: reports.trace,
      killedAt: reports.killedAt,
      concurrency: reports.settings.concurrency,
      remoteEvents: reports.remote?.session?.profile ?? [],
    });
    await write("profile", reports.profileFile, profile);
  }
  return code;
}
