/**
 * The diagnostic record shared by every command (01-workspace.md DIAG-001..010).
 * Rendering to text lives in `lib/cli/render_diagnostic.ts`.
 *
 * @module
 */

/** Where a diagnostic points. */
export interface DiagnosticLocation {
  /** Workspace-absolute file path (`/web/haz.yml`), or a flag name (`--tags`) for command-line text. */
  readonly path: string;
  /** 1-based line; absent when only the file is known. */
  readonly line?: number;
  /** 1-based column in code points. */
  readonly column?: number;
  /** Number of carets (code points of the span on that line), at least 1. */
  readonly length?: number;
  /** The full source line, used for the snippet. */
  readonly lineText?: string;
}

/** One finding with a rule id: an error or a warning. */
export interface Diagnostic {
  /** `error` or `warning`, the first word of the header (DIAG-001). */
  readonly severity: "error" | "warning";
  /** The rule id in the header's brackets, e.g. `CFG-013` (DIAG-001). */
  readonly rule: string;
  /** The header text: lower case, no final period, user text in backticks (DIAG-001). */
  readonly message: string;
  /** What the `-->` line and the snippet show; absent when no file is known (DIAG-002, DIAG-003). */
  readonly location?: DiagnosticLocation;
  /** Texts of the `note:` lines printed after the snippet (DIAG-004). */
  readonly notes?: readonly string[];
  /** Text of the single `help:` line printed after the notes (DIAG-004, DIAG-009). */
  readonly help?: string;
  /** Load phase (DISC-011): 1 discovery, 2 files, 3 overlay merge, 4 graph; 5 and later for selection. */
  readonly phase: number;
}

/**
 * Builds an error diagnostic.
 *
 * @example
 * ```ts
 * const d = errorDiagnostic("SEL-010", "nothing to run", { phase: 5 });
 * d.severity; // "error"
 * ```
 */
export function errorDiagnostic(
  rule: string,
  message: string,
  extra: Omit<Diagnostic, "severity" | "rule" | "message">,
): Diagnostic {
  return { severity: "error", rule, message, ...extra };
}

/**
 * Builds a warning diagnostic.
 *
 * @example
 * ```ts
 * const d = warningDiagnostic("REF-011", "`[x]:t` matches no task", { phase: 5 });
 * d.severity; // "warning"
 * ```
 */
export function warningDiagnostic(
  rule: string,
  message: string,
  extra: Omit<Diagnostic, "severity" | "rule" | "message">,
): Diagnostic {
  return { severity: "warning", rule, message, ...extra };
}
