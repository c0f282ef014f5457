/**
 * Writes the artifact of a local entry (07-remote-cache.md REMOTE-040..043): a gzip stream of the
 * ustar archive `manifest.json`, `stdout`, `stderr`, `outputs/<hex>`…, to a file.
 *
 * @module
 */

import { createWriteStream, readFileSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip, type Gzip } from "node:zlib";
import type { HashAlgorithm } from "../hash_algorithm.ts";
import { errorMessage } from "../io_error.ts";
import { MANIFEST_FILE, OUTPUTS_DIR } from "../layout.ts";
import { type Manifest, readManifestBytes } from "../manifest.ts";
import { humanBytes } from "../../domain/size.ts";
import { BLOCK, MAX_MEMBER_BYTES, paddingOf, ustarHeader } from "./ustar.ts";

/** Options of {@link writeArtifact}. */
export interface WriteArtifactOptions {
  /** Host path of the published local entry. */
  readonly entryDir: string;
  readonly key: string;
  readonly hash: HashAlgorithm;
  /** Host path of the artifact file to create. */
  readonly destination: string;
  /** gzip level 0–9 (REMOTE-016). */
  readonly level: number;
  /** `cache.remote.max_entry_size`, checked from the manifest before compressing (REMOTE-073). */
  readonly maxEntrySize: number;
}

/** A written artifact, or why none was (a REMOTE-072/073 class D reason). */
export type WriteArtifactResult =
  | { readonly ok: true; readonly bytes: number; readonly manifest: Manifest }
  | { readonly ok: false; readonly reason: string };

/** One archive member to write: its name, expected size and digest, and where its bytes are. */
interface PlannedMember {
  readonly name: string;
  readonly size: number;
  readonly digest: string;
  readonly path: string;
}

class EntryMismatch extends Error {}

const READ_CHUNK_BYTES = 64 * 1024;

/** The members after `manifest.json`, in REMOTE-042 order. */
function plannedMembers(entryDir: string, manifest: Manifest): PlannedMember[] {
  const members: PlannedMember[] = [
    {
      name: "stdout",
      size: manifest.stdout.size,
      digest: manifest.stdout.hash,
      path: join(entryDir, "stdout"),
    },
    {
      name: "stderr",
      size: manifest.stderr.size,
      digest: manifest.stderr.hash,
      path: join(entryDir, "stderr"),
    },
  ];
  const blobs = new Map<string, number>();
  for (const output of manifest.outputs) if (output.kind === "file") blobs.set(output.hash, output.size);
  for (const hex of [...blobs.keys()].sort()) {
    members.push({
      name: `${OUTPUTS_DIR}/${hex}`,
      size: blobs.get(hex)!,
      digest: hex,
      path: join(entryDir, OUTPUTS_DIR, hex),
    });
  }
  return members;
}

/**
 * The unpacked size of an entry (REMOTE-044 step 5): the manifest's length plus the streams and the
 * distinct blobs.
 *
 * @example
 * ```ts
 * entrySize(manifest, 618); // 624 for W1's app:hello
 * ```
 */
export function entrySize(manifest: Manifest, manifestBytes: number): number {
  let total = manifestBytes + manifest.stdout.size + manifest.stderr.size;
  const seen = new Set<string>();
  for (const output of manifest.outputs) {
    if (output.kind === "file" && !seen.has(output.hash)) {
      seen.add(output.hash);
      total += output.size;
    }
  }
  return total;
}

/**
 * Feeds the archive into `gzip`. Files are read into one reused buffer: a chunk is handed on only
 * when zlib has consumed the previous one (the write callback), so a large output costs no garbage.
 */
async function writeMembers(
  gzip: Gzip,
  manifestBytes: Uint8Array,
  members: readonly PlannedMember[],
  hash: HashAlgorithm,
): Promise<void> {
  const write = (bytes: Uint8Array) =>
    new Promise<void>((resolve, reject) => gzip.write(bytes, (error) => error ? reject(error) : resolve()));
  await write(ustarHeader(MANIFEST_FILE, manifestBytes.length));
  await write(manifestBytes);
  await write(new Uint8Array(paddingOf(manifestBytes.length)));
  const buffer = new Uint8Array(READ_CHUNK_BYTES);
  for (const member of members) {
    await write(ustarHeader(member.name, member.size));
    const hasher = hash.create();
    let size = 0;
    const handle = await open(member.path, "r");
    try {
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        size += bytesRead;
        if (size > member.size) throw new EntryMismatch();
        const piece = buffer.subarray(0, bytesRead);
        hasher.update(piece);
        await write(piece);
      }
    } finally {
      await handle.close();
    }
    if (size !== member.size || hasher.digestHex() !== member.digest) throw new EntryMismatch();
    await write(new Uint8Array(paddingOf(member.size)));
  }
  await write(new Uint8Array(2 * BLOCK));
  gzip.end();
}

/**
 * Builds the artifact of a local entry into `destination` (REMOTE-043), hashing every member and
 * abandoning it when the entry does not match its manifest. Never throws.
 *
 * @example
 * ```ts
 * const written = await writeArtifact({ entryDir, key, hash: sha256, destination, level: 1, maxEntrySize });
 * if (written.ok) written.bytes; // the Content-Length of the upload
 * ```
 */
export async function writeArtifact(options: WriteArtifactOptions): Promise<WriteArtifactResult> {
  let manifestBytes: Uint8Array;
  try {
    manifestBytes = readFileSync(join(options.entryDir, MANIFEST_FILE));
  } catch (error) {
    return { ok: false, reason: `could not read the local entry: ${errorMessage(error)}` };
  }
  const reading = readManifestBytes(manifestBytes, options.key);
  if (reading.kind !== "valid" || reading.manifest.hash !== options.hash.label) {
    return { ok: false, reason: "local entry does not match its manifest" };
  }
  const { manifest } = reading;
  const members = plannedMembers(options.entryDir, manifest);
  const size = entrySize(manifest, manifestBytes.length);
  if (size > options.maxEntrySize) {
    return {
      ok: false,
      reason: `entry is ${humanBytes(size)}, above cache.remote.max_entry_size (${
        humanBytes(options.maxEntrySize)
      })`,
    };
  }
  if (members.some((member) => member.size > MAX_MEMBER_BYTES)) {
    return { ok: false, reason: "a file is larger than 8 GiB" };
  }
  try {
    const gzip = createGzip({ level: options.level });
    const output = pipeline(gzip, createWriteStream(options.destination, { flags: "wx", mode: 0o644 }));
    try {
      await writeMembers(gzip, manifestBytes, members, options.hash);
    } catch (error) {
      gzip.destroy();
      await output.catch(() => {});
      throw error;
    }
    await output;
    return { ok: true, bytes: statSync(options.destination).size, manifest };
  } catch (error) {
    if (error instanceof EntryMismatch) {
      return { ok: false, reason: "local entry does not match its manifest" };
    }
    return { ok: false, reason: `could not read the local entry: ${errorMessage(error)}` };
  }
}
