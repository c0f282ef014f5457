/**
 * Project names of an import (08-adoption.md ADOPT-011): `root` for the workspace root, the basename
 * rule of `haz init` for the others, and with `--yes` the package name or the path when that is
 * empty or taken.
 *
 * @module
 */

import { deriveProjectName } from "../domain/identifier.ts";
import { compareBytes } from "../domain/task_id.ts";

/** Asks for a name (interactive import); null when the user stopped answering (end of input or Ctrl-C). */
export type NameQuestion = (dir: string, taken: ReadonlySet<string>) => Promise<string | null>;

/** A package to name. */
export interface NamedDirectory {
  readonly dir: string;
  readonly packageName: string | null;
}

/** The names by directory, or why naming stopped. */
export type NamingOutcome =
  | { readonly ok: true; readonly names: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly error: string | null };

/**
 * Names the projects; `ask` is used for an empty or taken basename, else the `--yes` fallbacks apply.
 * `error: null` means the question went unanswered.
 *
 * @example
 * ```ts
 * const outcome = await nameProjects([{ dir: ".", packageName: null }, { dir: "packages/ui", packageName: "@acme/ui" }]);
 * outcome.ok && outcome.names.get("packages/ui"); // "ui"
 * ```
 */
export async function nameProjects(
  directories: readonly NamedDirectory[],
  ask?: NameQuestion,
): Promise<NamingOutcome> {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  const others = directories.filter((item) => item.dir !== ".").sort((a, b) => compareBytes(a.dir, b.dir));
  if (directories.some((item) => item.dir === ".")) {
    const clash = others.some((item) => deriveProjectName(basenameOf(item.dir)) === "root");
    const rootName = clash ? "workspace-root" : "root";
    names.set(".", rootName);
    taken.add(rootName);
  }
  for (const item of others) {
    const derived = deriveProjectName(basenameOf(item.dir));
    let name: string | null = derived !== null && !taken.has(derived) ? derived : null;
    if (name === null && ask !== undefined) {
      name = await ask(item.dir, taken);
      if (name === null) return { ok: false, error: null };
    }
    if (name === null) {
      const fromPackage = item.packageName === null
        ? null
        : deriveProjectName(item.packageName.replaceAll("@", "").replaceAll("/", "-"));
      const fromPath = deriveProjectName(item.dir.replaceAll("/", "-"));
      name = [fromPackage, fromPath].find((candidate) => candidate != null && !taken.has(candidate)) ?? null;
    }
    if (name === null) return { ok: false, error: `error: cannot name the project in ${item.dir}` };
    names.set(item.dir, name);
    taken.add(name);
  }
  return { ok: true, names };
}

/**
 * The last segment of a `/`-separated path.
 *
 * @example
 * ```ts
 * basenameOf("packages/ui"); // "ui"
 * ```
 */
export function basenameOf(dir: string): string {
  return dir.slice(dir.lastIndexOf("/") + 1);
}
