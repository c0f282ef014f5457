/**
 * The input section of cache keys (03-cache.md CACHE-006, CACHE-009 section `I`) built from entries
 * the tasks of one run share. An imported workspace gives every task the inputs of its whole closure
 * (08-adoption.md ADOPT-042): the same inclusion appears in hundreds of keys. Each inclusion (a
 * literal path, or a glob with the exclusions that can meet it) is enumerated, hashed and framed
 * (`str(path) digest(content)`, byte order of path) once per run; a key's section is then the
 * entries of its inclusions in byte order of path, de-duplicated: the inclusions' ranges are ordered
 * by their first path and, when no two overlap, their framed bytes are concatenated as they are;
 * otherwise the entries are merged one by one. The bytes are exactly those of the direct derivation.
 *
 * Anything that fails (a missing literal, an unreadable file or directory) makes the section
 * unavailable: the caller derives the key on its own path, which reports the exact CACHE-029 message.
 *
 * @module
 */

import { statSync } from "node:fs";
import { join } from "node:path";
import { compareBytes } from "../domain/task_id.ts";
import type { PathPattern, TaskDefinition } from "../domain/workspace.ts";
import {
  checkLiteralInput,
  globRootHostPaths,
  type InputFile,
  isInputFailure,
  knownWalk,
  type SharedGlob,
  sharedInclusions,
  walkShared,
  walkSharedNow,
} from "./file_walk.ts";
import { type FileDigest, hashFileNow } from "./file_hash.ts";
import type { FileObservations } from "./file_observations.ts";
import type { HashAlgorithm } from "./hash_algorithm.ts";
import { type HashedInput, hashInputs } from "./input_hashing.ts";
import type { InputDigestMemo } from "./input_stat_cache.ts";
import { FrameWriter } from "./key_frame.ts";

/** The framed entries of one inclusion, shared by every key that includes it. */
interface InclusionEntries {
  /** Enumerating or hashing failed: the key is derived on the direct path. */
  readonly failed: boolean;
  /** The files in byte order of path, unique. */
  readonly inputs: readonly HashedInput[];
  /** `str(path) digest(content)` of every file, in the same order. */
  readonly bytes: Uint8Array;
  /** The offset in `bytes` after each entry. */
  readonly ends: Uint32Array;
  /** A path holds a surrogate, so UTF-16 order may differ from byte order. */
  readonly surrogates: boolean;
}

/** Section `I` of a key: its input files and their framed entries in order. */
export interface InputSection {
  /** The hashed inputs in byte order of path, unique. */
  readonly inputs: readonly HashedInput[];
  /** `str(path) digest(content)` of each input, in the same order, split anywhere. */
  readonly framed: readonly Uint8Array[];
}

/** What the shared derivation of a task's input section needs. */
export interface SharedInputRequest {
  /** Real host path of the workspace root. */
  readonly workspaceRoot: string;
  /** A task with declared `inputs`. */
  readonly task: TaskDefinition;
  readonly hash: HashAlgorithm;
  readonly inputDigests?: InputDigestMemo;
  readonly observations: FileObservations;
}

/** The sharing key of a literal inclusion (a glob's is its exclusion ids: digits and commas). */
const LITERAL = "literal";

const FAILED: InclusionEntries = {
  failed: true,
  inputs: [],
  bytes: new Uint8Array(0),
  ends: new Uint32Array(0),
  surrogates: false,
};

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * The task's input section from entries this run already holds for every inclusion, without
 * waiting; null when one is missing or failed (then {@linkcode sharedInputSection} or the direct
 * derivation answers).
 *
 * @example
 * ```ts
 * const section = sharedInputSectionNow({ workspaceRoot, task, hash: sha256, observations });
 * section?.inputs.length; // 300 for a task of an imported workspace, once its inclusions are known
 * ```
 */
export function sharedInputSectionNow(request: SharedInputRequest): InputSection | null {
  const collected = collectEntries(request, false);
  return collected === null || collected.pending.length > 0 ? null : assembleSection(collected.known);
}

/**
 * The task's input section from entries shared by the run, computing (once per run) those not yet
 * known; null when an inclusion could not be enumerated or hashed (the direct derivation then
 * reports why).
 *
 * @example
 * ```ts
 * const section = await sharedInputSection({ workspaceRoot, task, hash: sha256, observations });
 * section?.inputs.map((input) => input.path); // ["/web/package.json", "/web/src/a.ts"]
 * ```
 */
export async function sharedInputSection(request: SharedInputRequest): Promise<InputSection | null> {
  const collected = collectEntries(request, true);
  if (collected === null) return null;
  const { known, pending } = collected;
  if (pending.length > 0) {
    for (const entries of await Promise.all(pending)) {
      if (entries.failed) return null;
      known.push(entries);
    }
  }
  return assembleSection(known);
}

/**
 * The entries of each inclusion of the task: those the run holds, those computed now (a literal, or
 * a glob whose walk lists no directory, with small files), and (when `wait`) the promises of the
 * others, computing or started now. Null as soon as one is known to have failed, or (without `wait`)
 * one cannot be had without waiting.
 */
function collectEntries(
  request: SharedInputRequest,
  wait: boolean,
): { known: InclusionEntries[]; pending: Promise<InclusionEntries>[] } | null {
  const { task, observations, workspaceRoot } = request;
  const known: InclusionEntries[] = [];
  const pending: Promise<InclusionEntries>[] = [];
  const take = (entries: InclusionEntries): boolean => {
    known.push(entries);
    return !entries.failed;
  };
  const literal = (canonical: string): boolean => {
    const held = observations.knownShare<InclusionEntries>("entries", canonical, LITERAL);
    if (held !== undefined) return take(held);
    const roots = [hostPathOf(workspaceRoot, canonical)];
    const now = literalEntriesNow(request, canonical);
    if (now !== null) {
      observations.shareNow("entries", canonical, LITERAL, roots, now);
      return take(now);
    }
    if (!wait) return false;
    pending.push(
      observations.share("entries", canonical, LITERAL, roots, () => literalEntries(request, canonical)),
    );
    return true;
  };
  /** `shared` null: the task has no exclusions. */
  const glob = (pattern: PathPattern, shared: SharedGlob | null): boolean => {
    const { canonical } = pattern;
    const exclusionIds = shared?.exclusionIds ?? "";
    const held = observations.knownShare<InclusionEntries>("entries", canonical, exclusionIds);
    if (held !== undefined) return take(held);
    const plan = shared ?? { pattern, exclusionIds, exclusions: [] };
    const roots = globRootHostPaths(workspaceRoot, plan);
    const now = globEntriesNow(request, plan);
    if (now !== null) {
      observations.shareNow("entries", canonical, exclusionIds, roots, now);
      return take(now);
    }
    if (!wait) return false;
    pending.push(
      observations.share("entries", canonical, exclusionIds, roots, () => globEntries(request, plan)),
    );
    return true;
  };
  if (task.inputExclusions.length === 0) {
    // The common shape, and the hot loop of a cached run of an imported workspace: no plan needed.
    for (const pattern of task.inputs ?? []) {
      if (!(pattern.isGlob ? glob(pattern, null) : literal(pattern.canonical))) return null;
    }
    return { known, pending };
  }
  const { literals, globs } = sharedInclusions(task.inputs ?? [], task.inputExclusions);
  for (const pattern of literals) if (!literal(pattern.canonical)) return null;
  for (const shared of globs) if (!glob(shared.pattern, shared)) return null;
  return { known, pending };
}

function literalEntriesNow(request: SharedInputRequest, canonical: string): InclusionEntries | null {
  const checked = checkLiteralInput(request.workspaceRoot, canonical, request.observations);
  return isInputFailure(checked) ? FAILED : hashedNow([checked], request);
}

function globEntriesNow(request: SharedInputRequest, glob: SharedGlob): InclusionEntries | null {
  const walked = walkSharedNow(request.workspaceRoot, glob, request.observations);
  if (walked === null) return null;
  return walked.failed ? FAILED : hashedNow(walked.files, request);
}

/**
 * The entries of files hashed without waiting (digests the run holds, small files read now); null
 * when one needs the streamed read or is being hashed already.
 */
function hashedNow(files: readonly InputFile[], request: SharedInputRequest): InclusionEntries | null {
  const { observations, hash, inputDigests } = request;
  const inputs: HashedInput[] = [];
  for (const file of files) {
    let content: FileDigest | null;
    try {
      content = observations.digestNow(
        file.hostPath,
        () =>
          hashFileNow(
            file.hostPath,
            hash,
            inputDigests,
            file.stat ?? statSync(file.hostPath, { bigint: true }),
          ),
      );
    } catch {
      // The direct derivation reports what cannot be read.
      return FAILED;
    }
    if (content === null) return null;
    inputs.push({ path: file.path, hostPath: file.hostPath, ...content });
  }
  return framedEntries(inputs);
}

async function literalEntries(request: SharedInputRequest, canonical: string): Promise<InclusionEntries> {
  const { workspaceRoot, observations } = request;
  const checked = checkLiteralInput(workspaceRoot, canonical, observations);
  if (isInputFailure(checked)) return FAILED;
  const hashed = await hashInputs([checked], request.hash, request.inputDigests, observations);
  return hashed.ok ? framedEntries(hashed.inputs) : FAILED;
}

async function globEntries(request: SharedInputRequest, glob: SharedGlob): Promise<InclusionEntries> {
  const { workspaceRoot, observations } = request;
  const walked = knownWalk(glob, observations) ?? await walkShared(workspaceRoot, glob, observations);
  if (walked.failed) return FAILED;
  const hashed = await hashInputs(walked.files, request.hash, request.inputDigests, observations);
  return hashed.ok ? framedEntries(hashed.inputs) : FAILED;
}

/** Frames inputs given in byte order of path, unique. */
function framedEntries(inputs: readonly HashedInput[]): InclusionEntries {
  const out = new FrameWriter(80 * inputs.length);
  const ends = new Uint32Array(inputs.length);
  let surrogates = false;
  for (let index = 0; index < inputs.length; index++) {
    const { path, digest } = inputs[index];
    out.str(path);
    out.digest(digest);
    ends[index] = out.length;
    surrogates ||= SURROGATE.test(path);
  }
  return { failed: false, inputs, bytes: out.bytes(), ends, surrogates };
}

/**
 * The union of the inclusions' entries in byte order of path, unique: ranges that do not overlap are
 * taken whole, in order; overlapping ones are merged entry by entry.
 */
function assembleSection(all: readonly InclusionEntries[]): InputSection {
  const ranges: InclusionEntries[] = [];
  let surrogates = false;
  for (const entries of all) {
    if (entries.inputs.length === 0) continue;
    ranges.push(entries);
    surrogates ||= entries.surrogates;
  }
  if (ranges.length === 0) return { inputs: [], framed: [] };
  const compare = surrogates ? compareBytes : compareUnits;
  sortNearlySorted(ranges, (a, b) => compare(a.inputs[0].path, b.inputs[0].path));
  for (let index = 1; index < ranges.length; index++) {
    const previous = ranges[index - 1].inputs;
    if (compare(ranges[index].inputs[0].path, previous[previous.length - 1].path) <= 0) {
      return mergedSection(ranges, compare);
    }
  }
  const inputs: HashedInput[] = [];
  const framed: Uint8Array[] = new Array(ranges.length);
  for (let index = 0; index < ranges.length; index++) {
    const entries = ranges[index];
    for (const input of entries.inputs) inputs.push(input);
    framed[index] = entries.bytes;
  }
  return { inputs, framed };
}

/**
 * Sorts in place. Inclusions are mostly listed in path order (an imported workspace lists each
 * package's files together, packages in order), so an insertion sort finishes in about one pass; past
 * a few moves per item the general sort takes over.
 */
function sortNearlySorted<T>(items: T[], compare: (a: T, b: T) => number): void {
  let budget = 4 * items.length;
  for (let index = 1; index < items.length; index++) {
    const item = items[index];
    let at = index;
    while (at > 0 && compare(items[at - 1], item) > 0) {
      if (--budget < 0) {
        // `items[at]` was copied one place up already: `item` takes its place before the full sort.
        items[at] = item;
        items.sort(compare);
        return;
      }
      items[at] = items[at - 1];
      at--;
    }
    items[at] = item;
  }
}

/** Overlapping ranges: every entry on its own, sorted, the first of equal paths kept. */
function mergedSection(
  ranges: readonly InclusionEntries[],
  compare: (a: string, b: string) => number,
): InputSection {
  const all: { input: HashedInput; bytes: Uint8Array }[] = [];
  for (const entries of ranges) {
    for (let index = 0; index < entries.inputs.length; index++) {
      const start = index === 0 ? 0 : entries.ends[index - 1];
      all.push({ input: entries.inputs[index], bytes: entries.bytes.subarray(start, entries.ends[index]) });
    }
  }
  all.sort((a, b) => compare(a.input.path, b.input.path));
  const inputs: HashedInput[] = [];
  const framed: Uint8Array[] = [];
  for (const { input, bytes } of all) {
    if (inputs.length > 0 && inputs[inputs.length - 1].path === input.path) continue;
    inputs.push(input);
    framed.push(bytes);
  }
  return { inputs, framed };
}

/** UTF-16 order: byte order of UTF-8 when no surrogate is involved. */
function compareUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** As the enumeration resolves it, so the entries are forgotten with what they were read through. */
function hostPathOf(workspaceRoot: string, path: string): string {
  return path === "/" ? workspaceRoot : join(workspaceRoot, path);
}
