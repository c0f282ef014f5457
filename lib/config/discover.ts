/**
 * Finding the workspace root (01-workspace.md DISC-001/002): the nearest ancestor of the start
 * directory, real paths throughout, holding `.haz/workspace.yml` as a regular file.
 *
 * @module
 */

import { realpathSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { type Diagnostic, errorDiagnostic } from "../domain/diagnostic.ts";

/** Whether `path` is a regular file (a symlink to one counts). */
function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The real path of a start directory (DISC-002); the path as given, made absolute, when it cannot be
 * resolved (the CLI reports a missing `-C` directory before loading). Discovery uses synchronous calls:
 * these few are the only file-system work of a command with a valid snapshot that would otherwise go
 * through the runtime's thread pool, whose start-up and round trips cost a fully cached run several
 * milliseconds.
 *
 * @example
 * ```ts
 * realStartDir("."); // e.g. "/home/me/shop"
 * ```
 */
export function realStartDir(startDir: string): string {
  try {
    return realpathSync.native(startDir);
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
export function locateWorkspace(startDir: string): Promise<WorkspaceLocation> {
  const start = realStartDir(startDir);
  for (let dir = start;; dir = dirname(dir)) {
    if (isRegularFile(join(dir, ".haz", "workspace.yml"))) {
      return Promise.resolve({ startDir: start, root: dir });
    }
    if (dirname(dir) === dir) return Promise.resolve({ startDir: start, root: null });
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
