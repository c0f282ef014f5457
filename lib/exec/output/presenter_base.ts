/**
 * What live and buffered presenters share: sinks, footer, ordering, status lines, warnings,
 * violations, notices, the epilogue and shutdown.
 *
 * @module
 */

import { formatTaskId, type TaskId } from "../../domain/task_id.ts";
import type {
  CancelledRecord,
  CompletedRecord,
  CrossProcessWait,
  RunGraphOutcome,
  RuntimeInvariantViolation,
  RunWarning,
  ServiceRestart,
  SkipRecord,
  TaskErrorRecord,
} from "../records.ts";
import { epilogueText } from "./epilogue.ts";
import { GuardedSink } from "./guarded_sink.ts";
import { OutputChannel } from "./output_channel.ts";
import type { Presenter, PresenterOptions } from "./presenter_port.ts";
import { ProgressFooter } from "./progress_footer.ts";
import { violationLine, warningLine } from "./run_diagnostics.ts";
import { serviceRestartLine, serviceUpLine, statusLine, type TerminalRecord } from "./status_line.ts";
import { waitNote } from "../wait_note.ts";

/** What a task leaves at its terminal event. */
export interface TerminalUnit {
  readonly task: TaskId;
  /** The status line, with its newline. */
  readonly status: string;
  /** False for tasks that print only their status line (skipped, never started). */
  readonly withOutput: boolean;
}

/**
 * Base of {@link Presenter} implementations; subclasses handle task output and the unit written at
 * a task's terminal event.
 *
 * @example
 * ```ts
 * import type { TaskId } from "../../domain/task_id.ts";
 * class StatusOnly extends PresenterBase {
 *   onStdout(_task: TaskId, _chunk: Uint8Array): void {}
 *   onStderr(_task: TaskId, _chunk: Uint8Array): void {}
 *   protected writeTerminalUnit(unit: TerminalUnit): void {
 *     this.channel.submit("terminal-event", (writer) => writer.writeText("stdout", unit.status));
 *   }
 *   protected releaseTaskOutput(): void {}
 * }
 * ```
 */
export abstract class PresenterBase implements Presenter {
  protected readonly options: PresenterOptions;
  protected readonly channel: OutputChannel;
  readonly #footer: ProgressFooter | null;
  readonly #warnedTasks = new Set<string>();

  constructor(options: PresenterOptions) {
    this.options = options;
    const stdout = new GuardedSink(options.stdout);
    const stderr = new GuardedSink(options.stderr);
    this.#footer = options.progress
      ? new ProgressFooter({
        sink: stdout,
        clock: options.clock,
        columns: options.columns,
        color: options.color,
        total: options.runSetSize,
        watch: options.watch,
      })
      : null;
    this.channel = new OutputChannel({ stdout, stderr, footer: this.#footer });
    this.#footer?.startTicker(() => !this.channel.busy);
  }

  abstract onStdout(task: TaskId, chunk: Uint8Array): void;
  abstract onStderr(task: TaskId, chunk: Uint8Array): void;

  /** Writes what a task leaves at its terminal event. */
  protected abstract writeTerminalUnit(unit: TerminalUnit): void;

  /** Drops held output of tasks that never reached a terminal event (spill files included). */
  protected abstract releaseTaskOutput(): void;

  onTaskStarted(task: TaskId): void {
    this.#footer?.taskStarted(task);
  }

  onTaskFinished(record: CompletedRecord): void {
    this.#terminal(record, true);
  }

  onTaskErrored(record: TaskErrorRecord): void {
    this.#terminal(record, true);
  }

  onTaskSkipped(record: SkipRecord): void {
    this.#terminal(record, false);
  }

  onTaskCancelled(record: CancelledRecord): void {
    this.#terminal(record, record.kind === "signaled-in-flight");
  }

  onInvariantViolation(violation: RuntimeInvariantViolation): void {
    this.writeStderrLine(violationLine(violation, this.options.color));
  }

  onCancelling(): void {
    // The cancellation notices are the CLI's (05-cli.md §4.3); it prints them through notice().
  }

  onWarning(warning: RunWarning): void {
    // CACHE-033: at most one warning per task.
    const id = formatTaskId(warning.task);
    if (this.#warnedTasks.has(id)) return;
    this.#warnedTasks.add(id);
    this.writeStderrLine(warningLine(warning, this.options.color));
  }

  onServiceUp(task: TaskId, upMs: number | null): void {
    this.#footer?.serviceUp(task);
    const line = `${serviceUpLine(task, upMs, { color: this.options.color })}\n`;
    this.channel.submit("terminal-event", (writer) => writer.writeText("stdout", line));
  }

  onServiceRestarting(task: TaskId, restart: ServiceRestart): void {
    this.#footer?.serviceRestarting(task);
    const line = `${serviceRestartLine(task, restart, { color: this.options.color })}\n`;
    this.channel.submit("terminal-event", (writer) => writer.writeText("stdout", line));
  }

  onServicesOnly(services: readonly TaskId[]): void {
    const count = services.length === 1 ? "1 service" : `${services.length} services`;
    this.writeStderrLine(
      `haz: all tasks finished; ${count} running: ${
        services.map(formatTaskId).join(", ")
      } (Ctrl-C stops them)`,
    );
  }

  announce(text: string): void {
    const line = text.endsWith("\n") ? text : `${text}\n`;
    this.channel.submit("terminal-event", (writer) => writer.writeText("stdout", line));
  }

  cycleStarted(cycle: number): void {
    this.#footer?.cycleStarted(cycle);
  }

  waitingForChanges(): void {
    this.#footer?.waitingForChanges();
    // Redrawn in order with what the cycle still writes.
    this.channel.submit("terminal-event", () => {});
  }

  uploading(pending: () => number): void {
    this.#footer?.uploading(pending);
  }

  onTaskWaiting(wait: CrossProcessWait): void {
    this.writeStderrLine(waitNote(wait));
  }

  notice(text: string): void {
    this.writeStderrLine(text);
  }

  epilogue(outcome: RunGraphOutcome, elapsedMs: number, cacheLine: string | null = null): void {
    this.#footer?.finish();
    const text = epilogueText(outcome, elapsedMs, this.options.color, cacheLine);
    this.channel.submit("final", (writer) => writer.writeText("stdout", text));
  }

  async close(): Promise<void> {
    const ticker = this.#footer?.finish();
    try {
      await this.channel.idle();
    } finally {
      this.releaseTaskOutput();
      await ticker;
    }
  }

  #terminal(record: TerminalRecord, withOutput: boolean): void {
    this.#footer?.taskEnded(record.task);
    // SVC-046: a service aggregate ends without a status line.
    if ("source" in record && record.source === "aggregate" && record.service !== undefined) return;
    const { color, cancelGraceMs } = this.options;
    const status = `${statusLine(record, { color, cancelGraceMs })}\n`;
    this.writeTerminalUnit({ task: record.task, status, withOutput });
  }

  /** Writes one line to stderr in order with everything else; a missing newline is added. */
  protected writeStderrLine(text: string): void {
    const line = text.endsWith("\n") ? text : `${text}\n`;
    this.channel.submit("output", (writer) => writer.writeText("stderr", line));
  }
}
