/**
 * Live output (04-execution.md §9.1, EXEC-016): every complete line of a task is written at once as
 * `[project:task] <line>\n`, one sink write per line.
 *
 * @module
 */

import { formatTaskId, type TaskId } from "../../domain/task_id.ts";
import { styler } from "./ansi_style.ts";
import { LineSplitter } from "./line_splitter.ts";
import type { OutputStream } from "./output_channel.ts";
import { PresenterBase, type TerminalUnit } from "./presenter_base.ts";
import { taskColorParams } from "./task_color.ts";

const NEWLINE = 0x0a;
const encoder = new TextEncoder();

interface TaskLines {
  readonly prefix: Uint8Array;
  readonly stdout: LineSplitter;
  readonly stderr: LineSplitter;
}

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
  readonly #tasks = new Map<string, TaskLines>();

  /** Writes each complete stdout line at once with the task's prefix; holds a trailing partial line. */
  onStdout(task: TaskId, chunk: Uint8Array): void {
    const lines = this.#linesOf(task);
    lines.stdout.push(chunk, (line) => this.#writeLine("stdout", prefixed(lines.prefix, line)));
  }

  /** Writes each complete stderr line at once with the task's prefix; holds a trailing partial line. */
  onStderr(task: TaskId, chunk: Uint8Array): void {
    const lines = this.#linesOf(task);
    lines.stderr.push(chunk, (line) => this.#writeLine("stderr", prefixed(lines.prefix, line)));
  }

  /** Writes the held partial stdout line, then the held partial stderr line, then the status line. */
  protected writeTerminalUnit({ task, status }: TerminalUnit): void {
    const id = formatTaskId(task);
    const lines = this.#tasks.get(id);
    this.#tasks.delete(id);
    this.channel.submit("terminal-event", (writer) => {
      if (lines !== undefined) {
        lines.stdout.flush((line) => writer.write("stdout", prefixed(lines.prefix, line)));
        lines.stderr.flush((line) => writer.write("stderr", prefixed(lines.prefix, line)));
      }
      writer.writeText("stdout", status);
    });
  }

  /** Drops the partial lines of tasks that never reached a terminal event. */
  protected releaseTaskOutput(): void {
    this.#tasks.clear();
  }

  #writeLine(stream: OutputStream, bytes: Uint8Array): void {
    this.channel.submit("output", (writer) => writer.write(stream, bytes));
  }

  #linesOf(task: TaskId): TaskLines {
    const id = formatTaskId(task);
    let lines = this.#tasks.get(id);
    if (lines === undefined) {
      const prefix = `${styler(this.options.color)(`[${id}]`, taskColorParams(id))} `;
      lines = { prefix: encoder.encode(prefix), stdout: new LineSplitter(), stderr: new LineSplitter() };
      this.#tasks.set(id, lines);
    }
    return lines;
  }
}

/** `prefix + line + "\n"` as one array, so the line is one sink write. */
function prefixed(prefix: Uint8Array, line: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(prefix.length + line.length + 1);
  bytes.set(prefix, 0);
  bytes.set(line, prefix.length);
  bytes[bytes.length - 1] = NEWLINE;
  return bytes;
}
