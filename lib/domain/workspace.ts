/**
 * The loaded, validated workspace (01-workspace.md): settings, projects and their effective tasks.
 * Produced by `lib/config`, merged by `lib/graph/overlay_merge.ts`, read by every later layer.
 *
 * @module
 */

import type { DiagnosticLocation } from "./diagnostic.ts";
import type { TaskId } from "./task_id.ts";

/** A parsed task reference (01-workspace.md §10). */
export type TaskRef =
  /** `p:t`, or `~:t` when `project` is null. */
  | { readonly form: "exact"; readonly project: string | null; readonly task: string; readonly text: string }
  /** `^:t`, or `^~:t` with `excludeOwn`. */
  | { readonly form: "every"; readonly excludeOwn: boolean; readonly task: string; readonly text: string }
  /** `[g]:t`, or `[g]~:t` with `excludeOwn`. */
  | {
    readonly form: "tag";
    readonly tag: string;
    readonly excludeOwn: boolean;
    readonly task: string;
    readonly text: string;
  };

/** A reference as declared in `deps` / `weakDeps`, with its position. */
export interface DeclaredRef {
  readonly ref: TaskRef;
  readonly location?: DiagnosticLocation;
}

/** A path pattern as written in a file (the `!` of an input exclusion removed). */
export interface PatternSpec {
  readonly text: string;
  readonly exclude: boolean;
  readonly location?: DiagnosticLocation;
}

/** A path pattern resolved against its project (PATH-001). */
export interface PathPattern {
  /** As written (without a leading `!`). */
  readonly written: string;
  /** Canonical workspace-absolute text; a glob's project part is escaped. */
  readonly canonical: string;
  /** PATH-008, decided on the pattern as written. */
  readonly isGlob: boolean;
  readonly location?: DiagnosticLocation;
}

/** What a task runs. */
export type TaskAction =
  | { readonly kind: "command"; readonly argv: readonly string[] }
  | { readonly kind: "shell"; readonly shell: string; readonly script: string };

/** A mutex as declared: `name`, `~:name`, or the mapping form. */
export interface MutexDecl {
  readonly name: string;
  readonly projectScoped: boolean;
  readonly mode: "exclusive" | "shared";
}

/** A resolved mutex (MUTEX-001): `project` is the owning project for a `~:` lock. */
export interface MutexSpec {
  readonly name: string;
  readonly scope: "global" | "project";
  readonly project: string | null;
  readonly mode: "exclusive" | "shared";
}

/** Task environment settings (CFG-021). */
export interface TaskEnv {
  readonly fromHost: readonly string[];
  readonly override: ReadonlyMap<string, string>;
}

/** A validated task body as written in `haz.yml` or an overlay, not yet attached to a project. */
export interface TaskBody {
  readonly name: string;
  readonly action: TaskAction | null;
  /** Every `inputs` entry (inclusions and exclusions); null when the key is absent. */
  readonly inputs: readonly PatternSpec[] | null;
  readonly outputs: readonly PatternSpec[];
  readonly deps: readonly DeclaredRef[];
  readonly weakDeps: readonly DeclaredRef[];
  readonly mutex: MutexDecl | null;
  readonly env: TaskEnv;
  readonly description: string | null;
  readonly cache: boolean;
  readonly timeoutMs: number | null;
  /** Workspace-absolute path of the file that defines it. */
  readonly file: string;
  /** Overlay stem, or null for a project's own task. */
  readonly overlay: string | null;
  /** Position of the task's key in its file. */
  readonly location?: DiagnosticLocation;
}

/** A task of a project's effective task set, with paths and mutex resolved for that project. */
export interface TaskDefinition {
  readonly id: TaskId;
  /** Printed id `project:task`. */
  readonly key: string;
  /** Workspace-absolute project root: `/` or `/libs/core`. */
  readonly projectRoot: string;
  /** The project's tags (byte order). */
  readonly tags: readonly string[];
  readonly action: TaskAction | null;
  /** Inclusion patterns; null when `inputs` is not declared. */
  readonly inputs: readonly PathPattern[] | null;
  readonly inputExclusions: readonly PathPattern[];
  readonly outputs: readonly PathPattern[];
  readonly deps: readonly DeclaredRef[];
  readonly weakDeps: readonly DeclaredRef[];
  readonly mutex: MutexSpec | null;
  readonly env: TaskEnv;
  readonly description: string | null;
  readonly cache: boolean;
  readonly timeoutMs: number | null;
  readonly body: TaskBody;
}

/** A project (01-workspace.md §4). */
export interface Project {
  readonly name: string;
  /** Root-relative directory with `/` separators; `.` for the workspace root. */
  readonly dir: string;
  /** Workspace-absolute root: `/` or `/libs/core`. */
  readonly root: string;
  /** Workspace-absolute path of its `haz.yml`. */
  readonly file: string;
  /** Tags in byte order. */
  readonly tags: readonly string[];
  /** Effective task set (own and overlay winners), by task name in byte order. */
  readonly tasks: ReadonlyMap<string, TaskDefinition>;
}

/** `.haz/workspace.yml` settings with defaults applied (01-workspace.md §3). */
export interface WorkspaceSettings {
  readonly concurrency: { readonly default: "auto" | number; readonly tags: ReadonlyMap<string, number> };
  readonly outputMode: "live" | "buffered";
  readonly cancelGraceMs: number;
  readonly hash: "sha256" | "blake3";
  readonly clean: { readonly maxAgeSeconds: number | null; readonly maxSizeBytes: number | null };
  readonly passThrough: readonly string[];
}

/** The loaded workspace. */
export interface Workspace {
  /** Real host path of the workspace root. */
  readonly root: string;
  readonly settings: WorkspaceSettings;
  /** Projects in root-relative path order (`.` first). */
  readonly projects: readonly Project[];
}

/** Edge kinds (02-graph.md §3). */
export type EdgeKind = "hard" | "soft" | "producer";

/** One edge, predecessor → successor, by printed ids. */
export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  /** Producer edges: the first (output, input) canonical pair that intersects (GRAPH-003). */
  readonly via?: { readonly output: string; readonly input: string };
}

/** The validated task graph (02-graph.md §3–4). */
export interface TaskGraph {
  /** Every task by printed id, iterated in canonical order. */
  readonly tasks: ReadonlyMap<string, TaskDefinition>;
  /** Printed ids in canonical order. */
  readonly order: readonly string[];
  /** Every edge, sorted by (from, to, kind) with kinds hard, soft, producer (GRAPH-002). */
  readonly edges: readonly Edge[];
  /** Direct predecessors/successors by kind, each list in canonical order. */
  readonly hardPredecessors: ReadonlyMap<string, readonly string[]>;
  readonly hardSuccessors: ReadonlyMap<string, readonly string[]>;
  readonly softPredecessors: ReadonlyMap<string, readonly string[]>;
  readonly softSuccessors: ReadonlyMap<string, readonly string[]>;
}
