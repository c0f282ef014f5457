/**
 * Changed paths for the git selection filters (02-graph.md SEL-007), by running `git` through the
 * process port like any other program.
 *
 * @module
 */

import type { ProcessSpawner } from "../exec/process.ts";
import type { Clock } from "../util/clock.ts";
import { superviseProcess } from "../exec/supervise_process.ts";

/** Which changeset to compute. */
export type GitFilter =
  | { readonly kind: "changed" }
  | { readonly kind: "staged" }
  | { readonly kind: "changed-since"; readonly revision: string };

/** Collaborators and settings of {@link gitChangedPaths}. */
export interface GitChangesOptions {
  readonly spawner: ProcessSpawner;
  readonly clock: Clock;
  /** Real host path of the workspace root; git runs there. */
  readonly workspaceRoot: string;
  /** The host environment git runs with. */
  readonly env: Readonly<Record<string, string>>;
  readonly filter: GitFilter;
}

/** Workspace-absolute changed paths, or the SEL-007 message. */
export type GitChanges =
  | { readonly ok: true; readonly paths: ReadonlySet<string> }
  | { readonly ok: false; readonly message: string };

/**
 * Computes the changed paths of a filter: tracked differences (deletions count, renames count as both
 * paths) plus, except for `staged`, untracked files that are not ignored. Paths below `/.haz/cache/`
 * are dropped; `--relative` keeps only paths inside the workspace.
 *
 * @example
 * ```ts
 * const changes = await gitChangedPaths({ spawner, clock, workspaceRoot, env, filter: { kind: "changed" } });
 * if (changes.ok) changes.paths.has("/libs/util/src/a.js");
 * ```
 */
export async function gitChangedPaths(options: GitChangesOptions): Promise<GitChanges> {
  const git = (args: string[]) => runGit(options, args);
  const inside = await git(["rev-parse", "--is-inside-work-tree"]);
  if (!inside.ok) {
    const message = inside.spawnFailed
      ? inside.message
      : `${options.workspaceRoot} is not inside a git work tree`;
    return { ok: false, message };
  }
  if (inside.stdout.trim() !== "true") {
    return { ok: false, message: `${options.workspaceRoot} is not inside a git work tree` };
  }
  const base = options.filter.kind === "changed-since" ? options.filter.revision : "HEAD";
  const verified = await git(["rev-parse", "--verify", "--quiet", `${base}^{commit}`]);
  if (!verified.ok) {
    return {
      ok: false,
      message: verified.spawnFailed ? verified.message : `\`${base}\` is not a valid revision`,
    };
  }
  const listings = options.filter.kind === "staged"
    ? [["diff", "--cached", "--name-only", "-z", "--no-renames", "--relative", "HEAD"]]
    : [
      ["diff", "--name-only", "-z", "--no-renames", "--relative", base],
      ["ls-files", "--others", "--exclude-standard", "-z"],
    ];
  const paths = new Set<string>();
  for (const args of listings) {
    const listed = await git(args);
    if (!listed.ok) return { ok: false, message: listed.message };
    for (const relative of listed.stdout.split("\0")) {
      if (relative === "") continue;
      const path = `/${relative}`;
      if (path.startsWith("/.haz/cache/")) continue;
      paths.add(path);
    }
  }
  return { ok: true, paths };
}

type GitRun =
  | { readonly ok: true; readonly stdout: string }
  | { readonly ok: false; readonly message: string; readonly spawnFailed: boolean };

async function runGit(options: GitChangesOptions, args: string[]): Promise<GitRun> {
  let child;
  try {
    child = options.spawner.spawn({ program: "git", args, env: options.env, cwd: options.workspaceRoot });
  } catch (error) {
    return { ok: false, message: `git failed: ${(error as Error).message}`, spawnFailed: true };
  }
  const stdout: Uint8Array[] = [];
  const stderr: Uint8Array[] = [];
  const result = await superviseProcess(child, {
    spawner: options.spawner,
    clock: options.clock,
    onStdout: (chunk) => void stdout.push(chunk.slice()),
    onStderr: (chunk) => void stderr.push(chunk.slice()),
  }).finished;
  if (result.status?.code === 0) return { ok: true, stdout: decode(stdout) };
  const firstLine = decode(stderr).split("\n").find((line) => line.trim() !== "") ??
    `exit status ${result.status?.code ?? result.status?.signal ?? result.waitError}`;
  return { ok: false, message: `git failed: ${firstLine.trim()}`, spawnFailed: false };
}

function decode(chunks: Uint8Array[]): string {
  const joined = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(joined);
}
