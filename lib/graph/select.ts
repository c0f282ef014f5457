/**
 * What a command selects (02-graph.md §5, SEL-001..012): references, scopes, the `default` task, the
 * git-affected filter, and the run set of selected tasks plus their transitive hard predecessors.
 *
 * @module
 */

import { errorDiagnostic } from "../domain/diagnostic.ts";
import type { Diagnostic } from "../domain/diagnostic.ts";
import { serviceTaskIds } from "./service_tasks.ts";
import { comparePrintedIds } from "../domain/task_id.ts";
import { affectedTasks } from "./affected.ts";
import type { LoadedWorkspace } from "./load_workspace.ts";
import { resolveCliRefs } from "./resolve_cli_refs.ts";
import { hardPredecessorClosure } from "./traverse.ts";

/** Selection diagnostics come after the four load phases. */
const SELECTION_PHASE = 5;

/** The selection arguments of a command (usage errors of SEL-002 are the CLI's, before loading). */
export interface SelectionRequest {
  /** Command-line references as written. */
  readonly refs: readonly string[];
  /** `all` for `--all` (SEL-004), `workspace` for `--workspace` (SEL-005), `none` without a scope flag. */
  readonly scope: "none" | "all" | "workspace";
  /** The selecting command: it decides what no arguments select (SEL-003) and the SEL-010 message. */
  readonly command: "run" | "watch" | "graph" | "why";
  /** SEL-007: workspace-absolute changed paths when a git filter is active (computed elsewhere), else null. */
  readonly changedPaths: ReadonlySet<string> | null;
}

/** The selection and its run set, or the diagnostics (warnings included) to print. */
export type SelectionResult =
  | {
    ok: true;
    selected: readonly string[];
    /** SEL-008, canonical order. */
    runSet: readonly string[];
    /** REF-011 warnings. */
    warnings: Diagnostic[];
    /** SEL-010: a git filter emptied a non-empty candidate set (a normal outcome, exit 0). */
    emptiedByGit: boolean;
    /** SVC-051: services and service aggregates a scope option left out of `run`, canonical order. */
    servicesLeftOut: readonly string[];
  }
  | { ok: false; diagnostics: Diagnostic[] };

/**
 * Selects tasks (SEL-001..012): references (REF-010/011, SEL-006, SEL-011 for `why`), scopes (SEL-004/005),
 * no arguments (SEL-003 for `run`/`why`, `--all` for `graph`), the git-affected filter (SEL-007), the
 * empty-selection error (SEL-010) and the run set (SEL-008).
 *
 * @example
 * ```ts
 * const result = select(loaded, { refs: ["web:default"], scope: "none", command: "run", changedPaths: null });
 * if (result.ok) result.runSet; // ["core:build", "util:build", "web:build", "web:default"]
 * ```
 */
export function select(loaded: LoadedWorkspace, request: SelectionRequest): SelectionResult {
  const warnings: Diagnostic[] = [];
  let candidates: readonly string[];
  let servicesLeftOut: readonly string[] = [];
  if (request.refs.length > 0) {
    const resolved = resolveCliRefs({
      workspace: loaded.workspace,
      bearing: loaded.bearingProject?.name ?? null,
      startDir: loaded.startDir,
      command: request.command,
    }, request.refs);
    if (resolved.errors.length > 0) {
      return { ok: false, diagnostics: [...resolved.warnings, ...resolved.errors] };
    }
    warnings.push(...resolved.warnings);
    candidates = resolved.selected;
  } else if (request.scope === "none" && request.changedPaths === null && request.command !== "graph") {
    const defaults = defaultSelection(loaded);
    if (!defaults.ok) return { ok: false, diagnostics: [defaults.diagnostic] };
    candidates = defaults.selected;
  } else {
    candidates = candidateSet(loaded, request.scope === "workspace" ? "workspace" : "all");
    if (request.command === "run" || request.command === "watch") {
      // SVC-051: `run --all` is the CI command; dev servers would make it run forever.
      const services = serviceTaskIds(loaded.graph);
      servicesLeftOut = candidates.filter((id) => services.has(id));
      candidates = candidates.filter((id) => !services.has(id));
    }
  }
  let selected = candidates;
  let emptiedByGit = false;
  if (request.changedPaths !== null) {
    selected = affectedTasks(loaded.graph, candidates, request.changedPaths);
    emptiedByGit = candidates.length > 0 && selected.length === 0;
  }
  if (selected.length === 0 && !emptiedByGit) {
    const message = request.command === "graph" ? "nothing to show" : "nothing to run";
    return {
      ok: false,
      diagnostics: [...warnings, errorDiagnostic("SEL-010", message, { phase: SELECTION_PHASE })],
    };
  }
  const runSet = [...hardPredecessorClosure(loaded.graph, selected)].sort(comparePrintedIds);
  return { ok: true, selected, runSet, warnings, emptiedByGit, servicesLeftOut };
}

/**
 * The candidate set of a scope (SEL-004, SEL-005, SEL-012, QRY-001): `workspace` is every task; `all` is
 * the bearing project's effective tasks, or every task without a bearing project. Canonical order.
 *
 * @example
 * ```ts
 * candidateSet(loadedFromAppsWeb, "all"); // ["web:build", "web:default", "web:deploy"]
 * ```
 */
export function candidateSet(loaded: LoadedWorkspace, scope: "all" | "workspace"): string[] {
  const bearing = loaded.bearingProject;
  if (scope === "all" && bearing !== null) return [...bearing.tasks.values()].map((task) => task.key);
  return [...loaded.graph.order];
}

/** SEL-003: the bearing project's `default` task, or every project's `default` without one. */
function defaultSelection(
  loaded: LoadedWorkspace,
): { ok: true; selected: string[] } | { ok: false; diagnostic: Diagnostic } {
  const bearing = loaded.bearingProject;
  if (bearing !== null) {
    const task = bearing.tasks.get("default");
    if (task) return { ok: true, selected: [task.key] };
    const first = bearing.tasks.keys().next();
    return {
      ok: false,
      diagnostic: errorDiagnostic("SEL-003", `project \`${bearing.name}\` has no task \`default\``, {
        phase: SELECTION_PHASE,
        help: first.done
          ? undefined
          : `name a task, e.g. \`haz run ${bearing.name}:${first.value}\`, or use \`--all\``,
      }),
    };
  }
  const selected = loaded.graph.order.filter((id) => loaded.graph.tasks.get(id)!.id.task === "default");
  if (selected.length > 0) return { ok: true, selected };
  return {
    ok: false,
    diagnostic: errorDiagnostic("SEL-003", "no project has a task `default`", { phase: SELECTION_PHASE }),
  };
}
