/**
 * The real clock behind the `Clock` port (04-execution.md §1.1).
 *
 * @module
 */

import type { Clock } from "./clock.ts";

/** Timers longer than this overflow in JavaScript (CFG-043); longer sleeps are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A clock whose run clock starts at `origin` (a `performance.now()` value, ms).
 *
 * @example
 * ```ts
 * const clock = systemClock(performance.now());
 * await clock.sleep(10);
 * clock.now() >= 10; // true
 * ```
 */
export function systemClock(origin: number): Clock {
  return {
    now: () => performance.now() - origin,
    unixSeconds: () => Math.floor(Date.now() / 1000),
    sleep,
  };
}

function sleep(ms: number, abort?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (abort?.aborted) return resolve();
    const deadline = performance.now() + ms;
    let timer: ReturnType<typeof setTimeout>;
    const finish = () => {
      clearTimeout(timer);
      abort?.removeEventListener("abort", finish);
      resolve();
    };
    const arm = () => {
      const remaining = deadline - performance.now();
      if (remaining <= 0) return finish();
      timer = setTimeout(arm, Math.min(remaining, MAX_TIMER_MS));
    };
    abort?.addEventListener("abort", finish, { once: true });
    arm();
  });
}
