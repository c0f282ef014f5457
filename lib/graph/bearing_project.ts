/**
 * DISC-010 / SEL-001: the bearing project of a command is the deepest project whose root contains the
 * start directory.
 *
 * @module
 */

import { relative, sep } from "node:path";
import type { Project, Workspace } from "../domain/workspace.ts";

/**
 * Finds the bearing project of a real start directory, or null when no project root contains it.
 *
 * @example
 * ```ts
 * findBearingProject(workspace, "/home/me/shop/apps/web/src")?.name; // "web"
 * ```
 */
export function findBearingProject(workspace: Workspace, startDir: string): Project | null {
  const relativeDir = relative(workspace.root, startDir).split(sep).join("/");
  if (relativeDir === ".." || relativeDir.startsWith("../")) return null;
  let bearing: Project | null = null;
  for (const project of workspace.projects) {
    const contains = project.dir === "." || relativeDir === project.dir ||
      relativeDir.startsWith(`${project.dir}/`);
    if (contains && (bearing === null || project.dir.length > bearing.dir.length)) bearing = project;
  }
  return bearing;
}
