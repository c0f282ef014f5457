/**
 * Creates the presenter (04-execution.md §9) of the mode the CLI chose.
 *
 * @module
 */

import { BufferedOutputObserver } from "./buffered_output_observer.ts";
import { LiveOutputObserver } from "./live_output_observer.ts";
import type { Presenter, PresenterOptions } from "./presenter_port.ts";

/**
 * Creates the presenter of `options.mode`. The caller must await {@link Presenter.close} before
 * exiting: it waits for units still being copied from spill files and stops the footer's timer.
 *
 * @example
 * ```ts
 * import type { Clock } from "../../util/clock.ts";
 * declare const clock: Clock;
 * const presenter = createPresenter({
 *   mode: "live", stdout: { write() {} }, stderr: { write() {} }, color: false, progress: false,
 *   columns: () => 80, clock, tempDir: "/tmp", cancelGraceMs: 5000, runSetSize: 1,
 * });
 * presenter.onStdout({ project: "p", task: "a" }, new TextEncoder().encode("one\n")); // "[p:a] one\n"
 * await presenter.close();
 * ```
 */
export function createPresenter(options: PresenterOptions): Presenter {
  return options.mode === "live" ? new LiveOutputObserver(options) : new BufferedOutputObserver(options);
}
