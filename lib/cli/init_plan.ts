/**
 * What `haz init` will write, how it shows that (05-cli.md AUX-005), and the commit that writes it
 * (AUX-006): new `haz.yml` files first in bytewise path order, then `.haz/` and
 * `.haz/workspace.yml`, so an interrupted commit never lists a project without its `haz.yml`.
 *
 * @module
 */

import { compareBytes } from "../domain/task_id.ts";
import { hostPath } from "../util/directory_walk.ts";
import { createFileDurably, ensureDirectoryDurably } from "./init_atomic_write.ts";
import { hazYmlContent, workspaceYmlContent } from "./init_contents.ts";
import { hazYmlPath } from "./init_names.ts";

/** Path of the workspace file relative to `<dir>`. */
export const WORKSPACE_YML_PATH = ".haz/workspace.yml";

/** A selected project, named. */
export interface PlannedProject {
  /** `/`-separated path relative to `<dir>` (`.` for `<dir>`). */
  readonly path: string;
  readonly name: string;
  /** The directory's basename (of `<dir>` for `.`). */
  readonly basename: string;
  /** Its existing `haz.yml` is kept as it is. */
  readonly hasHazYml: boolean;
}

/** One file to create, by path relative to `<dir>`. */
export interface PlannedFile {
  readonly path: string;
  readonly content: string;
}

/** Everything a confirmed `haz init` writes and keeps. */
export interface InitPlan {
  /** New `haz.yml` files, in bytewise path order. */
  readonly newProjectFiles: readonly PlannedFile[];
  /** Existing `haz.yml` files of selected projects, in bytewise path order. */
  readonly keptProjectFiles: readonly string[];
  /** `.haz/workspace.yml`, written last. */
  readonly workspaceFile: PlannedFile;
  readonly projectCount: number;
}

/** Where a commit stopped: the files written (in order) and the failure, if any. */
export interface CommitResult {
  readonly written: readonly string[];
  readonly failure: { readonly path: string; readonly reason: string } | null;
}

/**
 * Plans the files for the selected projects; with none, the workspace file is `projects: []`.
 *
 * @example
 * ```ts
 * const plan = buildInitPlan([{ path: "packages/a", name: "a", basename: "a", hasHazYml: false }]);
 * plan.newProjectFiles; // [{ path: "packages/a/haz.yml", content: "tasks: {}\n" }]
 * plan.workspaceFile.content; // "projects:\n  - packages/a\n"
 * ```
 */
export function buildInitPlan(projects: readonly PlannedProject[]): InitPlan {
  const newProjectFiles = projects
    .filter((project) => !project.hasHazYml)
    .map((project) => ({
      path: hazYmlPath(project.path),
      content: hazYmlContent(project.name, project.basename),
    }))
    .sort((a, b) => compareBytes(a.path, b.path));
  const keptProjectFiles = projects
    .filter((project) => project.hasHazYml)
    .map((project) => hazYmlPath(project.path))
    .sort(compareBytes);
  return {
    newProjectFiles,
    keptProjectFiles,
    workspaceFile: {
      path: WORKSPACE_YML_PATH,
      content: workspaceYmlContent(projects.map((project) => project.path)),
    },
    projectCount: projects.length,
  };
}

/**
 * The `Will write:` / `Will keep:` block shown before the confirmation (AUX-005).
 *
 * @example
 * ```ts
 * describePlan(buildInitPlan([])); // "Will write:\n  .haz/workspace.yml (0 projects)\n"
 * ```
 */
export function describePlan(plan: InitPlan): string {
  const count = `${plan.projectCount} project${plan.projectCount === 1 ? "" : "s"}`;
  const lines = [
    "Will write:",
    ...plan.newProjectFiles.map((file) => `  ${file.path}`),
    `  ${plan.workspaceFile.path} (${count})`,
  ];
  if (plan.keptProjectFiles.length > 0) {
    lines.push("Will keep:", ...plan.keptProjectFiles.map((path) => `  ${path}`));
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Writes the plan under `<dir>` (a host path) in the AUX-006 order, each file durably and never over
 * an existing one, and stops at the first failure.
 *
 * @example
 * ```ts
 * const result = await commitInitPlan("/repo", buildInitPlan([]));
 * result.written; // [".haz/workspace.yml"]
 * ```
 */
export async function commitInitPlan(dir: string, plan: InitPlan): Promise<CommitResult> {
  const written: string[] = [];
  for (const file of plan.newProjectFiles) {
    const outcome = await createFileDurably(hostPath(dir, file.path), file.content);
    if (!outcome.ok) return { written, failure: { path: file.path, reason: outcome.reason } };
    written.push(file.path);
  }
  const hazDirectory = await ensureDirectoryDurably(hostPath(dir, ".haz"));
  if (!hazDirectory.ok) return { written, failure: { path: ".haz/", reason: hazDirectory.reason } };
  const workspace = await createFileDurably(
    hostPath(dir, plan.workspaceFile.path),
    plan.workspaceFile.content,
  );
  if (!workspace.ok) return { written, failure: { path: plan.workspaceFile.path, reason: workspace.reason } };
  written.push(plan.workspaceFile.path);
  return { written, failure: null };
}
