/**
 * The filters of `haz query` (02-graph.md QRY-002..005, QRY-010): parsed and validated from the
 * command line, before the workspace is loaded.
 *
 * @module
 */

import type { Diagnostic } from "../domain/diagnostic.ts";
import { checkIdentifier } from "../domain/identifier.ts";
import { checkPattern } from "../domain/path_pattern.ts";
import {
  type Expression,
  type ExpressionAtom,
  expressionAtoms,
  parseExpression,
} from "../domain/expression.ts";

/** Flags whose atoms are names. */
export type NameFlag = "tags" | "projects" | "tasks";
/** Flags whose atoms are path patterns. */
export type PathFlag = "inputs" | "outputs";
/** Flags whose atoms are `kind:name` relations over hard edges. */
export type RelationFlag = "child-of" | "parent-of" | "depends-on" | "ancestor-of";
/** Every expression flag, in the order of the usage line. */
export const FILTER_FLAGS = [
  "tags",
  "projects",
  "tasks",
  "inputs",
  "outputs",
  "child-of",
  "parent-of",
  "depends-on",
  "ancestor-of",
] as const;
/** One expression flag. */
export type FilterFlag = typeof FILTER_FLAGS[number];

/** One parsed and validated filter. */
export interface QueryFilter {
  readonly flag: FilterFlag;
  readonly text: string;
  readonly expression: Expression;
}

/** The relation kinds of QRY-004. */
export const RELATION_KINDS = ["name", "project", "tag"] as const;

const NAME_KIND: Record<NameFlag, string> = { tags: "tag", projects: "project", tasks: "task" };

/**
 * Parses every given filter and validates its atoms; all problems are reported together.
 *
 * @example
 * ```ts
 * const parsed = parseQueryFilters([{ flag: "tags", text: "lib & !ts" }]);
 * parsed.ok; // true
 * ```
 */
export function parseQueryFilters(
  given: readonly { readonly flag: FilterFlag; readonly text: string }[],
): { ok: true; filters: QueryFilter[] } | { ok: false; diagnostics: Diagnostic[] } {
  const filters: QueryFilter[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const { flag, text } of given) {
    const parsed = parseExpression(text);
    if (!parsed.ok) {
      diagnostics.push(
        flagDiagnostic("QRY-002", parsed.message, { flag, text, column: parsed.column, length: 1 }),
      );
      continue;
    }
    const problems = expressionAtoms(parsed.expression).flatMap((atom) => atomProblems(flag, text, atom));
    diagnostics.push(...problems);
    if (problems.length === 0) filters.push({ flag, text, expression: parsed.expression });
  }
  return diagnostics.length > 0 ? { ok: false, diagnostics } : { ok: true, filters };
}

/**
 * A diagnostic located on command-line text (DIAG-002: the flag is the path, line 1).
 *
 * @example
 * ```ts
 * flagDiagnostic("QRY-002", "empty expression", { flag: "tags", text: "", column: 1, length: 1 });
 * ```
 */
export function flagDiagnostic(
  rule: string,
  message: string,
  at: { flag: string; text: string; column: number; length: number },
  help?: string,
): Diagnostic {
  return {
    severity: "error",
    rule,
    message,
    phase: 0,
    location: { path: `--${at.flag}`, line: 1, column: at.column, length: at.length, lineText: at.text },
    ...(help ? { help } : {}),
  };
}

function atomProblems(flag: FilterFlag, text: string, atom: ExpressionAtom): Diagnostic[] {
  const at = { flag, text, column: atom.column, length: atom.length };
  if (flag === "tags" || flag === "projects" || flag === "tasks") {
    if (flag === "tags" && atom.text === "*") return [];
    const problem = checkIdentifier(atom.text);
    if (!problem) return [];
    return [
      flagDiagnostic("QRY-003", `invalid ${NAME_KIND[flag]} name \`${atom.text}\`: ${problem.message}`, at),
    ];
  }
  if (flag === "inputs" || flag === "outputs") {
    const problem = checkPattern(atom.text);
    if (!problem) return [];
    return [flagDiagnostic("QRY-003", `invalid path pattern \`${atom.text}\`: ${problem.reason}`, at)];
  }
  const colon = atom.text.indexOf(":");
  if (colon === -1) {
    return [flagDiagnostic("QRY-004", `missing \`:\` in relational atom \`${atom.text}\``, at)];
  }
  const kind = atom.text.slice(0, colon);
  const name = atom.text.slice(colon + 1);
  if (!(RELATION_KINDS as readonly string[]).includes(kind)) {
    return [
      flagDiagnostic(
        "QRY-004",
        `unknown relation kind \`${kind}\`; expected \`name\`, \`project\` or \`tag\``,
        at,
      ),
    ];
  }
  const problem = checkIdentifier(name);
  if (!problem) return [];
  const kindName = kind === "name" ? "task" : kind;
  return [flagDiagnostic("QRY-004", `invalid ${kindName} name \`${name}\`: ${problem.message}`, at)];
}
