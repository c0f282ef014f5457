/**
 * A spawned task or service group under supervision (its pipes drained into a {@link StreamCapture})
 * and under a {@link ProcessController} (timeout, cancel and kill escalation) — the same for finishing
 * tasks (04-execution.md §4) and services (09-services-and-watch.md §2).
 *
 * @module
 */

import type { ProcessSpawner, SpawnedProcess } from "./process.ts";
import { ProcessController } from "./process_controller.ts";
import type { StreamCapture } from "./stream_capture.ts";
import { type SupervisedProcess, superviseProcess } from "./supervise_process.ts";
import type { Clock } from "../util/clock.ts";

/** What {@link controlProcess} needs. */
export interface ControlOptions {
  readonly spawner: ProcessSpawner;
  readonly clock: Clock;
  /** Where the group's stdout and stderr go. */
  readonly streams: StreamCapture;
  /** The task's timeout; null for none. */
  readonly timeoutMs: number | null;
  readonly graceMs: number;
  /** Called when the leader exited, before the controller hears of it. */
  readonly onLeaderExit?: () => void;
}

/**
 * Supervises `spawned` and starts its controller.
 *
 * @example
 * ```ts
 * const { supervised, controller } = controlProcess(spawned, { spawner, clock, streams, timeoutMs: null, graceMs: 5000 });
 * const result = await supervised.finished;
 * controller.finished();
 * ```
 */
export function controlProcess(
  spawned: SpawnedProcess,
  options: ControlOptions,
): { supervised: SupervisedProcess; controller: ProcessController } {
  const { spawner, clock, streams } = options;
  const supervised = superviseProcess(spawned, {
    spawner,
    clock,
    onStdout: (chunk) => streams.write("stdout", chunk),
    onStderr: (chunk) => streams.write("stderr", chunk),
  });
  const controller = new ProcessController({
    spawner,
    clock,
    pid: spawned.pid,
    timeoutMs: options.timeoutMs,
    graceMs: options.graceMs,
  });
  const observeExit = () => {
    options.onLeaderExit?.();
    controller.leaderExited();
  };
  supervised.exited.then(observeExit, observeExit);
  controller.start();
  return { supervised, controller };
}
