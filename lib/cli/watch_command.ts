/**
 * `haz watch` (09-services-and-watch.md §6–10): the selection runs once, then again for what each
 * window of changes affects, until a signal ends the loop (WATCH-084, WATCH-085).
 *
 * @module
 */

import { openCache } from "../cache/local_cache.ts";
import type { HostSignal } from "../exec/process.ts";
import { SIGNAL_NUMBERS } from "../exec/process.ts";
import { SGR, styler } from "../exec/output/ansi_style.ts";
import { epilogueSegments } from "../exec/output/epilogue.ts";
import { createPresenter } from "../exec/output/presenter.ts";
import type { Presenter } from "../exec/output/presenter_port.ts";
import type { RunGraphOutcome } from "../exec/records.ts";
import { resolveConcurrency } from "../exec/resolve_concurrency.ts";
import { createRunControl } from "../exec/run_control.ts";
import type { WatchError } from "../exec/file_watcher.ts";
import { netProber } from "../runtime/net_prober.ts";
import { openWorkspaceLocks } from "../lock/fs_workspace_locks.ts";
import { fileWatcherFor } from "../runtime/file_watcher_for.ts";
import { walkIncluded } from "../runtime/watch_tree.ts";
import { formatDuration } from "../util/format_duration.ts";
import { formatTaskId, type TaskId } from "../domain/task_id.ts";
import { nodeOs } from "../util/builtin_modules.ts";
import { systemClock } from "../util/system_clock.ts";
import { triggerSets } from "../watch/triggers.ts";
import {
  type CycleReason,
  directoryFilter,
  watchGraph,
  type WatchObserver,
  type WatchReload,
} from "../watch/watch_graph.ts";
import { loadWorkspace } from "../graph/load_workspace.ts";
import { select } from "../graph/select.ts";
import { renderDiagnosticReport } from "./render_diagnostic.ts";
import type { CommandContext } from "./command_context.ts";
import { hostEnvironment } from "./host_environment.ts";
import type { ParsedCommandLine, UsageError } from "./parse_args.ts";
import { usageError } from "./parse_args.ts";
import { resolveSelection } from "./resolve_selection.ts";
import { isPosixPlatform, servicesLeftOutNote, showProgressFooter } from "./run_command.ts";
import { runOptions } from "./run_options.ts";
import { type RunPhase, watchRunSignals } from "./run_signals.ts";
import { isUsageError, selectionOptions } from "./selection_options.ts";
import { writeText } from "./stdio_sink.ts";
import { loadRunHash } from "./run_hash.ts";
import { reportUsageError } from "./usage_report.ts";

/** WATCH-030: `--debounce` default and bounds. */
const DEFAULT_DEBOUNCE_MS = 200;
const MAX_DEBOUNCE_MS = 10_000;

/**
 * Runs the watch loop; exits 128+n after a signal, 2 on usage, configuration and watcher errors.
 *
 * @example
 * ```ts
 * const code = await watchCommand(context, parsed); // 130 after Ctrl-C
 * ```
 */
export async function watchCommand(context: CommandContext, parsed: ParsedCommandLine): Promise<number> {
  const options = runOptions(parsed, context.env);
  if (isUsageError(options)) return reportUsageError(context, options);
  const debounceMs = debounceOption(parsed);
  if (typeof debounceMs !== "number") return reportUsageError(context, debounceMs);
  let phase: RunPhase = "before";
  const control = createRunControl();
  const activity = new LoopActivity();
  let notice = (text: string) => writeText(context.stderr, text);
  let graceMs = 0;
  const signals = watchRunSignals(context, {
    // A watch loop never waits for remote uploads at its end: the hook has nothing to interrupt.
    onUploadWaitInterrupted: () => {},
    phase: () => phase,
    onCancel(signal: HostSignal) {
      control.cancel({ kind: "signal", signal });
      // WATCH-084: an idle loop (no cycle, no service) just closes its watcher and exits.
      if (!activity.busy()) return;
      notice(
        `haz: received ${signal}, stopping tasks and services (grace ${
          formatDuration(graceMs)
        }); send it again to kill them now\n`,
      );
    },
    onKill(signal: HostSignal) {
      notice(`haz: received ${signal} again, killing all tasks now\n`);
      control.kill();
    },
  });
  try {
    const resolved = await resolveSelection(context, parsed, "watch");
    if (typeof resolved === "number") return resolved;
    const { loaded, selection } = resolved;
    if (!isPosixPlatform(context.runtime.os)) {
      writeText(context.stderr, "error: haz watch needs a POSIX system\n");
      return 2;
    }
    if (selection.servicesLeftOut.length > 0) {
      writeText(context.stderr, servicesLeftOutNote(parsed, selection.servicesLeftOut));
    }
    const settings = loaded.workspace.settings;
    const hash = await loadRunHash(context, settings);
    if (hash === null) return 2;
    graceMs = settings.cancelGraceMs;
    const clock = systemClock(context.startedAt);
    const runSet = new Set(selection.runSet);
    const presenter = createPresenter({
      mode: options.outputMode ?? settings.outputMode,
      stdout: context.stdout,
      stderr: context.stderr,
      color: context.color,
      progress: showProgressFooter(context),
      watch: true,
      columns: context.columns,
      clock,
      tempDir: nodeOs().tmpdir(),
      cancelGraceMs: graceMs,
      runSetSize: runSet.size,
      services: new Set(selection.runSet.filter((id) => loaded.graph.tasks.get(id)!.service !== null)),
    });
    notice = (text) => presenter.notice(text);
    phase = "running";
    const outcome = await watchGraph({
      workspace: loaded.workspace,
      graph: loaded.graph,
      runSet,
      cache: options.noCache ? null : openCache({ workspaceRoot: loaded.workspace.root, hash, clock }),
      hash,
      spawner: context.spawner,
      clock,
      observer: watchObserver(presenter, context.color, activity),
      hostEnv: hostEnvironment(context.env),
      concurrency: resolveConcurrency(options.concurrency ?? settings.concurrency.default),
      tagCaps: settings.concurrency.tags,
      cancelGraceMs: graceMs,
      failFast: false,
      control,
      prober: netProber,
      kept: new Set(selection.selected),
      // XPROC-001..004: cycles take the same workspace locks as runs; services hold theirs for life.
      locks: openWorkspaceLocks(loaded.workspace.root),
      watcher: fileWatcherFor(context.runtime.runtime),
      debounceMs,
      reload: () => reloadSelection(context, parsed),
    });
    phase = "settled";
    if (outcome.error !== null) {
      const include = directoryFilter(loaded.workspace, triggerSets(loaded.workspace, loaded.graph, runSet));
      presenter.notice(
        watchErrorText(
          outcome.error,
          loaded.workspace.root,
          () => needed(loaded.workspace.root, include),
          context.runtime.os,
        ),
      );
    }
    // WATCH-083; a watcher that never started ends nothing (WATCH-090).
    if (outcome.error === null || outcome.cycles > 0) {
      presenter.notice(
        `haz watch: stopped after ${outcome.cycles} ${outcome.cycles === 1 ? "cycle" : "cycles"}\n`,
      );
    }
    await presenter.close();
    const signal = signals.firstSignal();
    if (signal !== null) return 128 + SIGNAL_NUMBERS[signal];
    return 2;
  } finally {
    if (phase === "before") signals.stop();
  }
}

/** WATCH-049: the workspace loaded and selected again from the original arguments. */
async function reloadSelection(context: CommandContext, parsed: ParsedCommandLine): Promise<WatchReload> {
  const options = selectionOptions(parsed);
  if (isUsageError(options)) return { ok: false, diagnostics: [] };
  const result = await loadWorkspace(context.startDir);
  if (!result.ok) return { ok: false, diagnostics: result.diagnostics };
  const selection = select(result.loaded, {
    refs: options.refs,
    scope: options.scope,
    command: "watch",
    changedPaths: null,
  });
  if (!selection.ok) return { ok: false, diagnostics: selection.diagnostics };
  return {
    ok: true,
    workspace: result.loaded.workspace,
    graph: result.loaded.graph,
    runSet: new Set(selection.runSet),
  };
}

/** WATCH-001: `--debounce MS`, an integer from 0 to 10000. */
function debounceOption(parsed: ParsedCommandLine): number | UsageError {
  const value = parsed.options.get("debounce");
  if (value === undefined) return DEFAULT_DEBOUNCE_MS;
  const text = String(value);
  const ms = /^\d+$/.test(text) ? Number(text) : NaN;
  if (Number.isInteger(ms) && ms <= MAX_DEBOUNCE_MS) return ms;
  return usageError(
    "watch",
    `invalid value for --debounce: ${
      JSON.stringify(text)
    } (expected an integer from 0 to ${MAX_DEBOUNCE_MS})`,
  );
}

/** The presenter plus the loop's own lines (WATCH-003, WATCH-080, WATCH-081). */
/** Whether a cycle runs or a service is starting, up or restarting (WATCH-084). */
class LoopActivity {
  cycle = false;
  readonly services = new Set<string>();

  busy(): boolean {
    return this.cycle || this.services.size > 0;
  }
}

function watchObserver(presenter: Presenter, color: boolean, activity: LoopActivity): WatchObserver {
  const style = styler(color);
  const ended = (task: TaskId) => activity.services.delete(formatTaskId(task));
  return {
    onTaskStarted: (task) => presenter.onTaskStarted(task),
    onStdout: (task, chunk) => presenter.onStdout(task, chunk),
    onStderr: (task, chunk) => presenter.onStderr(task, chunk),
    onTaskFinished: (record) => {
      ended(record.task);
      presenter.onTaskFinished(record);
    },
    onTaskErrored: (record) => presenter.onTaskErrored(record),
    onTaskSkipped: (record) => presenter.onTaskSkipped(record),
    onTaskCancelled: (record) => {
      ended(record.task);
      presenter.onTaskCancelled(record);
    },
    onInvariantViolation: (violation) => presenter.onInvariantViolation(violation),
    onCancelling: (reason, forced) => presenter.onCancelling(reason, forced),
    onWarning: (warning) => presenter.onWarning(warning),
    onServiceUp: (task, upMs) => {
      if (upMs !== null) activity.services.add(formatTaskId(task));
      presenter.onServiceUp(task, upMs);
    },
    onServiceRestarting: (task, restart) => presenter.onServiceRestarting(task, restart),
    onServicesOnly: () => {},
    onTaskWaiting: (wait) => presenter.onTaskWaiting?.(wait),
    onWatching: (directories, tasks) =>
      presenter.notice(
        `haz watch: watching ${plural(directories, "directory", "directories")} for ${
          plural(tasks, "task", "tasks")
        }; press Ctrl-C to stop`,
      ),
    onCycleStart: (cycle, reason) => {
      activity.cycle = true;
      presenter.cycleStarted(cycle);
      presenter.announce(style(`── cycle ${cycle}: ${reasonText(reason)}`, SGR.dim));
    },
    onCycleEnd: (cycle, outcome, durationMs, services) => {
      activity.cycle = false;
      presenter.announce(
        `\nCycle ${cycle}: ${cycleSegments(outcome, services, color)} in ${formatDuration(durationMs)}`,
      );
    },
    onServiceChanged: (task, reason) =>
      presenter.announce(`${style("↻ restarting", SGR.magenta)} ${formatTaskId(task)}: ${reason}`),
    onWaiting: () => {
      presenter.waitingForChanges();
      presenter.notice("haz watch: waiting for changes");
    },
    onSuspended: (task, path) =>
      presenter.notice(
        `${style("warning", SGR.boldYellow)}: ${
          formatTaskId(task)
        } changed its own inputs in 3 cycles in a row (${path}); it will not run again until a change arrives while it is idle`,
      ),
    onConfigError: (diagnostics) => {
      presenter.notice(renderDiagnosticReport(diagnostics, color));
      presenter.notice("haz watch: the configuration has errors; waiting for a fix");
    },
    onServiceDown: (task) =>
      presenter.notice(
        `haz watch: ${formatTaskId(task)} is down; it starts again when its inputs or predecessors change`,
      ),
  };
}

/** WATCH-081: the `Tasks:` segments of the cycle's tasks. */
function cycleSegments(
  outcome: RunGraphOutcome,
  services: { readonly started: number; readonly restarted: number },
  color: boolean,
): string {
  const segments = epilogueSegments(outcome, color);
  if (services.started > 0) segments.push(`${services.started} started`);
  if (services.restarted > 0) segments.push(`${services.restarted} restarted`);
  return segments.join(", ");
}

/** WATCH-080: what started a cycle. */
function reasonText(reason: CycleReason): string {
  if (reason.kind === "initial") return "initial run";
  if (reason.kind === "overflow") {
    return "too many changes to track (event queue overflow); checking every task";
  }
  if (reason.kind === "configuration") return `configuration changed: ${reason.path}`;
  const { paths } = reason;
  if (paths.length === 1) return `${paths[0]} changed`;
  const shown = paths.slice(0, 3).join(", ");
  return `${paths.length} changes: ${shown}${paths.length > 3 ? ` (+${paths.length - 3} more)` : ""}`;
}

/** WATCH-090: the diagnostic of a watcher that failed. */
function watchErrorText(error: WatchError, root: string, needed: () => number, os: string): string {
  const path = error.path === null || error.path === root
    ? "/"
    : error.path.startsWith(`${root}/`)
    ? error.path.slice(root.length)
    : error.path;
  if (error.reason !== "limit") {
    const reason = error.reason === "permission-denied" ? "permission denied" : error.message;
    return `error[WATCH-090]: cannot watch ${path}: ${reason}\n\nfound 1 error\n`;
  }
  const raise = os === "linux"
    ? "raise the limit (Linux: sysctl fs.inotify.max_user_watches=524288)"
    : "raise the limit";
  return [
    `error[WATCH-090]: cannot watch ${path}: the system limit on watched directories was reached`,
    `note: this selection needs ${needed()} watched directories`,
    `help: ${raise} or narrow the inputs of the selected tasks`,
    "",
    "found 1 error",
    "",
  ].join("\n");
}

/** The number of directories the selection needs watched (a walk without watches). */
function needed(root: string, include: (directory: string) => boolean): number {
  try {
    return walkIncluded(root, include).directories.length;
  } catch {
    return 0;
  }
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
