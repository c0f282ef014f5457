/**
 * The source side of an import (08-adoption.md §3): packages, the source task graph and the warnings
 * found while reading it.
 *
 * @module
 */

/** The source kinds of ADOPT-002. */
export type SourceKind = "turbo" | "package-json" | "deno";

/** Package managers of ADOPT-012 (`deno` for Deno sources). */
export type PackageManager = "npm" | "pnpm" | "yarn-classic" | "yarn-berry" | "bun" | "deno";

/** A member of the source workspace (ADOPT-010). */
export interface SourcePackage {
  /** `/`-separated path relative to `<dir>`; `.` for the root package. */
  readonly dir: string;
  /** `name` of its manifest; null when absent. */
  readonly name: string | null;
  /** Manifest path relative to `<dir>` (`packages/ui/package.json`, `api/deno.json`). */
  readonly manifest: string;
  /** `package.json` scripts (empty for a Deno member without one). */
  readonly scripts: ReadonlyMap<string, string>;
  /** Every dependency name of the four dependency fields (ADOPT-014). */
  readonly dependencyNames: readonly string[];
  readonly isRoot: boolean;
}

/** Where a part of a task definition is written: a file and the key of its task entry. */
export interface EntryOrigin {
  readonly file: string;
  readonly key: string;
  /** The JSON path prefix of the entry (`tasks.build`, `scripts.build`). */
  readonly path: string;
}

/** What a real source task runs. */
export type SourceAction =
  | { readonly kind: "script"; readonly script: string }
  | { readonly kind: "deno"; readonly command: string }
  | { readonly kind: "argv"; readonly argv: readonly string[] };

/** The effective definition of a source task, as far as the mapping needs it. */
export interface SourceDefinition {
  readonly dependsOn: readonly string[];
  /** Explicit `inputs` / Deno `files`; null when absent (the package's default files). */
  readonly inputs: readonly string[] | null;
  readonly outputs: readonly string[];
  readonly cache: boolean;
  readonly persistent: boolean;
  readonly interactive: boolean;
  readonly env: readonly string[];
  readonly passThroughEnv: readonly string[];
  /** turbo `command` under `experimentalTaskCommand`: argv, `[]` for the opt-out, null when absent. */
  readonly command: readonly string[] | null;
  readonly description: string | null;
  /** The entries it was built from, in the order they applied. */
  readonly origins: readonly EntryOrigin[];
  /** The entry whose `dependsOn` applies; null when none. */
  readonly dependsOnOrigin: EntryOrigin | null;
}

/** A (package, task name) node of the source graph (ADOPT-021..023). */
export interface SourceNode {
  /** turbo's task id: `<package name>#<task>`, `//#<task>` for the root. */
  readonly id: string;
  readonly pkg: SourcePackage;
  /** The source task name. */
  readonly name: string;
  /** What it runs; null for a no-op node (and for a Deno aggregate, see `aggregate`). */
  readonly action: SourceAction | null;
  /** A Deno object task without `command`: imported as an aggregate (ADOPT-030). */
  readonly aggregate: boolean;
  readonly definition: SourceDefinition;
  /** Direct predecessors ("must finish before"). */
  readonly preds: SourceNode[];
}

/** A warning or note of §6. */
export interface AdoptWarning {
  readonly level: "warning" | "note";
  readonly file: string;
  readonly path: string;
  readonly text: string;
  /** The task entry it concerns (its comment goes to every task built from it); null for others. */
  readonly origin: EntryOrigin | null;
  /** A single node it concerns (W-DROPPED-DEP); null otherwise. */
  readonly nodeId: string | null;
}

/** Everything read from the source, ready for mapping. */
export interface SourceWorkspace {
  readonly kind: SourceKind;
  readonly pm: PackageManager;
  readonly packages: readonly SourcePackage[];
  /** Every node, in creation order. */
  readonly nodes: readonly SourceNode[];
  /** Files that define the workspace (`package.json`, `pnpm-workspace.yaml`, `deno.json`). */
  readonly workspaceFiles: readonly string[];
  /** The root configuration file (`turbo.json`, `deno.json`), null for `package-json`. */
  readonly rootConfig: string | null;
  readonly lockfile: string | null;
  /** ADOPT-044: `globalDependencies` entries, as written (relative to the root). */
  readonly globalDependencies: readonly string[];
  readonly globalEnv: readonly string[];
  readonly globalPassThroughEnv: readonly string[];
  readonly concurrency: number | null;
  /** Package directory → its turbo `tags`. */
  readonly tags: ReadonlyMap<string, readonly string[]>;
  readonly warnings: AdoptWarning[];
}

/**
 * A warning line of ADOPT-060 (`warning: <file>: <path>: <text>`, or `note: …`).
 *
 * @example
 * ```ts
 * warningLine({ level: "warning", file: "turbo.json", path: "tasks.dev.persistent", text: "…", origin: null, nodeId: null });
 * // "warning: turbo.json: tasks.dev.persistent: …"
 * ```
 */
export function warningLine(warning: AdoptWarning): string {
  return warning.path === ""
    ? `${warning.level}: ${warning.file}: ${warning.text}`
    : `${warning.level}: ${warning.file}: ${warning.path}: ${warning.text}`;
}
