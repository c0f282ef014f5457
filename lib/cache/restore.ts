/**
 * Two-phase restore and replay (03-cache.md CACHE-019, CACHE-020, CACHE-036..038): plan against
 * the workspace, stage verified copies under `.haz/cache/.restore-<key>-<random>/`, then publish each
 * output with one rename. Nothing unverified reaches the workspace.
 *
 * @module
 */

import { type BigIntStats, constants, lstatSync, mkdirSync, renameSync, rmdirSync } from "node:fs";
import { closeSync, fstatSync, openSync, read, readFileSync } from "node:fs";
import { chmod, copyFile, readlink, rename, rm, symlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { TaskDefinition } from "../domain/workspace.ts";
import { checkAncestorsSync } from "./ancestor_check.ts";
import type { RestoreOptions, RestoreResult } from "./cache_handle.ts";
import { copyHashing } from "./copy_hashing.ts";
import { CHUNK_BYTES, hashFile, readChunks } from "./file_hash.ts";
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
    const pending = await plan(context, manifest);
    if (options.onlyIfUpToDate && pending.length > 0) {
      return { result: { kind: "needs-writes" }, streams: null };
    }
    const entry = entryPath(context.root, manifest.key);
    const staged: StagedOutput[] = [];
    if (pending.length > 0) {
      const directory = join(context.root, restoreDirName(manifest.key));
      // A vanished cache root means the entry vanished too (CACHE-038).
      await fromEntry(() => settle(() => mkdirSync(directory)), pending[0].path);
      staging = directory;
      for (const [index, output] of pending.entries()) {
        const path = join(directory, String(index));
        await stage(context, entry, output, path);
        staged.push({ output, staged: path });
      }
    }
    for (const stream of ["stdout", "stderr"] as const) {
      const display = `${CACHE_ROOT_DISPLAY}/${shardOf(manifest.key)}/${manifest.key}/${stream}`;
      streams.hold(stream, await verifyStream(context, join(entry, stream), manifest[stream], display));
    }
    for (const item of staged) await publish(context.workspaceRoot, item);
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
    if (staging !== null) await removeStaging(staging);
  }
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

/** Step 1: checks every output's ancestors and path; returns the outputs that need staging. */
async function plan(context: CacheContext, manifest: Manifest): Promise<ManifestOutput[]> {
  const pending: ManifestOutput[] = [];
  for (const output of manifest.outputs) {
    const target = join(context.workspaceRoot, output.path);
    // Synchronous lstats: a cached run plans every hit's outputs.
    const stat = guardSync(() => {
      const ancestors = checkAncestorsSync(context.workspaceRoot, output.path);
      if (ancestors.kind === "blocked") {
        throw new RestoreFailure(`cannot restore ${output.path}: ${ancestors.reason}`);
      }
      return ancestors.missing === null ? lstatOrNull(target) : null;
    }, output.path);
    if (stat?.isDirectory()) {
      throw new RestoreFailure(`cannot restore ${output.path}: a directory is in the way`);
    }
    if (stat === null || !await guard(() => isIdentical(context, target, stat, output), output.path)) {
      pending.push(output);
    }
  }
  return pending;
}

/** CACHE-037: same kind, and for a file the size, mode bits and digest (size first). */
async function isIdentical(
  context: CacheContext,
  target: string,
  stat: BigIntStats,
  output: ManifestOutput,
): Promise<boolean> {
  if (output.kind === "symlink") {
    if (!stat.isSymbolicLink()) return false;
    const text = await readlink(target, { encoding: "buffer" });
    return sameBytes(text, new TextEncoder().encode(output.target));
  }
  if (!stat.isFile() || stat.size !== BigInt(output.size) || Number(stat.mode & 0o777n) !== output.mode) {
    return false;
  }
  // A regular file's lstat is its stat: the stat cache needs no second call.
  return (await hashFile(target, context.hash, context.fileDigests, stat)).digest === output.hash;
}

/** Step 2 for one output: a verified copy of its blob with the recorded mode, or its symlink. */
async function stage(
  context: CacheContext,
  entry: string,
  output: ManifestOutput,
  staged: string,
): Promise<void> {
  if (output.kind === "symlink") {
    await guard(() => symlink(output.target, staged), output.path);
    return;
  }
  const blob = join(entry, OUTPUTS_DIR, output.hash);
  const copy = () =>
    fromEntry(
      () =>
        copyHashing({
          source: blob,
          destination: staged,
          hash: context.hash,
          destinationMode: output.mode,
        }),
      output.path,
    );
  await verifyFile(blob, output, copy, output.path);
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
  if (expected.size === 0) {
    // Still checked on disk (CACHE-020 step 2 hashes both streams): an entry that vanished since the
    // lookup is a late miss (CACHE-038), even when nothing would be replayed.
    await verifyFile(
      path,
      expected,
      () => Promise.resolve({ size: 0, digest: emptyDigest(context.hash) }),
      display,
    );
    return { bytes: new Uint8Array() };
  }
  if (expected.size <= CHUNK_BYTES) {
    const bytes = await fromEntry(() => settle(() => readFileSync(path)), display);
    const hasher = context.hash.create();
    hasher.update(bytes);
    if (bytes.length !== expected.size || hasher.digestHex() !== expected.hash) throw new LateMiss();
    return { bytes };
  }
  // A plain descriptor, not a FileHandle: one the replay never reads is not an error when collected.
  const fd = await fromEntry(() => settle(() => openSync(path, "r")), display);
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

/**
 * CACHE-038: the file must be a regular file of the recorded size (checked before reading) whose
 * bytes, as read by `read`, have the recorded size and digest; anything else is a late miss.
 */
async function verifyFile(
  path: string,
  expected: { size: number; hash: string },
  read: () => Promise<{ size: number; digest: string }>,
  display: string,
): Promise<void> {
  const stat = await fromEntry(() => settle(() => lstatSync(path)), display);
  if (!stat.isFile() || stat.size !== expected.size) throw new LateMiss();
  const seen = await read();
  if (seen.size !== expected.size || seen.digest !== expected.hash) throw new LateMiss();
}

/** A step reading the entry: "not found" means the entry vanished (late miss); other errors fail. */
function fromEntry<T>(step: () => Promise<T>, path: string): Promise<T> {
  return guard(() => step().catch((error) => isNotFound(error) ? lateMiss() : Promise.reject(error)), path);
}

/** A synchronous step as a promise, its exception becoming the rejection. */
function settle<T>(step: () => T): Promise<T> {
  return new Promise((resolve) => resolve(step()));
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

/** Step 3 for one output: re-check the ancestors, create missing parents, rename onto the path. */
async function publish(workspaceRoot: string, item: StagedOutput): Promise<void> {
  const { path } = item.output;
  const target = join(workspaceRoot, path);
  await guard(async () => {
    createParents(workspaceRoot, path);
    try {
      renameSync(item.staged, target);
    } catch (error) {
      // XPROC-005: `haz cache clear` beside the run removed the staged copy: the entry is gone.
      if (isNotFound(error) && lstatOrNull(item.staged) === null) throw new LateMiss();
      if (errorCode(error) !== "EXDEV") throw error;
      await publishAcrossDevices(item, target);
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
async function removeStaging(staging: string): Promise<void> {
  try {
    rmdirSync(staging);
  } catch {
    await rm(staging, { recursive: true, force: true }).catch(() => {});
  }
}

/** EXDEV fallback: a sibling temporary `.<name>.haz-<random>` renamed onto the path. */
async function publishAcrossDevices(item: StagedOutput, target: string): Promise<void> {
  const sibling = join(dirname(target), `.${basename(target)}.haz-${randomSuffix()}`);
  try {
    if (item.output.kind === "symlink") {
      await symlink(item.output.target, sibling);
    } else {
      await copyFile(item.staged, sibling, constants.COPYFILE_EXCL);
      await chmod(sibling, item.output.mode);
    }
    await rename(sibling, target);
  } catch (error) {
    await rm(sibling, { force: true }).catch(() => {});
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
