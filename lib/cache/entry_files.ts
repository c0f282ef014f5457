/**
 * Checks of an entry's blobs and streams: the size-only completeness check (CACHE-015 checks 4–5,
 * AUX-019) and the full content check of a store that finds its destination occupied (CACHE-034).
 *
 * @module
 */

import { lstatSync } from "node:fs";
import { join } from "node:path";
import { isNotFound } from "./io_error.ts";
import { OUTPUTS_DIR } from "./layout.ts";
import { hashFile } from "./file_hash.ts";
import type { HashAlgorithm } from "./hash_algorithm.ts";
import type { Manifest } from "./manifest.ts";

/** Whether an entry's files are all present with their recorded sizes. */
export type EntryFilesCheck =
  | { readonly kind: "complete" }
  | { readonly kind: "incomplete"; readonly reason: string }
  /** An I/O error other than "not found" (a read error for `info` / `clean`). */
  | { readonly kind: "unreadable"; readonly path: string; readonly error: unknown };

/**
 * Checks (with `lstat`, following no link) that every file output's blob and both streams are
 * regular files of exactly the recorded sizes. Digests are not recomputed.
 *
 * @example
 * ```ts
 * const check = await checkEntryFiles("/work/.haz/cache/db/db175af0…e142", manifest);
 * check.kind; // "complete"
 * ```
 */
export function checkEntryFiles(entryDir: string, manifest: Manifest): Promise<EntryFilesCheck> {
  return Promise.resolve(checkEntryFilesNow(entryDir, manifest));
}

/**
 * {@link checkEntryFiles} synchronously (a few `lstat`s, run for every hit of a cached run).
 *
 * @example
 * ```ts
 * checkEntryFilesNow("/work/.haz/cache/db/db175af0…e142", manifest).kind; // "complete"
 * ```
 */
export function checkEntryFilesNow(entryDir: string, manifest: Manifest): EntryFilesCheck {
  const expected = new Map<string, number>([
    [join(entryDir, "stdout"), manifest.stdout.size],
    [join(entryDir, "stderr"), manifest.stderr.size],
  ]);
  for (const output of manifest.outputs) {
    if (output.kind !== "file") continue;
    const blob = join(entryDir, OUTPUTS_DIR, output.hash);
    const known = expected.get(blob);
    if (known !== undefined && known !== output.size) {
      return { kind: "incomplete", reason: `outputs with digest ${output.hash} record different sizes` };
    }
    expected.set(blob, output.size);
  }
  // Synchronous lstats: a few microseconds each, run for every hit of a cached run.
  const checks = [...expected].map(([path, size]): EntryFilesCheck => {
    try {
      const stat = lstatSync(path);
      if (!stat.isFile()) return { kind: "incomplete", reason: `${path} is not a regular file` };
      if (stat.size !== size) {
        return { kind: "incomplete", reason: `${path} has ${stat.size} bytes, not ${size}` };
      }
      return { kind: "complete" };
    } catch (error) {
      if (isNotFound(error)) return { kind: "incomplete", reason: `${path} is missing` };
      return { kind: "unreadable", path, error };
    }
  });
  return checks.find((check) => check.kind === "unreadable") ??
    checks.find((check) => check.kind === "incomplete") ?? { kind: "complete" };
}

/**
 * Re-hashes an entry's blobs and streams and compares them with the manifest's digests. Used only when
 * a store finds its destination occupied (CACHE-034): an entry that a restore rejected as a late miss
 * (CACHE-038) still passes the size-only CACHE-015 check and must be replaced, not kept.
 *
 * @example
 * ```ts
 * await entryContentMatches("/work/.haz/cache/db/db175af0…e142", manifest, sha256); // true
 * ```
 */
export async function entryContentMatches(
  entryDir: string,
  manifest: Manifest,
  hash: HashAlgorithm,
): Promise<boolean> {
  const expected = new Map<string, string>([
    [join(entryDir, "stdout"), manifest.stdout.hash],
    [join(entryDir, "stderr"), manifest.stderr.hash],
  ]);
  for (const output of manifest.outputs) {
    if (output.kind === "file") expected.set(join(entryDir, OUTPUTS_DIR, output.hash), output.hash);
  }
  try {
    for (const [path, digest] of expected) {
      if ((await hashFile(path, hash)).digest !== digest) return false;
    }
    return true;
  } catch {
    return false;
  }
}
