/**
 * Two-phase restore and replay (03-cache.md CACHE-019, CACHE-020, CACHE-036..038): plan against
 * the workspace, stage verified copies under `.haz/cache/.restore-<key>-<random>/`, then publish each
 * output with one rename. Nothing unverified reaches the workspace.
 *
 * @module
 */

import {
  type BigIntStats,
  chmodSync,
  constants,
  copyFileSync,
  lstatSync,
  mkdirSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { closeSync, fstatSync, openSync, read, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { TaskDefinition } from "../domain/workspace.ts";
import { checkAncestorsSync } from "./ancestor_check.ts";
import type { RestoreOptions, RestoreResult } from "./cache_handle.ts";
import { copyHashing, copySmallHashing } from "./copy_hashing.ts";
import { CHUNK_BYTES, hashFile, hashFileNow, readChunks } from "./file_hash.ts";
import { errorCode, errorMessage, isNotFound } from "./io_error.ts";
import {
  CACHE_ROOT_DISPLAY,
  entryPath,
  OUTPUTS_DIR,
  randomSuffix,
  restoreDirName,
  shardOf,
} from "./layout.ts";
import type { Manifest, ManifestOutput } from "./manifest.ts";
import { isRestorablePath } from "./manifest_path.ts";
import type { CacheContext } from "./store.ts";
import type { HashAlgorithm } from "./hash_algorithm.ts";

/** A staged output waiting for its rename onto the workspace path. */
interface StagedOutput {
  readonly output: ManifestOutput;
  readonly staged: string;
}

/** A recorded stream as verified by a restore: its bytes, or the open file they were hashed from. */
type VerifiedSource = { readonly bytes: Uint8Array } | { readonly fd: number };

/**
 * The recorded streams a restore verified, held open so that their replay reads exactly the verified
 * bytes even if `haz cache clean` or `clear` removes the entry meanwhile (XPROC-005). Each stream is
 * taken once.
 */
export class VerifiedStreams {
  readonly #sources: Partial<Record<"stdout" | "stderr", VerifiedSource>> = {};

  /** Keeps the source of one stream. */
  hold(stream: "stdout" | "stderr", source: VerifiedSource): void {
    this.#sources[stream] = source;
  }

  /** Hands over the source of `stream` (the caller replays and closes it); null when not held. */
  take(stream: "stdout" | "stderr"): VerifiedSource | null {
    const source = this.#sources[stream] ?? null;
    delete this.#sources[stream];
    return source;
  }

  /** Closes whatever was not taken. Never throws. */
  close(): void {
    for (const stream of ["stdout", "stderr"] as const) {
      const source = this.take(stream);
      if (source !== null && "fd" in source) closeQuietly(source.fd);
    }
  }
}

/** A restore's result, with the verified streams of a successful one. */
export interface VerifiedRestore {
  readonly result: RestoreResult;
  /** Set iff the result is `restored`; replay from these with {@link replayStream}. */
  readonly streams: VerifiedStreams | null;
}

/** Signals a late miss (CACHE-038) from deep inside staging. */
class LateMiss extends Error {}

/** Signals a restore error (`cannot restore <path>: <reason>`). */
class RestoreFailure extends Error {}

/**
 * Materialises a hit's outputs (CACHE-020). Identical outputs are left untouched (CACHE-037); a
 * blob or stream that is missing, of the wrong size or digest is a late miss (CACHE-038); anything
 * that would write through a symlink, outside the workspace or into `.haz/`/`.git/` is an error.
 * An entry or staging file that a concurrent `haz cache clean` or `clear` removes is a late miss too
 * (XPROC-005); the verified streams are kept for the replay. With `onlyIfUpToDate`, an output that
 * would have to be written makes it `needs-writes` before anything is staged.
 *
 * @example
 * ```ts
 * const { result, streams } = await restoreEntry(context, manifest, task);
 * if (result.kind === "restored") result.materialised; // ["/app/out.txt"]
 * streams?.close();
 * ```
 */
export async function restoreEntry(
  context: CacheContext,
  manifest: Manifest,
  task: TaskDefinition,
  options: RestoreOptions = {},
): Promise<VerifiedRestore> {
  // A manifest path that is not valid for this task never touches the filesystem (CACHE-030).
  if (!manifest.outputs.every((output) => isRestorablePath(task, output.path))) {
    return { result: { kind: "late-miss" }, streams: null };
  }
  let staging: string | null = null;
  const streams = new VerifiedStreams();
  try {
    const pending = await plan(context, manifest, options.onlyIfUpToDate === true);
    if (options.onlyIfUpToDate && pending.length > 0) {
      return { result: { kind: "needs-writes" }, streams: null };
    }
    const entry = entryPath(context.root, manifest.key);
    const { directory, staged } = openStaging(context, manifest.key, pending);
    staging = directory;
    for (const item of staged) await stage(context, entry, item.output, item.staged);
    for (const stream of ["stdout", "stderr"] as const) {
      const display = `${CACHE_ROOT_DISPLAY}/${shardOf(manifest.key)}/${manifest.key}/${stream}`;
      streams.hold(stream, await verifyStream(context, join(entry, stream), manifest[stream], display));
    }
    for (const item of staged) publish(context.workspaceRoot, item);
    return {
      result: { kind: "restored", materialised: manifest.outputs.map((output) => output.path) },
      streams,
    };
  } catch (error) {
    streams.close();
    if (error instanceof LateMiss) return { result: { kind: "late-miss" }, streams: null };
    if (error instanceof RestoreFailure) {
      return { result: { kind: "error", message: error.message }, streams: null };
    }
    throw error;
  } finally {
    if (staging !== null) removeStaging(staging);
  }
}

/**
 * {@link restoreEntry} synchronously, followed by the replay, for an entry whose file outputs and
 * streams are all at most one chunk (64 KiB; most tasks'): the same checks, staging and publishing,
 * then, when it restored, the streams' verified bytes go to `onChunk`, stdout first. A late miss, an
 * error or `needs-writes` replays nothing. Null, having done nothing, for a larger entry (the caller
 * then uses {@link restoreEntry}). A cached run answers most hits this way, without a promise.
 *
 * @example
 * ```ts
 * const result = restoreAndReplayNow(context, manifest, task, { onlyIfUpToDate: true }, (stream, chunk) => {});
 * result?.kind; // "restored", "late-miss", "error", "needs-writes", or null
 * ```
 */
export function restoreAndReplayNow(
  context: CacheContext,
  manifest: Manifest,
  task: TaskDefinition,
  options: RestoreOptions,
  onChunk: (stream: "stdout" | "stderr", chunk: Uint8Array) => void,
): RestoreResult | null {
  if (!manifest.outputs.every((output) => isRestorablePath(task, output.path))) return { kind: "late-miss" };
  if (!fitsOneChunk(manifest)) return null;
  let staging: string | null = null;
  let stdout: VerifiedSource | null;
  let stderr: VerifiedSource | null;
  try {
    // Every file in place has a recorded size of at most one chunk, so each digest is known now.
    const pending = planNow(context, manifest, options.onlyIfUpToDate === true)!;
    if (options.onlyIfUpToDate && pending.length > 0) return { kind: "needs-writes" };
    const entry = entryPath(context.root, manifest.key);
    const { directory, staged } = openStaging(context, manifest.key, pending);
    staging = directory;
    for (const item of staged) stageNow(context, entry, item.output, item.staged);
    const display = `${CACHE_ROOT_DISPLAY}/${shardOf(manifest.key)}/${manifest.key}/`;
    stdout = verifyStreamNow(context, join(entry, "stdout"), manifest.stdout, `${display}stdout`);
    stderr = verifyStreamNow(context, join(entry, "stderr"), manifest.stderr, `${display}stderr`);
    for (const item of staged) publish(context.workspaceRoot, item);
  } catch (error) {
    if (error instanceof LateMiss) return { kind: "late-miss" };
    if (error instanceof RestoreFailure) return { kind: "error", message: error.message };
    throw error;
  } finally {
    if (staging !== null) removeStaging(staging);
  }
  // At most one chunk each, kept in memory (fitsOneChunk).
  if (stdout !== null && "bytes" in stdout && stdout.bytes.length > 0) onChunk("stdout", stdout.bytes);
  if (stderr !== null && "bytes" in stderr && stderr.bytes.length > 0) onChunk("stderr", stderr.bytes);
  return { kind: "restored", materialised: manifest.outputs.map((output) => output.path) };
}

/** Whether every file output and both streams are recorded with at most one chunk. */
function fitsOneChunk(manifest: Manifest): boolean {
  return manifest.stdout.size <= CHUNK_BYTES && manifest.stderr.size <= CHUNK_BYTES &&
    manifest.outputs.every((output) => output.kind !== "file" || output.size <= CHUNK_BYTES);
}

/**
 * Reads a recorded stream of an entry in chunks of at most 64 KiB (CACHE-019): from the source its
 * restore verified when `verified` holds it (the entry may be gone by now), else from the entry,
 * rejecting with the `node:fs` error if the entry vanished.
 *
 * @example
 * ```ts
 * await replayStream("/work/.haz/cache", manifest, "stdout", (chunk) => observer.onStdout(id, chunk), streams);
 * ```
 */
export async function replayStream(
  root: string,
  manifest: Manifest,
  stream: "stdout" | "stderr",
  onChunk: (chunk: Uint8Array) => void,
  verified?: VerifiedStreams,
): Promise<void> {
  const source = verified?.take(stream) ?? null;
  if (source !== null && "bytes" in source) {
    for (let offset = 0; offset < source.bytes.length; offset += CHUNK_BYTES) {
      onChunk(source.bytes.slice(offset, offset + CHUNK_BYTES));
    }
    return;
  }
  if (source !== null) {
    try {
      for (let position = 0;;) {
        const buffer = new Uint8Array(CHUNK_BYTES);
        const bytesRead = await readAt(source.fd, buffer, position);
        if (bytesRead === 0) return;
        position += bytesRead;
        onChunk(buffer.subarray(0, bytesRead));
      }
    } finally {
      closeQuietly(source.fd);
    }
  }
  // An empty recorded stream gives no chunk, so its file need not be opened.
  if (manifest[stream].size === 0) return;
  await readChunks(join(entryPath(root, manifest.key), stream), onChunk);
}

/**
 * Step 1: checks every output's ancestors and path; returns the outputs that need staging. With
 * `firstOnly` it stops at the first one (a restore that may not write needs to know no more).
 */
async function plan(
  context: CacheContext,
  manifest: Manifest,
  firstOnly: boolean,
): Promise<ManifestOutput[]> {
  const pending: ManifestOutput[] = [];
  for (const output of manifest.outputs) {
    const found = checkInPlace(context, output);
    const identical = typeof found === "string" ? found === "identical" : await guard(
      async () =>
        (await hashFile(found.target, context.hash, context.fileDigests, found.stat)).digest === found.hash,
      output.path,
    );
    if (!identical) {
      pending.push(output);
      if (firstOnly) break;
    }
  }
  return pending;
}

/** {@link plan}, synchronously; null when an output's digest needs the streamed read. */
function planNow(context: CacheContext, manifest: Manifest, firstOnly: boolean): ManifestOutput[] | null {
  const pending: ManifestOutput[] = [];
  for (const output of manifest.outputs) {
    const found = checkInPlace(context, output);
    if (typeof found !== "string") return null;
    if (found === "pending") {
      pending.push(output);
      if (firstOnly) break;
    }
  }
  return pending;
}

/**
 * Step 1 for one output, synchronously (a cached run plans every hit's outputs): CACHE-037, same
 * kind and, for a file, the same size, mode bits and digest (size first). A file whose digest needs
 * the streamed read comes back with its `lstat` (a regular file's lstat is its stat) and its digest.
 */
function checkInPlace(
  context: CacheContext,
  output: ManifestOutput,
): "identical" | "pending" | { readonly target: string; readonly stat: BigIntStats; readonly hash: string } {
  const target = join(context.workspaceRoot, output.path);
  return guardSync(() => {
    const ancestors = checkAncestorsSync(context.workspaceRoot, output.path);
    if (ancestors.kind === "blocked") {
      throw new RestoreFailure(`cannot restore ${output.path}: ${ancestors.reason}`);
    }
    const stat = ancestors.missing === null ? lstatOrNull(target) : null;
    if (stat?.isDirectory()) {
      throw new RestoreFailure(`cannot restore ${output.path}: a directory is in the way`);
    }
    if (stat === null) return "pending";
    if (output.kind === "symlink") {
      if (!stat.isSymbolicLink()) return "pending";
      const text = readlinkSync(target, { encoding: "buffer" });
      return sameBytes(text, new TextEncoder().encode(output.target)) ? "identical" : "pending";
    }
    if (!stat.isFile() || stat.size !== BigInt(output.size) || Number(stat.mode & 0o777n) !== output.mode) {
      return "pending";
    }
    const known = hashFileNow(target, context.hash, context.fileDigests, stat);
    if (known === null) return { target, stat, hash: output.hash };
    return known.digest === output.hash ? "identical" : "pending";
  }, output.path);
}

/** Step 2 for one output: a verified copy of its blob with the recorded mode, or its symlink. */
async function stage(
  context: CacheContext,
  entry: string,
  output: ManifestOutput,
  staged: string,
): Promise<void> {
  if (output.kind === "symlink") {
    guardSync(() => symlinkSync(output.target, staged), output.path);
    return;
  }
  const blob = join(entry, OUTPUTS_DIR, output.hash);
  checkEntryFile(blob, output, output.path);
  const copy = await fromEntry(
    () =>
      copyHashing({
        source: blob,
        destination: staged,
        hash: context.hash,
        destinationMode: output.mode,
      }),
    output.path,
  );
  matchesOrLateMiss(copy, output);
}

/** {@link stage} for a blob of at most one chunk, synchronously. */
function stageNow(context: CacheContext, entry: string, output: ManifestOutput, staged: string): void {
  if (output.kind === "symlink") {
    guardSync(() => symlinkSync(output.target, staged), output.path);
    return;
  }
  const blob = join(entry, OUTPUTS_DIR, output.hash);
  checkEntryFile(blob, output, output.path);
  const copy = fromEntrySync(
    () =>
      copySmallHashing({
        source: blob,
        destination: staged,
        hash: context.hash,
        destinationMode: output.mode,
      }),
    output.path,
  );
  // Null: the blob grew past one chunk since its lstat, so it no longer has the recorded size.
  if (copy === null) throw new LateMiss();
  matchesOrLateMiss(copy, output);
}

/**
 * CACHE-038 for a recorded stream: its bytes must have the recorded size and digest. A small stream
 * is kept in memory, a larger one as the open file it was hashed from, so the replay reads the very
 * bytes verified here. A stream recorded as empty is not read (it hashes to H(empty)).
 */
async function verifyStream(
  context: CacheContext,
  path: string,
  expected: { size: number; hash: string },
  display: string,
): Promise<VerifiedSource> {
  const small = verifyStreamNow(context, path, expected, display);
  if (small !== null) return small;
  // A plain descriptor, not a FileHandle: one the replay never reads is not an error when collected.
  const fd = fromEntrySync(() => openSync(path, "r"), display);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size !== expected.size) throw new LateMiss();
    const hasher = context.hash.create();
    const buffer = new Uint8Array(CHUNK_BYTES);
    let size = 0;
    for (;;) {
      const bytesRead = await readAt(fd, buffer, size);
      if (bytesRead === 0) break;
      hasher.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
    if (size !== expected.size || hasher.digestHex() !== expected.hash) throw new LateMiss();
    return { fd };
  } catch (error) {
    closeQuietly(fd);
    throw error instanceof LateMiss
      ? error
      : new RestoreFailure(`cannot restore ${display}: ${errorMessage(error)}`);
  }
}

/** {@link verifyStream} synchronously for a stream of at most one chunk, which is kept in memory; else null. */
function verifyStreamNow(
  context: CacheContext,
  path: string,
  expected: { size: number; hash: string },
  display: string,
): VerifiedSource | null {
  if (expected.size > CHUNK_BYTES) return null;
  if (expected.size === 0) {
    // Still checked on disk (CACHE-020 step 2 hashes both streams): an entry that vanished since the
    // lookup is a late miss (CACHE-038), even when nothing would be replayed.
    checkEntryFile(path, expected, display);
    matchesOrLateMiss({ size: 0, digest: emptyDigest(context.hash) }, expected);
    return { bytes: new Uint8Array() };
  }
  const bytes = fromEntrySync(() => readFileSync(path), display);
  const hasher = context.hash.create();
  hasher.update(bytes);
  matchesOrLateMiss({ size: bytes.length, digest: hasher.digestHex() }, expected);
  return { bytes };
}

/**
 * CACHE-038 before reading an entry file: it must be a regular file (not followed) of the recorded
 * size; anything else, or no file, is a late miss.
 */
function checkEntryFile(path: string, expected: { size: number }, display: string): void {
  const stat = fromEntrySync(() => lstatSync(path), display);
  if (!stat.isFile() || stat.size !== expected.size) throw new LateMiss();
}

/** CACHE-038 after reading an entry file: the bytes read have the recorded size and digest. */
function matchesOrLateMiss(
  seen: { size: number; digest: string },
  expected: { size: number; hash: string },
): void {
  if (seen.size !== expected.size || seen.digest !== expected.hash) throw new LateMiss();
}

/** A step reading the entry: "not found" means the entry vanished (late miss); other errors fail. */
function fromEntry<T>(step: () => Promise<T>, path: string): Promise<T> {
  return guard(() => step().catch((error) => isNotFound(error) ? lateMiss() : Promise.reject(error)), path);
}

/** {@link fromEntry} for a synchronous step. */
function fromEntrySync<T>(step: () => T, path: string): T {
  return guardSync(() => {
    try {
      return step();
    } catch (error) {
      if (isNotFound(error)) throw new LateMiss();
      throw error;
    }
  }, path);
}

/** lstat, synchronous: a few microseconds, cheaper than a promise round trip on this hot path. */
function lstatOrNull(path: string): BigIntStats | null {
  try {
    return lstatSync(path, { bigint: true });
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/**
 * Creates the restore's staging directory (CACHE-020) and gives each pending output its place in it;
 * nothing to write creates nothing (`directory` null).
 */
function openStaging(
  context: CacheContext,
  key: string,
  pending: readonly ManifestOutput[],
): { readonly directory: string | null; readonly staged: StagedOutput[] } {
  if (pending.length === 0) return { directory: null, staged: [] };
  const directory = join(context.root, restoreDirName(key));
  // A vanished cache root means the entry vanished too (CACHE-038).
  fromEntrySync(() => mkdirSync(directory), pending[0].path);
  return {
    directory,
    staged: pending.map((output, index) => ({ output, staged: join(directory, String(index)) })),
  };
}

/** Step 3 for one output: re-check the ancestors, create missing parents, rename onto the path. */
function publish(workspaceRoot: string, item: StagedOutput): void {
  const { path } = item.output;
  const target = join(workspaceRoot, path);
  guardSync(() => {
    createParents(workspaceRoot, path);
    try {
      renameSync(item.staged, target);
    } catch (error) {
      // XPROC-005: `haz cache clear` beside the run removed the staged copy: the entry is gone.
      if (isNotFound(error) && lstatOrNull(item.staged) === null) throw new LateMiss();
      if (errorCode(error) !== "EXDEV") throw error;
      publishAcrossDevices(item, target);
    }
  }, path);
}

/**
 * Creates the missing parent directories of a path one by one, never through a symlink. Every
 * ancestor is checked once before the rename; below a directory this call has just created, the
 * next round checks only the deeper ones (`mkdir` never follows a link at its last component).
 */
function createParents(workspaceRoot: string, path: string): void {
  let checked = "";
  for (;;) {
    const ancestors = checkAncestorsSync(workspaceRoot, path, checked);
    if (ancestors.kind === "blocked") throw new RestoreFailure(`cannot restore ${path}: ${ancestors.reason}`);
    if (ancestors.missing === null) return;
    try {
      mkdirSync(join(workspaceRoot, ancestors.missing));
      checked = ancestors.missing;
    } catch (error) {
      // Created concurrently: the next round checks what it is.
      if (errorCode(error) !== "EEXIST") throw error;
    }
  }
}

/** Removes the staging directory: empty once every output is published, else recursively. Never throws. */
function removeStaging(staging: string): void {
  try {
    rmdirSync(staging);
  } catch {
    try {
      rmSync(staging, { recursive: true, force: true });
    } catch {
      // Best effort: a leftover `.restore-*` directory is removed by `haz cache clean`.
    }
  }
}

/** EXDEV fallback: a sibling temporary `.<name>.haz-<random>` renamed onto the path. */
function publishAcrossDevices(item: StagedOutput, target: string): void {
  const sibling = join(dirname(target), `.${basename(target)}.haz-${randomSuffix()}`);
  try {
    if (item.output.kind === "symlink") {
      symlinkSync(item.output.target, sibling);
    } else {
      copyFileSync(item.staged, sibling, constants.COPYFILE_EXCL);
      chmodSync(sibling, item.output.mode);
    }
    renameSync(sibling, target);
  } catch (error) {
    try {
      rmSync(sibling, { force: true });
    } catch {
      // Nothing to remove.
    }
    throw error;
  }
}

/** Reads up to `buffer.length` bytes at `position`; resolves with the count (0 at end of file). */
function readAt(fd: number, buffer: Uint8Array, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(
      fd,
      buffer,
      0,
      buffer.length,
      position,
      (error, bytesRead) => error ? reject(error) : resolve(bytesRead),
    );
  });
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Closed already; nothing else holds it.
  }
}

function lateMiss(): never {
  throw new LateMiss();
}

/** {@link guard} for a synchronous step. */
function guardSync<T>(step: () => T, path: string): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof LateMiss || error instanceof RestoreFailure) throw error;
    throw new RestoreFailure(`cannot restore ${path}: ${errorMessage(error)}`);
  }
}

const emptyDigests = new WeakMap<HashAlgorithm, string>();

/** H of no bytes, once per hash function. */
function emptyDigest(hash: HashAlgorithm): string {
  let digest = emptyDigests.get(hash);
  if (digest === undefined) {
    digest = hash.create().digestHex();
    emptyDigests.set(hash, digest);
  }
  return digest;
}

/** Runs a filesystem step; an unexpected I/O error becomes `cannot restore <path>: <message>`. */
async function guard<T>(step: () => Promise<T>, path: string): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof LateMiss || error instanceof RestoreFailure) throw error;
    throw new RestoreFailure(`cannot restore ${path}: ${errorMessage(error)}`);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}
