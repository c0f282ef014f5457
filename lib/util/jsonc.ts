/**
 * JSON with comments and trailing commas, as Deno accepts in `deno.json` and `deno.jsonc`
 * (05-cli.md §7.1: `haz init` reads the `workspace` key).
 *
 * @module
 */

/** A parsed document, or why it is not one. */
export type JsoncParse =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly message: string };

/**
 * Parses JSONC: `//` and `/* *\/` comments and trailing commas are removed outside strings, then the
 * rest is read with `JSON.parse`.
 *
 * @example
 * ```ts
 * parseJsonc('{ "workspace": ["./a",], // members\n }'); // { ok: true, value: { workspace: ["./a"] } }
 * parseJsonc("{").ok; // false
 * ```
 */
export function parseJsonc(text: string): JsoncParse {
  try {
    return { ok: true, value: JSON.parse(withoutTrailingCommas(withoutComments(text))) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/** Blanks out comments (keeping line breaks) and leaves strings untouched. */
function withoutComments(text: string): string {
  return rewriteOutsideStrings(text, (index) => {
    if (text.startsWith("//", index)) {
      const newline = text.indexOf("\n", index);
      return { emit: "", next: newline === -1 ? text.length : newline };
    }
    if (text.startsWith("/*", index)) {
      const close = text.indexOf("*/", index + 2);
      const end = close === -1 ? text.length : close + 2;
      return { emit: text.slice(index, end).replace(/[^\n]/g, " "), next: end };
    }
    return { emit: text[index], next: index + 1 };
  });
}

/** Drops every `,` that is followed (after whitespace) by `}` or `]`, outside strings. */
function withoutTrailingCommas(text: string): string {
  return rewriteOutsideStrings(text, (index) => {
    if (text[index] === ",") {
      let next = index + 1;
      while (next < text.length && /\s/.test(text[next])) next++;
      if (text[next] === "}" || text[next] === "]") return { emit: "", next: index + 1 };
    }
    return { emit: text[index], next: index + 1 };
  });
}

/** What one step of {@linkcode rewriteOutsideStrings} writes, and where it goes on (always further). */
interface RewriteStep {
  readonly emit: string;
  readonly next: number;
}

/**
 * Copies string literals unchanged and lets `step` rewrite everything between them, one step at a time,
 * so that comment markers and commas inside strings are never touched.
 */
function rewriteOutsideStrings(text: string, step: (index: number) => RewriteStep): string {
  let result = "";
  let index = 0;
  while (index < text.length) {
    if (text[index] === '"') {
      const end = stringEnd(text, index);
      result += text.slice(index, end);
      index = end;
      continue;
    }
    const { emit, next } = step(index);
    result += emit;
    index = next;
  }
  return result;
}

/** The index just after the string literal that starts at `start` (or the end of the text). */
function stringEnd(text: string, start: number): number {
  let index = start + 1;
  while (index < text.length) {
    if (text[index] === "\\") index += 2;
    else if (text[index] === '"') return index + 1;
    else index++;
  }
  return text.length;
}
