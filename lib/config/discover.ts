/**
 * Finding the workspace root (01-workspace.md DISC-001/002): the nearest ancestor of the start
 * directory, real paths throughout, holding `.haz/workspace.yml` as a regular file.
 *
 * @module
 */

import { realpath, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { type Diagnostic, errorDiagnostic } from "../domain/diagnostic.ts";

/** Whether `path` is a regular file (a symlink to one counts). */
async function isRegularFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * The real path of a start directory (DISC-002); the path as given, made absolute, when it cannot be
 * resolved (the CLI reports a missing `-C` directory before loading).
 *
 * @example
 * ```ts
 * await realStartDir("."); // e.g. "/home/me/shop"
 * ```
 */
export async function realStartDir(startDir: string): Promise<string> {
  try {
    return await realpath(startDir);
  } catch {
    return resolve(startDir);
  }
}

/** Where the search started and what it found. */
export interface WorkspaceLocation {
  /** Real path of the start directory. */
  readonly startDir: string;
  /** Real path of the workspace root, or null when there is none. */
  readonly root: string | null;
}

/**
 * DISC-001/002 without the diagnostic: the real start directory and the nearest directory at or above
 * it that holds `.haz/workspace.yml` as a regular file.
 *
 * @example
 * ```ts
 * await locateWorkspace("/tmp/shop/web"); // { startDir: "/tmp/shop/web", root: "/tmp/shop" }
 * ```
 */
export async function locateWorkspace(startDir: string): Promise<WorkspaceLocation> {
  const start = await realStartDir(startDir);
  for (let dir = start;; dir = dirname(dir)) {
    if (await isRegularFile(join(dir, ".haz", "workspace.yml"))) return { startDir: start, root: dir };
    if (dirname(dir) === dir) return { startDir: start, root: null };
  }
}

/**
 * The DISC-001 diagnostic for a start directory with no workspace above it.
 *
 * @example
 * ```ts
 * noWorkspaceDiagnostic("/tmp/x").message; // "no haz workspace found in /tmp/x or any parent directory"
 * ```
 */
export function noWorkspaceDiagnostic(startDir: string): Diagnostic {
  return errorDiagnostic("DISC-001", `no haz workspace found in ${startDir} or any parent directory`, {
    phase: 1,
    help: "run `haz init` to create one",
  });
}

/**
 * DISC-001/002: the nearest directory, from the real start directory up to the filesystem root, that
 * holds `.haz/workspace.yml` as a regular file (a symlink to one counts).
 *
 * @example
 * ```ts
 * const found = await findWorkspaceRoot("/tmp/shop/web/src");
 * if (found.ok) found.root; // "/tmp/shop"
 * ```
 */
export async function findWorkspaceRoot(
  startDir: string,
): Promise<{ ok: true; root: string } | { ok: false; diagnostic: Diagnostic }> {
  const location = await locateWorkspace(startDir);
  if (location.root === null) return { ok: false, diagnostic: noWorkspaceDiagnostic(location.startDir) };
  return { ok: true, root: location.root };
}
