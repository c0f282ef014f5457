/**
 * Writes the artifact of a local entry (07-remote-cache.md REMOTE-040..043): a gzip stream of the
 * ustar archive `manifest.json`, `stdout`, `stderr`, `outputs/<hex>`…, to a file.
 *
 * @module
 */

import { createReadStream, createWriteStream, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
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

async function* memberBytes(
  manifestBytes: Uint8Array,
  members: readonly PlannedMember[],
  hash: HashAlgorithm,
): AsyncGenerator<Uint8Array> {
  yield ustarHeader(MANIFEST_FILE, manifestBytes.length);
  yield manifestBytes;
  yield new Uint8Array(paddingOf(manifestBytes.length));
  for (const member of members) {
    yield ustarHeader(member.name, member.size);
    const hasher = hash.create();
    let size = 0;
    if (member.size > 0) {
      for await (const chunk of createReadStream(member.path, { highWaterMark: 64 * 1024 })) {
        const bytes = chunk as Uint8Array;
        size += bytes.length;
        if (size > member.size) throw new EntryMismatch();
        hasher.update(bytes);
        yield bytes;
      }
    } else {
      if (statSync(member.path).size !== 0) throw new EntryMismatch();
    }
    if (size !== member.size || hasher.digestHex() !== member.digest) throw new EntryMismatch();
    yield new Uint8Array(paddingOf(member.size));
  }
  yield new Uint8Array(2 * BLOCK);
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
    await pipeline(
      Readable.from(memberBytes(manifestBytes, members, options.hash)),
      createGzip({ level: options.level }),
      createWriteStream(options.destination, { flags: "wx", mode: 0o644 }),
    );
    return { ok: true, bytes: statSync(options.destination).size, manifest };
  } catch (error) {
    if (error instanceof EntryMismatch) {
      return { ok: false, reason: "local entry does not match its manifest" };
    }
    return { ok: false, reason: `could not read the local entry: ${errorMessage(error)}` };
  }
}
