/**
 * Collects a task's {@link TaskTiming} while it moves through the scheduler and its phases.
 *
 * @module
 */

import type { PhaseSpan, TaskTiming } from "./records.ts";

/**
 * Mutable timing of one task on the run clock.
 *
 * @example
 * ```ts
 * const timing = new TimingRecorder();
 * timing.markReady(0);
 * timing.markAdmitted(0, 1);
 * timing.addPhase("exec", 0, 100);
 * timing.finish(100).phases; // [{ phase: "exec", start: 0, end: 100, lane: 1 }]
 * ```
 */
export class TimingRecorder {
  #readyAt: number | null = null;
  #firstAdmittedAt: number | null = null;
  #admittedAt: number | null = null;
  #admissions = 0;
  #mutexWaitMs = 0;
  #lane = 0;
  readonly #phases: PhaseSpan[] = [];

  /** Entered the ready set; only the first time counts. */
  markReady(now: number): void {
    this.#readyAt ??= now;
  }

  /** Admitted (again) on `lane`; aggregates use lane 0 and record no phases. */
  markAdmitted(now: number, lane: number): void {
    this.#firstAdmittedAt ??= now;
    this.#admittedAt = now;
    this.#admissions += 1;
    this.#lane = lane;
  }

  /** Adds time parked on a mutex (MUTEX-101). */
  addMutexWait(ms: number): void {
    this.#mutexWaitMs += ms;
  }

  /** Records a phase span on the lane of the current admission. */
  addPhase(phase: PhaseSpan["phase"], start: number, end: number): void {
    this.#phases.push({ phase, start, end, lane: this.#lane });
  }

  /** The number of admissions so far. */
  get admissions(): number {
    return this.#admissions;
  }

  /** The timing as of the terminal event at `endedAt`. */
  finish(endedAt: number): TaskTiming {
    return {
      readyAt: this.#readyAt,
      firstAdmittedAt: this.#firstAdmittedAt,
      admittedAt: this.#admittedAt,
      endedAt,
      admissions: this.#admissions,
      mutexWaitMs: this.#mutexWaitMs,
      phases: [...this.#phases],
    };
  }
}
