/**
 * Signals haz sends to one running task's group (04-execution.md EXEC-013 step 3–5, EXEC-103,
 * EXEC-105): the task timeout, the cancellation with its grace period, and the forced kill.
 *
 * @module
 */

import type { ProcessSpawner, Signal } from "./process.ts";
import type { Clock } from "../util/clock.ts";

/** Abort reason of the timers; a plain value, cheaper than the default DOMException. */
const STOPPED = "stopped";

/** A running task as the scheduler sees it while cancelling. */
export interface RunningProcess {
  /** EXEC-013: SIGTERM once, SIGKILL after the grace unless the leader exits first. */
  cancel(): void;
  /** EXEC-105: SIGKILL now. */
  kill(): void;
}

/** What haz did to a group, read when the task is classified (§4 step 8). */
export interface SignalHistory {
  /** haz signalled the group for cancellation before it observed the leader's exit. */
  readonly cancelSignalled: boolean;
  /** The timeout fired and its SIGTERM reached the group. */
  readonly timedOut: boolean;
  readonly lastSignal: "SIGTERM" | "SIGKILL" | null;
  readonly escalation: "none" | "grace-expired" | "forced";
  /** `signalGroup` threw (not ESRCH). */
  readonly signalError: { readonly signal: Signal; readonly message: string } | null;
}

/** Collaborators of a {@link ProcessController}. */
export interface ProcessControllerOptions {
  readonly spawner: ProcessSpawner;
  readonly clock: Clock;
  /** The group id. */
  readonly pid: number;
  /** EXEC-103 limit, or null. */
  readonly timeoutMs: number | null;
  /** `cancel_grace` in ms (EXEC-014). */
  readonly graceMs: number;
}

/**
 * The signal state machine of one spawned group. `leaderExited()` stops every timer; `finished()`
 * marks the end of the drain, after which nothing is sent any more.
 *
 * @example
 * ```ts
 * const controller = new ProcessController({ spawner, clock, pid: 42, timeoutMs: null, graceMs: 5000 });
 * controller.start();
 * controller.cancel(); // SIGTERM to group 42; SIGKILL in 5 s unless the leader exits
 * ```
 */
export class ProcessController implements RunningProcess {
  readonly #options: ProcessControllerOptions;
  readonly #timers = new AbortController();
  #exitObserved = false;
  #finished = false;
  #cancelSignalled = false;
  #timedOut = false;
  #lastSignal: SignalHistory["lastSignal"] = null;
  #escalation: SignalHistory["escalation"] = "none";
  #signalError: SignalHistory["signalError"] = null;

  constructor(options: ProcessControllerOptions) {
    this.#options = options;
  }

  /** Starts the timeout timer (the timer starts at spawn). */
  start(): void {
    const { timeoutMs } = this.#options;
    if (timeoutMs !== null) void this.#watchTimeout(timeoutMs);
  }

  /** The leader's exit was observed: stop the timers. */
  leaderExited(): void {
    this.#exitObserved = true;
    this.#timers.abort(STOPPED);
  }

  /** The drain is over and the group is dead. */
  finished(): void {
    this.#finished = true;
    this.#timers.abort(STOPPED);
  }

  cancel(): void {
    // A task in its timeout grace keeps its own timer; a task whose exit was seen keeps its outcome.
    if (this.#exitObserved || this.#finished || this.#cancelSignalled || this.#timedOut) return;
    if (!this.#send("SIGTERM")) return;
    this.#cancelSignalled = true;
    this.#lastSignal = "SIGTERM";
    void this.#killAfterGrace();
  }

  kill(): void {
    if (this.#finished) return;
    if (this.#exitObserved) {
      // Members that outlived the leader die now rather than at the end of the drain.
      this.#send("SIGKILL");
      return;
    }
    if (this.#lastSignal === "SIGKILL") return;
    if (!this.#send("SIGKILL")) return;
    this.#lastSignal = "SIGKILL";
    if (this.#cancelSignalled) this.#escalation = "forced";
  }

  /** What was sent so far. */
  history(): SignalHistory {
    return {
      cancelSignalled: this.#cancelSignalled,
      timedOut: this.#timedOut,
      lastSignal: this.#lastSignal,
      escalation: this.#escalation,
      signalError: this.#signalError,
    };
  }

  async #watchTimeout(limitMs: number): Promise<void> {
    await this.#options.clock.sleep(limitMs, this.#timers.signal);
    if (this.#exitObserved || this.#finished || this.#cancelSignalled) return;
    if (!this.#send("SIGTERM")) return;
    this.#timedOut = true;
    this.#lastSignal = "SIGTERM";
    await this.#killAfterGrace();
  }

  async #killAfterGrace(): Promise<void> {
    const { graceMs, clock } = this.#options;
    // cancel_grace 0 sends SIGKILL right after SIGTERM, without a timer turn.
    if (graceMs > 0) await clock.sleep(graceMs, this.#timers.signal);
    if (this.#exitObserved || this.#finished || this.#lastSignal === "SIGKILL") return;
    if (!this.#send("SIGKILL")) return;
    this.#lastSignal = "SIGKILL";
    if (this.#cancelSignalled) this.#escalation = "grace-expired";
  }

  #send(signal: Signal): boolean {
    try {
      return this.#options.spawner.signalGroup(this.#options.pid, signal);
    } catch (error) {
      this.#signalError ??= { signal, message: error instanceof Error ? error.message : String(error) };
      return false;
    }
  }
}
