/**
 * Rendering of diagnostics (01-workspace.md DIAG-001..008): the exact stderr text of one diagnostic,
 * the DIAG-006 order, and the report that ends with the DIAG-008 closing line.
 *
 * @module
 */

import type { Diagnostic } from "../domain/diagnostic.ts";
import { compareBytes } from "../domain/task_id.ts";

const RESET = "\x1b[0m";
const BOLD = "\x1b[1m";
const RED = "\x1b[31m";
const YELLOW = "\x1b[33m";
const BLUE = "\x1b[34m";
const CYAN = "\x1b[36m";

/** Wraps `text` in SGR codes when colour is on; without colour the text is returned unchanged. */
function paint(text: string, codes: string, color: boolean): string {
  return color && text.length > 0 ? `${codes}${text}${RESET}` : text;
}

/** DIAG-003: each tab shown as one space, trailing whitespace removed. */
function snippetSource(lineText: string): string {
  return lineText.replaceAll("\t", " ").trimEnd();
}

/**
 * DIAG-001..005: the exact text of one diagnostic, ending with its trailing empty line.
 * Colour only adds SGR sequences around parts of the text.
 *
 * @example
 * ```ts
 * renderDiagnostic({
 *   severity: "error", rule: "CFG-003", message: "unknown key `comand` in task `build`", phase: 2,
 *   location: { path: "/web/haz.yml", line: 3, column: 5, length: 6, lineText: "    comand: [tsc]" },
 *   help: "did you mean `command`?",
 * }, false);
 * // "error[CFG-003]: unknown key `comand` in task `build`\n  --> /web/haz.yml:3:5\n   |\n" +
 * // " 3 |     comand: [tsc]\n   |     ^^^^^^\nhelp: did you mean `command`?\n\n"
 * ```
 */
export function renderDiagnostic(diagnostic: Diagnostic, color: boolean): string {
  const severityCodes = diagnostic.severity === "error" ? BOLD + RED : BOLD + YELLOW;
  const lines: string[] = [
    paint(`${diagnostic.severity}[${diagnostic.rule}]`, severityCodes, color) +
    paint(`: ${diagnostic.message}`, BOLD, color),
  ];
  const location = diagnostic.location;
  if (location !== undefined) {
    const positioned = location.line !== undefined;
    const width = positioned ? Math.max(2, String(location.line).length) : 2;
    const arrowGutter = " ".repeat(width);
    const barGutter = " ".repeat(width + 1);
    if (positioned) {
      const column = location.column ?? 1;
      lines.push(`${arrowGutter}${paint("-->", BLUE, color)} ${location.path}:${location.line}:${column}`);
      lines.push(`${barGutter}${paint("|", BLUE, color)}`);
      const numbered = paint(`${String(location.line).padStart(width)} |`, BLUE, color);
      const source = snippetSource(location.lineText ?? "");
      lines.push(source.length > 0 ? `${numbered} ${source}` : numbered);
      const carets = "^".repeat(Math.max(1, location.length ?? 1));
      lines.push(
        `${barGutter}${paint("|", BLUE, color)} ${" ".repeat(Math.max(0, column - 1))}${
          paint(carets, severityCodes, color)
        }`,
      );
    } else {
      lines.push(`${arrowGutter}${paint("-->", BLUE, color)} ${location.path}`);
    }
  }
  for (const note of diagnostic.notes ?? []) lines.push(`${paint("note", BOLD, color)}: ${note}`);
  if (diagnostic.help !== undefined) lines.push(`${paint("help", BOLD + CYAN, color)}: ${diagnostic.help}`);
  return lines.join("\n") + "\n\n";
}

/** Orders two numbers, treating an absent one as 0 (only compared between positioned diagnostics). */
function compareNumbers(a: number | undefined, b: number | undefined): number {
  return (a ?? 0) - (b ?? 0);
}

/** DIAG-006 comparison: phase, positioned before unpositioned, path, line, column, rule, message. */
function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.phase !== b.phase) return a.phase - b.phase;
  const aPositioned = a.location?.line !== undefined;
  const bPositioned = b.location?.line !== undefined;
  if (aPositioned !== bPositioned) return aPositioned ? -1 : 1;
  // Among unpositioned ones, diagnostics naming a file come before those naming none.
  const aHasPath = a.location !== undefined;
  const bHasPath = b.location !== undefined;
  if (aHasPath !== bHasPath) return aHasPath ? -1 : 1;
  return compareBytes(a.location?.path ?? "", b.location?.path ?? "") ||
    compareNumbers(a.location?.line, b.location?.line) ||
    compareNumbers(a.location?.column, b.location?.column) ||
    compareBytes(a.rule, b.rule) ||
    compareBytes(a.message, b.message);
}

/**
 * DIAG-006: a sorted copy — by phase, then path (UTF-8 bytes), line, column, rule id, message;
 * diagnostics without a position come after the positioned ones of the same phase.
 *
 * @example
 * ```ts
 * const sorted = sortDiagnostics([
 *   { severity: "error", rule: "CFG-001", message: "b", phase: 2, location: { path: "/b/haz.yml" } },
 *   { severity: "error", rule: "CFG-003", message: "a", phase: 2, location: { path: "/c/haz.yml", line: 1 } },
 * ]);
 * sorted[0].rule; // "CFG-003" (positioned first)
 * ```
 */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(compareDiagnostics);
}

/**
 * Every diagnostic sorted (DIAG-006) and rendered (DIAG-001..005), followed by the closing line
 * `found N error(s)` (DIAG-008) when at least one of them is an error.
 *
 * @example
 * ```ts
 * renderDiagnosticReport([{ severity: "error", rule: "SEL-010", message: "nothing to run", phase: 5 }], false);
 * // "error[SEL-010]: nothing to run\n\nfound 1 error\n"
 * ```
 */
export function renderDiagnosticReport(
  diagnostics: readonly Diagnostic[],
  color: boolean,
  options: { readonly keepOrder?: boolean } = {},
): string {
  // Command-line reference errors keep argument order (REF-001); everything else follows DIAG-006.
  const sorted = options.keepOrder ? [...diagnostics] : sortDiagnostics(diagnostics);
  const errors = sorted.filter((diagnostic) => diagnostic.severity === "error").length;
  const body = sorted.map((diagnostic) => renderDiagnostic(diagnostic, color)).join("");
  if (errors === 0) return body;
  const closing = errors === 1 ? "found 1 error" : `found ${errors} errors`;
  return body + paint(closing, BOLD + RED, color) + "\n";
}
