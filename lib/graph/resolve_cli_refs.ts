/**
 * Command-line references (01-workspace.md REF-010/011, 02-graph.md SEL-006, SEL-011): resolved against
 * the loaded workspace from the bearing project; every error of the line is collected.
 *
 * @module
 */

import { errorDiagnostic, warningDiagnostic } from "../domain/diagnostic.ts";
import type { Diagnostic } from "../domain/diagnostic.ts";
import { invalidRefMessage, parseCliRef } from "../domain/task_ref.ts";
import { comparePrintedIds } from "../domain/task_id.ts";
import type { TaskRef, Workspace } from "../domain/workspace.ts";
import {
  buildReferenceIndex,
  resolveReference,
  suggestionHelp,
  tagIsCarried,
  unresolvedReason,
} from "./resolve_refs.ts";
import type { ReferenceIndex, Resolution } from "./resolve_refs.ts";

/** Selection diagnostics come after the four load phases. */
const SELECTION_PHASE = 5;

/** What the references select. */
export interface CliRefsResolution {
  /** The union of all resolutions, de-duplicated, in canonical order. */
  readonly selected: string[];
  /** REF-011 warnings. */
  readonly warnings: Diagnostic[];
  /** REF-001, REF-006, REF-010 and (for `haz why`) SEL-011 errors, in argument order. */
  readonly errors: Diagnostic[];
}

/** Where the references are resolved. */
export interface CliRefsContext {
  readonly workspace: Workspace;
  /** The bearing project's name, or null. */
  readonly bearing: string | null;
  /** Real path of the start directory (REF-010 message). */
  readonly startDir: string;
  /** `why` needs exactly one task per reference (SEL-011). */
  readonly command: "run" | "watch" | "graph" | "why";
}

/**
 * Resolves command-line references.
 *
 * @example
 * ```ts
 * resolveCliRefs({ workspace, bearing: null, startDir: "/ws", command: "run" }, ["build"]).selected;
 * // ["core:build", "util:build", "web:build"]
 * ```
 */
export function resolveCliRefs(context: CliRefsContext, refs: readonly string[]): CliRefsResolution {
  const index = buildReferenceIndex(context.workspace.projects.map((project) => ({
    name: project.name,
    tags: project.tags,
    tasks: project.tasks.keys(),
    droppedTasks: [],
    incomplete: false,
  })));
  const selected = new Set<string>();
  const warnings: Diagnostic[] = [];
  const errors: Diagnostic[] = [];
  for (const text of refs) {
    const parsed = parseCliRef(text, context.bearing !== null);
    if (!parsed.ok) {
      errors.push(
        errorDiagnostic("REF-001", invalidRefMessage(text, parsed.reason), { phase: SELECTION_PHASE }),
      );
      continue;
    }
    const ref = parsed.ref;
    const resolution = resolveReference(index, ref, context.bearing);
    const problem = resolution.problem;
    if (problem?.kind === "needs-bearing") {
      errors.push(needsBearing(ref.task, context.startDir));
    } else if (problem?.kind === "no-project" || problem?.kind === "no-task") {
      errors.push(
        errorDiagnostic("REF-006", `unresolved reference \`${text}\`: ${unresolvedReason(problem)}`, {
          phase: SELECTION_PHASE,
          help: suggestionHelp(problem.suggestion),
        }),
      );
    } else if (context.command === "why" && resolution.tasks.length !== 1) {
      errors.push(notExactlyOne(text, resolution.tasks));
    } else if (resolution.tasks.length === 0) {
      warnings.push(matchesNoTask(ref, resolution, { index, bearing: context.bearing }));
    }
    for (const id of resolution.tasks) selected.add(id);
  }
  return { selected: [...selected].sort(comparePrintedIds), warnings, errors };
}

function needsBearing(task: string, startDir: string): Diagnostic {
  return errorDiagnostic(
    "REF-010",
    `\`~:${task}\` needs a bearing project, but ${startDir} is not inside any project`,
    { phase: SELECTION_PHASE, help: `use \`<project>:${task}\` or \`^:${task}\`` },
  );
}

/** SEL-011: `haz why` needs a reference that names exactly one task. */
function notExactlyOne(text: string, tasks: readonly string[]): Diagnostic {
  const message = tasks.length === 0
    ? `\`${text}\` matches no task`
    : `\`${text}\` matches ${tasks.length} tasks: ${tasks.join(", ")}`;
  return errorDiagnostic("SEL-011", message, {
    phase: SELECTION_PHASE,
    help: "use the exact form `<project>:<task>`",
  });
}

/** REF-011, with the help that explains why when one applies. */
function matchesNoTask(
  ref: TaskRef,
  resolution: Resolution,
  where: { readonly index: ReferenceIndex; readonly bearing: string | null },
): Diagnostic {
  let help: string | undefined;
  if (ref.form === "tag" && !tagIsCarried(where.index, ref.tag)) {
    help = `no project carries the tag \`${ref.tag}\``;
  } else if (resolution.problem?.kind === "no-task-anywhere") {
    help = `no project has a task \`${ref.task}\``;
  } else if (ref.form !== "exact" && ref.excludeOwn && where.bearing !== null) {
    const owners = where.index.projectsByTask.get(ref.task) ?? [];
    if (owners.length === 1 && owners[0] === where.bearing) {
      help = `only the bearing project has a task \`${ref.task}\``;
    }
  }
  return warningDiagnostic("REF-011", `\`${ref.text}\` matches no task`, { phase: SELECTION_PHASE, help });
}
