/**
 * The input stat cache (06-architecture.md PERF-002): per input file, its identity (device, inode,
 * mode, size, mtime and ctime in ns) → its content digest under the active hash function, kept across
 * runs in `.haz/state/input-stats-<hash>.json` so that an unchanged input is not read and hashed again.
 *
 * A digest is remembered only when the file's timestamps lie more than 2 s before the run started and
 * the file showed the same identity before and after it was read, so any later change to it shows in
 * its identity (ctime moves even when mtime is put back); a wrong digest cannot be recalled. The file is
 * replaced atomically at the end of a run; an unreadable or corrupt one is an empty cache.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type FileIdentity, isSettled } from "../util/file_identity.ts";
import { stateDirOf, writeStateFile } from "../util/state_file.ts";

/** What key derivation asks of the stat cache. */
export interface InputDigestMemo {
  /** The digest remembered for `hostPath` with exactly this identity key, or undefined. */
  recall(hostPath: string, identityKey: string): string | undefined;
  /**
   * Offers a digest just computed from the file's content, read between two observations of
   * `identity`; kept only when the identity is settled.
   */
  remember(hostPath: string, identity: FileIdentity, digest: string): void;
}

/** A stat cache that can be written back. */
export interface InputStatCache extends InputDigestMemo {
  /** Writes the cache back when anything new was remembered (best effort, never throws). */
  save(): void;
}

/** Options of {@linkcode openInputStatCache}. */
export interface InputStatCacheOptions {
  /** Real host path of the workspace root. */
  readonly workspaceRoot: string;
  /** Label of the active hash function (CACHE-002); each function has its own file. */
  readonly hashLabel: string;
  /** Wall-clock time in ns taken before any input is examined (the start of the run). */
  readonly referenceNs: bigint;
}

/** Bumped whenever the file's shape changes. */
const FORMAT = 1;

/** Beyond this many entries, a save keeps only the ones this run used. */
const MAX_ENTRIES = 200_000;

interface StoredCache {
  readonly format: number;
  readonly hash: string;
  /** Host path → [identity key, digest]. */
  readonly entries: Record<string, [string, string]>;
}

/**
 * The file of the stat cache for a hash function.
 *
 * @example
 * ```ts
 * inputStatCachePath("/work", "sha256"); // "/work/.haz/state/input-stats-sha256.json"
 * ```
 */
export function inputStatCachePath(workspaceRoot: string, hashLabel: string): string {
  return join(stateDirOf(workspaceRoot), `input-stats-${hashLabel}.json`);
}

/** The remembered entries, or none when the file is missing, unreadable or not ours. */
function readEntries(path: string, hashLabel: string): Map<string, [string, string]> {
  try {
    const stored = JSON.parse(readFileSync(path, "utf8")) as StoredCache;
    if (stored.format !== FORMAT || stored.hash !== hashLabel || typeof stored.entries !== "object") {
      return new Map();
    }
    const entries = new Map<string, [string, string]>();
    for (const [hostPath, entry] of Object.entries(stored.entries)) {
      if (Array.isArray(entry) && typeof entry[0] === "string" && typeof entry[1] === "string") {
        entries.set(hostPath, [entry[0], entry[1]]);
      }
    }
    return entries;
  } catch {
    return new Map();
  }
}

/**
 * Opens the stat cache of a workspace for one run.
 *
 * @example
 * ```ts
 * const stats = openInputStatCache({ workspaceRoot: "/work", hashLabel: "sha256", referenceNs });
 * // … run, deriving keys with `stats` …
 * stats.save();
 * ```
 */
export function openInputStatCache(options: InputStatCacheOptions): InputStatCache {
  const path = inputStatCachePath(options.workspaceRoot, options.hashLabel);
  let entries: Map<string, [string, string]> | null = null;
  const used = new Set<string>();
  let changed = false;
  const loaded = () => entries ??= readEntries(path, options.hashLabel);
  return {
    recall(hostPath, identityKey) {
      const entry = loaded().get(hostPath);
      if (entry === undefined || entry[0] !== identityKey) return undefined;
      used.add(hostPath);
      return entry[1];
    },
    remember(hostPath, identity, digest) {
      if (identity.latestNs === null || !isSettled(identity, options.referenceNs)) return;
      const entry = loaded().get(hostPath);
      used.add(hostPath);
      if (entry !== undefined && entry[0] === identity.key && entry[1] === digest) return;
      loaded().set(hostPath, [identity.key, digest]);
      changed = true;
    },
    save() {
      if (!changed || entries === null) return;
      const kept = entries.size > MAX_ENTRIES
        ? [...entries].filter(([hostPath]) => used.has(hostPath))
        : [...entries];
      const stored: StoredCache = {
        format: FORMAT,
        hash: options.hashLabel,
        entries: Object.fromEntries(kept),
      };
      writeStateFile(
        options.workspaceRoot,
        `input-stats-${options.hashLabel}.json`,
        new TextEncoder().encode(JSON.stringify(stored)),
      );
      changed = false;
    },
  };
}
