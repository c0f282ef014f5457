/**
 * The data model of a run (04-execution.md §2): records, outcomes, causes, the observer port.
 *
 * @module
 */

import type { Digest, StreamDigest } from "../cache/digest.ts";
import type { OutputResolutionError } from "../cache/file_walk.ts";
import type { TaskId } from "../domain/task_id.ts";
import type { ExitStatus, HostSignal, Signal, SpawnErrorReason } from "./process.ts";

/** A phase of a task's admission period. */
export interface PhaseSpan {
  readonly phase: "lookup" | "download" | "restore" | "exec" | "drain" | "store";
  readonly start: number;
  readonly end: number;
  readonly lane: number;
}

/** Times of one task, on the run clock. */
export interface TaskTiming {
  readonly readyAt: number | null;
  readonly firstAdmittedAt: number | null;
  readonly admittedAt: number | null;
  readonly endedAt: number;
  readonly admissions: number;
  readonly mutexWaitMs: number;
  readonly phases: readonly PhaseSpan[];
}

/** Why a task failed; the last three are services' (SVC-025, SVC-028). */
export type FailureCause =
  | { readonly kind: "exit-code"; readonly code: number }
  | { readonly kind: "signal"; readonly signal: string }
  | { readonly kind: "timeout"; readonly limitMs: number; readonly lastSignal: "SIGTERM" | "SIGKILL" }
  | { readonly kind: "not-ready"; readonly limitMs: number }
  | { readonly kind: "exited-before-ready"; readonly status: ExitStatus }
  | { readonly kind: "exited-while-running"; readonly status: ExitStatus };

/** The service part of a service's record (SVC-054). */
export interface ServiceRecordPart {
  /** Run clock of the latest time it came up; null when it never was. */
  readonly upAt: number | null;
  /** Restarts after unexpected exits (SVC-029). */
  readonly restarts: number;
  /** Why haz stopped it; null when it failed. */
  readonly stop: "unneeded" | "cancelled" | "removed" | null;
  readonly lastSignal: "SIGTERM" | "SIGKILL" | null;
  readonly escalation: "none" | "grace-expired" | "forced";
  /** Kept until the run was stopped (SVC-050), not a dependency service. */
  readonly kept: boolean;
}

/** Why a service restarts (SVC-080). */
export interface ServiceRestart {
  /** How the previous spawn ended. */
  readonly status: ExitStatus;
  /** This restart's number, from 1. */
  readonly restart: number;
  readonly maxRestarts: number;
  readonly backoffMs: number;
}

/** A task that succeeded or failed. */
export interface CompletedRecord {
  /** The task this record is for. */
  readonly task: TaskId;
  /** Where the result came from: a cache hit, a fresh run, an aggregate task (EXEC-102), a service. */
  readonly source: "cache-hit" | "fresh-run" | "aggregate" | "service";
  /** For a cache hit, whether the entry was local or imported from the remote (REMOTE-060); else null. */
  readonly hitFrom: "local" | "remote" | null;
  /** Whether the task succeeded or failed; a cache hit always succeeded. */
  readonly state: "succeeded" | "failed";
  /** How the leader ended; set for fresh runs only. */
  readonly exitStatus: ExitStatus | null;
  /** Why the task failed; set if and only if `state` is `failed`. */
  readonly failure: FailureCause | null;
  /** The cache key; null when the task is not cacheable, with `--no-cache`, and for an aggregate. */
  readonly key: Digest | null;
  /** True when this run published a new cache entry for the task. */
  readonly stored: boolean;
  /** The stdout stream: from the manifest on a hit, the empty stream for an aggregate. */
  readonly stdout: StreamDigest;
  /** The stderr stream: from the manifest on a hit, the empty stream for an aggregate. */
  readonly stderr: StreamDigest;
  /** Workspace-absolute output paths, sorted and unique; empty unless the task succeeded. */
  readonly materialisedOutputs: readonly string[];
  /** The task's times on the run clock. */
  readonly timing: TaskTiming;
  /** Set for services and service aggregates (SVC-054). */
  readonly service?: ServiceRecordPart;
}

/** Why a task was skipped; `root` is the task whose event caused it. */
export type SkipCause =
  | { readonly kind: "upstream-failed"; readonly root: TaskId }
  | { readonly kind: "upstream-errored"; readonly root: TaskId }
  | { readonly kind: "runtime-cycle"; readonly root: TaskId }
  | {
    readonly kind: "admission-closed";
    readonly root: TaskId;
    readonly violation: "runtime-cycle" | "output-overlap";
  }
  /** A dependency service released before it was admitted (SVC-052). */
  | { readonly kind: "unneeded" }
  /** A change made it stale before it was admitted; a watch loop runs it in its next cycle (WATCH-045). */
  | { readonly kind: "stale" }
  /** WATCH-043: no predecessor changed in this cycle; it keeps its previous outcome. */
  | { readonly kind: "unchanged" };

/** A task that never ran because of another task's event. */
export interface SkipRecord {
  /** The skipped task. */
  readonly task: TaskId;
  /** Why it was skipped, naming the task whose event caused it. */
  readonly cause: SkipCause;
  /** The task's times on the run clock; `endedAt` is when the skip was decided. */
  readonly timing: TaskTiming;
}

/** A task ended by cancellation, in one of three shapes. */
export type CancelledRecord =
  | {
    readonly kind: "signaled-in-flight";
    readonly task: TaskId;
    readonly exitStatus: ExitStatus;
    readonly lastSignal: "SIGTERM" | "SIGKILL";
    readonly escalation: "none" | "grace-expired" | "forced";
    readonly stdout: StreamDigest;
    readonly stderr: StreamDigest;
    readonly timing: TaskTiming;
  }
  | {
    readonly kind: "upstream-cancelled";
    readonly task: TaskId;
    readonly root: TaskId;
    readonly timing: TaskTiming;
  }
  | { readonly kind: "run-cancelled"; readonly task: TaskId; readonly timing: TaskTiming };

/** The terminal outcome of a task that did not error. */
export type RunOutcome =
  | { readonly kind: "completed"; readonly record: CompletedRecord }
  | { readonly kind: "skipped"; readonly record: SkipRecord }
  | { readonly kind: "cancelled"; readonly record: CancelledRecord };

/** An error in a task's pipeline (not a non-zero exit). */
export type RunTaskError =
  | { readonly kind: "key-derivation"; readonly message: string }
  | { readonly kind: "restore"; readonly message: string }
  | {
    readonly kind: "spawn";
    readonly reason: SpawnErrorReason;
    readonly program: string;
    readonly message: string;
  }
  | { readonly kind: "wait"; readonly message: string }
  | { readonly kind: "stream-read"; readonly stream: "stdout" | "stderr"; readonly message: string }
  | { readonly kind: "signal"; readonly signal: Signal; readonly message: string }
  | OutputResolutionError
  | { readonly kind: "output-invalid-path"; readonly path: string; readonly message: string };

/** A task whose pipeline raised a {@link RunTaskError}. */
export interface TaskErrorRecord {
  /** The task whose pipeline raised the error. */
  readonly task: TaskId;
  /** What went wrong. */
  readonly error: RunTaskError;
  /** The cache key when it was derived before the error, else null. */
  readonly key: Digest | null;
  /** The captured stdout when a process ran, else null. */
  readonly stdout: StreamDigest | null;
  /** The captured stderr when a process ran, else null. */
  readonly stderr: StreamDigest | null;
  /** The task's times on the run clock. */
  readonly timing: TaskTiming;
}

/** A run-level violation found while running (04-execution.md §8). */
export type RuntimeInvariantViolation =
  | {
    readonly kind: "runtime-cycle";
    readonly rule: "EXEC-019";
    readonly nodes: readonly TaskId[];
    readonly closingEdge: { readonly producer: TaskId; readonly consumer: TaskId; readonly path: string };
  }
  | {
    readonly kind: "output-overlap";
    readonly rule: "EXEC-020";
    readonly first: TaskId;
    readonly second: TaskId;
    readonly path: string;
  };

/** Why a run was cancelled. */
export type CancelReason =
  | { readonly kind: "signal"; readonly signal: HostSignal }
  | { readonly kind: "fail-fast"; readonly root: TaskId }
  | { readonly kind: "programmatic" };

/** A problem that does not change a task's outcome. */
export interface RunWarning {
  readonly kind: "store-failed" | "capture-failed";
  readonly task: TaskId;
  readonly message: string;
}

/**
 * A task waits for a lock that another haz process on the workspace holds (04-execution.md §5.8):
 * its own task lock (XPROC-002) or its mutex (XPROC-003, `lock` is the profile's label).
 */
export type CrossProcessWait =
  | { readonly kind: "task"; readonly task: TaskId; readonly pid: number }
  | { readonly kind: "mutex"; readonly task: TaskId; readonly pid: number; readonly lock: string };

/** Everything `runGraph` returns. */
export interface RunGraphOutcome {
  /** The outcome of every run-set task that did not error, in canonical order. */
  readonly outcomes: readonly RunOutcome[];
  /** The run-set tasks whose pipeline raised an error, in canonical order. */
  readonly taskErrors: readonly TaskErrorRecord[];
  /** Runtime cycles (EXEC-019) and output overlaps (EXEC-020), in detection order. */
  readonly invariantViolations: readonly RuntimeInvariantViolation[];
  /** The final cancellation reason (EXEC-012); null when the run was not cancelled. */
  readonly cancel: CancelReason | null;
  /** Run-clock time at which cancellation started; null when the run was not cancelled. */
  readonly cancelledAt: number | null;
  /** True when `RunControl.kill()` was used (EXEC-105). */
  readonly forced: boolean;
  /** Cache store and capture failures; they change no outcome. */
  readonly warnings: readonly RunWarning[];
  /** Run-clock time at which the run started. */
  readonly startedAt: number;
  /** Run-clock time at which every task was terminal and every group dead. */
  readonly endedAt: number;
}

/** Callbacks a run reports through (04-execution.md §2.1). */
export interface RunObserver {
  /** At a task's first admission, before any cache work; at most once per task. */
  onTaskStarted(task: TaskId): void;
  /** A chunk of a task's stdout, as read (fresh run) or replayed from the entry (cache hit). */
  onStdout(task: TaskId, chunk: Uint8Array): void;
  /** A chunk of a task's stderr, as read (fresh run) or replayed from the entry (cache hit). */
  onStderr(task: TaskId, chunk: Uint8Array): void;
  /** Once, when a task succeeds or fails (after the store). */
  onTaskFinished(record: CompletedRecord): void;
  /** Once, when a task's pipeline raised a {@link RunTaskError}. */
  onTaskErrored(record: TaskErrorRecord): void;
  /** Once per skipped task, at the cascade or gate closure that decides it. */
  onTaskSkipped(record: SkipRecord): void;
  /** Once per cancelled task, for each of the three shapes. */
  onTaskCancelled(record: CancelledRecord): void;
  /** Once per runtime violation, as soon as it is detected. */
  onInvariantViolation(violation: RuntimeInvariantViolation): void;
  /** When cancellation starts, and again with `forced` true on `RunControl.kill()`. */
  onCancelling(reason: CancelReason, forced: boolean): void;
  /** A cache store or capture failed; the task's outcome is unaffected. */
  onWarning(warning: RunWarning): void;
  /** A service came up (SVC-021); `upMs` from its latest admission, null for a service aggregate. */
  onServiceUp(task: TaskId, upMs: number | null): void;
  /** An up service exited unexpectedly and waits out its back-off before it starts again (SVC-029). */
  onServiceRestarting(task: TaskId, restart: ServiceRestart): void;
  /** Once per run: only kept services are left, and these are up (SVC-053), in canonical order. */
  onServicesOnly(services: readonly TaskId[]): void;
  /**
   * At most once per task and kind of lock: the task waits for a lock another haz process holds
   * (XPROC-002, XPROC-003). Optional: an observer without it hears nothing of such waits.
   */
  onTaskWaiting?(wait: CrossProcessWait): void;
}
