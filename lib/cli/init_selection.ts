/**
 * The selection prompt of `haz init` (05-cli.md §7.1 "Selection prompt"): the numbered candidate
 * list and the toggle commands typed at it.
 *
 * @module
 */

/** A candidate line: its path, its name and whether its `haz.yml` already exists. */
export interface SelectionEntry {
  readonly path: string;
  readonly name: string;
  readonly hasHazYml: boolean;
}

/** What one line typed at the selection prompt asks for. */
export type SelectionCommand =
  | { readonly kind: "done" }
  | { readonly kind: "all" }
  | { readonly kind: "none" }
  | { readonly kind: "toggle"; readonly numbers: readonly number[] }
  | { readonly kind: "invalid" };

/** The instruction line; it is the prompt, so the answer follows it on the same line. */
export const SELECTION_INSTRUCTION =
  "Toggle with numbers or ranges (2, 1-3), a = all, n = none, Enter = done: ";

/**
 * The heading line of the selection prompt.
 *
 * @example
 * ```ts
 * selectionHeading(3, 'package.json "workspaces"');
 * // 'Found 3 candidate projects (package.json "workspaces"):'
 * ```
 */
export function selectionHeading(count: number, sources: string): string {
  return `Found ${count} candidate project${count === 1 ? "" : "s"} (${sources}):`;
}

/**
 * The candidate lines, each ending in `\n`: `  [x] 1  packages/core    core`, paths padded to the
 * longest plus four spaces, and `(has haz.yml)` after the names padded to the longest plus three.
 *
 * @example
 * ```ts
 * renderCandidateList([{ path: "packages/web", name: "web", hasHazYml: false }], [true]);
 * // "  [x] 1  packages/web    web\n"
 * ```
 */
export function renderCandidateList(
  entries: readonly SelectionEntry[],
  selected: readonly boolean[],
): string {
  const numberWidth = String(entries.length).length;
  const pathWidth = Math.max(...entries.map((entry) => codePointCount(entry.path)));
  const nameWidth = Math.max(...entries.map((entry) => entry.name.length));
  return entries.map((entry, index) => {
    const mark = selected[index] ? "[x]" : "[ ]";
    const number = String(index + 1).padStart(numberWidth);
    const start = `  ${mark} ${number}  ${padToWidth(entry.path, pathWidth)}    `;
    return entry.hasHazYml
      ? `${start}${entry.name.padEnd(nameWidth)}   (has haz.yml)\n`
      : `${start}${entry.name}\n`;
  }).join("");
}

/**
 * Reads one answer to the selection prompt for `count` candidates: an empty line is done, `a` all,
 * `n` none, otherwise numbers and ranges `a-b` (1-based, separated by commas or spaces) to toggle,
 * each at most once. Anything else, or a number out of range, is invalid.
 *
 * @example
 * ```ts
 * parseSelectionCommand("2, 1-3", 3); // { kind: "toggle", numbers: [1, 2, 3] }
 * parseSelectionCommand("4", 3); // { kind: "invalid" }
 * ```
 */
export function parseSelectionCommand(line: string, count: number): SelectionCommand {
  const answer = line.trim().toLowerCase();
  if (answer === "") return { kind: "done" };
  if (answer === "a") return { kind: "all" };
  if (answer === "n") return { kind: "none" };
  const numbers = new Set<number>();
  for (const token of answer.split(/[\s,]+/).filter((part) => part !== "")) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(token);
    if (range === null) return { kind: "invalid" };
    const first = Number(range[1]);
    const last = range[2] === undefined ? first : Number(range[2]);
    if (first < 1 || last > count || first > last) return { kind: "invalid" };
    for (let number = first; number <= last; number++) numbers.add(number);
  }
  return { kind: "toggle", numbers: [...numbers].sort((a, b) => a - b) };
}

/**
 * The selection after a command (`done` and `invalid` leave it unchanged).
 *
 * @example
 * ```ts
 * applySelectionCommand([true, true], { kind: "toggle", numbers: [2] }); // [true, false]
 * ```
 */
export function applySelectionCommand(selected: readonly boolean[], command: SelectionCommand): boolean[] {
  switch (command.kind) {
    case "all":
      return selected.map(() => true);
    case "none":
      return selected.map(() => false);
    case "toggle":
      return selected.map((isSelected, index) =>
        command.numbers.includes(index + 1) ? !isSelected : isSelected
      );
    default:
      return [...selected];
  }
}

/** Pads with spaces to `width` code points, so non-ASCII paths keep the columns aligned. */
function padToWidth(text: string, width: number): string {
  return text + " ".repeat(width - codePointCount(text));
}

function codePointCount(text: string): number {
  return [...text].length;
}
