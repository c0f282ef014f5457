/**
 * Input enumeration (PATH-020/021, CACHE-006/029) and output resolution (PATH-022/023, CACHE-032):
 * literal paths are checked directly; globs are walked from their literal prefixes, each prefix once
 * per call, with the compiled automata of `lib/domain/glob.ts` pruning directories that cannot hold a
 * match. Walks never follow symlinked directories and never enter `.haz` or `.git`.
 *
 * @module
 */

import { type BigIntStats, type Dirent, readdirSync, type Stats } from "node:fs";
import { join } from "node:path";
import {
  advanceStates,
  alternativeMatches,
  type CompiledAlternative,
  compilePattern,
  coverageAlternatives,
  exclusionMatchesPath,
  initialStates,
  literalAlternative,
  pathSegments,
  statesAccept,
  statesCanExtend,
  statesCoverAllBelow,
} from "../domain/glob.ts";
import { compareBytes } from "../domain/task_id.ts";
import type { PathPattern } from "../domain/workspace.ts";
import { DIRECT_LOOKUPS, type FileLookups, FileObservations } from "./file_observations.ts";
import { errorCode } from "./io_error.ts";
import { ioFailureReason } from "../util/io_failure_reason.ts";

/** One input file: its workspace-absolute path and the host path to read it through. */
export interface InputFile {
  readonly path: string;
  readonly hostPath: string;
  /** What `stat` (through symlinks) saw while enumerating a literal input, so hashing need not ask again. */
  readonly stat?: BigIntStats;
}

/** The input files of a task, or why they cannot be enumerated (CACHE-029). */
export type InputEnumeration = { ok: true; files: InputFile[] } | { ok: false; message: string };

/** Why a task's declared outputs could not be resolved after it ran. */
export type OutputResolutionError =
  | { readonly kind: "output-resolution"; readonly pattern: string; readonly message: string }
  | { readonly kind: "output-missing"; readonly path: string }
  | { readonly kind: "output-unsupported"; readonly path: string; readonly fileType: string };

/** The materialised outputs of a task, or the task error that resolving them raised. */
export type OutputResolution = { ok: true; paths: string[] } | { ok: false; error: OutputResolutionError };

type SpecialKind = "fifo" | "socket" | "block device" | "character device";
type EntryKind = "directory" | "file" | "symlink" | "missing" | SpecialKind;

/** A path that failed enumeration and the CACHE-029 message naming it. */
export interface Failure {
  readonly path: string;
  readonly message: string;
}

interface WalkFailure extends Failure {
  /** Canonical text of the pattern whose walk failed. */
  readonly pattern: string;
}

/** An alternative with the canonical text of the pattern it came from. */
interface LabelledAlternative {
  readonly alternative: CompiledAlternative;
  readonly pattern: string;
}

interface WalkRoot {
  /** Workspace-absolute path the walk starts at. */
  readonly path: string;
  /** The first pattern walked from here, named when the walk fails. */
  readonly pattern: string;
  readonly alternatives: readonly CompiledAlternative[];
  /** Globs only: every directory above the root must be a real directory, not a symlink. */
  readonly checkAncestors: boolean;
}

interface WalkRequest {
  readonly workspaceRoot: string;
  readonly roots: readonly WalkRoot[];
  readonly exclusions: readonly CompiledAlternative[];
  /** Inputs keep a symlink only when it resolves to a regular file; outputs keep every symlink. */
  readonly symlinksMustReachFiles: boolean;
  readonly lookups: FileLookups;
}

type States = readonly (readonly number[] | null)[];

interface DirectoryNode {
  readonly path: string;
  readonly hostPath: string;
  readonly pattern: string;
  readonly alternatives: readonly CompiledAlternative[];
  readonly included: States;
  readonly excluded: States;
}

/** Directory names a walk never enters nor reports. */
const SKIPPED_NAMES = new Set([".haz", ".git"]);
/** How many directories are read at the same time. */
const WALK_CONCURRENCY = 8;

function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return code === "ENOENT" || code === "ENOTDIR";
}

function isFailure(value: unknown): value is Failure {
  return typeof value === "object" && value !== null && "message" in value;
}

/**
 * Whether a result of {@linkcode checkLiteralInput} is a failure.
 *
 * @example
 * ```ts
 * isInputFailure({ path: "/web/x", message: "input `/web/x` does not exist" }); // true
 * ```
 */
export function isInputFailure(value: InputFile | Failure): value is Failure {
  return isFailure(value);
}

function hostPathOf(workspaceRoot: string, path: string): string {
  return path === "/" ? workspaceRoot : join(workspaceRoot, path);
}

function childPath(parent: string, name: string): string {
  return parent === "/" ? `/${name}` : `${parent}/${name}`;
}

function kindOfStats(info: Stats | Dirent): EntryKind | null {
  if (info.isDirectory()) return "directory";
  if (info.isFile()) return "file";
  if (info.isSymbolicLink()) return "symlink";
  if (info.isFIFO()) return "fifo";
  if (info.isSocket()) return "socket";
  if (info.isBlockDevice()) return "block device";
  if (info.isCharacterDevice()) return "character device";
  return null;
}

/** The kind of a path without following a final symlink. */
function entryKind(path: string, hostPath: string, lookups: FileLookups): EntryKind | Failure {
  try {
    // Synchronous: a local lstat costs microseconds, a promise round trip far more, and every task's
    // outputs are resolved (and their ancestors checked) right after it exits.
    const info = lookups.lstatIfPresent(hostPath);
    return info === undefined ? "missing" : kindOfStats(info) ?? "missing";
  } catch (error) {
    if (isMissing(error)) return "missing";
    return { path, message: `cannot read \`${path}\`: ${ioFailureReason(error)}` };
  }
}

function anyAccepts(alternatives: readonly CompiledAlternative[], states: States): boolean {
  return states.some((current, index) => current !== null && statesAccept(alternatives[index], current));
}

function advanceAll(alternatives: readonly CompiledAlternative[], states: States, name: string): States {
  return states.map((current, index) => {
    if (current === null) return null;
    const next = advanceStates(alternatives[index], current, name);
    return next.length === 0 ? null : next;
  });
}

function statesAfter(alternatives: readonly CompiledAlternative[], path: string): States {
  let states: States = alternatives.map(initialStates);
  for (const name of pathSegments(path)) states = advanceAll(alternatives, states, name);
  return states;
}

/** Runs `work` over a growing set of items with at most `limit` in flight. */
function runPool<T>(
  initial: readonly T[],
  limit: number,
  work: (item: T, schedule: (item: T) => void) => Promise<void>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const pending = [...initial];
    let running = 0;
    const pump = () => {
      while (running < limit && pending.length > 0) {
        const item = pending.pop()!;
        running++;
        work(item, schedule).then(() => {
          running--;
          pump();
          if (running === 0 && pending.length === 0) resolve();
        }, reject);
      }
    };
    const schedule = (item: T) => {
      pending.push(item);
      pump();
    };
    pump();
    if (running === 0) resolve();
  });
}

interface WalkResult {
  readonly paths: string[];
  readonly failures: WalkFailure[];
}

/** Walks the roots of a request and returns every kept path (unsorted) and every failure. */
async function walk(request: WalkRequest): Promise<WalkResult> {
  const started = startWalk(request);
  await started.rest();
  return started.result;
}

/**
 * {@linkcode walk} without waiting, when no directory has to be listed (each root is a file, or
 * missing); null otherwise.
 */
function walkNow(request: WalkRequest): WalkResult | null {
  const started = startWalk(request);
  return started.done ? started.result : null;
}

/** A walk's synchronous start (the roots and their ancestors), and the listing of directories left. */
function startWalk(request: WalkRequest): { result: WalkResult; done: boolean; rest: () => Promise<void> } {
  const paths: string[] = [];
  const failures: WalkFailure[] = [];
  const directories: DirectoryNode[] = [];
  const ancestorKinds = new Map<string, EntryKind | Failure>();
  const { exclusions, workspaceRoot, lookups } = request;

  const ancestorKind = (path: string) => {
    let kind = ancestorKinds.get(path);
    if (kind === undefined) {
      kind = entryKind(path, hostPathOf(workspaceRoot, path), lookups);
      ancestorKinds.set(path, kind);
    }
    return kind;
  };

  const consider = (
    node: DirectoryNode,
    kind: EntryKind,
    schedule: (node: DirectoryNode) => void,
  ) => {
    const { alternatives, included, excluded } = node;
    if (kind === "directory") {
      const wanted = included.some((current, index) =>
        current !== null && statesCanExtend(alternatives[index], current)
      );
      const dropped = excluded.some((current, index) =>
        current !== null && statesCoverAllBelow(exclusions[index], current)
      );
      if (wanted && !dropped) schedule(node);
      return;
    }
    if (kind !== "file" && kind !== "symlink") return;
    if (!anyAccepts(alternatives, included) || anyAccepts(exclusions, excluded)) return;
    if (kind === "symlink" && request.symlinksMustReachFiles) {
      try {
        if (!lookups.stat(node.hostPath).isFile()) return;
      } catch (error) {
        // A dangling or looping link is skipped; anything else could hide an input (CACHE-029).
        if (!isMissing(error) && errorCode(error) !== "ELOOP") {
          const message = `cannot read input \`${node.path}\`: ${ioFailureReason(error)}`;
          failures.push({ path: node.path, message, pattern: node.pattern });
        }
        return;
      }
    }
    paths.push(node.path);
  };

  const start = (root: WalkRoot) => {
    const segments = pathSegments(root.path);
    for (let depth = 1; root.checkAncestors && depth < segments.length; depth++) {
      const kind = ancestorKind("/" + segments.slice(0, depth).join("/"));
      if (isFailure(kind)) failures.push({ ...kind, pattern: root.pattern });
      if (kind !== "directory") return;
    }
    const hostPath = hostPathOf(workspaceRoot, root.path);
    const kind = root.path === "/" ? "directory" : entryKind(root.path, hostPath, lookups);
    if (isFailure(kind)) {
      failures.push({ ...kind, pattern: root.pattern });
      return;
    }
    const node = {
      path: root.path,
      hostPath,
      pattern: root.pattern,
      alternatives: root.alternatives,
      included: statesAfter(root.alternatives, root.path),
      excluded: statesAfter(exclusions, root.path),
    };
    consider(node, kind, (directory) => directories.push(directory));
  };

  const visit = async (directory: DirectoryNode, schedule: (node: DirectoryNode) => void) => {
    let entries: Dirent[];
    try {
      entries = await lookups.readdir(directory.hostPath);
    } catch (error) {
      // A directory that vanished holds nothing; one that cannot be read must not be skipped.
      if (!isMissing(error)) {
        const message = `cannot read directory \`${directory.path}\`: ${ioFailureReason(error)}`;
        failures.push({ path: directory.path, message, pattern: directory.pattern });
      }
      return;
    }
    for (const entry of entries) {
      const name = entry.name;
      if (SKIPPED_NAMES.has(name)) continue;
      const included = advanceAll(directory.alternatives, directory.included, name);
      if (included.every((current) => current === null)) continue;
      const path = childPath(directory.path, name);
      const hostPath = join(directory.hostPath, name);
      const kind = kindOfStats(entry) ?? entryKind(path, hostPath, lookups);
      if (isFailure(kind)) {
        failures.push({ ...kind, pattern: directory.pattern });
        continue;
      }
      const excluded = advanceAll(exclusions, directory.excluded, name);
      const { alternatives, pattern } = directory;
      consider({ path, hostPath, pattern, alternatives, included, excluded }, kind, schedule);
    }
  };

  request.roots.forEach(start);
  return {
    result: { paths, failures },
    done: directories.length === 0,
    rest: () => runPool(directories, WALK_CONCURRENCY, visit),
  };
}

/** The alternatives of glob patterns, each labelled with its pattern. */
function globAlternatives(patterns: readonly PathPattern[]): LabelledAlternative[] {
  return patterns.filter((pattern) => pattern.isGlob).flatMap((pattern) =>
    compilePattern(pattern).map((alternative) => ({ alternative, pattern: pattern.canonical }))
  );
}

/** Groups alternatives under the shortest literal prefixes, so each subtree is walked once. */
function walkRoots(labelled: readonly LabelledAlternative[]): WalkRoot[] {
  // A stable sort keeps declaration order among equal prefixes, so a root is named after its first pattern.
  const sorted = [...labelled].sort((a, b) =>
    a.alternative.literalPrefixLength - b.alternative.literalPrefixLength
  );
  const roots: { path: string; pattern: string; alternatives: CompiledAlternative[] }[] = [];
  // Roots never nest (a deeper prefix joins the root above it), so at most one holds a prefix: it is
  // found among the prefix's ancestors, not by scanning every root.
  const byPath = new Map<string, (typeof roots)[number]>();
  for (const { alternative, pattern } of sorted) {
    const root = rootHolding(byPath, alternative.literalPrefix);
    if (root) root.alternatives.push(alternative);
    else {
      const added = { path: alternative.literalPrefix, pattern, alternatives: [alternative] };
      roots.push(added);
      byPath.set(added.path, added);
    }
  }
  return roots.map((root) => ({ ...root, checkAncestors: true }));
}

function sortedUnique(paths: Iterable<string>): string[] {
  const unique = [...new Set(paths)];
  // UTF-16 order is byte order unless a surrogate is involved; the native sort is much faster.
  return unique.some((path) => SURROGATE.test(path)) ? unique.sort(compareBytes) : unique.sort();
}

const SURROGATE = /[\uD800-\uDFFF]/;

function firstFailure<T extends Failure>(failures: readonly T[]): T {
  return [...failures].sort((a, b) => compareBytes(a.path, b.path))[0];
}

/**
 * PATH-020 for one literal input: a regular file, or a symlink resolving to one (a synchronous stat);
 * otherwise the failure naming it.
 *
 * @example
 * ```ts
 * const checked = checkLiteralInput("/work", "/web/package.json", DIRECT_LOOKUPS);
 * if (!isInputFailure(checked)) checked.stat?.size; // 2n
 * ```
 */
export function checkLiteralInput(
  workspaceRoot: string,
  path: string,
  lookups: FileLookups,
): InputFile | Failure {
  const hostPath = hostPathOf(workspaceRoot, path);
  try {
    const stat = lookups.stat(hostPath);
    if (stat.isFile()) return { path, hostPath, stat };
    return { path, message: `input \`${path}\` is not a regular file` };
  } catch (error) {
    if (isMissing(error)) return { path, message: `input \`${path}\` does not exist` };
    if (errorCode(error) === "ELOOP") return { path, message: `input \`${path}\` is not a regular file` };
    return { path, message: `cannot read input \`${path}\`: ${ioFailureReason(error)}` };
  }
}

/**
 * {@link enumerateInputs} without a walk, synchronously: the same result when every inclusion is a
 * literal path and nothing is excluded (the common shape of a small task), else null.
 *
 * @example
 * ```ts
 * const result = enumerateLiteralInputs(root, [resolvePattern({ text: "src/x", exclude: false }, "/web")], []);
 * if (result?.ok) result.files.map((file) => file.path); // ["/web/src/x"]
 * ```
 */
export function enumerateLiteralInputs(
  workspaceRoot: string,
  inclusions: readonly PathPattern[],
  exclusions: readonly PathPattern[],
  lookups: FileLookups = DIRECT_LOOKUPS,
): InputEnumeration | null {
  if (exclusions.length > 0 || inclusions.some((pattern) => pattern.isGlob)) return null;
  const checked = inclusions.map((pattern) => checkLiteralInput(workspaceRoot, pattern.canonical, lookups));
  const failures = checked.filter(isFailure);
  if (failures.length > 0) return { ok: false, message: firstFailure(failures).message };
  const files = checked as InputFile[];
  if (files.length < 2) return { ok: true, files };
  const byPath = new Map(files.map((file) => [file.path, file]));
  return { ok: true, files: sortedUnique(byPath.keys()).map((path) => byPath.get(path)!) };
}

/**
 * PATH-020/021, CACHE-006/029: the input files of a task, sorted by canonical path bytes and
 * de-duplicated. Literal inclusions must be regular files (or symlinks to one); glob inclusions keep
 * regular files and symlinks to regular files; exclusions remove what they match (a literal exclusion
 * also everything below it) and an excluded literal is never checked. Fails with
 * ``input `<path>` does not exist``, ``input `<path>` is not a regular file``, or a message naming an
 * unreadable directory or file (reported for the smallest such path).
 *
 * @example
 * ```ts
 * const result = await enumerateInputs(root, [resolvePattern({ text: "src/**", exclude: false }, "/web")], []);
 * if (result.ok) result.files.map((file) => file.path); // ["/web/src/a.ts", …]
 * ```
 *
 * `lookups` answers the file-system reads (a run shares them between its tasks, see
 * {@linkcode FileObservations}); by default each goes to the file system.
 */
export async function enumerateInputs(
  workspaceRoot: string,
  inclusions: readonly PathPattern[],
  exclusions: readonly PathPattern[],
  lookups: FileLookups = DIRECT_LOOKUPS,
): Promise<InputEnumeration> {
  const literal = enumerateLiteralInputs(workspaceRoot, inclusions, exclusions, lookups);
  if (literal !== null) return literal;
  if (lookups instanceof FileObservations) {
    const shared = sharedInclusions(inclusions, exclusions);
    const walked = await sharedWalks(workspaceRoot, shared.globs, lookups);
    if (walked !== null) {
      const byPath = new Map<string, InputFile>();
      for (const pattern of shared.literals) {
        const checked = checkLiteralInput(workspaceRoot, pattern.canonical, lookups);
        if (isFailure(checked)) {
          const failures = shared.literals.map((literal) =>
            checkLiteralInput(workspaceRoot, literal.canonical, lookups)
          );
          return { ok: false, message: firstFailure(failures.filter(isFailure)).message };
        }
        byPath.set(checked.path, checked);
      }
      for (const file of walked) if (!byPath.has(file.path)) byPath.set(file.path, file);
      return { ok: true, files: sortedUnique(byPath.keys()).map((path) => byPath.get(path)!) };
    }
  }
  const exclusionAlternatives = exclusions.flatMap(coverageAlternatives);
  const literals = inclusions.filter((pattern) =>
    !pattern.isGlob &&
    !exclusionAlternatives.some((alternative) => alternativeMatches(alternative, pattern.canonical))
  );
  const [checked, walked] = await Promise.all([
    Promise.all(literals.map((pattern) => checkLiteralInput(workspaceRoot, pattern.canonical, lookups))),
    walk({
      workspaceRoot,
      roots: walkRoots(globAlternatives(inclusions)),
      exclusions: exclusionAlternatives,
      symlinksMustReachFiles: true,
      lookups,
    }),
  ]);
  const failures = [...checked.filter(isFailure), ...walked.failures];
  if (failures.length > 0) return { ok: false, message: firstFailure(failures).message };
  const found = checked as InputFile[];
  if (walked.paths.length === 0 && found.length === 1) return { ok: true, files: found };
  const literalStats = new Map(found.map((file) => [file.path, file]));
  const paths = sortedUnique([...found.map((file) => file.path), ...walked.paths]);
  return {
    ok: true,
    files: paths.map((path) => literalStats.get(path) ?? { path, hostPath: hostPathOf(workspaceRoot, path) }),
  };
}

/**
 * The files of each glob inclusion, walked once per run for each pattern and the exclusions that can
 * meet it (see {@linkcode sharedInclusions}), so every task naming the same pattern shares the walk.
 * Null when a walk failed: the caller then enumerates the task's inputs on its own, for the exact
 * failure message.
 */
async function sharedWalks(
  workspaceRoot: string,
  globs: readonly SharedGlob[],
  observations: FileObservations,
): Promise<InputFile[] | null> {
  const files: InputFile[] = [];
  const waiting: Promise<SharedWalk>[] = [];
  for (const glob of globs) {
    // Most walks are done by an earlier task of the run: taken as they are, without a round trip.
    const known = knownWalk(glob, observations);
    if (known !== undefined) {
      if (known.failed) return null;
      for (const file of known.files) files.push(file);
    } else waiting.push(walkShared(workspaceRoot, glob, observations));
  }
  for (const result of await Promise.all(waiting)) {
    if (result.failed) return null;
    for (const file of result.files) files.push(file);
  }
  return files;
}

/** One glob pattern's walk as the tasks of a run share it: its files in byte order of path. */
export interface SharedWalk {
  readonly failed: boolean;
  readonly files: readonly InputFile[];
}

/** A glob inclusion of a task with the exclusions that can meet it (see {@linkcode sharedInclusions}). */
export interface SharedGlob {
  readonly pattern: PathPattern;
  /** The ids of the relevant exclusion alternatives, comma-separated: part of the sharing key. */
  readonly exclusionIds: string;
  readonly exclusions: readonly CompiledAlternative[];
}

const NO_EXCLUSIONS: readonly CompiledAlternative[] = [];

/** A task's inclusions as a run shares them: literal paths and globs (see {@linkcode SharedGlob}). */
export interface SharedInclusions {
  /** Literal inclusions no exclusion removes, in declaration order. */
  readonly literals: readonly PathPattern[];
  readonly globs: readonly SharedGlob[];
}

/**
 * Splits a task's inclusions for sharing: literals that no exclusion removes (PATH-021: an excluded
 * literal is never checked), and each glob with the exclusions whose literal prefix lies above or
 * below one of its walk roots (no other can match or prune anything there), so two tasks with the
 * same glob and the same relevant exclusions see the same files.
 *
 * @example
 * ```ts
 * const { literals, globs } = sharedInclusions(task.inputs!, task.inputExclusions);
 * globs[0].exclusionIds; // "" when no exclusion meets the first glob
 * ```
 */
export function sharedInclusions(
  inclusions: readonly PathPattern[],
  exclusions: readonly PathPattern[],
): SharedInclusions {
  const literals: PathPattern[] = [];
  const globs: SharedGlob[] = [];
  if (exclusions.length === 0) {
    for (const pattern of inclusions) {
      if (!pattern.isGlob) literals.push(pattern);
      else globs.push({ pattern, exclusionIds: "", exclusions: NO_EXCLUSIONS });
    }
    return { literals, globs };
  }
  const exclusionAlternatives = exclusions.flatMap(coverageAlternatives);
  const index = new AlternativeIndex(exclusionAlternatives);
  for (const pattern of inclusions) {
    if (!pattern.isGlob) {
      const excluded = exclusionAlternatives.some((alternative) =>
        alternativeMatches(alternative, pattern.canonical)
      );
      if (!excluded) literals.push(pattern);
      continue;
    }
    const roots = patternRoots(pattern);
    const relevant = index.meeting(roots);
    const exclusionIds = relevant.length === 0 ? "" : relevant.map(alternativeId).join(",");
    globs.push({ pattern, exclusionIds, exclusions: relevant });
  }
  return { literals, globs };
}

/**
 * The host paths of a shared glob's walk roots: what a write must touch (at, above or below) to
 * change its files.
 *
 * @example
 * ```ts
 * globRootHostPaths("/work", glob); // ["/work/web/src"] for `src/**` of `/web`
 * ```
 */
export function globRootHostPaths(workspaceRoot: string, glob: SharedGlob): string[] {
  return patternRoots(glob.pattern).map((root) => hostPathOf(workspaceRoot, root.path));
}

/**
 * The walk of a shared glob if this run already finished it.
 *
 * @example
 * ```ts
 * knownWalk(glob, observations)?.files.length; // 3, or undefined before the first walk
 * ```
 */
export function knownWalk(glob: SharedGlob, observations: FileObservations): SharedWalk | undefined {
  return observations.knownShare<SharedWalk>("walk", glob.pattern.canonical, glob.exclusionIds);
}

/**
 * {@linkcode walkShared} without waiting: the walk this run holds, or one done now when it lists no
 * directory (a root that is a file or missing); null when a directory has to be listed.
 *
 * @example
 * ```ts
 * walkSharedNow("/work", glob, observations)?.files.length; // 1 for `src/x{,/**}` naming a file
 * ```
 */
export function walkSharedNow(
  workspaceRoot: string,
  glob: SharedGlob,
  observations: FileObservations,
): SharedWalk | null {
  const known = knownWalk(glob, observations);
  if (known !== undefined) return known;
  const walked = walkNow(globWalkRequest(workspaceRoot, glob, observations));
  if (walked === null) return null;
  const shared = sharedWalkOf(workspaceRoot, walked);
  observations.shareNow(
    "walk",
    glob.pattern.canonical,
    glob.exclusionIds,
    globRootHostPaths(workspaceRoot, glob),
    shared,
  );
  return shared;
}

function globWalkRequest(
  workspaceRoot: string,
  glob: SharedGlob,
  observations: FileObservations,
): WalkRequest {
  return {
    workspaceRoot,
    roots: patternRoots(glob.pattern),
    exclusions: glob.exclusions,
    symlinksMustReachFiles: true,
    lookups: observations,
  };
}

function sharedWalkOf(workspaceRoot: string, walked: WalkResult): SharedWalk {
  return {
    failed: walked.failures.length > 0,
    files: sortedUnique(walked.paths).map((path) => ({ path, hostPath: hostPathOf(workspaceRoot, path) })),
  };
}

/**
 * The walk of a shared glob, once per run (until a write there makes the run forget it); its files
 * in byte order of path. A walk that met an unreadable path is `failed` (the caller's own
 * enumeration then reports it).
 *
 * @example
 * ```ts
 * const walked = await walkShared("/work", glob, observations);
 * if (!walked.failed) walked.files.map((file) => file.path); // ["/web/src/a.ts", …]
 * ```
 */
export function walkShared(
  workspaceRoot: string,
  glob: SharedGlob,
  observations: FileObservations,
): Promise<SharedWalk> {
  const hostRoots = globRootHostPaths(workspaceRoot, glob);
  return observations.share(
    "walk",
    glob.pattern.canonical,
    glob.exclusionIds,
    hostRoots,
    async () => sharedWalkOf(workspaceRoot, await walk(globWalkRequest(workspaceRoot, glob, observations))),
  );
}

/** The walk roots of one glob pattern (memoised: the same patterns recur in every run). */
const rootsOfPattern = new Map<string, readonly WalkRoot[]>();

function patternRoots(pattern: PathPattern): readonly WalkRoot[] {
  let roots = rootsOfPattern.get(pattern.canonical);
  if (roots === undefined) {
    roots = walkRoots(globAlternatives([pattern]));
    rootsOfPattern.set(pattern.canonical, roots);
  }
  return roots;
}

/** A stable number per compiled alternative (they are memoised, so equal patterns share one). */
const alternativeIds = new WeakMap<CompiledAlternative, number>();
let nextAlternativeId = 0;

function alternativeId(alternative: CompiledAlternative): number {
  let id = alternativeIds.get(alternative);
  if (id === undefined) {
    id = nextAlternativeId++;
    alternativeIds.set(alternative, id);
  }
  return id;
}

/** Alternatives by literal prefix: those above or below a path, without testing every one. */
class AlternativeIndex {
  readonly #byPrefix = new Map<string, CompiledAlternative[]>();
  /** The distinct prefixes in UTF-16 order, which keeps those below one path contiguous. */
  readonly #sorted: string[];

  constructor(alternatives: readonly CompiledAlternative[]) {
    for (const alternative of alternatives) {
      const same = this.#byPrefix.get(alternative.literalPrefix);
      if (same === undefined) this.#byPrefix.set(alternative.literalPrefix, [alternative]);
      else same.push(alternative);
    }
    this.#sorted = [...this.#byPrefix.keys()].sort();
  }

  /** The alternatives whose prefix is at, above or below one of the roots' paths, by ascending id. */
  meeting(roots: readonly WalkRoot[]): CompiledAlternative[] {
    if (this.#byPrefix.size === 0) return [];
    const found = new Set<CompiledAlternative>();
    for (const { path } of roots) {
      for (const alternative of this.#byPrefix.get("/") ?? []) found.add(alternative);
      for (let slash = path.indexOf("/", 1); slash !== -1; slash = path.indexOf("/", slash + 1)) {
        for (const alternative of this.#byPrefix.get(path.slice(0, slash)) ?? []) found.add(alternative);
      }
      const below = path === "/" ? "/" : `${path}/`;
      for (let at = lowerBound(this.#sorted, path); at < this.#sorted.length; at++) {
        const prefix = this.#sorted[at];
        if (prefix !== path && !prefix.startsWith(below)) break;
        for (const alternative of this.#byPrefix.get(prefix)!) found.add(alternative);
      }
    }
    return [...found].sort((a, b) => alternativeId(a) - alternativeId(b));
  }
}

function lowerBound(sorted: readonly string[], value: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The lookups of an output walk: directory listings are synchronous. The walk runs while the task
 * holds its slot, and an asynchronous listing would wait in the runtime's thread pool (2 threads
 * under Bun on 2 cores) behind the other lane's store fsyncs; a listing is one or two `getdents`.
 */
const OUTPUT_LOOKUPS: FileLookups = {
  ...DIRECT_LOOKUPS,
  readdir: (hostPath) => new Promise((resolve) => resolve(readdirSync(hostPath, { withFileTypes: true }))),
};

/**
 * PATH-022/023, CACHE-032: the materialised outputs after a successful run, sorted by canonical path
 * bytes and de-duplicated. A literal regular file or symlink yields itself (never followed); a literal
 * directory every regular file and symlink below it; a glob its matching regular files and symlinks.
 * FIFOs, sockets and devices found by a walk are ignored. Errors, for the first failing literal in
 * declaration order: `output-missing`, `output-unsupported` (another kind of file), or
 * `output-resolution` for a path that cannot be read.
 *
 * @example
 * ```ts
 * const result = await resolveOutputs(root, [resolvePattern({ text: "dist", exclude: false }, "/web")]);
 * if (result.ok) result.paths; // ["/web/dist/index.js", "/web/dist/link"]
 * ```
 */
export async function resolveOutputs(
  workspaceRoot: string,
  outputs: readonly PathPattern[],
  exclusions: readonly PathPattern[] = [],
): Promise<OutputResolution> {
  const literals = outputs.filter((pattern) => !pattern.isGlob);
  const kinds = literals.map((pattern) =>
    entryKind(pattern.canonical, hostPathOf(workspaceRoot, pattern.canonical), OUTPUT_LOOKUPS)
  );
  const paths: string[] = [];
  const roots: WalkRoot[] = [];
  for (const [index, output] of literals.entries()) {
    const kind = kinds[index];
    const path = output.canonical;
    if (isFailure(kind)) {
      return { ok: false, error: { kind: "output-resolution", pattern: path, message: kind.message } };
    }
    if (kind === "missing") return { ok: false, error: { kind: "output-missing", path } };
    if (kind === "file" || kind === "symlink") paths.push(path);
    else if (kind === "directory") {
      roots.push({
        path,
        pattern: path,
        alternatives: [literalAlternative(path, true)],
        checkAncestors: false,
      });
    } else return { ok: false, error: { kind: "output-unsupported", path, fileType: kind } };
  }
  const walked = await walk({
    workspaceRoot,
    roots: [...roots, ...walkRoots(globAlternatives(outputs))],
    exclusions: exclusions.flatMap(coverageAlternatives),
    symlinksMustReachFiles: false,
    lookups: OUTPUT_LOOKUPS,
  });
  if (walked.failures.length > 0) {
    const { pattern, message } = firstFailure(walked.failures);
    return { ok: false, error: { kind: "output-resolution", pattern, message } };
  }
  // ADOPT-100: output exclusions remove what they match (a literal also everything below it).
  const kept = paths.filter((path) => !exclusions.some((exclusion) => exclusionMatchesPath(exclusion, path)));
  return { ok: true, paths: sortedUnique([...kept, ...walked.paths]) };
}

/** The entry of `byPath` at `path` or at one of its ancestors (`/` included). */
function rootHolding<T>(byPath: ReadonlyMap<string, T>, path: string): T | undefined {
  const atRoot = byPath.get("/");
  if (atRoot !== undefined) return atRoot;
  for (let slash = path.indexOf("/", 1); slash !== -1; slash = path.indexOf("/", slash + 1)) {
    const above = byPath.get(path.slice(0, slash));
    if (above !== undefined) return above;
  }
  return byPath.get(path);
}
