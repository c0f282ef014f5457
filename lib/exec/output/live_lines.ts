/**
 * Live output (04-execution.md §9.1): each complete line of a task written at once, prefixed with
 * `[<id>] `; a trailing partial line held until its newline or the task's terminal event.
 *
 * @module
 */

import { formatTaskId, type TaskId } from "../../domain/task_id.ts";
import { styler } from "./ansi_style.ts";
import { LineSplitter } from "./line_splitter.ts";
import type { ChannelWriter, OutputChannel, OutputStream } from "./output_channel.ts";
import { taskColorParams } from "./task_color.ts";

const NEWLINE = 0x0a;
const encoder = new TextEncoder();

interface TaskLines {
  readonly prefix: Uint8Array;
  readonly stdout: LineSplitter;
  readonly stderr: LineSplitter;
}

/**
 * The line state of every task written live.
 *
 * @example
 * ```ts
 * const live = new LiveLines(channel, false);
 * live.push("stdout", { project: "p", task: "a" }, new TextEncoder().encode("one\n")); // "[p:a] one"
 * ```
 */
export class LiveLines {
  readonly #channel: OutputChannel;
  readonly #color: boolean;
  readonly #tasks = new Map<string, TaskLines>();

  constructor(channel: OutputChannel, color: boolean) {
    this.#channel = channel;
    this.#color = color;
  }

  /** Writes each complete line of the chunk at once, prefixed; holds a trailing partial line. */
  push(stream: OutputStream, task: TaskId, chunk: Uint8Array): void {
    const lines = this.#linesOf(task);
    lines[stream].push(chunk, (line) => {
      const bytes = prefixed(lines.prefix, line);
      this.#channel.submit("output", (writer) => writer.write(stream, bytes));
    });
  }

  /** Writes the task's held partial lines (stdout, then stderr) through `writer` and forgets the task. */
  flush(task: TaskId, writer: ChannelWriter): void {
    const id = formatTaskId(task);
    const lines = this.#tasks.get(id);
    this.#tasks.delete(id);
    if (lines === undefined) return;
    lines.stdout.flush((line) => writer.write("stdout", prefixed(lines.prefix, line)));
    lines.stderr.flush((line) => writer.write("stderr", prefixed(lines.prefix, line)));
  }

  /** Whether the task has written through these lines. */
  has(task: TaskId): boolean {
    return this.#tasks.has(formatTaskId(task));
  }

  /** Drops every held partial line. */
  clear(): void {
    this.#tasks.clear();
  }

  #linesOf(task: TaskId): TaskLines {
    const id = formatTaskId(task);
    let lines = this.#tasks.get(id);
    if (lines === undefined) {
      const prefix = `${styler(this.#color)(`[${id}]`, taskColorParams(id))} `;
      lines = { prefix: encoder.encode(prefix), stdout: new LineSplitter(), stderr: new LineSplitter() };
      this.#tasks.set(id, lines);
    }
    return lines;
  }
}

function prefixed(prefix: Uint8Array, line: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(prefix.length + line.length + 1);
  bytes.set(prefix, 0);
  bytes.set(line, prefix.length);
  bytes[bytes.length - 1] = NEWLINE;
  return bytes;
}
