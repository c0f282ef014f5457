/**
 * The packages of a source workspace and its package manager (08-adoption.md ADOPT-010, 012, 014).
 *
 * @module
 */

import { compareBytes } from "../domain/task_id.ts";
import { expandMemberPatterns } from "../util/member_patterns.ts";
import type { AdoptWarning, PackageManager, SourcePackage } from "./source_model.ts";
import { asObject, readSourceFile, sourceFileExists, stringList } from "./source_files.ts";

/** Packages of a `package-json` or `turbo` source, or the error lines. */
export type PackagesRead =
  | {
    readonly ok: true;
    readonly packages: SourcePackage[];
    /** `package.json`, plus `pnpm-workspace.yaml` when it declared the packages. */
    readonly workspaceFiles: string[];
  }
  | { readonly ok: false; readonly errors: string[] };

const DEPENDENCY_FIELDS = ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"];

/**
 * ADOPT-010 for `package-json` and `turbo`: the root package plus the directories of
 * `pnpm-workspace.yaml` `packages` (when that file exists) or of `package.json` `workspaces`, each
 * holding a `package.json`; sorted bytewise by directory, the root first.
 *
 * @example
 * ```ts
 * const read = await readNodePackages("/repo");
 * if (read.ok) read.packages.map((p) => p.dir); // [".", "packages/a"]
 * ```
 */
export async function readNodePackages(dir: string): Promise<PackagesRead> {
  const rootRead = readSourceFile(dir, "package.json");
  if (!rootRead.ok) return { ok: false, errors: [rootRead.error] };
  const root = asObject(rootRead.value);
  const workspaceFiles = ["package.json"];
  let patterns: string[];
  if (sourceFileExists(dir, "pnpm-workspace.yaml")) {
    const pnpm = readSourceFile(dir, "pnpm-workspace.yaml");
    if (!pnpm.ok) return { ok: false, errors: [pnpm.error] };
    patterns = stringList(asObject(pnpm.value).packages);
    workspaceFiles.push("pnpm-workspace.yaml");
  } else {
    const declared = root.workspaces;
    patterns = stringList(Array.isArray(declared) ? declared : asObject(declared).packages);
  }
  const directories = patterns.length === 0 ? [] : await expandMemberPatterns({ root: dir, patterns });
  const members = directories
    .filter((path) => path !== "." && sourceFileExists(dir, `${path}/package.json`))
    .sort(compareBytes);
  const packages = [nodePackage(".", "package.json", root)];
  const errors: string[] = [];
  for (const member of members) {
    const manifest = `${member}/package.json`;
    const read = readSourceFile(dir, manifest);
    if (!read.ok) errors.push(read.error);
    else packages.push(nodePackage(member, manifest, asObject(read.value)));
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, packages, workspaceFiles };
}

/**
 * A package from its parsed `package.json`.
 *
 * @example
 * ```ts
 * nodePackage("packages/a", "packages/a/package.json", { name: "a", scripts: { build: "tsc" } }).name; // "a"
 * ```
 */
export function nodePackage(dir: string, manifest: string, json: Record<string, unknown>): SourcePackage {
  const scripts = new Map<string, string>();
  for (const [name, text] of Object.entries(asObject(json.scripts))) {
    if (typeof text === "string") scripts.set(name, text);
  }
  const dependencyNames = new Set<string>();
  for (const field of DEPENDENCY_FIELDS) {
    for (const name of Object.keys(asObject(json[field]))) dependencyNames.add(name);
  }
  return {
    dir,
    name: typeof json.name === "string" ? json.name : null,
    manifest,
    scripts,
    dependencyNames: [...dependencyNames].sort(compareBytes),
    isRoot: dir === ".",
  };
}

/** The package manager and lockfile of ADOPT-012. */
export interface PackageManagerChoice {
  readonly pm: PackageManager;
  readonly lockfile: string | null;
  readonly warnings: AdoptWarning[];
}

const LOCKFILES: readonly (readonly [string, PackageManager])[] = [
  ["bun.lock", "bun"],
  ["bun.lockb", "bun"],
  ["pnpm-lock.yaml", "pnpm"],
  ["yarn.lock", "yarn-classic"],
  ["package-lock.json", "npm"],
  ["npm-shrinkwrap.json", "npm"],
];

/**
 * ADOPT-012: `packageManager` of the root `package.json`, else the first lockfile, else npm; several
 * lockfiles give W-PM.
 *
 * @example
 * ```ts
 * choosePackageManager("/repo", { packageManager: "pnpm@9.0.0" }).pm; // "pnpm"
 * ```
 */
export function choosePackageManager(dir: string, rootJson: Record<string, unknown>): PackageManagerChoice {
  const present = LOCKFILES.filter(([file]) => sourceFileExists(dir, file));
  const warnings: AdoptWarning[] = [];
  const declared = typeof rootJson.packageManager === "string" ? rootJson.packageManager : "";
  const [declaredName, declaredVersion = ""] = declared.split("@");
  const berry = sourceFileExists(dir, ".yarnrc.yml");
  const fromField: PackageManager | null = declaredName === "npm" || declaredName === "pnpm" ||
      declaredName === "bun"
    ? declaredName
    : declaredName === "yarn"
    ? (declaredVersion.startsWith("1.") ? "yarn-classic" : "yarn-berry")
    : null;
  if (fromField === null && present.length > 1) {
    warnings.push({
      level: "warning",
      file: "package.json",
      path: "lockfile",
      text: `several lockfiles found; using ${present[0][0]}`,
      origin: null,
      nodeId: null,
    });
  }
  const lockfile = present.length > 0 ? present[0][0] : null;
  if (fromField !== null) return { pm: fromField, lockfile, warnings };
  if (present.length === 0) return { pm: "npm", lockfile: null, warnings };
  const pm = present[0][1] === "yarn-classic" && berry ? "yarn-berry" : present[0][1];
  return { pm, lockfile, warnings };
}

/**
 * ADOPT-014: the packages a package depends on, by package name.
 *
 * @example
 * ```ts
 * workspaceDependencies(web, byName); // [ui]
 * ```
 */
export function workspaceDependencies(
  pkg: SourcePackage,
  byName: ReadonlyMap<string, SourcePackage>,
): SourcePackage[] {
  const found: SourcePackage[] = [];
  for (const name of pkg.dependencyNames) {
    const target = byName.get(name);
    if (target !== undefined && target !== pkg) found.push(target);
  }
  return found;
}
