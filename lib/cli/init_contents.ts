/**
 * The exact texts `haz init` writes (05-cli.md §7.1 "Contents", AUX-007/008).
 *
 * @module
 */

import { parse } from "yaml";
import { compareBytes } from "../domain/task_id.ts";

/** `.haz/workspace.yml` of `haz init --yes` and of an interactive plan without projects. */
export const EMPTY_WORKSPACE_YML = "projects: []\n";

const PLAIN_PATH = /^[A-Za-z0-9._/-]+$/;

/**
 * A new project file: `tasks: {}`, preceded by `name: <name>` when the name differs from the
 * directory's basename.
 *
 * @example
 * ```ts
 * hazYmlContent("core", "core"); // "tasks: {}\n"
 * hazYmlContent("my-app", "my app"); // "name: my-app\ntasks: {}\n"
 * ```
 */
export function hazYmlContent(name: string, basename: string): string {
  return name === basename ? "tasks: {}\n" : `name: ${yamlScalar(name)}\ntasks: {}\n`;
}

/**
 * `.haz/workspace.yml` listing the project paths (relative to `<dir>`, `.` for it) in bytewise
 * order; `projects: []` when there are none.
 *
 * @example
 * ```ts
 * workspaceYmlContent(["packages/b", "my app"]); // 'projects:\n  - "my app"\n  - packages/b\n'
 * ```
 */
export function workspaceYmlContent(paths: readonly string[]): string {
  if (paths.length === 0) return EMPTY_WORKSPACE_YML;
  const sorted = [...paths].sort(compareBytes);
  return `projects:\n${sorted.map((path) => `  - ${yamlScalar(path)}\n`).join("")}`;
}

/**
 * A string as a YAML scalar: plain when it is made only of `[A-Za-z0-9._/-]`, does not start with
 * `-`, and reads back as the same string; otherwise a double-quoted JSON string. The read-back
 * check quotes texts such as `2024`, `true` or `null`, which YAML's core schema would turn into a
 * number, a boolean or null.
 *
 * @example
 * ```ts
 * yamlScalar("packages/a"); // "packages/a"
 * yamlScalar("my app"); // '"my app"'
 * yamlScalar("2024"); // '"2024"'
 * ```
 */
export function yamlScalar(text: string): string {
  const plain = PLAIN_PATH.test(text) && !text.startsWith("-") && parse(text) === text;
  return plain ? text : JSON.stringify(text);
}
