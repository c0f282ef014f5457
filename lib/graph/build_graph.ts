/**
 * Phases 3–4 of the load pipeline (DISC-011, 02-graph.md §1–4): overlay merge, task instantiation,
 * reference resolution, hard/soft/producer edges and the static checks.
 *
 * @module
 */

import type { LoadedConfig } from "../config/loaded_config.ts";
import type { Diagnostic } from "../domain/diagnostic.ts";
import { compareTaskIds } from "../domain/task_id.ts";
import type { Project, TaskBody, TaskDefinition, TaskGraph, Workspace } from "../domain/workspace.ts";
import { assembleTaskGraph } from "./assemble_graph.ts";
import { cycleDiagnostics } from "./cycles.ts";
import { declaredEdges } from "./declared_edges.ts";
import { instantiateTask } from "./instantiate_task.ts";
import { outputCollisions } from "./output_collisions.ts";
import { mergeOverlays } from "./overlay_merge.ts";
import { producerEdges } from "./producer_edges.ts";
import { buildReferenceIndex } from "./resolve_refs.ts";
import { unknownTagWarnings } from "./unknown_tags.ts";

/** The outcome of phases 3–4. */
export interface BuiltGraph {
  /** The complete projects with their effective task sets. */
  readonly workspace: Workspace;
  /** Null when phase 4 did not run because of DAG-006 collisions (DAG-011). */
  readonly graph: TaskGraph | null;
  /** Every diagnostic of phases 3 and 4, warnings included; phase 4 collects everything. */
  readonly diagnostics: Diagnostic[];
}

/**
 * Phases 3–4 (DAG-001..018): overlay merge with DAG-006 collisions (which stop phase 4), TaskDefinitions
 * per project, references (REF-004..009, REF-006 with did-you-mean, REF-007, ID-006 for unknown `[tag]`),
 * hard/soft/producer edges, DAG-010, DAG-012, DAG-014, DAG-015, with the DIAG-007 suppressions.
 *
 * @example
 * ```ts
 * const { graph, diagnostics } = buildTaskGraph(config);
 * graph?.order; // ["core:build", "core:test", "util:build", "web:build", "web:default", "web:deploy"]
 * ```
 */
export function buildTaskGraph(config: LoadedConfig): BuiltGraph {
  const merge = mergeOverlays(config);
  const projects: Project[] = [];
  config.projects.forEach((loaded, index) => {
    if (loaded.incomplete) return;
    const tasks = new Map<string, TaskDefinition>();
    for (const [name, body] of merge.effective[index]) {
      if (body !== null) tasks.set(name, instantiateTask(body, loaded));
    }
    projects.push({
      name: loaded.name,
      dir: loaded.dir,
      root: loaded.root,
      file: loaded.file,
      tags: loaded.tags,
      tasks,
    });
  });
  const workspace: Workspace = { root: config.root, settings: config.settings, projects };
  if (merge.diagnostics.length > 0) return { workspace, graph: null, diagnostics: [...merge.diagnostics] };

  const index = buildReferenceIndex(config.projects.map((loaded, projectIndex) => {
    const tasks: string[] = [];
    const droppedTasks: string[] = [];
    for (const [name, body] of merge.effective[projectIndex]) {
      (body === null ? droppedTasks : tasks).push(name);
    }
    return { name: loaded.name, tags: loaded.tags, incomplete: loaded.incomplete, tasks, droppedTasks };
  }));
  const tasks = projects.flatMap((project) => [...project.tasks.values()])
    .sort((a, b) => compareTaskIds(a.id, b.id));
  const declared = declaredEdges(tasks, index);
  const producers = producerEdges(tasks);
  const graph = assembleTaskGraph(tasks, [...declared.edges, ...producers]);
  const diagnostics = [
    ...declared.diagnostics,
    ...unknownTagWarnings(writtenBodies(config), index),
    ...cycleDiagnostics(graph.order, [...declared.edges, ...producers]),
    ...outputCollisions(tasks),
  ];
  return { workspace, graph, diagnostics };
}

/** Every valid body as written, whether or not it won the merge. */
function writtenBodies(config: LoadedConfig): TaskBody[] {
  return [
    ...config.projects.flatMap((project) => project.incomplete ? [] : [...project.tasks.values()]),
    ...config.overlays.flatMap((overlay) => [...overlay.tasks.values()]),
  ];
}
