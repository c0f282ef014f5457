/**
 * Verifies a downloaded artifact while unpacking it into its store directory, then publishes it as a
 * local entry through the two-phase store (07-remote-cache.md REMOTE-044 steps 3–6, REMOTE-064).
 *
 * @module
 */

import {
  closeSync,
  createReadStream,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { createGunzip, type Gunzip, gunzipSync } from "node:zlib";
import { humanBytes } from "../../domain/size.ts";
import type { TaskDefinition } from "../../domain/workspace.ts";
import { syncDirectory, syncFile, syncOpenFile } from "../../util/fsync_path.ts";
import { errorMessage } from "../io_error.ts";
import { MANIFEST_FILE, OUTPUTS_DIR, randomSuffix } from "../layout.ts";
import { type Manifest, readManifestBytes, serializeManifest } from "../manifest.ts";
import { isRestorablePath } from "../manifest_path.ts";
import type { DirectorySyncBatch } from "../directory_sync_batch.ts";
import { type CacheContext, publishStoreDirectory } from "../store.ts";
import { entrySize } from "./artifact_writer.ts";
import { ByteReader } from "./byte_reader.ts";
import { allZero, BLOCK, paddingOf, parseUstarHeader } from "./ustar.ts";

/** Artifacts up to this size are decompressed in one call, up to {@link SMALL_ARCHIVE_BYTES}. */
const SMALL_ARTIFACT_BYTES = 256 * 1024;
const SMALL_ARCHIVE_BYTES = 4 * 1024 * 1024;

/** Members up to this size are read whole and written with one call. */
const SMALL_MEMBER_BYTES = 64 * 1024;

/** The largest `manifest.json` member accepted (REMOTE-044 step 4). */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/** Options of {@link importArtifact}. */
export interface ImportArtifactOptions {
  readonly context: CacheContext;
  /** The store directory `T`; it holds the downloaded `artifact` file unless `body` is given. */
  readonly directory: string;
  /** The requested id. */
  readonly key: string;
  /** The looking-up task (declared-outputs match). */
  readonly task: TaskDefinition;
  /** `cache.remote.max_entry_size`. */
  readonly maxEntrySize: number;
  /** The import time, the new `created_at_unix`. */
  readonly nowUnix: number;
  /** Where CACHE-017 step 6 goes: the shard directory is synced by the run's batch (group commit). */
  readonly shardSyncs: DirectorySyncBatch;
  /** A small artifact held in memory by the download (no `artifact` file was written); else null. */
  readonly body?: Uint8Array | null;
}

/** How an import ended: published, rejected (class C), or failed locally (REMOTE-065). */
export type ImportResult =
  | { readonly kind: "imported" }
  | { readonly kind: "rejected"; readonly reason: string }
  | { readonly kind: "failed"; readonly message: string };

/** The artifact file's name inside its store directory (REMOTE-063). */
export const ARTIFACT_FILE = "artifact";

class Rejection extends Error {}

function reject(reason: string): never {
  throw new Rejection(reason);
}

/**
 * Unpacks and verifies `T/artifact` into `T`, then publishes `T` as the entry of `key`. The caller
 * removes `T` on anything but `imported`. Never throws.
 *
 * @example
 * ```ts
 * const result = await importArtifact({ context, directory, key, task, maxEntrySize, nowUnix, shardSyncs });
 * result.kind; // "imported", "rejected" or "failed"
 * ```
 */
export async function importArtifact(options: ImportArtifactOptions): Promise<ImportResult> {
  const artifact = join(options.directory, ARTIFACT_FILE);
  const body = options.body ?? null;
  let source: Readable | null = null;
  let gunzip: Gunzip | null = null;
  const written: WrittenFiles = { open: [], syncs: [], closed: [] };
  const close = async () => {
    source?.destroy();
    gunzip?.destroy();
    await closeAll(written);
  };
  try {
    let archive = smallArchive(body ?? smallArtifact(artifact));
    if (archive === null) {
      // A large archive, or a small body that inflates beyond SMALL_ARCHIVE_BYTES: streamed.
      source = body === null ? createReadStream(artifact) : Readable.from([body]);
      gunzip = createGunzip();
      const unzip = gunzip;
      source.on("error", (error) => unzip.destroy(error));
      source.pipe(unzip);
      archive = unzip[Symbol.asyncIterator]();
    }
    const manifest = await unpack(new ByteReader(archive), options, written);
    if (gunzip !== null) wholeBodyConsumed(gunzip.bytesWritten, body?.length ?? statSync(artifact).size);
    source?.destroy();
    gunzip?.destroy();
    if (body === null) unlinkSync(artifact);
    writeNewFile(
      written,
      join(options.directory, MANIFEST_FILE),
      new TextEncoder().encode(serializeManifest({ ...manifest, created_at_unix: options.nowUnix })),
    );
    // CACHE-017 steps 1–4 in one round: the fsync of each small file started once it was written
    // (the manifest last), streamed members by path, and both directories; the rename waits for all.
    const synced = await Promise.allSettled([
      ...written.syncs.splice(0),
      ...written.closed.map(syncFile),
      syncDirectory(join(options.directory, OUTPUTS_DIR)),
      syncDirectory(options.directory),
    ]);
    await closeAll(written);
    for (const outcome of synced) if (outcome.status === "rejected") throw outcome.reason;
    const published = await publishStoreDirectory(options.context, options.directory, {
      key: options.key,
      task: options.task,
      syncShard: (shard) => {
        options.shardSyncs.add(shard);
        return Promise.resolve();
      },
    });
    return published.ok ? { kind: "imported" } : { kind: "failed", message: published.reason };
  } catch (error) {
    await close();
    if (error instanceof Rejection) return { kind: "rejected", reason: error.message };
    if (isZlibError(error)) {
      return { kind: "rejected", reason: `not a haz artifact: ${oneLine(errorMessage(error))}` };
    }
    return { kind: "failed", message: errorMessage(error) };
  }
}

/**
 * The files an import wrote into its store directory (streams, blobs, the manifest) and their
 * fsyncs: a small file is synced through the descriptor that wrote it, from the moment it is
 * complete, while the unpacking goes on; a streamed member by path, once all are written.
 */
interface WrittenFiles {
  /** Descriptors of small files, open until their fsyncs have settled. */
  readonly open: number[];
  /** The fsyncs started on them. */
  readonly syncs: Promise<void>[];
  /** Streamed members, closed already. */
  readonly closed: string[];
}

/** Creates `path` (it must not exist) with `bytes` and starts its fsync through the same descriptor. */
function writeNewFile(written: WrittenFiles, path: string, bytes: Uint8Array): void {
  const fd = openSync(path, "wx", 0o644);
  written.open.push(fd);
  for (let offset = 0; offset < bytes.length;) offset += writeSync(fd, bytes, offset);
  const sync = syncOpenFile(fd);
  // Observed when the round settles (or the import fails); never an unhandled rejection meanwhile.
  sync.catch(() => {});
  written.syncs.push(sync);
}

/** Closes the descriptors still open, once no fsync on any of them is under way. */
async function closeAll(written: WrittenFiles): Promise<void> {
  await Promise.allSettled(written.syncs.splice(0));
  for (const fd of written.open.splice(0)) closeSync(fd);
}

/** The artifact file's bytes when it is small, else null. */
function smallArtifact(artifact: string): Uint8Array | null {
  return statSync(artifact).size > SMALL_ARTIFACT_BYTES ? null : readFileSync(artifact);
}

/**
 * A small artifact decompressed in one call, as a one-chunk stream; null when it is too large either
 * way (the streaming path then bounds the memory). Most artifacts are a few KiB, and one call avoids
 * the stream machinery.
 */
function smallArchive(compressed: Uint8Array | null): AsyncIterator<Uint8Array> | null {
  if (compressed === null) return null;
  let archive: Uint8Array;
  try {
    // `info` adds the engine, whose `bytesWritten` is how much of the body the gzip member took.
    const inflated = gunzipSync(compressed, {
      maxOutputLength: SMALL_ARCHIVE_BYTES,
      info: true,
    }) as unknown as {
      readonly buffer: Uint8Array;
      readonly engine: { readonly bytesWritten: number };
    };
    wholeBodyConsumed(inflated.engine.bytesWritten, compressed.length);
    archive = inflated.buffer;
  } catch (error) {
    if (error instanceof RangeError || (error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") {
      return null;
    }
    throw error;
  }
  return oneChunk(archive);
}

/**
 * REMOTE-044 step 3: the whole body decompresses. zlib stops at the end of the gzip member and skips
 * a tail it takes for padding (zeros, for one), so a body with a tail — the reference server tears
 * simultaneous uploads of one id that way — is caught by counting what the member took.
 */
function wholeBodyConsumed(consumed: number, bodyLength: number): void {
  if (consumed !== bodyLength) {
    reject(`not a haz artifact: ${bodyLength - consumed} bytes after the end of the compressed data`);
  }
}

/** `archive` as a stream of one chunk. */
function oneChunk(archive: Uint8Array): AsyncIterator<Uint8Array> {
  let sent = false;
  return {
    next: () => {
      const done = sent;
      sent = true;
      return Promise.resolve(done ? { done: true, value: undefined } : { done: false, value: archive });
    },
  };
}

/** REMOTE-044 steps 3–6 over the decompressed archive; returns the verified manifest. */
async function unpack(
  reader: ByteReader,
  options: ImportArtifactOptions,
  written: WrittenFiles,
): Promise<Manifest> {
  const first = await header(reader, MANIFEST_FILE);
  if (first.size > MAX_MANIFEST_BYTES) reject("invalid manifest: larger than 64 MiB");
  const manifestBytes = await exactOrReject(reader, first.size);
  await padding(reader, first.size);
  const manifest = checkManifest(manifestBytes, options);
  const size = entrySize(manifest, manifestBytes.length);
  if (size > options.maxEntrySize) {
    reject(`entry is larger than cache.remote.max_entry_size (${humanBytes(options.maxEntrySize)})`);
  }
  const blobs = join(options.directory, OUTPUTS_DIR);
  mkdirSync(blobs);
  await member(
    reader,
    { options, written },
    { name: "stdout", size: manifest.stdout.size, digest: manifest.stdout.hash },
    "stdout",
  );
  await member(
    reader,
    { options, written },
    { name: "stderr", size: manifest.stderr.size, digest: manifest.stderr.hash },
    "stderr",
  );
  const sizes = new Map<string, number>();
  for (const output of manifest.outputs) if (output.kind === "file") sizes.set(output.hash, output.size);
  for (const hex of [...sizes.keys()].sort()) {
    await member(
      reader,
      { options, written },
      { name: `${OUTPUTS_DIR}/${hex}`, size: sizes.get(hex)!, digest: hex },
      join(OUTPUTS_DIR, hex),
      join(OUTPUTS_DIR, randomSuffix()),
    );
  }
  for (let i = 0; i < 2; i++) {
    const block = await reader.exact(BLOCK);
    if (block === null) reject("not a haz artifact: missing end blocks");
    if (!allZero(block)) {
      const extra = parseUstarHeader(block);
      reject(
        `not a haz artifact: ${
          typeof extra === "string" ? extra : `unexpected member ${quoted(extra.name)}`
        }`,
      );
    }
  }
  if (!await reader.atEnd()) reject("not a haz artifact: data after the end of the archive");
  return manifest;
}

function checkManifest(bytes: Uint8Array, options: ImportArtifactOptions): Manifest {
  const reading = readManifestBytes(bytes, options.key);
  if (reading.kind === "schema-mismatch") reject("invalid manifest: schema is not 1");
  if (reading.kind === "corrupt") reject(`invalid manifest: ${oneLine(reading.reason)}`);
  const { manifest } = reading;
  if (manifest.hash !== options.context.hash.label) {
    reject(`invalid manifest: hash is ${manifest.hash}, not ${options.context.hash.label}`);
  }
  for (const output of manifest.outputs) {
    if (!isRestorablePath(options.task, output.path)) {
      reject(
        `invalid manifest: output ${quoted(output.path)} is not a declared output of ${options.task.key}`,
      );
    }
  }
  return manifest;
}

async function header(reader: ByteReader, expected: string): Promise<{ size: number }> {
  const block = await reader.exact(BLOCK);
  if (block === null) reject(`not a haz artifact: missing member ${quoted(expected)}`);
  if (allZero(block)) reject(`not a haz artifact: missing member ${quoted(expected)}`);
  const parsed = parseUstarHeader(block);
  if (typeof parsed === "string") reject(`not a haz artifact: ${parsed}`);
  if (parsed.name !== expected) {
    reject(`not a haz artifact: expected member ${quoted(expected)}, found ${quoted(parsed.name)}`);
  }
  return parsed;
}

/**
 * Writes one member at `file` (relative to the store directory) once its digest is verified. A small
 * member is verified in memory, then written with one call; a large one streams into `staged` while
 * it is hashed and is renamed to `file` once verified (a blob's `outputs/<random>`, REMOTE-064).
 */
async function member(
  reader: ByteReader,
  into: { readonly options: ImportArtifactOptions; readonly written: WrittenFiles },
  expected: { name: string; size: number; digest: string },
  file: string,
  staged: string = file,
): Promise<void> {
  const { options, written } = into;
  const found = await header(reader, expected.name);
  if (found.size !== expected.size) reject(`${expected.name} does not match the manifest`);
  const hasher = options.context.hash.create();
  const mismatch = () => reject(`${expected.name} does not match the manifest`);
  if (expected.size <= SMALL_MEMBER_BYTES) {
    // Most members are small: synchronous writes beat promise round trips, and the descriptor stays
    // open for the fsync.
    const bytes = await exactOrReject(reader, expected.size);
    hasher.update(bytes);
    if (hasher.digestHex() !== expected.digest) mismatch();
    writeNewFile(written, join(options.directory, file), bytes);
  } else {
    const handle = await open(join(options.directory, staged), "wx", 0o644);
    try {
      for await (const piece of truncationRejected(reader.pieces(expected.size))) {
        hasher.update(piece);
        await handle.write(piece);
      }
    } finally {
      await handle.close();
    }
    if (hasher.digestHex() !== expected.digest) mismatch();
    if (staged !== file) renameSync(join(options.directory, staged), join(options.directory, file));
    written.closed.push(join(options.directory, file));
  }
  await padding(reader, expected.size);
}

async function* truncationRejected(pieces: AsyncGenerator<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield* pieces;
  } catch (error) {
    if (error instanceof Error && error.message === "truncated") {
      reject("not a haz artifact: truncated member");
    }
    throw error;
  }
}

async function exactOrReject(reader: ByteReader, n: number): Promise<Uint8Array> {
  const bytes = await reader.exact(n);
  if (bytes === null) reject("not a haz artifact: truncated member");
  return bytes;
}

async function padding(reader: ByteReader, size: number): Promise<void> {
  const pad = paddingOf(size);
  if (pad > 0) await exactOrReject(reader, pad);
}

function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("Z_") ||
    error instanceof Error &&
      /incorrect header check|unexpected end of file|invalid|gzip|zlib/i.test(error.message);
}

function quoted(text: string): string {
  return `\`${oneLine(text).slice(0, 100)}\``;
}

function oneLine(text: string): string {
  return [...text].map((char) => char < " " || char === "\u007f" ? " " : char).join("").slice(0, 200);
}
