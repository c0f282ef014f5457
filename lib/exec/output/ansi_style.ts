/**
 * SGR styling for run output (04-execution.md §9.3). Styles are applied only when the CLI decided
 * colour is on (05-cli.md CLI-010); without colour the text is returned unchanged.
 *
 * @module
 */

/** Select Graphic Rendition parameters used by the presenter. */
export const SGR = {
  green: "32",
  cyan: "36",
  red: "31",
  yellow: "33",
  dim: "2",
  blue: "34",
  magenta: "35",
  boldRed: "1;31",
  boldYellow: "1;33",
} as const;

/** Resets every attribute. */
export const SGR_RESET = "\x1b[0m";

/** Wraps text in an SGR sequence and a reset (or leaves it alone without colour). */
export type Styler = (text: string, params: string) => string;

/**
 * Returns the styler for a colour decision: with colour, `text` is wrapped in `ESC[<params>m` and
 * `ESC[0m`; without, it is returned unchanged.
 *
 * @example
 * ```ts
 * styler(true)("✓ done", SGR.green); // "\x1b[32m✓ done\x1b[0m"
 * styler(false)("✓ done", SGR.green); // "✓ done"
 * ```
 */
export function styler(color: boolean): Styler {
  return color ? paint : plain;
}

function paint(text: string, params: string): string {
  return `\x1b[${params}m${text}${SGR_RESET}`;
}

function plain(text: string): string {
  return text;
}
