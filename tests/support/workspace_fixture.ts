/**
 * Test helper: writes a workspace tree described as `Record<relativePath, entry>` into a fresh temp
 * directory (real path, under `os.tmpdir()`), and removes it afterwards.
 *
 * @module
 */

import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** One entry of a fixture tree: file text, file bytes, a symbolic link, or an (empty) directory. */
export type FixtureEntry = string | Uint8Array | { readonly symlink: string } | { readonly directory: true };

/** A workspace tree written to disk. */
export interface WorkspaceFixture {
  /** Real host path of the temp directory (the workspace root when the tree holds `.haz/workspace.yml`). */
  readonly root: string;
  /** Host path of a `/`-separated path relative to the root. */
  path(relative: string): string;
  /** Writes more entries (overwriting files). */
  write(entries: Readonly<Record<string, FixtureEntry>>): Promise<void>;
  /** Removes the whole tree. */
  remove(): Promise<void>;
}

/** Writes the entries in order; parents are created as needed. */
async function writeEntries(root: string, entries: Readonly<Record<string, FixtureEntry>>): Promise<void> {
  for (const [relative, entry] of Object.entries(entries)) {
    const target = join(root, ...relative.split("/"));
    if (typeof entry === "object" && "directory" in entry) {
      await mkdir(target, { recursive: true });
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    if (typeof entry === "object" && "symlink" in entry) {
      await symlink(entry.symlink, target);
    } else {
      await writeFile(target, entry);
    }
  }
}

/**
 * Creates a temp directory holding the given tree. Paths use `/`; text is written as UTF-8.
 *
 * @example
 * ```ts
 * const fixture = await createWorkspaceFixture({
 *   ".haz/workspace.yml": "projects: [web]\n",
 *   "web/haz.yml": "tasks: {build: {command: [tsc]}}\n",
 *   "web/src": { directory: true },
 *   "web/link": { symlink: "src" },
 * });
 * try {
 *   // ... loadConfig(fixture.root) ...
 * } finally {
 *   await fixture.remove();
 * }
 * ```
 */
export async function createWorkspaceFixture(
  entries: Readonly<Record<string, FixtureEntry>>,
): Promise<WorkspaceFixture> {
  const root = await realpath(await mkdtemp(join(tmpdir(), "haz-fixture-")));
  await writeEntries(root, entries);
  return {
    root,
    path: (relative) => join(root, ...relative.split("/")),
    write: (more) => writeEntries(root, more),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/**
 * Runs `body` with a fixture and always removes the tree afterwards.
 *
 * @example
 * ```ts
 * const count = await withWorkspaceFixture({ ".haz/workspace.yml": "" }, (fixture) => fixture.root.length);
 * ```
 */
export async function withWorkspaceFixture<T>(
  entries: Readonly<Record<string, FixtureEntry>>,
  body: (fixture: WorkspaceFixture) => T | Promise<T>,
): Promise<T> {
  const fixture = await createWorkspaceFixture(entries);
  try {
    return await body(fixture);
  } finally {
    await fixture.remove();
  }
}
