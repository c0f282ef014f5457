/**
 * Phases 1–2 of the load pipeline (01-workspace.md DISC-011): discovery, then every file read and
 * validated, diagnostics collected (DIAG-007) into a `LoadedConfig` for the overlay merge and graph.
 *
 * @module
 */

import { basename, join, relative, sep } from "node:path";
import type { Diagnostic } from "../domain/diagnostic.ts";
import { locateWorkspace, noWorkspaceDiagnostic } from "./discover.ts";
import { discoverProjects, rootHasProjectFile } from "./discover_projects.ts";
import { listOverlays } from "./list_overlays.ts";
import type { LoadedConfig, LoadedOverlay, LoadedProject } from "./loaded_config.ts";
import { readSettingsFile } from "./load_settings.ts";
import { nameProjects, projectRootPath } from "./project_names.ts";
import { readConfigText } from "./read_file.ts";
import { tagWarnings } from "./tag_warnings.ts";
import {
  checkOverlayName,
  type OverlayFileResult,
  overlayPath,
  validateOverlayFile,
} from "./overlay_schema.ts";
import { type ProjectFileResult, validateProjectFile } from "./project_schema.ts";
import { parseYamlFile } from "./yaml_source.ts";

/** One file's outcome: its validation, or null when it failed as a whole (CFG-001/002/009). */
interface FileOutcome<T> {
  readonly result: T | null;
  readonly diagnostics: readonly Diagnostic[];
}

/** Host paths of every directory from just below `root` down to `dir` (a host path below `root`). */
function pathFromRoot(root: string, dir: string): string[] {
  const parts = relative(root, dir).split(sep).filter((part) => part !== "");
  return parts.map((_, index) => join(root, ...parts.slice(0, index + 1)));
}

/** Reads, parses and validates one file. */
function loadFile<T extends { diagnostics: readonly Diagnostic[] }>(
  hostPath: string,
  displayPath: string,
  validate: (parsed: Extract<ReturnType<typeof parseYamlFile>, { ok: true }>) => T,
): FileOutcome<T> {
  const read = readConfigText(hostPath, displayPath);
  if (!read.ok) return { result: null, diagnostics: [read.diagnostic] };
  const parsed = parseYamlFile(read.text, displayPath);
  if (!parsed.ok) return { result: null, diagnostics: [parsed.diagnostic] };
  const result = validate(parsed);
  return { result, diagnostics: result.diagnostics };
}

/** Builds a LoadedOverlay from its file outcome and name check. */
function loadedOverlay(
  stem: string,
  outcome: FileOutcome<OverlayFileResult>,
  nameValid: boolean,
): LoadedOverlay {
  const result = outcome.result;
  return {
    stem,
    file: overlayPath(stem),
    tagsFilter: result?.tagsFilter ?? null,
    ...(result?.tagsFilterLocation === undefined ? {} : { tagsFilterLocation: result.tagsFilterLocation }),
    tasks: result?.tasks ?? new Map(),
    droppedTasks: result?.droppedTasks ?? new Set(),
    taskLocations: result?.taskLocations ?? new Map(),
    incomplete: result === null || result.incomplete || !nameValid,
  };
}

/**
 * Phases 1–2 of DISC-011: finds the workspace from `startDir`, validates `.haz/workspace.yml`, lists
 * the projects and overlays, and reads and validates every file. Fails (`failed: true`) only when
 * there is no workspace or `.haz/workspace.yml` is unusable as a whole; every other diagnostic, errors
 * included, is in the returned `LoadedConfig`. Never throws for bad input.
 *
 * @example
 * ```ts
 * const loaded = await loadConfig("/tmp/shop/web");
 * if (!("failed" in loaded)) loaded.projects.map((project) => project.name); // ["shop", "web"]
 * ```
 */
export async function loadConfig(
  startDir: string,
): Promise<LoadedConfig | { failed: true; diagnostics: Diagnostic[] }> {
  const location = await locateWorkspace(startDir);
  const root = location.root;
  if (root === null) return { failed: true, diagnostics: [noWorkspaceDiagnostic(location.startDir)] };
  // The listings run together; discovery needs the validated `projects`.
  const settingsRead = readSettingsFile(root);
  const [overlayListing, rootHasFile] = await Promise.all([listOverlays(root), rootHasProjectFile(root)]);
  if (!settingsRead.ok) return { failed: true, diagnostics: settingsRead.diagnostics };
  const settings = settingsRead.result;
  const discovery = await discoverProjects(root, settings, rootHasFile);

  const projectFiles = discovery.dirs.map((dir) => join(root, ...dir.split("/"), "haz.yml"));
  const overlayFiles = overlayListing.stems.map((stem) => join(root, ".haz", "tasks", `${stem}.yml`));
  const projectOutcomes = discovery.dirs.map((dir, index) => {
    const file = dir === "." ? "/haz.yml" : `/${dir}/haz.yml`;
    return loadFile<ProjectFileResult>(
      projectFiles[index],
      file,
      (parsed) => validateProjectFile(parsed.file, parsed.root, projectRootPath(dir)),
    );
  });
  const overlayOutcomes = overlayListing.stems.map((stem, index) =>
    loadFile<OverlayFileResult>(
      overlayFiles[index],
      overlayPath(stem),
      (parsed) => validateOverlayFile(parsed.file, parsed.root, stem),
    )
  );

  const naming = nameProjects(discovery.dirs.map((dir, index) => {
    const result = projectOutcomes[index].result;
    return {
      dir,
      file: dir === "." ? "/haz.yml" : `/${dir}/haz.yml`,
      basename: dir === "." ? basename(root) : dir.slice(dir.lastIndexOf("/") + 1),
      declaredName: result?.declaredName ?? null,
      nameUnknown: result === null || result.nameInvalid,
    };
  }));
  const projects: LoadedProject[] = discovery.dirs.map((dir, index) => {
    const result = projectOutcomes[index].result;
    return {
      name: naming.names[index],
      dir,
      root: projectRootPath(dir),
      file: dir === "." ? "/haz.yml" : `/${dir}/haz.yml`,
      tags: result?.tags ?? [],
      tasks: result?.tasks ?? new Map(),
      droppedTasks: result?.droppedTasks ?? new Set(),
      incomplete: result === null || result.incomplete || naming.incomplete[index],
    };
  });

  const nameProblems = overlayListing.stems.map(checkOverlayName);
  const overlays = overlayListing.stems.map((stem, index) =>
    loadedOverlay(stem, overlayOutcomes[index], nameProblems[index] === null)
  );
  const warnings = tagWarnings({
    projectTags: projects.map((project) => project.tags),
    tagsIncomplete: projectOutcomes.some((outcome) => outcome.result === null || !outcome.result.tagsKnown),
    capKeys: settings.tagCapKeys,
    overlays: overlayListing.stems.map((stem, index) => ({
      stem,
      tagsFilter: overlays[index].tagsFilter,
      ...(overlays[index].tagsFilterLocation === undefined
        ? {}
        : { location: overlays[index].tagsFilterLocation }),
      atoms: overlayOutcomes[index].result?.filterAtoms ?? [],
    })),
  });

  return {
    root,
    startDir: location.startDir,
    settings: settings.settings,
    projects,
    overlays,
    diagnostics: [
      ...settings.diagnostics,
      ...discovery.diagnostics,
      ...overlayListing.diagnostics,
      ...naming.diagnostics,
      ...projectOutcomes.flatMap((outcome) => outcome.diagnostics),
      ...nameProblems.filter((problem) => problem !== null),
      ...overlayOutcomes.flatMap((outcome) => outcome.diagnostics),
      ...warnings,
    ],
    sources: {
      followed: [
        join(root, ".haz", "workspace.yml"),
        join(root, ".haz", "tasks"),
        ...overlayListing.followedLinks,
        ...overlayFiles,
        ...discovery.listedDirs,
        ...discovery.literalDirs.map((dir) => join(dir, "haz.yml")),
        ...projectFiles,
      ],
      // A literal entry's real path has no timestamp of its own: the lstat of every directory on the
      // way to it does (replacing one by a symlink gives it a new identity).
      unfollowed: [
        join(root, "haz.yml"),
        ...discovery.probedFiles,
        ...discovery.literalDirs.flatMap((dir) => pathFromRoot(root, dir)),
      ],
      resolved: discovery.literalDirs,
      unfollowedSeen: discovery.probedIdentities,
    },
  };
}
