/**
 * The data model of a run (04-execution.md §2): records, outcomes, causes, the observer port.
 *
 * @module
 */

import type { TaskId } from "../domain/task_id.ts";
import type { ExitStatus, HostSignal, Signal, SpawnErrorReason } from "./process.ts";

/** 64 lowercase hex characters. */
export type Digest = string;

/** Digest and length of a captured stream. */
export interface StreamDigest {
  readonly hash: Digest;
  readonly bytes: number;
}

/** A phase of a task's admission period. */
export interface PhaseSpan {
  readonly phase: "lookup" | "restore" | "exec" | "drain" | "store";
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

/** Why a task failed. */
export type FailureCause =
  | { readonly kind: "exit-code"; readonly code: number }
  | { readonly kind: "signal"; readonly signal: string }
  | { readonly kind: "timeout"; readonly limitMs: number; readonly lastSignal: "SIGTERM" | "SIGKILL" };

/** A task that succeeded or failed. */
export interface CompletedRecord {
  readonly task: TaskId;
  readonly source: "cache-hit" | "fresh-run" | "aggregate";
  readonly state: "succeeded" | "failed";
  readonly exitStatus: ExitStatus | null;
  readonly failure: FailureCause | null;
  readonly key: Digest | null;
  readonly stored: boolean;
  readonly stdout: StreamDigest;
  readonly stderr: StreamDigest;
  readonly materialisedOutputs: readonly string[];
  readonly timing: TaskTiming;
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
  };

/** A task that never ran because of another task's event. */
export interface SkipRecord {
  readonly task: TaskId;
  readonly cause: SkipCause;
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
  | { readonly kind: "output-resolution"; readonly pattern: string; readonly message: string }
  | { readonly kind: "output-missing"; readonly path: string }
  | { readonly kind: "output-unsupported"; readonly path: string; readonly fileType: string }
  | { readonly kind: "output-invalid-path"; readonly path: string; readonly message: string };

/** A task whose pipeline raised a {@link RunTaskError}. */
export interface TaskErrorRecord {
  readonly task: TaskId;
  readonly error: RunTaskError;
  readonly key: Digest | null;
  readonly stdout: StreamDigest | null;
  readonly stderr: StreamDigest | null;
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

/** Everything `runGraph` returns. */
export interface RunGraphOutcome {
  readonly outcomes: readonly RunOutcome[];
  readonly taskErrors: readonly TaskErrorRecord[];
  readonly invariantViolations: readonly RuntimeInvariantViolation[];
  readonly cancel: CancelReason | null;
  readonly cancelledAt: number | null;
  readonly forced: boolean;
  readonly warnings: readonly RunWarning[];
  readonly startedAt: number;
  readonly endedAt: number;
}

/** Callbacks a run reports through (04-execution.md §2.1). */
export interface RunObserver {
  onTaskStarted(task: TaskId): void;
  onStdout(task: TaskId, chunk: Uint8Array): void;
  onStderr(task: TaskId, chunk: Uint8Array): void;
  onTaskFinished(record: CompletedRecord): void;
  onTaskErrored(record: TaskErrorRecord): void;
  onTaskSkipped(record: SkipRecord): void;
  onTaskCancelled(record: CancelledRecord): void;
  onInvariantViolation(violation: RuntimeInvariantViolation): void;
  onCancelling(reason: CancelReason, forced: boolean): void;
  onWarning(warning: RunWarning): void;
}
