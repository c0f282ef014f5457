/**
 * The loaded, validated workspace (01-workspace.md): settings, projects and their effective tasks.
 * Produced by `lib/config`, merged by `lib/graph/overlay_merge.ts`, read by every later layer.
 *
 * @module
 */

import type { DiagnosticLocation } from "./diagnostic.ts";
import type { TaskId } from "./task_id.ts";
import type { ServiceSpec } from "./service_spec.ts";

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
  /** `service` (SVC-001); null for a finishing task or an aggregate. */
  readonly service: ServiceSpec | null;
  /** Workspace-absolute path of the file that defines it. */
  readonly file: string;
  /** Overlay stem, or null for a project's own task. */
  readonly overlay: string | null;
  /** Position of the task's key in its file. */
  readonly location?: DiagnosticLocation;
}

/** A task of a project's effective task set, with paths and mutex resolved for that project. */
export interface TaskDefinition {
  /** The project the task belongs to (for an overlay task, the one it is attached to) and its name. */
  readonly id: TaskId;
  /** Printed id `project:task`. */
  readonly key: string;
  /** Workspace-absolute project root: `/` or `/libs/core`. */
  readonly projectRoot: string;
  /** The project's tags (byte order). */
  readonly tags: readonly string[];
  /** What the task runs (`command` or `shell`); null for an aggregate (CFG-016). */
  readonly action: TaskAction | null;
  /** Inclusion patterns; null when `inputs` is not declared. */
  readonly inputs: readonly PathPattern[] | null;
  /** The `!` entries of `inputs`, removed after every inclusion (CFG-044, PATH-021). */
  readonly inputExclusions: readonly PathPattern[];
  /** Declared `outputs` (CFG-018), output exclusions left out; empty when none. */
  readonly outputs: readonly PathPattern[];
  /**
   * The `!` entries of `outputs` (ADOPT-100): files they match are never captured nor restored.
   * Absent or empty when none.
   */
  readonly outputExclusions?: readonly PathPattern[];
  /** `deps` references; each task they resolve to is a hard predecessor (DAG-008). */
  readonly deps: readonly DeclaredRef[];
  /** `weakDeps` references; each task they resolve to is a soft predecessor (DAG-009). */
  readonly weakDeps: readonly DeclaredRef[];
  /** The lock the task holds while it runs, resolved for this project; null when none (CFG-019). */
  readonly mutex: MutexSpec | null;
  /** `env.from_host` and `env.override` (CFG-021). */
  readonly env: TaskEnv;
  /** `description`, shown by `haz query`, `haz graph` and `haz why`, never hashed; null when absent. */
  readonly description: string | null;
  /** False when the task sets `cache: false` (CFG-022, CFG-042). */
  readonly cache: boolean;
  /** `timeout` in ms (CFG-043); null when absent. */
  readonly timeoutMs: number | null;
  /** `service` (SVC-001); null for a finishing task or an aggregate. */
  readonly service: ServiceSpec | null;
  /** The body the task was built from, as written in its `haz.yml` or overlay. */
  readonly body: TaskBody;
}

/** A project (01-workspace.md §4). */
export interface Project {
  /** Project name: `name` in its `haz.yml`, else the directory basename (DISC-008). */
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
  /** `cache.remote` (07-remote-cache.md REMOTE-010), defaults applied. */
  readonly remote: RemoteCacheSettings;
}

/** `cache.remote` with defaults applied; `url` null when the file names no server. */
export interface RemoteCacheSettings {
  /** Normalised (REMOTE-011): no trailing `/`. */
  readonly url: string | null;
  readonly team: string;
  readonly mode: "off" | "read" | "write" | "read-write" | null;
  readonly signature: boolean;
  readonly timeoutMs: number;
  readonly uploadWaitMs: number;
  readonly uploadConcurrency: number;
  readonly maxArtifactSize: number;
  readonly maxEntrySize: number;
  readonly compressionLevel: number;
}

/** The REMOTE-010 defaults. */
export const DEFAULT_REMOTE_CACHE_SETTINGS: RemoteCacheSettings = {
  url: null,
  team: "haz",
  mode: null,
  signature: false,
  timeoutMs: 10_000,
  uploadWaitMs: 60_000,
  uploadConcurrency: 4,
  maxArtifactSize: 100 * 1024 * 1024,
  maxEntrySize: 1024 * 1024 * 1024,
  compressionLevel: 1,
};

/** The loaded workspace. */
export interface Workspace {
  /** Real host path of the workspace root. */
  readonly root: string;
  /** `.haz/workspace.yml` settings, with defaults applied. */
  readonly settings: WorkspaceSettings;
  /** Projects in root-relative path order (`.` first). */
  readonly projects: readonly Project[];
}

/** Edge kinds (02-graph.md §3). */
export type EdgeKind = "hard" | "soft" | "producer";

/** One edge, predecessor → successor, by printed ids. */
export interface Edge {
  /** Printed id of the predecessor. */
  readonly from: string;
  /** Printed id of the successor. */
  readonly to: string;
  /** `hard` from `deps`, `soft` from `weakDeps`, `producer` from an output meeting an input (DAG-013). */
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
  /** Direct hard successors of each task, in canonical order. */
  readonly hardSuccessors: ReadonlyMap<string, readonly string[]>;
  /** Direct soft predecessors of each task, in canonical order. */
  readonly softPredecessors: ReadonlyMap<string, readonly string[]>;
  /** Direct soft successors of each task, in canonical order. */
  readonly softSuccessors: ReadonlyMap<string, readonly string[]>;
}
