/**
 * What phases 1–2 of the load pipeline (DISC-011) hand to the overlay merge and graph build
 * (phase 3–4, `lib/graph/`): every file read and validated, with the follow-on-noise bookkeeping
 * of DIAG-007.
 *
 * @module
 */

import type { Diagnostic } from "../domain/diagnostic.ts";
import type { DiagnosticLocation } from "../domain/diagnostic.ts";
import type { TaskBody, WorkspaceSettings } from "../domain/workspace.ts";
import type { Expression } from "../domain/expression.ts";
import type { FileIdentity } from "../util/file_identity.ts";

/** One project after reading its `haz.yml`. */
export interface LoadedProject {
  /** The project name (declared, or the directory basename). */
  readonly name: string;
  /** Root-relative directory, `.` for the workspace root. */
  readonly dir: string;
  /** Workspace-absolute root: `/` or `/libs/core`. */
  readonly root: string;
  /** Workspace-absolute path of its `haz.yml`. */
  readonly file: string;
  /** Tags in byte order (empty when the file failed). */
  readonly tags: readonly string[];
  /** Valid task bodies, by name. */
  readonly tasks: ReadonlyMap<string, TaskBody>;
  /** Task names whose body had an error: known, but dropped (DIAG-007). */
  readonly droppedTasks: ReadonlySet<string>;
  /** The file failed as a whole, or the name is invalid or duplicated (DIAG-007). */
  readonly incomplete: boolean;
}

/** One overlay file `.haz/tasks/<stem>.yml`. */
export interface LoadedOverlay {
  readonly stem: string;
  /** Workspace-absolute path, `/.haz/tasks/<stem>.yml`. */
  readonly file: string;
  /** Parsed `tagsFilter`; null when missing or invalid (then it attaches to nothing). */
  readonly tagsFilter: Expression | null;
  readonly tagsFilterLocation?: DiagnosticLocation;
  readonly tasks: ReadonlyMap<string, TaskBody>;
  readonly droppedTasks: ReadonlySet<string>;
  /** Positions of every task key, valid or dropped (DAG-006 locations). */
  readonly taskLocations: ReadonlyMap<string, DiagnosticLocation>;
  readonly incomplete: boolean;
}

/**
 * What phases 1–2 looked at on disk, as host paths by the call that examined them: the sources a
 * workspace snapshot is keyed by (06-architecture.md PERF-001).
 */
export interface ConfigSources {
  /** Examined through symbolic links (`stat`): files read, directories listed, link targets checked. */
  readonly followed: readonly string[];
  /** Examined without following a final link (`lstat`). */
  readonly unfollowed: readonly string[];
  /** Resolved to their real path. */
  readonly resolved: readonly string[];
  /**
   * Identities already seen by `lstat` during discovery (every one taken after the load began), by host
   * path: the snapshot records them as they are instead of examining the path again.
   */
  readonly unfollowedSeen: ReadonlyMap<string, FileIdentity>;
}

/** The result of phases 1–2. */
export interface LoadedConfig {
  /** Real host path of the workspace root. */
  readonly root: string;
  /** Real host path of the start directory. */
  readonly startDir: string;
  readonly settings: WorkspaceSettings;
  /** Projects in root-relative path order (`.` first). */
  readonly projects: readonly LoadedProject[];
  /** Overlays in file-name byte order. */
  readonly overlays: readonly LoadedOverlay[];
  /** Every diagnostic of phases 1–2, warnings included. */
  readonly diagnostics: readonly Diagnostic[];
  /** Every path discovery and reading examined. */
  readonly sources: ConfigSources;
}
