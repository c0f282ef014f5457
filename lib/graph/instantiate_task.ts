/**
 * Turning a winning task body into a {@linkcode TaskDefinition} of one project (DAG-007): paths are
 * resolved against that project's root and a `~:` mutex is scoped to it (CFG-019, CFG-025).
 *
 * @module
 */

import { resolvePattern } from "../domain/path_pattern.ts";
import { compareBytes } from "../domain/task_id.ts";
import type {
  MutexDecl,
  MutexSpec,
  PathPattern,
  PatternSpec,
  TaskBody,
  TaskDefinition,
} from "../domain/workspace.ts";

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
  const inputs = body.inputs === null ? null : resolveSplit(body.inputs, project.root);
  const outputs = resolveSplit(body.outputs, project.root);
  return {
    id: { project: project.name, task: body.name },
    key: `${project.name}:${body.name}`,
    projectRoot: project.root,
    tags: [...project.tags].sort(compareBytes),
    action: body.action,
    inputs: inputs?.included ?? null,
    inputExclusions: inputs?.excluded ?? [],
    outputs: outputs.included,
    outputExclusions: outputs.excluded,
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

/** Inclusions and exclusions resolved in one pass (an imported task lists a few hundred inputs). */
function resolveSplit(
  specs: readonly PatternSpec[],
  root: string,
): { included: PathPattern[]; excluded: PathPattern[] } {
  const included: PathPattern[] = [];
  const excluded: PathPattern[] = [];
  for (const spec of specs) (spec.exclude ? excluded : included).push(resolvePattern(spec, root));
  return { included, excluded };
}

function resolveMutex(mutex: MutexDecl, projectName: string): MutexSpec {
  return mutex.projectScoped
    ? { name: mutex.name, scope: "project", project: projectName, mode: mutex.mode }
    : { name: mutex.name, scope: "global", project: null, mode: mutex.mode };
}
