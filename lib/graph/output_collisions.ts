/**
 * DAG-015: two different tasks must not declare literal outputs that are equal or nested. Glob outputs
 * are left to run time (DAG-016).
 *
 * @module
 */

import { errorDiagnostic } from "../domain/diagnostic.ts";
import type { Diagnostic, DiagnosticLocation } from "../domain/diagnostic.ts";
import { compareBytes } from "../domain/task_id.ts";
import type { TaskDefinition } from "../domain/workspace.ts";

interface Declaration {
  readonly task: string;
  /** Where the output is written; the declaring file when no position is known. */
  readonly location: DiagnosticLocation;
}

/**
 * Equal literal outputs (one error per path) and nested ones (one error per outer/inner pair).
 *
 * @example
 * ```ts
 * outputCollisions([aGen, bGen])[0].message; // "output `/shared/out.txt` is declared by 2 tasks: a:gen, b:gen"
 * ```
 */
export function outputCollisions(tasksInCanonicalOrder: Iterable<TaskDefinition>): Diagnostic[] {
  const byPath = new Map<string, Declaration[]>();
  for (const task of tasksInCanonicalOrder) {
    // A task repeating a path is CFG-007 (phase 2), not a collision with itself.
    const declaredHere = task.outputs.length > 1 ? new Set<string>() : null;
    for (const output of task.outputs) {
      if (output.isGlob || declaredHere?.has(output.canonical)) continue;
      declaredHere?.add(output.canonical);
      const declarations = byPath.get(output.canonical);
      const declaration = { task: task.key, location: output.location ?? { path: task.body.file } };
      if (declarations === undefined) byPath.set(output.canonical, [declaration]);
      else declarations.push(declaration);
    }
  }
  const paths = [...byPath.keys()];
  // The usual outcome, found without sorting every path: no collision at all.
  if (!paths.some((path) => collides(byPath, path))) return [];
  const diagnostics: Diagnostic[] = [];
  for (const path of paths.sort(compareBytes)) {
    const declarations = byPath.get(path)!;
    if (declarations.length > 1) diagnostics.push(equalOutputs(path, declarations));
    for (const outer of properAncestors(path)) {
      for (const outerDeclaration of byPath.get(outer) ?? []) {
        for (const innerDeclaration of declarations) {
          if (outerDeclaration.task === innerDeclaration.task) continue;
          diagnostics.push(
            errorDiagnostic(
              "DAG-015",
              `output \`${path}\` of ${innerDeclaration.task} lies inside output \`${outer}\` of ${outerDeclaration.task}`,
              { phase: 4, location: innerDeclaration.location },
            ),
          );
        }
      }
    }
  }
  return diagnostics;
}

/** Whether `path` gets a diagnostic below: declared twice, or inside another task's output. */
function collides(byPath: ReadonlyMap<string, readonly Declaration[]>, path: string): boolean {
  const declarations = byPath.get(path)!;
  if (declarations.length > 1) return true;
  for (const outer of properAncestors(path)) {
    const outers = byPath.get(outer);
    if (outers === undefined) continue;
    for (const outerDeclaration of outers) {
      if (declarations.some((inner) => inner.task !== outerDeclaration.task)) return true;
    }
  }
  return false;
}

function equalOutputs(path: string, declarations: readonly Declaration[]): Diagnostic {
  const last = declarations[declarations.length - 1];
  const notes = declarations.slice(0, -1).map((other) =>
    `also declared by ${other.task} at ${formatLocation(other.location)}`
  );
  const ids = declarations.map((declaration) => declaration.task).join(", ");
  return errorDiagnostic(
    "DAG-015",
    `output \`${path}\` is declared by ${declarations.length} tasks: ${ids}`,
    {
      phase: 4,
      location: last.location,
      notes,
    },
  );
}

/** `/a/b/c` → `/a`, `/a/b`. */
function properAncestors(path: string): string[] {
  const ancestors: string[] = [];
  for (let slash = path.indexOf("/", 1); slash > 0; slash = path.indexOf("/", slash + 1)) {
    ancestors.push(path.slice(0, slash));
  }
  return ancestors;
}

function formatLocation(location: DiagnosticLocation): string {
  if (location.line === undefined) return location.path;
  return `${location.path}:${location.line}:${location.column ?? 1}`;
}
