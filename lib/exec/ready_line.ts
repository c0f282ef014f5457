/**
 * The `ready.line` check (SVC-022): both streams split into lines as live output is, each complete
 * line decoded, its final `\r` and ANSI escape sequences removed, then tested against the pattern.
 *
 * @module
 */

import { LineSplitter } from "./output/line_splitter.ts";

// CSI `ESC [` … final byte 0x40–0x7E; OSC `ESC ]` … BEL or `ESC \`; any other two-byte `ESC x`.
// deno-lint-ignore no-control-regex
const ANSI_ESCAPE = /\x1b\[[\x20-\x3f]*[\x40-\x7e]|\x1b\][\s\S]*?(?:\x07|\x1b\\)|\x1b[\s\S]/g;

/**
 * A line as the pattern sees it: UTF-8 decoded (invalid bytes become U+FFFD), without a final `\r`
 * and without ANSI escape sequences.
 *
 * @example
 * ```ts
 * readyLineText(new TextEncoder().encode("\x1b[32mLocal:\x1b[0m http://x/\r")); // "Local: http://x/"
 * ```
 */
export function readyLineText(line: Uint8Array): string {
  const text = new TextDecoder().decode(line);
  return (text.endsWith("\r") ? text.slice(0, -1) : text).replace(ANSI_ESCAPE, "");
}

/**
 * Watches both streams of one spawn for a line matching the pattern; partial lines are tested only
 * when completed.
 *
 * @example
 * ```ts
 * const watch = new ReadyLineWatch(/^ready$/u);
 * watch.push("stdout", new TextEncoder().encode("rea"));
 * watch.push("stdout", new TextEncoder().encode("dy\n")); // true
 * ```
 */
export class ReadyLineWatch {
  readonly #pattern: RegExp;
  readonly #splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
  #matched = false;

  constructor(pattern: RegExp) {
    this.#pattern = pattern;
  }

  /** Feeds one chunk of a stream; true when a line completed by it matched (first match only). */
  push(stream: "stdout" | "stderr", chunk: Uint8Array): boolean {
    if (this.#matched) return false;
    this.#splitters[stream].push(chunk, (line) => {
      if (!this.#matched && this.#pattern.test(readyLineText(line))) this.#matched = true;
    });
    return this.#matched;
  }
}
