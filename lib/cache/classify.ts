/**
 * The walk and classification shared by `haz cache info` and `haz cache clean` (03-cache.md
 * AUX-019): entries by state, orphan store and restore directories, foreign items, footprints. It
 * only reads (`lstat`, following no link) and never recomputes digests.
 *
 * @module
 */

import { lstat, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { compareBytes } from "../domain/task_id.ts";
import { checkEntryFiles } from "./entry_files.ts";
import { DIGEST_HEX } from "./hex.ts";
import { errorMessage, isNotFound } from "./io_error.ts";
import {
  CACHE_ROOT_DISPLAY,
  cacheRootOf,
  MANIFEST_FILE,
  RESTORE_DIR_PREFIX,
  SHARD_NAME,
  STORE_DIR_PREFIX,
} from "./layout.ts";
import { readManifestBytes } from "./manifest.ts";

/** The state of an entry candidate. */
export type EntryState = "valid" | "schema_mismatch" | "corrupt";

/** An entry candidate inside a shard. */
export interface ClassifiedEntry {
  readonly kind: "entry";
  /** Relative to the workspace root, e.g. `.haz/cache/db/db175af0…e142`. */
  readonly path: string;
  readonly hostPath: string;
  /** The directory (or file) name, normally the key. */
  readonly name: string;
  readonly state: EntryState;
  /** Valid entries only: the manifest's hash label and creation time. */
  readonly hash: "sha256" | "blake3" | null;
  readonly createdAtUnix: number | null;
  /** Whether it is a real directory (an entry is removed manifest first). */
  readonly isDirectory: boolean;
  /** Footprint: apparent sizes of the regular files in it. */
  readonly bytes: number;
}

/** A leftover store (`.tmp-*` in a shard) or restore (`.restore-*` in the root) directory. */
export interface OrphanDir {
  readonly kind: "orphan_store" | "orphan_restore";
  readonly path: string;
  readonly hostPath: string;
  readonly bytes: number;
}

/** Anything else in the root; counted, never removed. */
export interface ForeignItem {
  readonly kind: "foreign";
  readonly path: string;
  readonly bytes: number;
}

/** A read or removal that failed (AUX-021, AUX-028). */
export interface CacheFailure {
  readonly op: "read" | "remove";
  /** Relative to the workspace root. */
  readonly path: string;
  readonly error: string;
}

/** Everything the walk found. */
export interface CacheSurvey {
  readonly exists: boolean;
  /** Entry candidates in path byte order (read failures excluded). */
  readonly entries: readonly ClassifiedEntry[];
  readonly orphans: readonly OrphanDir[];
  readonly foreign: readonly ForeignItem[];
  /** Apparent sizes of all regular files under the root that could be read. */
  readonly totalBytes: number;
  readonly failures: readonly CacheFailure[];
}

/** The survey, or the fatal read error of an existing but unreadable root. */
export type SurveyResult = { ok: true; survey: CacheSurvey } | { ok: false; failure: CacheFailure };

/** A read error raised while looking at one item, with the path it concerns. */
class ItemReadError extends Error {
  readonly path: string;
  constructor(path: string, cause: unknown) {
    super(errorMessage(cause));
    this.path = path;
  }
}

/**
 * Walks `.haz/cache` of a workspace and classifies everything in it (AUX-019). An absent root is an
 * empty survey with `exists: false`.
 *
 * @example
 * ```ts
 * const result = await surveyCache("/work");
 * if (result.ok) result.survey.entries.filter((entry) => entry.state === "valid").length;
 * ```
 */
export async function surveyCache(workspaceRoot: string): Promise<SurveyResult> {
  const root = cacheRootOf(workspaceRoot);
  const entries: ClassifiedEntry[] = [];
  const orphans: OrphanDir[] = [];
  const foreign: ForeignItem[] = [];
  const failures: CacheFailure[] = [];
  let names: { name: string; isDirectory: boolean }[];
  try {
    names = await listDirectory(root);
  } catch (error) {
    if (isNotFound(error)) {
      return { ok: true, survey: { exists: false, entries, orphans, foreign, totalBytes: 0, failures } };
    }
    return { ok: false, failure: { op: "read", path: CACHE_ROOT_DISPLAY, error: errorMessage(error) } };
  }
  let totalBytes = 0;
  const record = async <T>(path: string, classify: () => Promise<T>): Promise<T | null> => {
    try {
      return await classify();
    } catch (error) {
      const failedPath = error instanceof ItemReadError ? error.path : path;
      failures.push({ op: "read", path: failedPath, error: errorMessage(error) });
      return null;
    }
  };
  for (const item of names) {
    const hostPath = join(root, item.name);
    const path = `${CACHE_ROOT_DISPLAY}/${item.name}`;
    if (item.isDirectory && item.name.startsWith(RESTORE_DIR_PREFIX)) {
      const bytes = await record(path, () => footprint(hostPath, path));
      if (bytes === null) continue;
      orphans.push({ kind: "orphan_restore", path, hostPath, bytes });
      totalBytes += bytes;
    } else if (item.isDirectory && SHARD_NAME.test(item.name)) {
      const shard = await record(path, () => listDirectory(hostPath));
      if (shard === null) continue;
      for (const member of shard) {
        const memberHost = join(hostPath, member.name);
        const memberPath = `${path}/${member.name}`;
        if (member.isDirectory && member.name.startsWith(STORE_DIR_PREFIX)) {
          const bytes = await record(memberPath, () => footprint(memberHost, memberPath));
          if (bytes === null) continue;
          orphans.push({ kind: "orphan_store", path: memberPath, hostPath: memberHost, bytes });
          totalBytes += bytes;
        } else {
          const entry = await record(
            memberPath,
            () => classifyEntry(item.name, member, memberHost, memberPath),
          );
          if (entry === null) continue;
          entries.push(entry);
          totalBytes += entry.bytes;
        }
      }
    } else {
      const bytes = await record(path, () => footprint(hostPath, path));
      if (bytes === null) continue;
      foreign.push({ kind: "foreign", path, bytes });
      totalBytes += bytes;
    }
  }
  return { ok: true, survey: { exists: true, entries, orphans, foreign, totalBytes, failures } };
}

/** Names in a directory, byte order, with whether each is a real directory (links not followed). */
async function listDirectory(hostPath: string): Promise<{ name: string; isDirectory: boolean }[]> {
  const dirents = await readdir(hostPath, { withFileTypes: true });
  return dirents
    .map((dirent) => ({ name: dirent.name, isDirectory: dirent.isDirectory() }))
    .sort((a, b) => compareBytes(a.name, b.name));
}

/** AUX-019 classification of one entry candidate. */
async function classifyEntry(
  shard: string,
  member: { name: string; isDirectory: boolean },
  hostPath: string,
  path: string,
): Promise<ClassifiedEntry> {
  const bytes = await footprint(hostPath, path);
  const base = {
    kind: "entry" as const,
    path,
    hostPath,
    name: member.name,
    isDirectory: member.isDirectory,
    bytes,
  };
  const corrupt: ClassifiedEntry = { ...base, state: "corrupt", hash: null, createdAtUnix: null };
  if (!member.isDirectory || !DIGEST_HEX.test(member.name) || !member.name.startsWith(shard)) return corrupt;
  const manifestPath = join(hostPath, MANIFEST_FILE);
  let manifestBytes: Uint8Array;
  try {
    if (!(await lstat(manifestPath)).isFile()) return corrupt;
    manifestBytes = await readFile(manifestPath);
  } catch (error) {
    if (isNotFound(error)) return corrupt;
    throw new ItemReadError(`${path}/${MANIFEST_FILE}`, error);
  }
  const reading = readManifestBytes(manifestBytes, member.name);
  if (reading.kind === "schema-mismatch") return { ...corrupt, state: "schema_mismatch" };
  if (reading.kind === "corrupt") return corrupt;
  const files = await checkEntryFiles(hostPath, reading.manifest);
  if (files.kind === "unreadable") {
    throw new ItemReadError(`${path}${files.path.slice(hostPath.length)}`, files.error);
  }
  if (files.kind === "incomplete") return corrupt;
  return {
    ...base,
    state: "valid",
    hash: reading.manifest.hash,
    createdAtUnix: reading.manifest.created_at_unix,
  };
}

/** Sum of the apparent sizes of the regular files at or under `hostPath`; links are not followed. */
async function footprint(hostPath: string, path: string): Promise<number> {
  let stat;
  try {
    stat = await lstat(hostPath);
  } catch (error) {
    // Removed while we walked: it no longer takes space.
    if (isNotFound(error)) return 0;
    throw new ItemReadError(path, error);
  }
  if (stat.isFile()) return stat.size;
  if (!stat.isDirectory()) return 0;
  let names: string[];
  try {
    names = await readdir(hostPath);
  } catch (error) {
    if (isNotFound(error)) return 0;
    throw new ItemReadError(path, error);
  }
  let total = 0;
  for (const name of names) total += await footprint(join(hostPath, name), `${path}/${name}`);
  return total;
}
