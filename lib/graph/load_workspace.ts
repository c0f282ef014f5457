/**
 * The whole load pipeline of DISC-011: discovery and files (`lib/config`), then overlay merge and graph
 * (phases 3–4), with the error collection rules of DIAG-007.
 *
 * @module
 */

import { locateWorkspace } from "../config/discover.ts";
import type { LoadedConfig } from "../config/loaded_config.ts";
import type { Diagnostic } from "../domain/diagnostic.ts";
import type { Project, TaskGraph, Workspace } from "../domain/workspace.ts";
import { findBearingProject } from "./bearing_project.ts";
import { buildTaskGraph } from "./build_graph.ts";
import { epochMsToNs } from "../util/file_identity.ts";
import { readWorkspaceSnapshot, writeWorkspaceSnapshot } from "./workspace_snapshot.ts";

/** A workspace that loaded without errors. */
export interface LoadedWorkspace {
  /** The loaded, validated workspace. */
  readonly workspace: Workspace;
  /** The workspace's validated task graph. */
  readonly graph: TaskGraph;
  /** Real path of the start directory. */
  readonly startDir: string;
  /** DISC-010; null when the start directory is inside no project. */
  readonly bearingProject: Project | null;
  /** Every warning of every phase. */
  readonly warnings: Diagnostic[];
}

/** Options of {@linkcode loadWorkspace}. */
export interface LoadWorkspaceOptions {
  /** `haz check`: run every phase and return every diagnostic (DIAG-007). */
  readonly collectAll?: boolean;
  /** Use and refresh the workspace snapshot (PERF-001); without it every load is a fresh one. */
  readonly snapshot?: SnapshotUse;
}

/** How {@linkcode loadWorkspace} uses the workspace snapshot. */
export interface SnapshotUse {
  /** haz and runtime version: a snapshot written by another is ignored. */
  readonly version: string;
  /** Wall-clock milliseconds since the epoch; defaults to `Date.now` (tests move it past the 2 s window). */
  readonly now?: () => number;
  /** Use a valid snapshot but never write one (`haz why` writes nothing, 03-cache.md AUX-018). */
  readonly readOnly?: boolean;
}

/** The pipeline's outcome: a loaded workspace, or the diagnostics to print (unsorted). */
export type LoadWorkspaceResult =
  | { ok: true; loaded: LoadedWorkspace }
  | { ok: false; diagnostics: Diagnostic[] };

/**
 * Loads the workspace around `startDir`. With `collectAll` every phase runs; otherwise the pipeline
 * stops after the first phase with an error and returns that phase's diagnostics plus earlier warnings.
 *
 * @example
 * ```ts
 * const result = await loadWorkspace("/home/me/shop/apps/web");
 * if (result.ok) result.loaded.bearingProject?.name; // "web"
 * ```
 */
export async function loadWorkspace(
  startDir: string,
  options: LoadWorkspaceOptions = {},
): Promise<LoadWorkspaceResult> {
  const snapshot = options.snapshot;
  if (snapshot === undefined) return await loadFresh(startDir, options);
  const location = await locateWorkspace(startDir);
  if (location.root !== null) {
    const content = readWorkspaceSnapshot(location.root, snapshot.version);
    if (content !== null) {
      const { workspace, graph, warnings } = content;
      return {
        ok: true,
        loaded: {
          workspace,
          graph,
          startDir: location.startDir,
          bearingProject: findBearingProject(workspace, location.startDir),
          warnings: [...warnings],
        },
      };
    }
  }
  const referenceNs = epochMsToNs((snapshot.now ?? Date.now)());
  const config = await readConfiguration(startDir);
  if ("failed" in config) return { ok: false, diagnostics: [...config.diagnostics] };
  const result = workspaceFromConfig(config, options);
  if (result.ok && snapshot.readOnly !== true) {
    const { workspace, graph, warnings } = result.loaded;
    writeWorkspaceSnapshot({
      root: config.root,
      version: snapshot.version,
      sources: config.sources,
      referenceNs,
      content: { workspace, graph, warnings },
    });
  }
  return result;
}

/**
 * Phases 1–2. The loader (and with it the YAML parser) is imported on first use: a command served by
 * the snapshot never evaluates it, which is a good part of its start-up.
 */
async function readConfiguration(
  startDir: string,
): ReturnType<typeof import("../config/load_config.ts").loadConfig> {
  const { loadConfig } = await import("../config/load_config.ts");
  return await loadConfig(startDir);
}

/** Phases 1–4 without the snapshot. */
async function loadFresh(startDir: string, options: LoadWorkspaceOptions): Promise<LoadWorkspaceResult> {
  const config = await readConfiguration(startDir);
  if ("failed" in config) return { ok: false, diagnostics: [...config.diagnostics] };
  return workspaceFromConfig(config, options);
}

/**
 * Phases 3–4 on an already loaded configuration, with the same stopping rules as {@linkcode loadWorkspace}.
 *
 * @example
 * ```ts
 * const result = workspaceFromConfig(config, { collectAll: true });
 * result.ok; // false when any phase reported an error
 * ```
 */
export function workspaceFromConfig(
  config: LoadedConfig,
  options: LoadWorkspaceOptions = {},
): LoadWorkspaceResult {
  const collectAll = options.collectAll ?? false;
  const early = [...config.diagnostics];
  if (!collectAll && early.some(isError)) return { ok: false, diagnostics: firstFailingPhase(early) };
  const built = buildTaskGraph(config);
  const all = [...early, ...built.diagnostics];
  if (built.graph === null || all.some(isError)) {
    return { ok: false, diagnostics: collectAll ? all : firstFailingPhase(all) };
  }
  return {
    ok: true,
    loaded: {
      workspace: built.workspace,
      graph: built.graph,
      startDir: config.startDir,
      bearingProject: findBearingProject(built.workspace, config.startDir),
      warnings: all.filter((diagnostic) => !isError(diagnostic)),
    },
  };
}

function isError(diagnostic: Diagnostic): boolean {
  return diagnostic.severity === "error";
}

/** The diagnostics of the first phase with an error, plus the warnings of earlier phases. */
function firstFailingPhase(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const phase = Math.min(...diagnostics.filter(isError).map((diagnostic) => diagnostic.phase));
  return diagnostics.filter((diagnostic) =>
    diagnostic.phase === phase || (diagnostic.phase < phase && !isError(diagnostic))
  );
}
