/**
 * The haz side of an import: projects and tasks as they will be written (08-adoption.md §4, §5).
 *
 * @module
 */

import type { AdoptWarning, PackageManager, SourceKind } from "./source_model.ts";

/** A task of a generated `haz.yml`, or the place of a dropped one (`dropped`: comments only). */
export interface ImportedTask {
  /** haz task name. */
  readonly name: string;
  /** The source name when it differs (`# from "<source name>"`). */
  readonly renamedFrom: string | null;
  /** Warning texts written as `# haz init --import:` comments above the task. */
  readonly comments: readonly string[];
  readonly dropped: boolean;
  readonly description: string | null;
  readonly command: readonly string[] | null;
  readonly deps: readonly string[];
  /** null: no `inputs` key (not cached). */
  readonly inputs: readonly string[] | null;
  readonly outputs: readonly string[];
  readonly fromHost: readonly string[];
  /** Writes `cache: false`. */
  readonly cacheFalse: boolean;
}

/** A generated project. */
export interface ImportedProject {
  /** `/`-separated directory relative to `<dir>`; `.` for the root. */
  readonly dir: string;
  readonly name: string;
  /** Whether `name:` is written (it differs from the directory's basename, or the root). */
  readonly writeName: boolean;
  readonly tags: readonly string[];
  /** Tasks and dropped-task places, in bytewise order of name. */
  readonly tasks: readonly ImportedTask[];
  /** Source files it was generated from, relative to `<dir>`, bytewise. */
  readonly sources: readonly string[];
}

/** The generated workspace before rendering. */
export interface ImportedWorkspace {
  readonly kind: SourceKind;
  readonly pm: PackageManager;
  /** Projects in bytewise order of directory. */
  readonly projects: readonly ImportedProject[];
  readonly workspaceSources: readonly string[];
  readonly workspaceComments: readonly string[];
  readonly concurrency: number | null;
  readonly passThrough: readonly string[];
  /** Warnings and notes in print order (warnings first, each group by file then path). */
  readonly warnings: readonly AdoptWarning[];
  /** What the generated graph must run, from the source graph (ADOPT-085). */
  readonly expectations: readonly RunExpectation[];
}

/**
 * ADOPT-085: running `starts` (printed haz ids) must run exactly the tasks with an action in
 * `expected` (the starts included when they have one).
 */
export interface RunExpectation {
  /** What the source tool runs, for the error message (`turbo run build`, `web#build`). */
  readonly label: string;
  readonly starts: readonly string[];
  readonly expected: readonly string[];
}
