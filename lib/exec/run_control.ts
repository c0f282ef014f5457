/**
 * Cancellation control of a run (04-execution.md §3, EXEC-012, EXEC-105): the CLI or an embedder
 * cancels or kills; the scheduler listens.
 *
 * @module
 */

import type { CancelReason } from "./records.ts";

/** Starts and escalates the cancellation of a run. */
export interface RunControl {
  /** Starts cancellation. The first reason is kept, except that a signal replaces a non-signal reason. */
  cancel(reason: CancelReason): void;
  /** Escalates: SIGKILL to every live group now; cancels first with "programmatic" if needed. */
  kill(): void;
  /** The current cancellation reason; null until the run is cancelled. */
  readonly reason: CancelReason | null;
}

/** What a running scheduler is told, synchronously, by its {@link RunControl}. */
export interface RunControlListener {
  /** The first `cancel` (EXEC-013 starts here); later reasons only update `reason`. */
  onCancel(reason: CancelReason): void;
  /** The first `kill` (EXEC-105); always after `onCancel`. */
  onKill(): void;
}

interface ControlState {
  killed: boolean;
  readonly listeners: Set<RunControlListener>;
}

const states = new WeakMap<RunControl, ControlState>();

/**
 * Creates the control a run is cancelled through.
 *
 * @example
 * ```ts
 * const control = createRunControl();
 * control.cancel({ kind: "programmatic" });
 * control.cancel({ kind: "signal", signal: "SIGINT" });
 * control.reason; // { kind: "signal", signal: "SIGINT" }: a signal replaces a non-signal reason
 * ```
 */
export function createRunControl(): RunControl {
  let reason: CancelReason | null = null;
  const state: ControlState = { killed: false, listeners: new Set() };
  const control: RunControl = {
    get reason() {
      return reason;
    },
    cancel(next: CancelReason) {
      if (reason === null) {
        reason = next;
        for (const listener of [...state.listeners]) listener.onCancel(next);
      } else if (next.kind === "signal" && reason.kind !== "signal") {
        reason = next;
      }
    },
    kill() {
      if (reason === null) control.cancel({ kind: "programmatic" });
      if (state.killed) return;
      state.killed = true;
      for (const listener of [...state.listeners]) listener.onKill();
    },
  };
  states.set(control, state);
  return control;
}

/**
 * Subscribes to a control made by {@link createRunControl}; returns the unsubscribe function.
 * A control from anywhere else cannot be listened to, which is a bug of the caller.
 *
 * @example
 * ```ts
 * const control = createRunControl();
 * const stop = watchRunControl(control, { onCancel: (r) => log.push(r.kind), onKill: () => {} });
 * control.cancel({ kind: "programmatic" }); // log: ["programmatic"]
 * stop();
 * ```
 */
export function watchRunControl(control: RunControl, listener: RunControlListener): () => void {
  const state = stateOf(control);
  state.listeners.add(listener);
  return () => state.listeners.delete(listener);
}

/**
 * Whether `kill()` has been called on a control made by {@link createRunControl}.
 *
 * @example
 * ```ts
 * const control = createRunControl();
 * control.kill();
 * wasKilled(control); // true
 * ```
 */
export function wasKilled(control: RunControl): boolean {
  return stateOf(control).killed;
}

function stateOf(control: RunControl): ControlState {
  const state = states.get(control);
  if (state === undefined) throw new Error("a RunControl must be made by createRunControl()");
  return state;
}
