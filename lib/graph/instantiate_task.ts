/**
 * Turning a winning task body into a {@linkcode TaskDefinition} of one project (DAG-007): paths are
 * resolved against that project's root and a `~:` mutex is scoped to it (CFG-019, CFG-025).
 *
 * @module
 */

import { resolvePattern } from "../domain/path_pattern.ts";
import { compareBytes } from "../domain/task_id.ts";
import type { MutexDecl, MutexSpec, TaskBody, TaskDefinition } from "../domain/workspace.ts";

/** The project a body is instantiated for. */
export interface OwningProject {
  readonly name: string;
  /** Workspace-absolute root: `/` or `/libs/core`. */
  readonly root: string;
  readonly tags: readonly string[];
}

/**
 * Instantiates a body for a project.
 *
 * @example
 * ```ts
 * const task = instantiateTask(body, { name: "core", root: "/libs/core", tags: ["lib"] });
 * task.key; // "core:build"
 * task.outputs[0].canonical; // "/libs/core/dist" for `outputs: [dist]`
 * ```
 */
export function instantiateTask(body: TaskBody, project: OwningProject): TaskDefinition {
  const inclusions = body.inputs?.filter((spec) => !spec.exclude) ?? null;
  const exclusions = body.inputs?.filter((spec) => spec.exclude) ?? [];
  return {
    id: { project: project.name, task: body.name },
    key: `${project.name}:${body.name}`,
    projectRoot: project.root,
    tags: [...project.tags].sort(compareBytes),
    action: body.action,
    inputs: inclusions?.map((spec) => resolvePattern(spec, project.root)) ?? null,
    inputExclusions: exclusions.map((spec) => resolvePattern(spec, project.root)),
    outputs: body.outputs.filter((spec) => !spec.exclude).map((spec) => resolvePattern(spec, project.root)),
    outputExclusions: body.outputs.filter((spec) => spec.exclude).map((spec) =>
      resolvePattern(spec, project.root)
    ),
    deps: body.deps,
    weakDeps: body.weakDeps,
    mutex: body.mutex === null ? null : resolveMutex(body.mutex, project.name),
    env: body.env,
    description: body.description,
    cache: body.cache,
    timeoutMs: body.timeoutMs,
    service: body.service,
    body,
  };
}

function resolveMutex(mutex: MutexDecl, projectName: string): MutexSpec {
  return mutex.projectScoped
    ? { name: mutex.name, scope: "project", project: projectName, mode: mutex.mode }
    : { name: mutex.name, scope: "global", project: null, mode: mutex.mode };
}
