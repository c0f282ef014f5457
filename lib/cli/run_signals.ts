/**
 * Signals during `haz run` (05-cli.md §4.3, CLI-030): before the scheduler starts, while it runs,
 * and after it settled.
 *
 * @module
 */

import { type HostSignal, SIGNAL_NUMBERS } from "../exec/process.ts";
import type { CommandContext } from "./command_context.ts";

/** What the run command is doing when a signal arrives. */
export type RunPhase = "before" | "running" | "uploading" | "settled";

/** Reactions supplied by the run command. */
export interface RunSignalHooks {
  phase(): RunPhase;
  /** First signal while the scheduler runs: cancel, notice A. */
  onCancel(signal: HostSignal): void;
  /** Another signal while it runs: kill, notice B. */
  onKill(signal: HostSignal): void;
  /** First signal during the end-of-run upload wait: end the wait (REMOTE-077). */
  onUploadWaitInterrupted(): void;
}

/** The subscription. */
export interface RunSignalWatch {
  /** The first signal received, which decides the exit code. */
  firstSignal(): HostSignal | null;
  stop(): void;
}

const HOST_SIGNALS: readonly HostSignal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * Subscribes to SIGINT, SIGTERM and SIGHUP for the whole run command.
 *
 * @example
 * ```ts
 * const watch = watchRunSignals(context, { phase: () => phase, onCancel, onKill });
 * // … run …
 * watch.stop();
 * ```
 */
export function watchRunSignals(context: CommandContext, hooks: RunSignalHooks): RunSignalWatch {
  let first: HostSignal | null = null;
  const handle = (signal: HostSignal) => {
    const phase = hooks.phase();
    if (first === null) {
      first = signal;
      if (phase === "before") context.exitNow(128 + SIGNAL_NUMBERS[signal]);
      if (phase === "running") hooks.onCancel(signal);
      if (phase === "uploading") hooks.onUploadWaitInterrupted();
      return;
    }
    if (phase === "running") hooks.onKill(signal);
    else context.exitNow(128 + SIGNAL_NUMBERS[first]);
  };
  const unsubscribe = HOST_SIGNALS.map((signal) => context.signals.on(signal, () => handle(signal)));
  return {
    firstSignal: () => first,
    stop: () => unsubscribe.forEach((off) => off()),
  };
}
