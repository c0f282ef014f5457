/**
 * What a run records for the `--summary` and `--profile` files besides the records
 * (05-cli.md §4.5/4.6): admission periods with their lanes, and mutex wait periods.
 *
 * @module
 */

import type { RunGraphOutcome } from "./records.ts";

/** One admission period of a task that takes a slot (aggregates take none). */
export interface AdmissionSpan {
  /** Printed id `project:task`. */
  readonly task: string;
  /** 1 for the first admission, 2 after the first mutex park, … */
  readonly admission: number;
  /** Profile lane, 1..concurrency. */
  readonly lane: number;
  readonly start: number;
  /** Parked, or the terminal event. */
  readonly end: number;
}

/** One period parked on a lock (MUTEX-101). */
export interface MutexWaitSpan {
  /** Printed id `project:task`. */
  readonly task: string;
  /** The lock as the profile prints it: `name` or `~:name (project)`. */
  readonly lock: string;
  readonly start: number;
  readonly end: number;
}

/** One period during which a service was up (SVC-086). */
export interface ServiceUpSpan {
  /** Printed id `project:task`. */
  readonly task: string;
  readonly start: number;
  /** It went down, was stopped, or failed. */
  readonly end: number;
}

/** The side channel of `runGraph`, in the order the periods ended. */
export interface RunTrace {
  readonly admissions: readonly AdmissionSpan[];
  readonly mutexWaits: readonly MutexWaitSpan[];
  /** Up periods of services (optional for traces made before services existed). */
  readonly services?: readonly ServiceUpSpan[];
}

/** `runGraph`'s result: the outcome of 04-execution.md §2 plus its {@link RunTrace}. */
export interface RunGraphResult extends RunGraphOutcome {
  /** Admission and mutex wait periods, for the `--summary` and `--profile` files. */
  readonly trace: RunTrace;
}
