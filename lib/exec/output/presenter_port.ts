/**
 * The presenter port (04-execution.md §9): a run observer that turns run events into terminal
 * output on injected sinks, in live or buffered mode.
 *
 * @module
 */

import type { Clock } from "../../util/clock.ts";
import type { RunGraphOutcome, RunObserver } from "../records.ts";
import type { Sink } from "./sink.ts";

/** Everything a presenter writes with; decided by the CLI (05-cli.md CLI-010, CLI-011). */
export interface PresenterOptions {
  /** Live: each line as it comes, prefixed; buffered: one unit per task at its terminal event (EXEC-016). */
  readonly mode: "live" | "buffered";
  /** Receives task stdout, status lines, the footer and the epilogue. */
  readonly stdout: Sink;
  /** Receives task stderr, warnings, violations and notices. */
  readonly stderr: Sink;
  /** Whether SGR colour sequences are written; decided by the CLI (05-cli.md CLI-010). */
  readonly color: boolean;
  /** EXEC-109 progress footer; when false no `\r` or erase sequence is ever written. */
  readonly progress: boolean;
  /** Terminal width, 80 when unknown. */
  readonly columns: () => number;
  /** The run clock, for the footer's elapsed time and redraws. */
  readonly clock: Clock;
  /** Directory of the EXEC-108 spill files (`os.tmpdir()`). */
  readonly tempDir: string;
  /** `execution.cancel_grace` in ms, for `killed with SIGKILL after <grace> grace`. */
  readonly cancelGraceMs: number;
  /** Number of tasks in the run set: the footer's `<total>`. */
  readonly runSetSize: number;
  /** A watch loop's presenter: the footer names cycles and shows nothing before the first (WATCH-082). */
  readonly watch?: boolean;
  /** Printed ids of the run set's services: their output is live in every mode (SVC-081). */
  readonly services?: ReadonlySet<string>;
}

/** A run observer that also writes the epilogue and CLI notices, and releases its resources. */
export interface Presenter extends RunObserver {
  /** Epilogue of §9.4 (blank line, Tasks:, Time:) after every unit is written; erases the footer for good. */
  epilogue(outcome: RunGraphOutcome, elapsedMs: number, cacheLine?: string | null): void;
  /** The end-of-run upload wait begins (REMOTE-092): the footer, where shown, counts `pending()`. */
  uploading(pending: () => number): void;
  /** A line for stderr that must not tear the footer (cancellation notices, summary write errors). */
  notice(text: string): void;
  /** A line for stdout in order with the status lines (the cycle headers of `haz watch`). */
  announce(text: string): void;
  /** A watch cycle starts (WATCH-080): the footer, where shown, names it and times it from now. */
  cycleStarted(cycle: number): void;
  /** A watch cycle settled: the footer, where shown, says `[cycle <n>] waiting for changes` (WATCH-082). */
  waitingForChanges(): void;
  /** Erase the footer, delete spill files. */
  close(): Promise<void>;
}
