/**
 * The workspace snapshot (06-architecture.md PERF-001): a successfully loaded workspace (settings,
 * projects, graph and load warnings) stored under `.haz/state/`, keyed by the identity of every path
 * the load examined, so that a later command whose paths all still match skips reading and parsing
 * the configuration.
 *
 * File format: `u32` (big-endian) byte length of a JSON header, the header (format, haz version,
 * workspace root, the sources and their identities), then the workspace as the compact JSON text of
 * `snapshot_codec.ts` (task bodies and edges; definitions and graph maps are re-derived on reading).
 * The header is checked before the payload is decoded. Anything unexpected, a corrupt file included,
 * reads as "no snapshot".
 *
 * @module
 */

import { readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import type { ConfigSources } from "../config/loaded_config.ts";
import { decodeSnapshotContent, encodeSnapshotContent, type SnapshotContent } from "./snapshot_codec.ts";
import { fileIdentity, isSettled } from "../util/file_identity.ts";
import { checksum32, stateDirOf, writeStateFile } from "../util/state_file.ts";

/** Bumped whenever the header or the payload's shape changes. */
const FORMAT = 5;

/** The file name of the snapshot inside the state directory. */
export const SNAPSHOT_FILE = "workspace.snapshot";

export type { SnapshotContent } from "./snapshot_codec.ts";

/** One examined path: how it was examined and what was seen (identity key, or the real path). */
type SourceRecord = readonly [kind: "stat" | "lstat" | "realpath", path: string, seen: string];

interface SnapshotHeader {
  readonly format: number;
  readonly version: string;
  readonly root: string;
  readonly sources: readonly SourceRecord[];
  /** Byte length and {@linkcode checksum32} of the payload: a torn write reads as no snapshot. */
  readonly payloadLength: number;
  readonly payloadChecksum: number;
}

/** What is seen at `path` when examined the way `kind` says. */
function observe(kind: SourceRecord[0], path: string): { seen: string; latestNs: bigint | null } {
  if (kind === "realpath") {
    try {
      return { seen: realpathSync(path), latestNs: null };
    } catch (error) {
      return { seen: `!${(error as { code?: string }).code ?? "EUNKNOWN"}`, latestNs: null };
    }
  }
  const identity = fileIdentity(path, kind === "stat");
  return { seen: identity.key, latestNs: identity.latestNs };
}

/** Whether an identity key (`dev:ino:mode:…`) is that of a regular file (`S_IFREG`). */
function isRegularFileKey(key: string): boolean {
  if (key.startsWith("!")) return false;
  const modeStart = key.indexOf(":", key.indexOf(":") + 1) + 1;
  const mode = Number(key.slice(modeStart, key.indexOf(":", modeStart)));
  return (mode & 0o170000) === 0o100000;
}

/**
 * Reads the snapshot of the workspace at `root` if it was written by `version` and every source still
 * looks as it did; null otherwise (missing, unreadable, corrupt, stale). Never throws.
 *
 * @example
 * ```ts
 * const content = readWorkspaceSnapshot("/work", "haz 0.1.0 bun 1.4.4");
 * content?.graph.order.length; // 1000
 * ```
 */
export function readWorkspaceSnapshot(root: string, version: string): SnapshotContent | null {
  try {
    const bytes = readFileSync(join(stateDirOf(root), SNAPSHOT_FILE));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headerLength = view.getUint32(0);
    const header = JSON.parse(
      new TextDecoder().decode(bytes.subarray(4, 4 + headerLength)),
    ) as SnapshotHeader;
    if (header.format !== FORMAT || header.version !== version || header.root !== root) return null;
    for (const [kind, path, seen] of header.sources) {
      if (observe(kind, path).seen !== seen) return null;
    }
    const payload = bytes.subarray(4 + headerLength);
    if (payload.length !== header.payloadLength || checksum32(payload) !== header.payloadChecksum) {
      return null;
    }
    return decodeSnapshotContent(new TextDecoder().decode(payload), root);
  } catch {
    return null;
  }
}

/** Options of {@linkcode writeWorkspaceSnapshot}. */
export interface WriteSnapshotOptions {
  /** Real host path of the workspace root. */
  readonly root: string;
  /** haz and runtime version; a snapshot is only read back by the same. */
  readonly version: string;
  /** The paths the load examined. */
  readonly sources: ConfigSources;
  /** Wall-clock time in ns taken before the load examined anything. */
  readonly referenceNs: bigint;
  readonly content: SnapshotContent;
}

/**
 * Stores a loaded workspace as the snapshot, atomically (temporary file, then rename). Writes nothing
 * when any source changed less than 2 s before `referenceNs` (its timestamps could not reveal a later
 * change). Best effort: returns false when nothing was written, never throws.
 *
 * @example
 * ```ts
 * writeWorkspaceSnapshot({ root, version, sources: config.sources, referenceNs, content: { workspace, graph, warnings } });
 * ```
 */
export function writeWorkspaceSnapshot(options: WriteSnapshotOptions): boolean {
  const sources: SourceRecord[] = [];
  // A path whose `lstat` shows a regular file needs no `stat` record: while the `lstat` record
  // matches, following the path reaches that same file.
  const regularFiles = new Set<string>();
  const record = (
    kind: SourceRecord[0],
    path: string,
    identity: { seen: string; latestNs: bigint | null },
  ) => {
    if (!isSettled({ key: identity.seen, latestNs: identity.latestNs }, options.referenceNs)) return false;
    sources.push([kind, path, identity.seen]);
    return true;
  };
  const { unfollowed, unfollowedSeen, followed, resolved } = options.sources;
  for (const path of unfollowed) {
    const known = unfollowedSeen.get(path);
    const identity = known === undefined
      ? observe("lstat", path)
      : { seen: known.key, latestNs: known.latestNs };
    if (!record("lstat", path, identity)) return false;
    if (isRegularFileKey(identity.seen)) regularFiles.add(path);
  }
  for (const path of followed) {
    if (!regularFiles.has(path) && !record("stat", path, observe("stat", path))) return false;
  }
  for (const path of resolved) {
    if (!record("realpath", path, observe("realpath", path))) return false;
  }
  let payload: Uint8Array;
  try {
    payload = new TextEncoder().encode(encodeSnapshotContent(options.content));
  } catch {
    return false;
  }
  const header: SnapshotHeader = {
    format: FORMAT,
    version: options.version,
    root: options.root,
    sources,
    payloadLength: payload.length,
    payloadChecksum: checksum32(payload),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const bytes = new Uint8Array(4 + headerBytes.length + payload.length);
  new DataView(bytes.buffer).setUint32(0, headerBytes.length);
  bytes.set(headerBytes, 4);
  bytes.set(payload, 4 + headerBytes.length);
  return writeStateFile(options.root, SNAPSHOT_FILE, bytes);
}
