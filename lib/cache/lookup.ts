/**
 * Lookup (03-cache.md CACHE-014..016): reads and checks the entry of a derived key. Only reads.
 *
 * @module
 */

import { lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { TaskDefinition } from "../domain/workspace.ts";
import type { LookupResult } from "./cache_handle.ts";
import { checkEntryFilesNow } from "./entry_files.ts";
import { isNotFound } from "./io_error.ts";
import { entryPath, MANIFEST_FILE } from "./layout.ts";
import { readManifestBytes } from "./manifest.ts";
import { isRestorablePath } from "./manifest_path.ts";

/** Options of {@link lookupEntry}. */
export interface LookupOptions {
  /** Host path of the cache root. */
  readonly root: string;
  readonly key: string;
  /** The looking-up task, whose declared outputs must cover every recorded path. */
  readonly task: TaskDefinition;
  /** The active hash label (CACHE-015 check 2). */
  readonly hashLabel: "sha256" | "blake3";
}

const NO_ENTRY: LookupResult = { kind: "miss", state: "no entry" };
const SCHEMA_MISMATCH: LookupResult = { kind: "miss", state: "schema mismatch" };
const CORRUPT: LookupResult = { kind: "miss", state: "corrupt entry" };

/**
 * A hit only when all five checks of CACHE-015 pass; every other outcome is a miss classified as
 * CACHE-016 says. Never throws and never writes.
 *
 * @example
 * ```ts
 * const result = await lookupEntry({ root: "/work/.haz/cache", key, task, hashLabel: "sha256" });
 * result.kind; // "hit" or "miss"
 * ```
 */
export function lookupEntry(options: LookupOptions): Promise<LookupResult> {
  return Promise.resolve(lookupEntryNow(options));
}

/**
 * {@link lookupEntry} synchronously: a handful of `lstat`s and one read of a few hundred bytes, cheaper
 * than promise round trips when a cached run looks up every task.
 *
 * @example
 * ```ts
 * lookupEntryNow({ root: "/work/.haz/cache", key, task, hashLabel: "sha256" }).kind; // "hit" or "miss"
 * ```
 */
export function lookupEntryNow(options: LookupOptions): LookupResult {
  const directory = entryPath(options.root, options.key);
  const manifestPath = join(directory, MANIFEST_FILE);
  let bytes: Uint8Array;
  try {
    if (!lstatSync(directory).isDirectory()) return CORRUPT;
    if (!lstatSync(manifestPath).isFile()) return CORRUPT;
    bytes = readFileSync(manifestPath);
  } catch (error) {
    return isNotFound(error) ? NO_ENTRY : CORRUPT;
  }
  const reading = readManifestBytes(bytes, options.key);
  if (reading.kind === "schema-mismatch") return SCHEMA_MISMATCH;
  if (reading.kind === "corrupt") return CORRUPT;
  const { manifest } = reading;
  if (manifest.hash !== options.hashLabel) return SCHEMA_MISMATCH;
  if (!manifest.outputs.every((output) => isRestorablePath(options.task, output.path))) return CORRUPT;
  const files = checkEntryFilesNow(directory, manifest);
  return files.kind === "complete" ? { kind: "hit", manifest } : CORRUPT;
}
