/**
 * From a task's action to a {@link SpawnPlan} (04-execution.md §4 step 6).
 *
 * @module
 */

import { join } from "node:path";
import type { TaskAction } from "../domain/workspace.ts";
import type { SpawnPlan } from "./process.ts";

/** What a plan needs besides the action. */
export interface SpawnPlanOptions {
  /** Real host path of the workspace root. */
  readonly workspaceRoot: string;
  /** Workspace-absolute project root, `/` or `/libs/core` (CFG-041). */
  readonly projectRoot: string;
  /** The complete child environment (CFG-040). */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * `command: [p, a…]` runs `p` with `[a…]`; a shell action runs `<shell> -c <script>` (`sh` for the
 * string form); the working directory is the project root on the host.
 *
 * @example
 * ```ts
 * spawnPlan({ kind: "shell", shell: "sh", script: "echo hi" }, { workspaceRoot: "/w", projectRoot: "/app", env: {} });
 * // { program: "sh", args: ["-c", "echo hi"], env: {}, cwd: "/w/app" }
 * ```
 */
export function spawnPlan(action: TaskAction, options: SpawnPlanOptions): SpawnPlan {
  const cwd = hostPathOf(options.workspaceRoot, options.projectRoot);
  if (action.kind === "command") {
    const [program, ...args] = action.argv;
    return { program, args, env: options.env, cwd };
  }
  return { program: action.shell, args: ["-c", action.script], env: options.env, cwd };
}

/**
 * Maps a workspace-absolute path onto the host.
 *
 * @example
 * ```ts
 * hostPathOf("/w", "/"); // "/w"
 * hostPathOf("/w", "/libs/core"); // "/w/libs/core"
 * ```
 */
export function hostPathOf(workspaceRoot: string, workspacePath: string): string {
  return workspacePath === "/" ? workspaceRoot : join(workspaceRoot, workspacePath.slice(1));
}
