/**
 * WATCH-043: the cut-off of a watch cycle, and the way a cycle stops the earlier instance of a
 * service it starts again (WATCH-046). The scheduler asks; the watch loop answers. A run with a
 * cut-off also orders by producer edges (WATCH-042), which `haz run` treats as metadata (DAG-013).
 *
 * @module
 */

import type { CompletedRecord } from "./records.ts";

/**
 * What a cycle's run needs to cut off work whose predecessors did not change.
 *
 * @example
 * ```ts
 * const cutOff: CutOff = {
 *   matched: new Set(["lib:gen"]),
 *   changed: (record) => record.key !== lastKeys.get(formatTaskId(record.task)),
 *   beforeStart: async () => {},
 * };
 * ```
 */
export interface CutOff {
  /**
   * Printed ids that run whatever their predecessors did: the matched set of the window, and services
   * to start again.
   */
  readonly matched: ReadonlySet<string>;
  /** Whether a finishing task that succeeded in this run changed: no key, a new key, or a failed last attempt. */
  changed(record: CompletedRecord): boolean;
  /**
   * Called once before a service of the run starts; resolves when an earlier instance of it (and the
   * services depending on it) are stopped. `changedPredecessor`: its first changed hard predecessor,
   * else its first changed producer predecessor.
   */
  beforeStart(task: string, changedPredecessor: string | null): Promise<void>;
}

/**
 * Lets the owner of a run stop single services of it while the run goes on (a watch loop restarting
 * a service in a later cycle, WATCH-046).
 *
 * @example
 * ```ts
 * const stops = new ServiceStops();
 * void runGraph({ ...ctx, serviceStops: stops });
 * await stops.stop(["app:serve"]); // its group is dead; the run's other services live on
 * ```
 */
export class ServiceStops {
  #stop: (ids: readonly string[]) => Promise<void> = () => Promise.resolve();

  /** Called by the run: how it stops its services. */
  attach(stop: (ids: readonly string[]) => Promise<void>): void {
    this.#stop = stop;
  }

  /** Stops the services in the given order; resolves when each has ended. Unknown or ended ids are ignored. */
  stop(ids: readonly string[]): Promise<void> {
    return this.#stop(ids);
  }
}
