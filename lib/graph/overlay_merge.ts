/**
 * Phase 3 of the load pipeline (02-graph.md §2, DAG-001..006): attach overlays to the projects their
 * `tagsFilter` matches and pick, for every (project, task name), the one body that wins.
 *
 * @module
 */

import { errorDiagnostic } from "../domain/diagnostic.ts";
import type { Diagnostic } from "../domain/diagnostic.ts";
import { compareBytes } from "../domain/task_id.ts";
import type { TaskBody } from "../domain/workspace.ts";
import type { LoadedConfig, LoadedOverlay, LoadedProject } from "../config/loaded_config.ts";
import { evaluateExpression } from "../domain/expression.ts";

/** The effective task set of one project: task name → winning body, `null` when the winner was dropped. */
export type EffectiveTasks = ReadonlyMap<string, TaskBody | null>;

/** The result of the overlay merge. */
export interface OverlayMerge {
  /** Per project, in `config.projects` order. Incomplete projects have no tasks (DIAG-007). */
  readonly effective: readonly EffectiveTasks[];
  /** Per overlay, in `config.overlays` order: indexes into `config.projects` of its matched set (CFG-026). */
  readonly matched: readonly (readonly number[])[];
  /** DAG-006 collisions; any of them stops phase 4 (DAG-011). */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Merges every project's own tasks with the overlays attached to it (DAG-001..006).
 *
 * @example
 * ```ts
 * const merge = mergeOverlays(config);
 * merge.effective[0].get("test"); // the winning TaskBody of the first project's `test`
 * ```
 */
export function mergeOverlays(config: LoadedConfig): OverlayMerge {
  const matched = config.overlays.map((overlay) => matchedProjects(overlay, config.projects));
  const attached: number[][] = config.projects.map(() => []);
  matched.forEach((projectIndexes, overlayIndex) => {
    for (const projectIndex of projectIndexes) attached[projectIndex].push(overlayIndex);
  });
  const matchedSets = matched.map((projectIndexes) => new Set(projectIndexes));
  const diagnostics: Diagnostic[] = [];
  const effective = config.projects.map((project, projectIndex) => {
    const winners = new Map<string, TaskBody | null>();
    if (project.incomplete) return winners;
    const overlayIndexes = attached[projectIndex];
    if (overlayIndexes.length === 0) return ownTasks(project);
    for (const name of taskNames(project, overlayIndexes.map((index) => config.overlays[index]))) {
      if (definesTask(project, name)) {
        winners.set(name, project.tasks.get(name) ?? null);
        continue;
      }
      const sources = overlayIndexes.filter((index) => definesTask(config.overlays[index], name));
      const winner = mostSpecific(sources, matchedSets);
      if (winner === null) {
        diagnostics.push(collision({ config, project, name, sources, matched }));
      } else {
        winners.set(name, config.overlays[winner].tasks.get(name) ?? null);
      }
    }
    return new Map([...winners].sort(([a], [b]) => compareBytes(a, b)));
  });
  return { effective, matched, diagnostics };
}

/**
 * The effective tasks of a project no overlay attaches to (most projects): its own, valid or dropped,
 * in name order, as the general merge would give them.
 */
function ownTasks(project: LoadedProject): Map<string, TaskBody | null> {
  const winners = new Map<string, TaskBody | null>(project.tasks);
  for (const name of project.droppedTasks) {
    if (!winners.has(name)) winners.set(name, null);
  }
  return winners.size < 2 ? winners : new Map([...winners].sort(([a], [b]) => compareBytes(a, b)));
}

/** CFG-026: the projects whose tags satisfy the overlay's filter; `*` is true for every project. */
function matchedProjects(overlay: LoadedOverlay, projects: readonly LoadedProject[]): number[] {
  const filter = overlay.tagsFilter;
  if (filter === null) return [];
  const indexes: number[] = [];
  projects.forEach((project, index) => {
    const tags = new Set(project.tags);
    if (evaluateExpression(filter, (atom) => atom === "*" || tags.has(atom))) indexes.push(index);
  });
  return indexes;
}

/** Own task names and those of the attached overlays, valid or dropped. */
function taskNames(project: LoadedProject, overlays: readonly LoadedOverlay[]): Set<string> {
  const names = new Set<string>([...project.tasks.keys(), ...project.droppedTasks]);
  for (const overlay of overlays) {
    for (const name of overlay.tasks.keys()) names.add(name);
    for (const name of overlay.droppedTasks) names.add(name);
  }
  return names;
}

function definesTask(source: LoadedProject | LoadedOverlay, name: string): boolean {
  return source.tasks.has(name) || source.droppedTasks.has(name);
}

/** DAG-004/005: a single source wins; otherwise the overlay whose matched set is a strict subset of all others. */
function mostSpecific(sources: readonly number[], matched: readonly ReadonlySet<number>[]): number | null {
  if (sources.length === 1) return sources[0];
  for (const candidate of sources) {
    const inner = matched[candidate];
    const isStrictSubsetOfAll = sources.every((other) =>
      other === candidate ||
      (inner.size < matched[other].size && [...inner].every((index) => matched[other].has(index)))
    );
    if (isStrictSubsetOfAll) return candidate;
  }
  return null;
}

interface CollisionInput {
  readonly config: LoadedConfig;
  readonly project: LoadedProject;
  readonly name: string;
  readonly sources: readonly number[];
  readonly matched: readonly (readonly number[])[];
}

/** The DAG-006 error for one (project, task name). */
function collision(input: CollisionInput): Diagnostic {
  const { config, project, name } = input;
  const overlays = input.sources
    .map((index) => ({ overlay: config.overlays[index], matched: input.matched[index] }))
    .sort((a, b) => compareBytes(a.overlay.stem, b.overlay.stem));
  const byPath = overlays.map((entry) => entry.overlay).sort((a, b) => compareBytes(a.file, b.file));
  // A collision has at least two sources, so there is a last file.
  const lastByPath = byPath[byPath.length - 1];
  const notes = overlays.map((entry) => {
    const names = entry.matched.map((index) => config.projects[index].name).sort(compareBytes);
    return `overlay \`${entry.overlay.stem}\` matches: ${names.join(", ")}`;
  });
  const stems = overlays.map((entry) => entry.overlay.stem).join(", ");
  return errorDiagnostic(
    "DAG-006",
    `task \`${project.name}:${name}\` is defined by ${overlays.length} overlays and none is the most specific: ${stems}`,
    {
      phase: 3,
      location: lastByPath.taskLocations.get(name) ?? { path: lastByPath.file },
      notes,
      help: `define \`${name}\` in ${project.name}'s haz.yml, or make one tagsFilter narrower`,
    },
  );
}
