/**
 * What a generated workspace needs around its files before the tools run in it: a git repository
 * (turbo and moon hash through git, as in real repositories), the peers' `node_modules` linked in (nx
 * insists on a local installation), the plain-loop command list, and output removal between runs.
 *
 * @module
 */

import { rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ProcessSpawner } from "../lib/exec/process.ts";
import { measureCommand } from "./measure_command.ts";
import { BUILD_COMMAND, type SyntheticWorkspace } from "./synthetic_workspace.ts";

/** Options of {@link initGitRepository}. */
export interface GitOptions {
  readonly spawner: ProcessSpawner;
  readonly root: string;
  readonly env: Readonly<Record<string, string>>;
  readonly scratch: string;
}

/**
 * `git init`, add everything and commit; returns false when git is missing or fails (the tools then
 * hash without git).
 *
 * @example
 * ```ts
 * await initGitRepository({ spawner, root: "/tmp/ws", env, scratch }); // true
 * ```
 */
export async function initGitRepository(options: GitOptions): Promise<boolean> {
  const env = {
    ...options.env,
    GIT_AUTHOR_NAME: "bench",
    GIT_AUTHOR_EMAIL: "bench@example.invalid",
    GIT_COMMITTER_NAME: "bench",
    GIT_COMMITTER_EMAIL: "bench@example.invalid",
  };
  for (const args of [["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "bench"]]) {
    try {
      const step = await measureCommand(options.spawner, {
        argv: ["git", ...args],
        cwd: options.root,
        env,
        rss: false,
        scratch: options.scratch,
      });
      if (step.exitCode !== 0) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * Links `<root>/node_modules` to the peers' installation (ignored by git and by every tool's
 * project discovery).
 *
 * @example
 * ```ts
 * await linkNodeModules("/tmp/ws", "/tmp/haz-bench-peers/node_modules");
 * ```
 */
export async function linkNodeModules(root: string, nodeModules: string): Promise<void> {
  await symlink(nodeModules, join(root, "node_modules"));
}

/**
 * Writes the plain loop's input: one `cd <dir> && <build command>` line per project, in project
 * (topological) order, for `xargs -P <n> -d '\n' -n 1 sh -c`.
 *
 * @example
 * ```ts
 * const file = await writeLoopCommands(workspace, "/tmp/scratch/loop-100.txt");
 * ```
 */
export async function writeLoopCommands(workspace: SyntheticWorkspace, path: string): Promise<string> {
  const lines = workspace.projectDirs.map((dir) => `cd ${dir} && ${BUILD_COMMAND}`);
  await writeFile(path, lines.join("\n") + "\n");
  return path;
}

/**
 * The plain loop at a given concurrency, as an argv (GNU xargs reads the command file itself, since
 * measured commands get no stdin).
 *
 * @example
 * ```ts
 * plainLoopArgv("/tmp/scratch/loop-100.txt", 2); // ["xargs", "-a", …, "-P", "2", …]
 * ```
 */
export function plainLoopArgv(commandFile: string, concurrency: number): string[] {
  return ["xargs", "-a", commandFile, "-P", String(concurrency), "-d", "\\n", "-n", "1", "sh", "-c"];
}

/**
 * Deletes every project's `dist` directory (the outputs of all tools, which write the same files).
 *
 * @example
 * ```ts
 * await removeOutputs(workspace);
 * ```
 */
export async function removeOutputs(workspace: SyntheticWorkspace): Promise<void> {
  await Promise.all(
    workspace.projectDirs.map((dir) =>
      rm(join(workspace.root, dir, "dist"), { recursive: true, force: true })
    ),
  );
}
