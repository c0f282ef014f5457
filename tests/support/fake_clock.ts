/**
 * A manual {@link Clock} for tests: time moves only when a test advances it or, by default, when
 * everything is idle, straight to the next timer. Runs are instant and deterministic.
 *
 * @module
 */

import { compareTaskIds, type TaskId } from "../../lib/domain/task_id.ts";
import type { Clock } from "../../lib/util/clock.ts";

/** Options of {@link FakeClock}. */
export interface FakeClockOptions {
  /** Jump to the next timer whenever nothing else can happen (default true). */
  readonly autoAdvance?: boolean;
  /**
   * Real milliseconds without clock activity before an automatic jump. 0 (default) waits for one
   * quiet macrotask turn; tests whose tasks touch the real file system use a few ms so that file
   * operations in flight finish before fake time moves.
   */
  readonly idleMs?: number;
  /** `unixSeconds()` at run clock 0 (default 2026-01-01T00:00:00Z). */
  readonly unixStart?: number;
}

interface Timer {
  readonly at: number;
  /** Timers due at the same instant fire in canonical order of their tasks, then in creation order. */
  readonly order: TaskId | null;
  readonly seq: number;
  readonly fire: () => void;
}

/**
 * Fake time. Timers due at one instant fire one at a time; everything a timer starts settles before
 * the next one fires.
 *
 * @example
 * ```ts
 * const clock = new FakeClock();
 * await clock.sleep(1000); // returns at once in real time
 * clock.now(); // 1000
 * ```
 */
export class FakeClock implements Clock {
  readonly #autoAdvance: boolean;
  readonly #idleMs: number;
  readonly #unixStart: number;
  readonly #timers: Timer[] = [];
  #now = 0;
  #seq = 0;
  #activity = 0;
  #checkScheduled = false;

  constructor(options: FakeClockOptions = {}) {
    this.#autoAdvance = options.autoAdvance ?? true;
    this.#idleMs = options.idleMs ?? 0;
    this.#unixStart = options.unixStart ?? 1_767_225_600;
  }

  now(): number {
    this.#activity += 1;
    return this.#now;
  }

  unixSeconds(): number {
    return this.#unixStart + Math.floor(this.#now / 1000);
  }

  sleep(ms: number, abort?: AbortSignal): Promise<void> {
    return this.sleepOrdered(ms, null, abort);
  }

  /** Like `sleep`; among timers of one instant, `order` (a task) decides who fires first. */
  sleepOrdered(ms: number, order: TaskId | null, abort?: AbortSignal): Promise<void> {
    this.#activity += 1;
    return new Promise((resolve) => {
      if (abort?.aborted) return resolve();
      const onAbort = () => {
        const index = this.#timers.indexOf(timer);
        if (index !== -1) this.#timers.splice(index, 1);
        resolve();
      };
      const timer: Timer = {
        at: this.#now + Math.max(0, ms),
        order,
        seq: this.#seq++,
        fire: () => {
          abort?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      abort?.addEventListener("abort", onAbort, { once: true });
      this.#insert(timer);
      this.#scheduleCheck();
    });
  }

  /** Number of pending timers. */
  pendingTimers(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, firing every timer due on the way, each after the previous settled. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await settle();
    while (this.#timers.length > 0 && this.#timers[0].at <= target) {
      this.#fireNext();
      await settle();
    }
    this.#now = target;
    await settle();
  }

  #insert(timer: Timer): void {
    let low = 0;
    let high = this.#timers.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (compareTimers(this.#timers[middle], timer) <= 0) low = middle + 1;
      else high = middle;
    }
    this.#timers.splice(low, 0, timer);
  }

  #fireNext(): void {
    const timer = this.#timers.shift()!;
    this.#now = Math.max(this.#now, timer.at);
    timer.fire();
  }

  #scheduleCheck(): void {
    if (!this.#autoAdvance || this.#checkScheduled) return;
    this.#checkScheduled = true;
    const seen = this.#activity;
    const check = () => {
      this.#checkScheduled = false;
      if (this.#timers.length === 0) return;
      // Something still ran since the check was planned: wait for a quiet period first.
      if (this.#activity !== seen) return this.#scheduleCheck();
      this.#fireNext();
      this.#scheduleCheck();
    };
    if (this.#idleMs > 0) setTimeout(check, this.#idleMs);
    else setImmediate(check);
  }
}

function compareTimers(a: Timer, b: Timer): number {
  if (a.at !== b.at) return a.at - b.at;
  if (a.order !== null && b.order !== null) {
    const byTask = compareTaskIds(a.order, b.order);
    if (byTask !== 0) return byTask;
  } else if (a.order !== b.order) {
    return a.order === null ? 1 : -1;
  }
  return a.seq - b.seq;
}

/** One quiet macrotask turn: every pending microtask has run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
