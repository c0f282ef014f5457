/**
 * Live output (04-execution.md §9.1, EXEC-016): every complete line of a task is written at once as
 * `[project:task] <line>\n`, one sink write per line.
 *
 * @module
 */

import type { TaskId } from "../../domain/task_id.ts";
import { LiveLines } from "./live_lines.ts";
import type { PresenterOptions } from "./presenter_port.ts";
import { PresenterBase, type TerminalUnit } from "./presenter_base.ts";

/**
 * The live presenter: lines are split per task and stream, joined across chunks, cut at 64 KiB, and
 * prefixed with the task id (in the task's colour when colour is on). At a task's terminal event the
 * held partial stdout line, then the held partial stderr line, then the status line are written.
 *
 * @example
 * ```ts
 * import type { Clock } from "../../util/clock.ts";
 * declare const clock: Clock;
 * const observer = new LiveOutputObserver({
 *   mode: "live", stdout: { write() {} }, stderr: { write() {} }, color: false, progress: false,
 *   columns: () => 80, clock, tempDir: "/tmp", cancelGraceMs: 5000, runSetSize: 1,
 * });
 * observer.onStdout({ project: "p", task: "a" }, new TextEncoder().encode("hel")); // held
 * observer.onStdout({ project: "p", task: "a" }, new TextEncoder().encode("lo\n")); // "[p:a] hello\n"
 * await observer.close();
 * ```
 */
export class LiveOutputObserver extends PresenterBase {
  readonly #lines: LiveLines;

  constructor(options: PresenterOptions) {
    super(options);
    this.#lines = new LiveLines(this.channel, options.color);
  }

  /** Writes each complete stdout line at once with the task's prefix; holds a trailing partial line. */
  onStdout(task: TaskId, chunk: Uint8Array): void {
    this.#lines.push("stdout", task, chunk);
  }

  /** Writes each complete stderr line at once with the task's prefix; holds a trailing partial line. */
  onStderr(task: TaskId, chunk: Uint8Array): void {
    this.#lines.push("stderr", task, chunk);
  }

  /** Writes the held partial stdout line, then the held partial stderr line, then the status line. */
  protected writeTerminalUnit({ task, status }: TerminalUnit): void {
    this.channel.submit("terminal-event", (writer) => {
      this.#lines.flush(task, writer);
      writer.writeText("stdout", status);
    });
  }

  /** Drops the partial lines of tasks that never reached a terminal event. */
  protected releaseTaskOutput(): void {
    this.#lines.clear();
  }
}
