/**
 * The project list (01-workspace.md DISC-003..007): implicit mode, literal entries, glob entries
 * walked without following symlinked directories, union ordered by root-relative path bytes.
 *
 * @module
 */

import { type Dirent, readdirSync } from "node:fs";
import { lstat, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import { type Diagnostic, errorDiagnostic, warningDiagnostic } from "../domain/diagnostic.ts";
import {
  advanceStates,
  compileGlobAlternatives,
  initialStates,
  statesAccept,
  statesCanExtend,
} from "../domain/glob.ts";
import { compareBytes } from "../domain/task_id.ts";
import { type FileIdentity, fileIdentity } from "../util/file_identity.ts";
import { pathExists } from "../util/path_exists.ts";
import type { ProjectEntry } from "./settings_schema.ts";

/** The projects found, as root-relative directories (`.` for the root), and the DISC diagnostics. */
export interface ProjectDiscovery {
  /** Root-relative directories with `/` separators, `.` first, then by path bytes. */
  readonly dirs: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
  /** Host paths of every directory a glob walk listed (the workspace snapshot's sources, PERF-001). */
  readonly listedDirs: readonly string[];
  /** Host paths of the `haz.yml` entries looked up (without following links) in glob-matched directories. */
  readonly probedFiles: readonly string[];
  /**
   * What each probe saw, by host path: the `lstat` identity the workspace snapshot records (PERF-001),
   * so that it need not look again.
   */
  readonly probedIdentities: ReadonlyMap<string, FileIdentity>;
  /** Host paths of the literal entries examined (DISC-005). */
  readonly literalDirs: readonly string[];
}

/** What `discoverProjects` needs from the settings file. */
export interface ProjectListing {
  readonly projectEntries: readonly ProjectEntry[];
  /** `projects` is a non-empty list. */
  readonly projectsListed: boolean;
}

/** Directories a glob neither matches nor enters (DISC-006). */
const SKIPPED_DIRS = new Set([".haz", ".git", "node_modules"]);
const PROJECT_FILE = "haz.yml";

/**
 * Cached directory listings: each directory is read once per discovery. Synchronous: a walk over
 * thousands of project directories spent more on promises than on the calls.
 */
interface DirectoryReader {
  read(relative: string): Dirent[] | null;
  /** Host paths of the directories read so far. */
  listed(): string[];
  /** Whether the directory has an entry named `haz.yml` (of any type), by `lstat` where it can tell. */
  holdsProjectFile(relative: string): boolean;
  /** Host paths looked up by `holdsProjectFile`. */
  probed(): string[];
  /** The identity each lookup saw, by host path. */
  probedIdentities(): ReadonlyMap<string, FileIdentity>;
}

function directoryReader(root: string): DirectoryReader {
  const cache = new Map<string, Dirent[] | null>();
  const probed = new Map<string, FileIdentity>();
  const hostPath = (relative: string) => relative === "" ? root : join(root, relative);
  const read = (relative: string) => {
    let listing = cache.get(relative);
    if (listing === undefined) {
      try {
        listing = readdirSync(hostPath(relative), { withFileTypes: true });
      } catch {
        listing = null;
      }
      cache.set(relative, listing);
    }
    return listing;
  };
  return {
    read,
    listed: () => [...cache.keys()].map(hostPath),
    // One lstat instead of a listing: what else the directory holds (a build's `dist/`, say) does not
    // matter, so the workspace snapshot (PERF-001) does not depend on it either. Its identity is kept
    // for the snapshot.
    holdsProjectFile(relative) {
      const path = join(hostPath(relative), PROJECT_FILE);
      const identity = fileIdentity(path, false);
      probed.set(path, identity);
      if (identity.latestNs !== null) return true;
      if (identity.key === "!ENOENT" || identity.key === "!ENOTDIR") return false;
      // Not searchable (no `x` permission): the listing can still tell.
      return read(relative)?.some((file) => file.name === PROJECT_FILE) ?? false;
    },
    probed: () => [...probed.keys()],
    probedIdentities: () => probed,
  };
}

/** Host path of a literal entry. */
function literalPath(root: string, entry: string): string {
  return entry === "." ? root : join(root, ...entry.split("/"));
}

/** DISC-005: why a literal entry is not a project directory, or null when it is one. */
async function literalProblem(root: string, entry: string): Promise<string | null> {
  const path = literalPath(root, entry);
  let info;
  try {
    info = await lstat(path);
  } catch {
    return "does not exist";
  }
  if (info.isSymbolicLink()) return "is a symbolic link";
  if (!info.isDirectory()) return "is not a directory";
  // A real directory reached through a symlinked parent is not where the entry says it is.
  if (await realpath(path).then((real) => real !== path, () => true)) return "is a symbolic link";
  try {
    if ((await stat(join(path, PROJECT_FILE))).isFile()) return null;
  } catch {
    // Missing or unreadable: reported as having no haz.yml.
  }
  return "has no haz.yml";
}

/** DISC-006: every directory below the root whose root-relative path matches the glob and holds haz.yml. */
function expandGlob(reader: DirectoryReader, entry: string): string[] {
  const alternatives = compileGlobAlternatives(`/${entry}`);
  const found: string[] = [];
  function walk(relative: string, states: readonly number[][]): void {
    const listing = reader.read(relative);
    if (listing === null) return;
    for (const child of listing) {
      if (!child.isDirectory() || SKIPPED_DIRS.has(child.name)) continue;
      // One pass over the alternatives: their next states, and whether any accepts or can go deeper.
      const next: number[][] = [];
      let accepts = false;
      let deeper = false;
      for (let index = 0; index < alternatives.length; index++) {
        const alternative = alternatives[index];
        const advanced = advanceStates(alternative, states[index], child.name);
        next.push(advanced);
        if (advanced.length === 0) continue;
        accepts ||= statesAccept(alternative, advanced);
        deeper ||= statesCanExtend(alternative, advanced);
      }
      if (!accepts && !deeper) continue;
      const childRelative = relative === "" ? child.name : `${relative}/${child.name}`;
      if (accepts && reader.holdsProjectFile(childRelative)) found.push(childRelative);
      if (deeper) walk(childRelative, next);
    }
  }
  walk("", alternatives.map(initialStates));
  return found;
}

/** Byte order of root-relative directories with `.` first (DISC-007). */
function compareProjectDirs(a: string, b: string): number {
  if (a === b) return 0;
  if (a === ".") return -1;
  if (b === ".") return 1;
  return compareBytes(a, b);
}

/**
 * Whether something named `haz.yml` exists at the workspace root (DISC-003, DISC-007).
 *
 * @example
 * ```ts
 * await rootHasProjectFile("/tmp/shop"); // true
 * ```
 */
export function rootHasProjectFile(root: string): Promise<boolean> {
  return pathExists(join(root, PROJECT_FILE));
}

/**
 * DISC-003..007: the project directories of the workspace at `root` (a real path) from the validated
 * `projects` entries; `hasRootProjectFile` is {@linkcode rootHasProjectFile}'s answer.
 *
 * @example
 * ```ts
 * const discovery = await discoverProjects("/tmp/shop", settingsResult, await rootHasProjectFile("/tmp/shop"));
 * discovery.dirs; // [".", "packages/a", "packages/b"]
 * ```
 */
export async function discoverProjects(
  root: string,
  listing: ProjectListing,
  hasRootProjectFile: boolean,
): Promise<ProjectDiscovery> {
  if (!listing.projectsListed) {
    return {
      dirs: hasRootProjectFile ? ["."] : [],
      diagnostics: [],
      listedDirs: [],
      probedFiles: [],
      probedIdentities: new Map(),
      literalDirs: [],
    };
  }
  const reader = directoryReader(root);
  const diagnostics: Diagnostic[] = [];
  const dirs = new Set<string>();
  const outcomes = await Promise.all(listing.projectEntries.map(async (entry) => {
    if (entry.isGlob) return { entry, matches: expandGlob(reader, entry.text), problem: null };
    const problem = await literalProblem(root, entry.text);
    return { entry, matches: problem === null ? [entry.text] : [], problem };
  }));
  for (const { entry, matches, problem } of outcomes) {
    for (const dir of matches) dirs.add(dir);
    if (problem !== null) {
      diagnostics.push(errorDiagnostic("DISC-005", `project directory \`${entry.text}\` ${problem}`, {
        phase: 1,
        location: entry.location,
      }));
    } else if (matches.length === 0) {
      diagnostics.push(
        warningDiagnostic(
          "DISC-006",
          `project pattern \`${entry.text}\` matches no directory containing haz.yml`,
          {
            phase: 1,
            location: entry.location,
          },
        ),
      );
    }
  }
  if (!dirs.has(".") && hasRootProjectFile) {
    diagnostics.push(
      warningDiagnostic(
        "DISC-007",
        "haz.yml at the workspace root is ignored because `projects` does not list `.`",
        {
          phase: 1,
          location: { path: "/haz.yml" },
        },
      ),
    );
  }
  return {
    dirs: [...dirs].sort(compareProjectDirs),
    diagnostics,
    listedDirs: reader.listed(),
    probedFiles: reader.probed(),
    probedIdentities: reader.probedIdentities(),
    literalDirs: listing.projectEntries.filter((entry) => !entry.isGlob).map((entry) =>
      literalPath(root, entry.text)
    ),
  };
}
