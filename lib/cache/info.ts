/**
 * `haz cache info` (03-cache.md AUX-019..021): counts of the cache's entries by state and hash,
 * orphans and total size, as text or JSON. Read-only.
 *
 * @module
 */

import { formatByteAmount } from "../domain/size.ts";
import { compareBytes } from "../domain/task_id.ts";
import { surveyCache } from "./classify.ts";
import { CACHE_ROOT_DISPLAY } from "./layout.ts";

/** Everything the info report prints. */
export interface CacheInfo {
  readonly exists: boolean;
  readonly activeHash: "sha256" | "blake3";
  readonly entries: {
    readonly total: number;
    readonly valid: number;
    readonly schemaMismatch: number;
    readonly corrupt: number;
  };
  /** Labels with at least one valid entry, in byte order, with their counts. */
  readonly validByHash: readonly (readonly [string, number])[];
  readonly orphans: { readonly store: number; readonly restore: number };
  readonly totalBytes: number;
}

/** The report's data, or the stderr lines of read errors (then the CLI exits 2 and prints no report). */
export type CacheInfoResult =
  | { readonly ok: true; readonly info: CacheInfo }
  | { readonly ok: false; readonly errors: readonly string[] };

/**
 * Gathers the info report of a workspace's cache (AUX-019/020). Read errors other than "not found"
 * become `error: cache info: cannot read <path>: <message>` lines (AUX-021).
 *
 * @example
 * ```ts
 * const result = await cacheInfo("/work", "sha256");
 * if (result.ok) stdout(renderCacheInfo(result.info, false));
 * ```
 */
export async function cacheInfo(
  workspaceRoot: string,
  activeHash: "sha256" | "blake3",
): Promise<CacheInfoResult> {
  const result = await surveyCache(workspaceRoot);
  const failures = result.ok ? result.survey.failures : [result.failure];
  if (!result.ok || failures.length > 0) {
    return {
      ok: false,
      errors: failures.map((failure) => `error: cache info: cannot read ${failure.path}: ${failure.error}`),
    };
  }
  const { survey } = result;
  const count = (state: string) => survey.entries.filter((entry) => entry.state === state).length;
  const byHash = new Map<string, number>();
  for (const entry of survey.entries) {
    if (entry.state === "valid" && entry.hash !== null) {
      byHash.set(entry.hash, (byHash.get(entry.hash) ?? 0) + 1);
    }
  }
  return {
    ok: true,
    info: {
      exists: survey.exists,
      activeHash,
      entries: {
        total: survey.entries.length,
        valid: count("valid"),
        schemaMismatch: count("schema_mismatch"),
        corrupt: count("corrupt"),
      },
      validByHash: [...byHash].sort(([a], [b]) => compareBytes(a, b)),
      orphans: {
        store: survey.orphans.filter((orphan) => orphan.kind === "orphan_store").length,
        restore: survey.orphans.filter((orphan) => orphan.kind === "orphan_restore").length,
      },
      totalBytes: survey.totalBytes,
    },
  };
}

/** The remote part of the report (REMOTE-096): text lines after the six, and the JSON member. */
export interface RemoteInfoReport {
  readonly lines: readonly string[];
  readonly json: unknown;
}

/**
 * The AUX-020 text (six lines) or the AUX-021 JSON, each ending with a newline.
 *
 * @example
 * ```ts
 * renderCacheInfo(info, false).split("\n")[0]; // "cache root: .haz/cache"
 * ```
 */
export function renderCacheInfo(
  info: CacheInfo,
  json: boolean,
  remote: RemoteInfoReport | null = null,
): string {
  if (json) {
    const value = {
      cache_root: CACHE_ROOT_DISPLAY,
      exists: info.exists,
      active_hash: info.activeHash,
      entries: {
        total: info.entries.total,
        valid: info.entries.valid,
        schema_mismatch: info.entries.schemaMismatch,
        corrupt: info.entries.corrupt,
      },
      valid_by_hash: Object.fromEntries(info.validByHash),
      orphans: { store: info.orphans.store, restore: info.orphans.restore },
      total_bytes: info.totalBytes,
      remote: remote?.json ?? null,
    };
    return JSON.stringify(value, null, 2) + "\n";
  }
  const { entries } = info;
  const byHash = info.validByHash.length === 0
    ? "none"
    : info.validByHash.map(([label, count]) => `${label} ${count}`).join(", ");
  return [
    `cache root: ${CACHE_ROOT_DISPLAY}${info.exists ? "" : " (absent)"}`,
    `active hash: ${info.activeHash}`,
    `entries: ${entries.total} (${entries.valid} valid, ${entries.schemaMismatch} schema mismatch, ${entries.corrupt} corrupt)`,
    `valid by hash: ${byHash}`,
    `orphan dirs: ${info.orphans.store} store, ${info.orphans.restore} restore`,
    `total size: ${formatByteAmount(info.totalBytes)}`,
    ...(remote?.lines ?? []),
    "",
  ].join("\n");
}
