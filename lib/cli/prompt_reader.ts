/**
 * Prompts on a terminal: questions go to stderr, answers are read line by line from stdin, and
 * Ctrl-C while a prompt is open is an answer of its own (05-cli.md §7.1: `haz init` exits 130). The
 * terminal stays in line mode, so Ctrl-C reaches haz as SIGINT, which is subscribed only while the
 * prompt is open.
 *
 * @module
 */

import process from "node:process";
import type { Readable } from "node:stream";
import type { HostSignals } from "../exec/process.ts";
import type { Sink } from "../exec/output/sink.ts";
import { writeText } from "./stdio_sink.ts";

/** What a prompt got: a line (without its line end), the end of input, or Ctrl-C. */
export type PromptAnswer =
  | { readonly kind: "line"; readonly text: string }
  | { readonly kind: "end" }
  | { readonly kind: "interrupted" };

/** A conversation with the user. */
export interface PromptPort {
  /** Shows text (no answer expected). */
  say(text: string): void;
  /** Shows `prompt` and waits for the answer. Once interrupted, every later question is too. */
  ask(prompt: string): Promise<PromptAnswer>;
}

/**
 * Asks `question`; at the end of input the cursor still sits after the prompt, so a line break follows.
 *
 * @example
 * ```ts
 * const answer = await askOnNewLine(prompt, "Write these files? [Y/n] ");
 * ```
 */
export async function askOnNewLine(prompt: PromptPort, question: string): Promise<PromptAnswer> {
  const answer = await prompt.ask(question);
  if (answer.kind === "end") prompt.say("\n");
  return answer;
}

/** A prompt port on the real terminal; `close` must be called when the questions are over. */
export interface TerminalPrompt extends PromptPort {
  /** Stops reading stdin and unsubscribes from SIGINT. */
  close(): void;
}

/** A source of lines. */
export interface LineReader {
  /** The next line without `\n` (or `\r\n`), or null at the end of input. */
  next(): Promise<string | null>;
  /** Stops listening to the stream. */
  close(): void;
}

/** Where a terminal prompt talks and listens. */
export interface TerminalPromptOptions {
  readonly stderr: Sink;
  readonly signals: HostSignals;
  /** The stream answers come from; `process.stdin` unless given. */
  readonly input?: Readable;
}

/**
 * Opens a prompt on stdin and stderr and subscribes to SIGINT until `close`.
 *
 * @example
 * ```ts
 * const prompt = openTerminalPrompt({ stderr: context.stderr, signals: context.signals });
 * try {
 *   const answer = await prompt.ask("Write these files? [Y/n] ");
 * } finally {
 *   prompt.close();
 * }
 * ```
 */
export function openTerminalPrompt(options: TerminalPromptOptions): TerminalPrompt {
  const reader = createLineReader(options.input ?? process.stdin);
  let interrupted = false;
  let onInterrupt: (() => void) | null = null;
  const unsubscribe = options.signals.on("SIGINT", () => {
    interrupted = true;
    onInterrupt?.();
  });
  const interruption = new Promise<PromptAnswer>((resolve) => {
    onInterrupt = () => resolve({ kind: "interrupted" });
  });
  return {
    say(text) {
      writeText(options.stderr, text);
    },
    async ask(prompt) {
      if (interrupted) return { kind: "interrupted" };
      writeText(options.stderr, prompt);
      const read = reader.next().then((line): PromptAnswer =>
        line === null ? { kind: "end" } : { kind: "line", text: line }
      );
      const answer = await Promise.race([read, interruption]);
      return interrupted ? { kind: "interrupted" } : answer;
    },
    close() {
      unsubscribe();
      reader.close();
    },
  };
}

/**
 * Splits a byte or text stream into lines as they arrive. A last line without `\n` is still a line.
 *
 * @example
 * ```ts
 * const reader = createLineReader(Readable.from(["a\r\nb"]));
 * await reader.next(); // "a"
 * await reader.next(); // "b"
 * await reader.next(); // null
 * ```
 */
export function createLineReader(stream: Readable): LineReader {
  const decoder = new TextDecoder();
  const lines: string[] = [];
  let partial = "";
  let ended = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    const waiting = wake;
    wake = null;
    waiting?.();
  };
  const onData = (chunk: Uint8Array | string) => {
    partial += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    const parts = partial.split("\n");
    partial = parts.pop()!;
    lines.push(...parts.map((line) => line.replace(/\r$/, "")));
    notify();
  };
  const onEnd = () => {
    partial += decoder.decode();
    if (partial !== "") lines.push(partial.replace(/\r$/, ""));
    partial = "";
    ended = true;
    notify();
  };
  stream.on("data", onData);
  stream.on("end", onEnd);
  stream.on("error", onEnd);
  return {
    async next() {
      while (lines.length === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
      return lines.shift() ?? null;
    },
    close() {
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("error", onEnd);
      stream.pause();
    },
  };
}
