/**
 * The watch loop (09-services-and-watch.md §6–9): runs the run set once, then again, cycle after
 * cycle, for what the changes of each quiet window affect. The cache cuts off work whose inputs did
 * not really change; a change during a cycle never kills a running task, it makes it stale.
 *
 * @module
 */

import { lstatSync } from "node:fs";
import type { FileWatch, FileWatcher, WatchEvent } from "../exec/file_watcher.ts";
import { WatchError } from "../exec/file_watcher.ts";
import type { CancelReason, CompletedRecord, RunGraphOutcome, RunObserver } from "../exec/records.ts";
import type { RunContext } from "../exec/run_context.ts";
import { createRunControl, type RunControl, watchRunControl } from "../exec/run_control.ts";
import { runGraph } from "../exec/run_graph.ts";
import { ServiceStops } from "../exec/cut_off.ts";
import { SlotPool } from "../exec/slot_pool.ts";
import { isCacheable } from "../exec/run_task.ts";
import { buildCacheKey } from "../cache/key.ts";
import { formatTaskId, type TaskId } from "../domain/task_id.ts";
import type { Workspace } from "../domain/workspace.ts";
import type { Diagnostic } from "../domain/diagnostic.ts";
import { matchedTasks, matchesTask, type Triggers, triggerSets, watchesDirectory } from "./triggers.ts";

/** WATCH-026: one window with this many raw events is treated as an overflow. */
export const OVERFLOW_EVENTS = 8192;
/** WATCH-048: the self-inflicted match that suspends a task. */
export const SELF_INFLICTED_LIMIT = 3;
/** WATCH-048: how far a file time may trail the wall clock (the kernel stamps files with a coarse clock). */
const COARSE_CLOCK_SLACK_MS = 50;
/** WATCH-030: a window closes at the latest this long after its first event, plus the debounce. */
export const WINDOW_CAP_MS = 2000;

/** Why a cycle runs (WATCH-080). */
export type CycleReason =
  | { readonly kind: "initial" }
  | { readonly kind: "configuration"; readonly path: string }
  | { readonly kind: "changes"; readonly paths: readonly string[] }
  | { readonly kind: "overflow" };

/** What the watch loop reports besides the runs of its cycles. */
export interface WatchObserver extends RunObserver {
  /** The watcher is in place (WATCH-003 step 5). */
  onWatching(directories: number, tasks: number): void;
  /** A cycle starts: its header (WATCH-080). */
  onCycleStart(cycle: number, reason: CycleReason): void;
  /**
   * A cycle settled: its epilogue (WATCH-081); stale withdrawals are left out of `outcome`; services
   * that came up for the first time (or after a failure) and services restarted for a change.
   */
  onCycleEnd(
    cycle: number,
    outcome: RunGraphOutcome,
    durationMs: number,
    services: { readonly started: number; readonly restarted: number },
  ): void;
  /** A service restarts because of a change: `↻ restarting <id>: <reason>` (WATCH-046). */
  onServiceChanged(task: TaskId, reason: string): void;
  /** Waiting for changes after a cycle (WATCH-081). */
  onWaiting(): void;
  /** A service failed between cycles; the loop goes on (WATCH-046). */
  onServiceDown(task: TaskId): void;
  /** WATCH-048: a task changed its own inputs in 3 cycles in a row; `path` is the first such change. */
  onSuspended(task: TaskId, path: string): void;
  /** WATCH-049: a reload failed; no cycle runs until a reload succeeds. */
  onConfigError(diagnostics: readonly Diagnostic[]): void;
}

/** A configuration reload (WATCH-049): the workspace loaded and selected again, or why not. */
export type WatchReload =
  | {
    readonly ok: true;
    readonly workspace: Workspace;
    readonly graph: RunContext["graph"];
    readonly runSet: ReadonlySet<string>;
  }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** Everything a watch loop needs. */
export interface WatchContext extends Omit<RunContext, "observer" | "isStale" | "predecessorDigests"> {
  readonly observer: WatchObserver;
  readonly watcher: FileWatcher;
  /** `--debounce` in ms (WATCH-030). */
  readonly debounceMs: number;
  /** Loads and selects again after a configuration change (WATCH-049); without it those are plain changes. */
  readonly reload?: () => Promise<WatchReload>;
}

/** How a watch loop ended (WATCH-085). */
export interface WatchOutcome {
  readonly cycles: number;
  /** The cancellation that ended it; null when a watcher error did. */
  readonly cancel: CancelReason | null;
  /** WATCH-090/091: the watcher failed. */
  readonly error: WatchError | null;
}

/**
 * Runs the watch loop until `ctx.control` cancels it or the watcher fails. Resolves after the last
 * cycle settled and the watcher is closed.
 *
 * @example
 * ```ts
 * const outcome = await watchGraph(ctx); // after Ctrl-C: { cycles: 3, cancel: { kind: "signal", … }, error: null }
 * ```
 */
export async function watchGraph(ctx: WatchContext): Promise<WatchOutcome> {
  const current = { triggers: triggerSets(ctx.workspace, ctx.graph, ctx.runSet), workspace: ctx.workspace };
  let watch: FileWatch;
  try {
    watch = await ctx.watcher.watch({
      root: ctx.workspace.root,
      // After a reload, directories that appear are judged by the new triggers.
      include: (directory) => directoryFilter(current.workspace, current.triggers)(directory),
    });
  } catch (error) {
    if (error instanceof WatchError) return { cycles: 0, cancel: null, error };
    throw error;
  }
  ctx.observer.onWatching(watch.directories, ctx.runSet.size);
  return await new WatchLoop(ctx, current, watch).run();
}

/** The window of changes waiting for the next cycle (WATCH-030, WATCH-031). */
interface PendingWindow {
  readonly paths: Set<string>;
  readonly matched: Set<string>;
  /** WATCH-048: per matched task, whether every event that matched it arrived while it executed. */
  readonly selfInflicted: Map<string, boolean>;
  /** The first path that matched each task. */
  readonly firstPath: Map<string, string>;
  /** WATCH-024: the first configuration file that changed, if any. */
  config: string | null;
  overflow: boolean;
  firstAt: number;
  lastAt: number;
}

class WatchLoop {
  #ctx: WatchContext;
  readonly #current: { triggers: Triggers; workspace: Workspace };
  readonly #watch: FileWatch;
  #successors: ReadonlyMap<string, readonly string[]>;
  /** WATCH-049: the configuration has errors; windows are held until a reload succeeds. */
  #held: Set<string> | null = null;
  readonly #lastOutcome = new Map<string, "succeeded" | "failed">();
  /** The key of each task's last attempt (WATCH-004, WATCH-041). */
  readonly #lastKeys = new Map<string, string>();
  readonly #digests = new Map<string, { stdout: string; stderr: string }>();
  #window: PendingWindow | null = null;
  /** Raw events since the last window was planned (WATCH-026). */
  #rawEvents = 0;
  #windowTimer: AbortController | null = null;
  #cycle = 0;
  #running:
    | { readonly tasks: ReadonlySet<string>; readonly stale: Set<string>; readonly control: RunControl }
    | null = null;
  #stopped: { cancel: CancelReason | null; error: WatchError | null } | null = null;
  /** Runs of earlier cycles that still hold services, and which run holds each service. */
  readonly #background = new Set<BackgroundRun>();
  readonly #upIn = new Map<string, BackgroundRun>();
  /** Finishing tasks between their admission and their terminal event (WATCH-048). */
  readonly #executing = new Set<string>();
  /** WATCH-048: the wall-clock span (epoch ms) of each finishing task's last exec phase. */
  readonly #execSpans = new Map<string, { start: number; end: number | null }>();
  readonly #selfCycles = new Map<string, number>();
  readonly #suspended = new Set<string>();
  /** Services being stopped for a restart: their stop is not reported (WATCH-046). */
  readonly #restarting = new Set<string>();
  /** Services a cycle stopped to start them again (WATCH-046). */
  readonly #replaced = new Set<string>();
  /** WATCH-047: one global cap and one set of tag caps for every run of the loop. */
  readonly #slots: SlotPool;
  #wake: () => void = () => {};

  constructor(ctx: WatchContext, current: { triggers: Triggers; workspace: Workspace }, watch: FileWatch) {
    this.#ctx = ctx;
    this.#current = current;
    this.#watch = watch;
    this.#successors = successorsWithin(ctx);
    this.#slots = new SlotPool(ctx.concurrency, ctx.tagCaps);
  }

  get #triggers(): Triggers {
    return this.#current.triggers;
  }

  async run(): Promise<WatchOutcome> {
    const unwatch = watchRunControl(this.#ctx.control, {
      onCancel: (reason) => this.#stop({ cancel: reason, error: null }),
      onKill: () => {
        this.#running?.control.kill();
        for (const background of this.#background) background.control.kill();
      },
    });
    void this.#consume();
    try {
      if (this.#ctx.control.reason !== null) this.#stop({ cancel: this.#ctx.control.reason, error: null });
      await this.#runCycle(new Set(this.#ctx.runSet), { kind: "initial" });
      while (this.#stoppedNow() === null) {
        const planned = this.#takeClosedWindow();
        if (planned === null) {
          await new Promise<void>((resolve) => this.#wake = resolve);
          continue;
        }
        await this.#runCycle(planned.matched, planned.reason);
      }
    } finally {
      unwatch();
      this.#windowTimer?.abort();
      for (const background of this.#background) background.control.cancel({ kind: "programmatic" });
      await Promise.all([...this.#background].map((background) => background.done));
      await this.#watch.close();
    }
    return { cycles: this.#cycle, ...this.#stopped! };
  }

  /** Read through a method: a signal may have stopped the loop during any await. */
  #stoppedNow(): { cancel: CancelReason | null; error: WatchError | null } | null {
    return this.#stopped;
  }

  #stop(stopped: { cancel: CancelReason | null; error: WatchError | null }): void {
    if (this.#stopped !== null) return;
    this.#stopped = stopped;
    const reason = stopped.cancel ?? { kind: "programmatic" as const };
    this.#running?.control.cancel(reason);
    for (const background of this.#background) background.control.cancel(reason);
    this.#wake();
  }

  // ---- changes ----------------------------------------------------------------------------------

  async #consume(): Promise<void> {
    for await (const batch of this.#watch.events) {
      for (const event of batch) this.#onEvent(event);
    }
  }

  #onEvent(event: WatchEvent): void {
    if (this.#stopped !== null) return;
    if (event.kind === "error") return this.#stop({ cancel: null, error: event.error });
    this.#rawEvents += 1;
    if (event.kind === "overflow" || this.#rawEvents >= OVERFLOW_EVENTS) {
      const window = this.#openWindow();
      window.overflow = true;
      for (const id of this.#triggers.byTask.keys()) window.matched.add(id);
      this.#touched(window, [...this.#triggers.byTask.keys()]);
      return;
    }
    const path = workspacePath(this.#ctx.workspace.root, event.path);
    if (path === null) return;
    const matched = matchedTasks(this.#triggers, { path, directoryOrGone: directoryOrGone(event.path) });
    const config = this.#ctx.reload !== undefined && this.#isConfigFile(path);
    if (matched.length === 0 && !config) return;
    const window = this.#openWindow();
    if (config) window.config ??= path;
    window.paths.add(path);
    for (const id of matched) {
      window.matched.add(id);
      if (!window.firstPath.has(id)) window.firstPath.set(id, path);
      const executing = this.#executing.has(id) || this.#writtenWhileExecuting(id, event.path);
      window.selfInflicted.set(id, (window.selfInflicted.get(id) ?? true) && executing);
      if (!executing) {
        // WATCH-048: a change while the task is idle lifts its suspension.
        this.#suspended.delete(id);
        this.#selfCycles.delete(id);
      }
    }
    this.#touched(window, matched);
  }

  #execEnded(id: string): void {
    this.#executing.delete(id);
    const span = this.#execSpans.get(id);
    if (span !== undefined && span.end === null) span.end = Date.now();
  }

  /**
   * WATCH-048: an event that arrives after the task's exec phase ended still counts as its own when
   * the path was modified during that phase: under load the OS notification of a write the task made
   * is often handled after the task's exit (measured: the loop guard never tripped under Bun then).
   */
  #writtenWhileExecuting(id: string, hostPath: string): boolean {
    const span = this.#execSpans.get(id);
    if (span === undefined || span.end === null) return false;
    let modifiedAt: number;
    try {
      modifiedAt = lstatSync(hostPath).mtimeMs;
    } catch {
      return false;
    }
    // File times come from the kernel's coarse clock, a few ms behind the wall clock; theirs have
    // fractions of a millisecond, Date.now() has none.
    return modifiedAt >= span.start - COARSE_CLOCK_SLACK_MS && modifiedAt < span.end + 1;
  }

  #openWindow(): PendingWindow {
    if (this.#window === null) {
      const now = this.#ctx.clock.now();
      this.#window = {
        paths: new Set(),
        matched: new Set(),
        selfInflicted: new Map(),
        firstPath: new Map(),
        config: null,
        overflow: false,
        firstAt: now,
        lastAt: now,
      };
    }
    return this.#window;
  }

  /** A triggering event: the window's quiet period restarts; a running cycle's tasks go stale. */
  #touched(window: PendingWindow, matched: readonly string[]): void {
    window.lastAt = this.#ctx.clock.now();
    const running = this.#running;
    if (running !== null) {
      for (const id of this.#reachable(matched)) if (running.tasks.has(id)) running.stale.add(id);
    }
    this.#armWindowTimer();
  }

  #armWindowTimer(): void {
    this.#windowTimer?.abort();
    const window = this.#window;
    if (window === null) return;
    const timer = new AbortController();
    this.#windowTimer = timer;
    const closesAt = Math.min(
      window.lastAt + this.#ctx.debounceMs,
      window.firstAt + this.#ctx.debounceMs + WINDOW_CAP_MS,
    );
    void this.#ctx.clock.sleep(Math.max(0, closesAt - this.#ctx.clock.now()), timer.signal).then(() => {
      if (!timer.signal.aborted) this.#wake();
    });
  }

  /** WATCH-030: the window if its quiet period (or cap) has passed, as a matched set. */
  #takeClosedWindow(): { matched: Set<string>; reason: CycleReason } | null {
    const window = this.#window;
    if (window === null || (window.matched.size === 0 && window.config === null)) return null;
    const now = this.#ctx.clock.now();
    const closesAt = Math.min(
      window.lastAt + this.#ctx.debounceMs,
      window.firstAt + this.#ctx.debounceMs + WINDOW_CAP_MS,
    );
    if (now < closesAt) {
      this.#armWindowTimer();
      return null;
    }
    this.#window = null;
    this.#rawEvents = 0;
    this.#guard(window);
    if (window.config !== null) {
      return { matched: window.matched, reason: { kind: "configuration", path: window.config } };
    }
    if (this.#held !== null) {
      // WATCH-049: while the configuration has errors, windows wait for a reload that succeeds.
      for (const id of window.matched) this.#held.add(id);
      return null;
    }
    if (window.matched.size === 0) return null;
    const paths = [...window.paths].sort();
    const reason = window.overflow ? { kind: "overflow" as const } : { kind: "changes" as const, paths };
    return { matched: window.matched, reason };
  }

  /** WATCH-024: `/.haz/workspace.yml`, the files of `/.haz/tasks/`, and every project's `haz.yml`. */
  #isConfigFile(path: string): boolean {
    if (path === "/.haz/workspace.yml" || path.startsWith("/.haz/tasks/")) return true;
    return this.#ctx.workspace.projects.some((project) =>
      path === `${project.root === "/" ? "" : project.root}/haz.yml`
    );
  }

  /**
   * WATCH-049: loads and selects again. On errors nothing runs and later windows are held; on success
   * the new run set replaces the old one, services no longer in it stop, and the tasks whose
   * definition changed (or that are new) join the matched set, with the held ones.
   */
  async #reload(matched: ReadonlySet<string>): Promise<Set<string> | null> {
    const result = await this.#ctx.reload!();
    if (!result.ok) {
      this.#held ??= new Set();
      for (const id of matched) this.#held.add(id);
      this.#ctx.observer.onConfigError(result.diagnostics);
      return null;
    }
    const next = new Set([...matched, ...(this.#held ?? [])]);
    this.#held = null;
    const old = this.#ctx;
    for (const id of result.runSet) {
      const before = old.graph.tasks.get(id);
      const after = result.graph.tasks.get(id)!;
      if (
        before === undefined || !old.runSet.has(id) ||
        fingerprint(old.graph, before.key) !== fingerprint(result.graph, after.key)
      ) {
        next.add(id);
      }
    }
    for (const id of next) if (!result.runSet.has(id)) next.delete(id);
    // Services that left the run set stop; the others of their runs start again.
    const leaving = [...this.#background].filter((background) =>
      [...background.services].some((id) => !result.runSet.has(id))
    );
    for (const background of leaving) background.control.cancel({ kind: "programmatic" });
    await Promise.all(leaving.map((background) => background.done));
    for (const background of leaving) {
      for (const id of background.services) if (result.runSet.has(id)) next.add(id);
    }
    this.#ctx = { ...old, workspace: result.workspace, graph: result.graph, runSet: result.runSet };
    this.#current.workspace = result.workspace;
    this.#current.triggers = triggerSets(result.workspace, result.graph, result.runSet);
    this.#successors = successorsWithin(this.#ctx);
    return next;
  }

  /**
   * WATCH-048: a task that ran only because of its own changes in two cycles in a row does not run a
   * third time; it is suspended until a change arrives while it is idle.
   */
  #guard(window: PendingWindow): void {
    for (const id of [...window.matched]) {
      if (this.#suspended.has(id)) {
        window.matched.delete(id);
        continue;
      }
      if (window.selfInflicted.get(id) !== true) {
        this.#selfCycles.delete(id);
        continue;
      }
      const count = (this.#selfCycles.get(id) ?? 0) + 1;
      if (count < SELF_INFLICTED_LIMIT) {
        this.#selfCycles.set(id, count);
        continue;
      }
      this.#selfCycles.delete(id);
      this.#suspended.add(id);
      window.matched.delete(id);
      this.#ctx.observer.onSuspended(this.#ctx.graph.tasks.get(id)!.id, window.firstPath.get(id) ?? "/");
    }
  }

  // ---- cycles -----------------------------------------------------------------------------------

  async #runCycle(matched: ReadonlySet<string>, reason: CycleReason): Promise<void> {
    if (this.#stopped !== null) return;
    if (reason.kind === "configuration") {
      const reloaded = await this.#reload(matched);
      if (reloaded === null) return;
      matched = reloaded;
    }
    const { graph } = this.#ctx;
    if (reason.kind !== "initial") matched = await this.#preFilter(matched);
    const affected = new Set(this.#reachable([...matched], (id) => this.#reloadsItself(id)));
    // WATCH-046: a service that reloads itself is left running and counts as unchanged.
    for (const id of affected) if (this.#reloadsItself(id)) affected.delete(id);
    const runSet = new Set<string>();
    for (const id of graph.order) if (affected.has(id)) runSet.add(id);
    const blocked = this.#blockedByEarlierFailures(runSet);
    for (const id of blocked.keys()) runSet.delete(id);
    if (runSet.size === 0 && blocked.size === 0) return;
    this.#replaced.clear();
    this.#cycle += 1;
    const cycle = this.#cycle;
    const { observer, clock } = this.#ctx;
    observer.onCycleStart(cycle, reason);
    const startedAt = clock.now();
    const records = new CycleRecords();
    for (const [id, root] of blocked) {
      const record = {
        task: graph.tasks.get(id)!.id,
        cause: { kind: "upstream-failed" as const, root: graph.tasks.get(root)!.id },
        timing: {
          readyAt: null,
          firstAdmittedAt: null,
          admittedAt: null,
          endedAt: startedAt,
          admissions: 0,
          mutexWaitMs: 0,
          phases: [],
        },
      };
      records.outcomes.push({ kind: "skipped", record });
      observer.onTaskSkipped(record);
    }
    const control = createRunControl();
    const stale = new Set<string>();
    this.#running = { tasks: runSet, stale, control };
    const stopped = this.#stoppedNow();
    if (stopped !== null) control.cancel(stopped.cancel ?? { kind: "programmatic" });
    const services = new Set([...runSet].filter((id) => serviceLike(graph, id)));
    let settle: () => void = () => {};
    const settled = new Promise<"settled">((resolve) => settle = () => resolve("settled"));
    const cycleObserver = this.#cycleObserver(records, settle);
    const stops = new ServiceStops();
    const restarted = new Set<string>();
    const run = runGraph({
      ...this.#ctx,
      runSet,
      control,
      kept: services,
      observer: cycleObserver.observer,
      isStale: (id) => stale.has(id),
      predecessorDigests: this.#digests,
      runningServices: new Set(this.#upIn.keys()),
      slots: this.#slots,
      serviceStops: stops,
      cutOff: reason.kind === "initial" ? undefined : {
        matched: this.#alwaysRuns(matched, runSet),
        changed: (record) => this.#changed(record),
        beforeStart: (id, changedPredecessor) =>
          this.#replace(id, { runSet, matched, reason, changedPredecessor, restarted }),
      },
    });
    let first: RunGraphOutcome | "settled";
    try {
      first = await Promise.race([run, settled]);
    } finally {
      this.#running = null;
    }
    cycleObserver.settled();
    if (first === "settled") {
      // WATCH-040: the cycle settled; the services it started live on until a change or the end of the loop.
      const started = new Set([...services].filter((id) => records.started.has(id)));
      const background: BackgroundRun = { services: started, control, stops, done: run.then(() => {}) };
      for (const id of started) this.#upIn.set(id, background);
      this.#background.add(background);
      void run.then(() => {
        this.#background.delete(background);
        for (const id of started) if (this.#upIn.get(id) === background) this.#upIn.delete(id);
      });
      this.#remember(records.outcome(), stale);
    } else {
      this.#remember(first, stale);
    }
    if (stale.size > 0) {
      const window = this.#openWindow();
      for (const id of stale) window.matched.add(id);
    }
    const restarts = [...restarted].filter((id) => records.servicesUp.has(id)).length;
    observer.onCycleEnd(cycle, records.outcome(), clock.now() - startedAt, {
      started: records.servicesUp.size - restarts,
      restarted: restarts,
    });
    if (this.#stoppedNow() === null) observer.onWaiting();
  }

  /**
   * WATCH-043: the tasks that run whatever their predecessors did: the matched set, and services not
   * up (WATCH-046: started again). The others wait for their hard and producer predecessors in the
   * cycle (WATCH-042) and run only when one of them changed.
   */
  #alwaysRuns(matched: ReadonlySet<string>, runSet: ReadonlySet<string>): Set<string> {
    const always = new Set(matched);
    for (const id of runSet) {
      if (this.#ctx.graph.tasks.get(id)!.service !== null && !this.#upIn.has(id)) always.add(id);
    }
    return always;
  }

  /** WATCH-043: a finishing task changed unless its key equals that of its last attempt, which succeeded. */
  #changed(record: CompletedRecord): boolean {
    const id = formatTaskId(record.task);
    return record.key === null || this.#lastOutcome.get(id) !== "succeeded" ||
      this.#lastKeys.get(id) !== record.key;
  }

  /**
   * WATCH-046: before a service of a cycle starts, its instance from an earlier cycle stops — after the
   * services of this cycle that depend on it — with `↻ restarting <id>: <reason>`.
   */
  async #replace(id: string, cycle: {
    readonly runSet: ReadonlySet<string>;
    readonly matched: ReadonlySet<string>;
    readonly reason: CycleReason;
    readonly changedPredecessor: string | null;
    readonly restarted: Set<string>;
  }): Promise<void> {
    if (!this.#upIn.has(id) && !this.#replaced.has(id)) return;
    cycle.restarted.add(id);
    const why = cycle.changedPredecessor !== null
      ? `${cycle.changedPredecessor} changed`
      : this.#restartReason(id, cycle.matched, cycle.reason);
    this.#ctx.observer.onServiceChanged(this.#ctx.graph.tasks.get(id)!.id, why);
    const order = new Map(this.#ctx.graph.order.map((task, index) => [task, index]));
    const dependents = this.#reachable([id])
      .filter((other) => other !== id && cycle.runSet.has(other) && this.#upIn.has(other))
      .sort((a, b) => order.get(b)! - order.get(a)!);
    for (const service of [...dependents, id]) {
      const background = this.#upIn.get(service);
      if (background === undefined) continue;
      this.#upIn.delete(service);
      this.#replaced.add(service);
      this.#restarting.add(service);
      await background.stops.stop([service]);
      this.#restarting.delete(service);
    }
  }

  /** WATCH-046: without a changed predecessor, the number of changed inputs, else the definition. */
  #restartReason(id: string, matched: ReadonlySet<string>, reason: CycleReason): string {
    if (matched.has(id) && reason.kind === "changes") {
      const inputs = reason.paths.filter((path) =>
        matchesTask(this.#triggers, id, { path, directoryOrGone: false })
      ).length;
      if (inputs > 0) return `${inputs} ${inputs === 1 ? "input" : "inputs"} changed`;
    }
    return "its definition changed";
  }

  /** The observer of one cycle's run: stale withdrawals hidden, records collected until it settles. */
  #cycleObserver(records: CycleRecords, settle: () => void): { observer: RunObserver; settled(): void } {
    const { observer } = this.#ctx;
    let open = true;
    const collect = (outcome: RunGraphOutcome["outcomes"][number]) => {
      if (open) records.outcomes.push(outcome);
    };
    const serviceFailed = (record: CompletedRecord) => {
      if (open || record.source !== "service" || record.state !== "failed") return;
      // WATCH-046: a service that fails between cycles is reported; the loop goes on.
      this.#lastOutcome.set(formatTaskId(record.task), "failed");
      observer.onServiceDown(record.task);
    };
    return {
      settled: () => open = false,
      observer: {
        onTaskStarted: (task) => {
          const id = formatTaskId(task);
          if (open) records.started.add(id);
          if (!serviceLike(this.#ctx.graph, id)) {
            this.#executing.add(id);
            this.#execSpans.set(id, { start: Date.now(), end: null });
          }
          observer.onTaskStarted(task);
        },
        onStdout: (task, chunk) => observer.onStdout(task, chunk),
        onStderr: (task, chunk) => observer.onStderr(task, chunk),
        onTaskFinished: (record) => {
          this.#execEnded(formatTaskId(record.task));
          collect({ kind: "completed", record });
          if (!open && this.#restarting.has(formatTaskId(record.task)) && record.state === "succeeded") {
            return;
          }
          observer.onTaskFinished(record);
          serviceFailed(record);
        },
        onTaskErrored: (record) => {
          this.#execEnded(formatTaskId(record.task));
          if (open) records.taskErrors.push(record);
          observer.onTaskErrored(record);
        },
        onTaskSkipped: (record) => {
          if (record.cause.kind === "stale" || record.cause.kind === "unchanged") return;
          collect({ kind: "skipped", record });
          observer.onTaskSkipped(record);
        },
        onTaskCancelled: (record) => {
          this.#execEnded(formatTaskId(record.task));
          collect({ kind: "cancelled", record });
          if (!open && this.#restarting.has(formatTaskId(record.task))) return;
          observer.onTaskCancelled(record);
        },
        onInvariantViolation: (violation) => observer.onInvariantViolation(violation),
        onCancelling: (reason, forced) => observer.onCancelling(reason, forced),
        onWarning: (warning) => observer.onWarning(warning),
        onServiceUp: (task, upMs) => {
          if (open && upMs !== null) records.servicesUp.add(formatTaskId(task));
          observer.onServiceUp(task, upMs);
        },
        onServiceRestarting: (task, restart) => observer.onServiceRestarting(task, restart),
        onServicesOnly: () => settle(),
        onTaskWaiting: (wait) => observer.onTaskWaiting?.(wait),
      },
    };
  }

  /** WATCH-044: tasks whose hard predecessor outside the cycle did not succeed last time, with that root. */
  #blockedByEarlierFailures(runSet: ReadonlySet<string>): Map<string, string> {
    const blocked = new Map<string, string>();
    let grew = true;
    while (grew) {
      grew = false;
      for (const id of this.#ctx.graph.order) {
        if (!runSet.has(id) || blocked.has(id)) continue;
        for (const pred of this.#ctx.graph.hardPredecessors.get(id) ?? []) {
          const root = runSet.has(pred)
            ? blocked.get(pred)
            : this.#lastOutcome.get(pred) === "failed"
            ? pred
            : undefined;
          if (root === undefined) continue;
          blocked.set(id, root);
          grew = true;
          break;
        }
      }
    }
    return blocked;
  }

  /**
   * WATCH-041: a matched cacheable task whose last attempt succeeded and whose key, derived now, is
   * that attempt's key leaves the matched set silently (a save without changes, an editor's temporary
   * file). A key that cannot be derived keeps the task (it errors in the cycle).
   */
  async #preFilter(matched: ReadonlySet<string>): Promise<Set<string>> {
    const { graph, cache } = this.#ctx;
    const kept = new Set<string>();
    for (const id of matched) {
      const task = graph.tasks.get(id)!;
      const lastKey = this.#lastKeys.get(id);
      const predecessors = graph.hardPredecessors.get(id) ?? [];
      if (
        cache === null || lastKey === undefined || this.#lastOutcome.get(id) !== "succeeded" ||
        !isCacheable(task) || predecessors.some((pred) => serviceLike(graph, pred))
      ) {
        kept.add(id);
        continue;
      }
      const derived = await buildCacheKey({
        workspaceRoot: this.#ctx.workspace.root,
        task,
        hostEnv: this.#ctx.hostEnv,
        predecessors: this.#digests,
        hardPredecessors: predecessors,
        hash: this.#ctx.hash,
      });
      if (!derived.ok || derived.key !== lastKey) kept.add(id);
    }
    return kept;
  }

  #remember(outcome: RunGraphOutcome, stale: ReadonlySet<string>): void {
    for (const entry of outcome.outcomes) {
      const id = formatTaskId(entry.record.task);
      // WATCH-043: a task cut off keeps its previous outcome.
      if (stale.has(id) || (entry.kind === "skipped" && entry.record.cause.kind === "unchanged")) continue;
      if (entry.kind === "completed") {
        if (entry.record.key !== null) this.#lastKeys.set(id, entry.record.key);
        else this.#lastKeys.delete(id);
        this.#lastOutcome.set(id, entry.record.state);
        if (entry.record.state === "succeeded") {
          this.#digests.set(id, { stdout: entry.record.stdout.hash, stderr: entry.record.stderr.hash });
        }
      } else {
        this.#lastOutcome.set(id, "failed");
      }
    }
    for (const record of outcome.taskErrors) this.#lastOutcome.set(formatTaskId(record.task), "failed");
  }

  /** The tasks and every run-set task reachable from them along hard and producer edges (WATCH-042). */
  #reachable(start: readonly string[], unchanged: (id: string) => boolean = () => false): string[] {
    const seen = new Set<string>();
    const stack = [...start];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id) || !this.#ctx.runSet.has(id)) continue;
      seen.add(id);
      // WATCH-043: a service that reloads itself counts as unchanged; nothing follows it.
      if (!unchanged(id)) stack.push(...(this.#successors.get(id) ?? []));
    }
    return [...seen];
  }

  /** An up service with `on_change: keep` (WATCH-046). */
  #reloadsItself(id: string): boolean {
    return this.#upIn.has(id) && this.#ctx.graph.tasks.get(id)!.service?.onChange === "keep";
  }
}

/**
 * WATCH-025 as the `include` of a watch request: host paths of the directories to watch.
 *
 * @example
 * ```ts
 * const include = directoryFilter(workspace, triggerSets(workspace, graph, runSet));
 * include(`${workspace.root}/p/src`); // true for a task with inputs ["src/**"]
 * ```
 */
export function directoryFilter(workspace: Workspace, triggers: Triggers): (directory: string) => boolean {
  return (directory) => {
    const path = workspacePath(workspace.root, directory);
    return path !== null && watchesDirectory(triggers, workspace, path);
  };
}

/** What a task runs and depends on, for WATCH-049's "its definition changed". */
function fingerprint(graph: WatchContext["graph"], id: string): string {
  const task = graph.tasks.get(id)!;
  const service = task.service === null ? null : {
    ...task.service,
    ready: task.service.ready === null
      ? null
      : { ...task.service.ready, line: task.service.ready.line?.source ?? null },
  };
  return JSON.stringify({
    action: task.action,
    inputs: task.inputs?.map((pattern) => pattern.canonical) ?? null,
    exclusions: task.inputExclusions.map((pattern) => pattern.canonical),
    outputs: task.outputs.map((pattern) => pattern.canonical),
    env: { fromHost: task.env.fromHost, override: [...task.env.override] },
    cache: task.cache,
    timeoutMs: task.timeoutMs,
    mutex: task.mutex,
    service,
    hard: graph.hardPredecessors.get(id) ?? [],
    soft: graph.softPredecessors.get(id) ?? [],
  });
}

/** Hard and producer successors of each run-set task. */
function successorsWithin(ctx: WatchContext): Map<string, string[]> {
  const successors = new Map<string, string[]>();
  for (const edge of ctx.graph.edges) {
    if (edge.kind === "soft") continue;
    const list = successors.get(edge.from) ?? [];
    list.push(edge.to);
    successors.set(edge.from, list);
  }
  return successors;
}

/** A run of an earlier cycle that still holds services (WATCH-040, WATCH-046). */
interface BackgroundRun {
  /** Its services and service aggregates. */
  readonly services: ReadonlySet<string>;
  readonly control: RunControl;
  /** Stops single services of the run when a later cycle starts them again (WATCH-046). */
  readonly stops: ServiceStops;
  /** Settles when every group of the run is dead. */
  readonly done: Promise<void>;
}

/** The terminal records of one cycle, up to its settling (WATCH-081). */
class CycleRecords {
  /** Services that came up in the cycle. */
  readonly servicesUp = new Set<string>();
  /** Tasks the cycle started (admitted), services included. */
  readonly started = new Set<string>();
  readonly outcomes: RunGraphOutcome["outcomes"][number][] = [];
  readonly taskErrors: RunGraphOutcome["taskErrors"][number][] = [];

  outcome(): RunGraphOutcome {
    return {
      outcomes: this.outcomes,
      taskErrors: this.taskErrors,
      invariantViolations: [],
      cancel: null,
      cancelledAt: null,
      forced: false,
      warnings: [],
      startedAt: 0,
      endedAt: 0,
    };
  }
}

/** A service, or an aggregate over services (SVC-046). */
function serviceLike(graph: WatchContext["graph"], id: string): boolean {
  const task = graph.tasks.get(id)!;
  if (task.service !== null) return true;
  return task.action === null &&
    (graph.hardPredecessors.get(id) ?? []).some((pred) => serviceLike(graph, pred));
}

/** The workspace-absolute form of a host path inside the root; null outside it. */
function workspacePath(root: string, hostPath: string): string | null {
  if (hostPath === root) return "/";
  return hostPath.startsWith(`${root}/`) ? hostPath.slice(root.length) : null;
}

/** WATCH-023: a directory, or a path that no longer exists. */
function directoryOrGone(hostPath: string): boolean {
  try {
    return lstatSync(hostPath).isDirectory();
  } catch {
    return true;
  }
}
