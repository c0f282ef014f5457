/**
 * The time source port: the run clock, the wall clock and abortable sleeps.
 *
 * @module
 */

/** Time source; the fake clock drives every timer in tests. */
export interface Clock {
  /** Run clock in ms since haz started (monotonic, fractional allowed). */
  now(): number;
  /** Wall clock in whole seconds since the epoch, for manifests. */
  unixSeconds(): number;
  /** Resolves after `ms`, or early when `abort` fires. */
  sleep(ms: number, abort?: AbortSignal): Promise<void>;
}
