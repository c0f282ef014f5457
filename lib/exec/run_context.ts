/**
 * Everything a run receives (04-execution.md §3): the library reads nothing else.
 *
 * @module
 */

import type { CacheHandle } from "../cache/cache_handle.ts";
import type { HashAlgorithm } from "../cache/hash_algorithm.ts";
import type { FileObservations } from "../cache/file_observations.ts";
import type { InputDigestMemo } from "../cache/input_stat_cache.ts";
import type { TaskGraph, Workspace } from "../domain/workspace.ts";
import type { WorkspaceLocks } from "../lock/workspace_locks.ts";
import type { ProcessSpawner } from "./process.ts";
import type { Clock } from "../util/clock.ts";
import type { RunObserver } from "./records.ts";
import type { RunControl } from "./run_control.ts";
import type { ServiceProber } from "./service_prober.ts";
import type { SlotPool } from "./slot_pool.ts";
import type { CutOff, ServiceStops } from "./cut_off.ts";

/** The inputs of `runGraph` and `runTask`. */
export interface RunContext {
  /** The loaded workspace (01-workspace.md). */
  readonly workspace: Workspace;
  /** The validated task graph (02-graph.md). */
  readonly graph: TaskGraph;
  /** Printed ids of the tasks this run must finish. */
  readonly runSet: ReadonlySet<string>;
  /** The cache; null with `--no-cache` (EXEC-107). */
  readonly cache: CacheHandle | null;
  /** Keys, file contents and stream hashes. */
  readonly hash: HashAlgorithm;
  /** The input stat cache (PERF-002); absent, every input is read and hashed. */
  readonly inputDigests?: InputDigestMemo;
  /**
   * File-system answers the run's key derivations share (set by `runGraph` for runs without
   * services); forgotten whenever a task of the run writes files.
   */
  readonly observations?: FileObservations;
  /** Starts task processes and signals their groups (04-execution.md §1). */
  readonly spawner: ProcessSpawner;
  /** The run clock; every time in a record and every timer uses it. */
  readonly clock: Clock;
  /** Receives every run event (04-execution.md §2.1). */
  readonly observer: RunObserver;
  /** One host environment snapshot per run (CACHE-028). */
  readonly hostEnv: ReadonlyMap<string, string>;
  /** Resolved global cap, >= 1 (EXEC-004). */
  readonly concurrency: number;
  /** Tag caps (EXEC-005). */
  readonly tagCaps: ReadonlyMap<string, number>;
  /**
   * The slots of `concurrency` and `tagCaps` when several runs share them (a watch loop's cycles and
   * the runs that keep its services, WATCH-047); absent, the run has its own.
   */
  readonly slots?: SlotPool;
  /**
   * WATCH-043: a watch cycle's cut-off. With it, producer edges between run-set tasks order the run
   * like soft edges (WATCH-042). A task outside `cutOff.matched` runs only when a hard or producer
   * predecessor changed in this run; otherwise it is withdrawn silently (skip cause `unchanged`) and
   * releases its successors as an unchanged success.
   */
  readonly cutOff?: CutOff;
  /** Through which a watch loop stops single services of this run while it goes on (WATCH-046). */
  readonly serviceStops?: ServiceStops;
  /** `execution.cancel_grace` in ms (EXEC-014). */
  readonly cancelGraceMs: number;
  /** `--fail-fast` (EXEC-104). */
  readonly failFast: boolean;
  /** Through which the CLI or an embedder cancels or kills the run (EXEC-012, EXEC-105). */
  readonly control: RunControl;
  /** Readiness checks of `ready.port` and `ready.url` (SVC-100); needed only by such services. */
  readonly prober?: ServiceProber;
  /** Printed ids the selection names: such services run until the run is cancelled (SVC-050). */
  readonly kept?: ReadonlySet<string>;
  /**
   * WATCH-045: tasks a change made stale while the run goes on. A stale task not yet admitted is
   * withdrawn (skip cause `stale`); one that finishes releases no successor.
   */
  readonly isStale?: (task: string) => boolean;
  /**
   * Services up outside this run (started by an earlier cycle of a watch loop): tasks of the run set
   * that need them do not wait for them, and are not cached (their start keys are not known here).
   */
  readonly runningServices?: ReadonlySet<string>;
  /** Stream digests of hard predecessors outside the run set, from earlier runs (a watch loop's cycles). */
  readonly predecessorDigests?: ReadonlyMap<string, { readonly stdout: string; readonly stderr: string }>;
  /**
   * Cross-process locks of the workspace (04-execution.md §5.8, XPROC-001..004). Absent: this
   * process assumes it is alone on the workspace and takes no workspace lock.
   */
  readonly locks?: WorkspaceLocks;
}
