/**
 * Shared setup of the presenter tests: a presenter over memory sinks with quiet defaults and a clock
 * that never moves (records to feed it are in run_records.ts).
 *
 * @module
 */

import type { Clock } from "../../lib/util/clock.ts";
import { createPresenter } from "../../lib/exec/output/presenter.ts";
import type { Presenter, PresenterOptions } from "../../lib/exec/output/presenter_port.ts";
import { MemorySink } from "./memory_sink.ts";

/** Progress is off by default, so the clock only has to exist. */
const stoppedClock: Clock = { now: () => 0, unixSeconds: () => 0, sleep: () => Promise.resolve() };

/** Presenter options a test changes; the sinks, when given, must be memory sinks. */
export type TestPresenterOptions = Partial<Omit<PresenterOptions, "stdout" | "stderr">> & {
  stdout?: MemorySink;
  stderr?: MemorySink;
};

/** A presenter and the memory sinks it writes to. */
export interface TestPresenter {
  /** The presenter under test. */
  readonly presenter: Presenter;
  /** Where the presenter's stdout goes. */
  readonly stdout: MemorySink;
  /** Where the presenter's stderr goes. */
  readonly stderr: MemorySink;
}

/**
 * A presenter over fresh memory sinks: live mode, no colour, no progress footer, 80 columns, a
 * stopped clock, a temp dir that does not exist (so nothing may spill), one task in the run set.
 *
 * @example
 * ```ts
 * const { presenter, stdout } = createTestPresenter({ mode: "buffered", runSetSize: 2 });
 * presenter.onTaskFinished(succeededRecord("p:a", 7)); // from run_records.ts
 * await presenter.close();
 * stdout.text(); // "✓ done p:a (7ms)\n"
 * ```
 */
export function createTestPresenter(options: TestPresenterOptions = {}): TestPresenter {
  const stdout = options.stdout ?? new MemorySink();
  const stderr = options.stderr ?? new MemorySink();
  const presenter = createPresenter({
    mode: "live",
    color: false,
    progress: false,
    columns: () => 80,
    clock: stoppedClock,
    tempDir: "/nonexistent",
    cancelGraceMs: 5000,
    runSetSize: 1,
    ...options,
    stdout,
    stderr,
  });
  return { presenter, stdout, stderr };
}
