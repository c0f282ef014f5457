/**
 * Capture and two-phase store (03-cache.md CACHE-031, CACHE-017, CACHE-033, CACHE-034): streams go
 * to a private store directory as they arrive; the entry appears at its final path only through one
 * rename of a complete, fsynced directory.
 *
 * @module
 */

import {
  closeSync,
  fsync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  renameSync,
  unlinkSync,
  write,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { compareBytes } from "../domain/task_id.ts";
import { checkAncestors } from "./ancestor_check.ts";
import type { Capture, StoreRequest } from "./cache_handle.ts";
import { copyHashing } from "./copy_hashing.ts";
import { syncDirectory, syncFile } from "../util/fsync_path.ts";
import { mapLimited } from "../util/map_limited.ts";
import { entryContentMatches } from "./entry_files.ts";
import type { HashAlgorithm } from "./hash_algorithm.ts";
import type { InputDigestMemo } from "./input_stat_cache.ts";
import { DIGEST_HEX } from "./hex.ts";
import { errorCode, errorMessage, isNotFound } from "./io_error.ts";
import { entryPath, MANIFEST_FILE, OUTPUTS_DIR, randomSuffix, shardOf, storeDirName } from "./layout.ts";
import { lookupEntry } from "./lookup.ts";
import { type Manifest, type ManifestOutput, serializeManifest } from "./manifest.ts";
import { isRestorablePath } from "./manifest_path.ts";
import { nodeFsPromises } from "../util/builtin_modules.ts";

/** Where the cache lives and how it hashes. */
export interface CacheContext {
  /** Host path of `.haz/cache`. */
  readonly root: string;
  /** Real host path of the workspace root. */
  readonly workspaceRoot: string;
  readonly hash: HashAlgorithm;
  /** The stat cache (PERF-002): an output already in place is compared by its remembered digest. */
  readonly fileDigests?: InputDigestMemo;
}

/** Result of a store: `ok: false` carries the CACHE-033 warning reason. */
export type StoreResult = { ok: true } | { ok: false; reason: string };

/** Rename attempts of CACHE-034 before the store gives up. */
const PUBLISH_ATTEMPTS = 3;

/** Files fsynced at once while publishing an entry with many outputs. */
const SYNC_PARALLELISM = 16;

/** Longest link text a manifest may record (CACHE-011). */
const MAX_LINK_TEXT_BYTES = 4096;

type StreamName = "stdout" | "stderr";

/**
 * A store directory `.tmp-<key>-<random>` being filled with a task's streams (CACHE-031).
 *
 * The two stream files are plain descriptors opened and closed synchronously: only writes and
 * fsyncs go to the runtime's small thread pool, where an open or close would queue behind the other
 * lane's store fsyncs (a millisecond or more between a task's lookup and its spawn).
 */
export class StoreCapture implements Capture {
  /** The key the entry will be published under. */
  readonly key: string;
  /** Host path of the store directory. */
  readonly directory: string;
  readonly #descriptors: Record<StreamName, number>;
  readonly #sizes: Record<StreamName, number> = { stdout: 0, stderr: 0 };
  readonly #queues: Record<StreamName, Promise<void>> = {
    stdout: Promise.resolve(),
    stderr: Promise.resolve(),
  };
  #failure: string | null = null;
  #closed: Promise<void> | null = null;

  constructor(key: string, directory: string, descriptors: Record<StreamName, number>) {
    this.key = key;
    this.directory = directory;
    this.#descriptors = descriptors;
  }

  /** Bytes written so far per stream. */
  get sizes(): Readonly<Record<StreamName, number>> {
    return this.#sizes;
  }

  /** The first write failure, or null while the capture is intact. */
  get failure(): string | null {
    return this.#failure;
  }

  /** Appends a chunk; chunks of one stream are written in call order. Rejects on I/O failure. */
  write(stream: StreamName, chunk: Uint8Array): Promise<void> {
    const written = this.#queues[stream].then(async () => {
      if (this.#failure !== null) throw new Error(this.#failure);
      await writeAllTo(this.#descriptors[stream], chunk);
      this.#sizes[stream] += chunk.length;
    });
    this.#queues[stream] = written.catch((error) => {
      this.#failure ??= `cannot write captured ${stream}: ${errorMessage(error)}`;
    });
    return written;
  }

  /** Resolves once every write issued so far has landed or failed. */
  written(): Promise<void> {
    return Promise.all([this.#queues.stdout, this.#queues.stderr]).then(() => {});
  }

  /** Waits for pending writes, optionally fsyncs both streams, and closes them. Once only. */
  close(sync: boolean): Promise<void> {
    this.#closed ??= (async () => {
      await this.written();
      try {
        if (sync && this.#failure === null) {
          await Promise.all([
            syncDescriptor(this.#descriptors.stdout),
            syncDescriptor(this.#descriptors.stderr),
          ]);
        }
      } finally {
        closeQuietly(this.#descriptors.stdout);
        closeQuietly(this.#descriptors.stderr);
      }
    })();
    return this.#closed;
  }
}

async function writeAllTo(descriptor: number, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    offset += await new Promise<number>((resolve, reject) =>
      write(
        descriptor,
        chunk,
        offset,
        chunk.length - offset,
        null,
        (error, written) => error ? reject(error) : resolve(written),
      )
    );
  }
}

function syncDescriptor(descriptor: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(descriptor, (error) => error ? reject(error) : resolve()));
}

function closeQuietly(descriptor: number): void {
  try {
    closeSync(descriptor);
  } catch {
    // Closing a descriptor this capture opened fails only if it is already gone: nothing to release.
  }
}

/**
 * Creates `<root>/<shard>/.tmp-<key>-<random>/` with empty `stdout` and `stderr`, just before a
 * spawn. Null when that fails (the run then hashes only and is not stored, CACHE-031).
 *
 * @example
 * ```ts
 * const capture = await beginStoreCapture("/work/.haz/cache", key);
 * await capture?.write("stdout", chunk);
 * ```
 */
export async function beginStoreCapture(root: string, key: string): Promise<StoreCapture | null> {
  if (!DIGEST_HEX.test(key)) return null;
  const directory = join(root, shardOf(key), storeDirName(key));
  try {
    // Synchronous: this sits between a task's lookup and its spawn.
    mkdirSync(join(root, shardOf(key)), { recursive: true });
    mkdirSync(directory);
  } catch {
    await removeQuietly(directory);
    return null;
  }
  const opened: number[] = [];
  try {
    // Synchronous, as the directories above: microseconds each, and no wait in the thread pool.
    for (const name of ["stdout", "stderr"]) opened.push(openSync(join(directory, name), "wx", 0o644));
  } catch {
    for (const descriptor of opened) closeQuietly(descriptor);
    await removeQuietly(directory);
    return null;
  }
  return new StoreCapture(key, directory, { stdout: opened[0], stderr: opened[1] });
}

/**
 * Removes a capture that will not be stored. Best effort; never throws.
 *
 * @example
 * ```ts
 * await discardCapture(capture); // after a failed run
 * ```
 */
export async function discardCapture(capture: Capture): Promise<void> {
  if (!(capture instanceof StoreCapture)) return;
  await capture.close(false).catch(() => {});
  await removeQuietly(capture.directory);
}

/**
 * Publishes the entry of a successful fresh run (CACHE-017 steps 1–6, CACHE-034). Any failure is
 * returned as the CACHE-033 reason and the store directory is removed.
 *
 * @example
 * ```ts
 * const stored = await storeEntry(context, capture, request);
 * if (!stored.ok) warn(`result not cached: ${stored.reason}`);
 * ```
 */
export async function storeEntry(
  context: CacheContext,
  capture: Capture,
  request: StoreRequest,
): Promise<StoreResult> {
  if (!(capture instanceof StoreCapture) || capture.key !== request.key) {
    await discardCapture(capture);
    return { ok: false, reason: "internal error: the capture does not belong to this cache and key" };
  }
  try {
    const result = await publishCapture(context, capture, request);
    if (!result.ok) await discardCapture(capture);
    return result;
  } catch (error) {
    await discardCapture(capture);
    return { ok: false, reason: errorMessage(error) };
  }
}

async function publishCapture(
  context: CacheContext,
  capture: StoreCapture,
  request: StoreRequest,
): Promise<StoreResult> {
  // CACHE-017 steps 1–4 in two rounds instead of five: every file is written first (the manifest
  // last), then all of them and both directories are fsynced side by side. The rename of step 5
  // waits for every fsync, so an entry whose rename is durable is complete all the same.
  const streams = capture.close(true);
  // Awaited with the other fsyncs below; an early return leaves it to discardCapture.
  streams.catch(() => {});
  const outputs = await storeOutputs(context, capture.directory, request);
  if (!outputs.ok) return outputs;
  await capture.written();
  if (capture.failure !== null) return { ok: false, reason: capture.failure };
  for (const stream of ["stdout", "stderr"] as const) {
    if (capture.sizes[stream] !== request[stream].bytes) {
      return { ok: false, reason: `captured ${stream} is incomplete` };
    }
  }
  const manifest: Manifest = {
    schema: 1,
    hash: context.hash.label,
    key: request.key,
    created_at_unix: Math.max(0, Math.floor(request.createdAtUnix)),
    duration_ms: Math.max(0, Math.round(request.durationMs)),
    task: request.task.key,
    stdout: { size: request.stdout.bytes, hash: request.stdout.hash },
    stderr: { size: request.stderr.bytes, hash: request.stderr.hash },
    outputs: outputs.records,
  };
  const manifestPath = join(capture.directory, MANIFEST_FILE);
  writeFileSync(manifestPath, serializeManifest(manifest), { flag: "wx", mode: 0o644 });
  await Promise.all([
    streams,
    mapLimited([...outputs.blobs, manifestPath], SYNC_PARALLELISM, syncFile),
    syncDirectory(join(capture.directory, OUTPUTS_DIR)),
    syncDirectory(capture.directory),
  ]);
  return await publishStoreDirectory(context, capture.directory, request);
}

/** What CACHE-017 step 1 wrote: the manifest's output records and the blob files to fsync. */
type StoredOutputs =
  | { ok: true; records: ManifestOutput[]; blobs: string[] }
  | { ok: false; reason: string };

/**
 * CACHE-017 step 1 over the materialised outputs, in byte order of path; the blobs are not yet
 * synced. Metadata calls are synchronous: a few microseconds each against a promise round trip.
 */
async function storeOutputs(
  context: CacheContext,
  directory: string,
  request: StoreRequest,
): Promise<StoredOutputs> {
  const blobDirectory = join(directory, OUTPUTS_DIR);
  mkdirSync(blobDirectory);
  const blobs = new Map<string, string>();
  const records: ManifestOutput[] = [];
  const paths = [...new Set(request.outputs)].sort(compareBytes);
  for (const path of paths) {
    if (!isRestorablePath(request.task, path)) {
      return {
        ok: false,
        reason: `output \`${path}\` cannot be recorded (not a valid declared output path)`,
      };
    }
    const ancestors = await checkAncestors(context.workspaceRoot, path);
    if (ancestors.kind === "blocked") {
      return { ok: false, reason: `output \`${path}\` is reached through ${ancestors.reason}` };
    }
    const hostPath = join(context.workspaceRoot, path);
    const stat = lstatSync(hostPath);
    if (stat.isSymbolicLink()) {
      const target = linkText(readlinkSync(hostPath, { encoding: "buffer" }));
      if (target === null) {
        return { ok: false, reason: `the link text of output \`${path}\` cannot be recorded` };
      }
      records.push({ path, kind: "symlink", target });
    } else if (stat.isFile()) {
      const copy = join(blobDirectory, randomSuffix());
      const { digest, size, mode } = await copyHashing({
        source: hostPath,
        destination: copy,
        hash: context.hash,
        destinationMode: 0o644,
      });
      if (blobs.has(digest)) {
        unlinkSync(copy);
      } else {
        const blob = join(blobDirectory, digest);
        renameSync(copy, blob);
        blobs.set(digest, blob);
      }
      records.push({ path, kind: "file", hash: digest, size, mode });
    } else {
      return { ok: false, reason: `output \`${path}\` is neither a regular file nor a symbolic link` };
    }
  }
  return { ok: true, records, blobs: [...blobs.values()] };
}

/** Link text as a manifest string: valid UTF-8, non-empty, no NUL, at most 4096 bytes; else null. */
function linkText(bytes: Uint8Array): string | null {
  if (bytes.length === 0 || bytes.length > MAX_LINK_TEXT_BYTES || bytes.includes(0)) return null;
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** What {@link publishStoreDirectory} publishes, and how it makes the rename durable. */
export interface PublishRequest extends Pick<StoreRequest, "key" | "task"> {
  /** CACHE-017 step 6 for the shard directory; by default an fsync awaited before returning. */
  readonly syncShard?: (shard: string) => Promise<void>;
}

/**
 * CACHE-017 steps 5–6 with the CACHE-034 handling of an existing destination, for a complete, fsynced
 * store directory (a fresh run's capture or an imported artifact, REMOTE-064).
 *
 * @example
 * ```ts
 * await publishStoreDirectory(context, "/work/.haz/cache/db/.tmp-db17…-3fa9", { key, task });
 * ```
 */
export async function publishStoreDirectory(
  context: CacheContext,
  directory: string,
  request: PublishRequest,
): Promise<StoreResult> {
  const destination = entryPath(context.root, request.key);
  const shard = join(context.root, shardOf(request.key));
  const movedAside: string[] = [];
  try {
    for (let attempt = 1; attempt <= PUBLISH_ATTEMPTS; attempt++) {
      try {
        // Synchronous: a metadata call on a local directory, where a promise would queue the rename
        // behind the other lane's fsyncs in the thread pool.
        renameSync(directory, destination);
        await (request.syncShard ?? syncDirectory)(shard);
        return { ok: true };
      } catch (error) {
        if (!await destinationOccupied(error, destination)) throw error;
      }
      const existing = await lookupEntry({
        root: context.root,
        key: request.key,
        task: request.task,
        hashLabel: context.hash.label,
      });
      if (
        existing.kind === "hit" && await entryContentMatches(destination, existing.manifest, context.hash)
      ) {
        // Another writer won the race with an equivalent result.
        await removeQuietly(directory);
        return { ok: true };
      }
      if (attempt === PUBLISH_ATTEMPTS) break;
      const aside = join(shard, storeDirName(request.key));
      try {
        renameSync(destination, aside);
        movedAside.push(aside);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    return { ok: false, reason: `the entry directory stayed occupied after ${PUBLISH_ATTEMPTS} attempts` };
  } finally {
    await Promise.all(movedAside.map(removeQuietly));
  }
}

/**
 * True when a rename failed because the destination exists (CACHE-034): a non-empty directory, or
 * (`ENOTDIR`, or `EPERM`/`EACCES` on some platforms) anything else present there.
 */
async function destinationOccupied(error: unknown, destination: string): Promise<boolean> {
  const code = errorCode(error);
  if (code === "EEXIST" || code === "ENOTEMPTY") return true;
  if (code !== "ENOTDIR" && code !== "EPERM" && code !== "EACCES") return false;
  try {
    await nodeFsPromises().lstat(destination);
    return true;
  } catch {
    return false;
  }
}

async function removeQuietly(path: string): Promise<void> {
  await nodeFsPromises().rm(path, { recursive: true, force: true }).catch(() => {});
}
