/**
 * Whether `haz init` may create a workspace in `<dir>` (05-cli.md AUX-002): not when
 * `<dir>/.haz/workspace.yml` exists in any form; allowed, with a note, inside another workspace.
 *
 * @module
 */

import { lstat, stat } from "node:fs/promises";
import { dirname, join } from "node:path";

/** The refusal of 05-cli.md §7.1 when stdin is not a terminal. */
export const NO_TERMINAL = "error: haz init needs an interactive terminal (stdin is not a TTY)\n" +
  "help: use 'haz init --yes' to write a minimal workspace without questions\n";

/** What `<dir>` looks like to `haz init`. */
export type InitTarget =
  | { readonly kind: "has-workspace" }
  | { readonly kind: "free"; readonly enclosingRoot: string | null };

/**
 * Inspects `<dir>` (a real host path). `has-workspace` when `.haz/workspace.yml` exists as any
 * file type, a dangling symlink included; otherwise `enclosingRoot` is the nearest ancestor that
 * is a workspace root by DISC-001 (`.haz/workspace.yml` a regular file or a symlink to one), or null.
 *
 * @example
 * ```ts
 * await inspectInitTarget("/repo/tools/new"); // { kind: "free", enclosingRoot: "/repo" }
 * ```
 */
export async function inspectInitTarget(dir: string): Promise<InitTarget> {
  try {
    await lstat(join(dir, ".haz", "workspace.yml"));
    return { kind: "has-workspace" };
  } catch {
    // Absent (or unreachable): init may go on.
  }
  for (let current = dir; dirname(current) !== current;) {
    current = dirname(current);
    if (await isRegularFile(join(current, ".haz", "workspace.yml"))) {
      return { kind: "free", enclosingRoot: current };
    }
  }
  return { kind: "free", enclosingRoot: null };
}

/**
 * The refusal line of AUX-002.
 *
 * @example
 * ```ts
 * refusalMessage("/repo"); // "error: /repo already has a haz workspace (.haz/workspace.yml exists)\n"
 * ```
 */
export function refusalMessage(dir: string): string {
  return `error: ${dir} already has a haz workspace (.haz/workspace.yml exists)\n`;
}

/**
 * The note of AUX-002 for a `<dir>` inside another workspace.
 *
 * @example
 * ```ts
 * enclosingWorkspaceNote("/repo/tools/new", "/repo");
 * // "note: /repo/tools/new is inside the workspace at /repo; commands started below /repo/tools/new will use the new workspace\n"
 * ```
 */
export function enclosingWorkspaceNote(dir: string, root: string): string {
  return `note: ${dir} is inside the workspace at ${root}; commands started below ${dir} will use the new workspace\n`;
}

async function isRegularFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
