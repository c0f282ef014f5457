/**
 * The environment of a task process (01-workspace.md CFG-040, 04-execution.md PROC-004).
 *
 * @module
 */

import { compareBytes } from "../domain/task_id.ts";
import { matchingEnvNames } from "../domain/env_pattern.ts";
import type { TaskDefinition } from "../domain/workspace.ts";

/** Variables every task gets from the host when set there (besides `LC_*`). */
const BASELINE = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "TMPDIR", "TERM", "LANG", "TZ"];

/** CFG-032. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * CFG-040: baseline (with every valid `LC_*` name), then the workspace `env.pass_through`, then the
 * task's `env.from_host` (host values from the run's single snapshot, unset names left out), then the
 * task's `env.override`; later sources win. Nothing else, nothing of haz's own. Keys in byte order.
 *
 * @example
 * ```ts
 * const host = new Map([["PATH", "/bin"], ["CI", "1"], ["SECRET", "s"]]);
 * childEnvironment(task, ["CI"], host); // { CI: "1", PATH: "/bin" } plus the task's own variables
 * ```
 */
export function childEnvironment(
  task: TaskDefinition,
  passThrough: readonly string[],
  hostEnv: ReadonlyMap<string, string>,
): Record<string, string> {
  const env = new Map<string, string>();
  const copyFromHost = (name: string) => {
    const value = hostEnv.get(name);
    if (value !== undefined) env.set(name, value);
  };
  for (const name of BASELINE) copyFromHost(name);
  for (const name of hostEnv.keys()) {
    if (name.startsWith("LC_") && ENV_NAME.test(name)) copyFromHost(name);
  }
  // A `PREFIX*` entry copies every host variable it matches (ADOPT-101).
  for (const entry of passThrough) for (const name of matchingEnvNames(entry, hostEnv)) copyFromHost(name);
  for (const entry of task.env.fromHost) {
    for (const name of matchingEnvNames(entry, hostEnv)) copyFromHost(name);
  }
  for (const [name, value] of task.env.override) env.set(name, value);
  return Object.fromEntries([...env].sort(([a], [b]) => compareBytes(a, b)));
}
