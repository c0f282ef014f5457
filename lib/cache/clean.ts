/**
 * `haz cache clean` (03-cache.md AUX-022..028): selection by soft, max-age and max-size modes, in
 * that priority, best-effort removal, and the text and JSON reports.
 *
 * @module
 */

import { unlink } from "node:fs/promises";
import { join } from "node:path";
import { formatByteAmount } from "../domain/size.ts";
import { compareBytes } from "../domain/task_id.ts";
import { type CacheFailure, type ClassifiedEntry, type OrphanDir, surveyCache } from "./classify.ts";
import { errorMessage, isNotFound } from "./io_error.ts";
import { MANIFEST_FILE } from "./layout.ts";
import { removeTree } from "./remove_tree.ts";

/** Options of {@link cleanCache}; the modes already merged with the workspace defaults (AUX-025). */
export interface CleanOptions {
  /** Real host path of the workspace root. */
  readonly workspaceRoot: string;
  readonly soft: boolean;
  readonly maxAgeSeconds: number | null;
  readonly maxSizeBytes: number | null;
  readonly dryRun: boolean;
  /** `floor(Date.now() / 1000)`, taken once (AUX-023). */
  readonly nowUnix: number;
}

/** One removed (or, in a dry run, removable) item, in report order. */
export interface CleanItem {
  readonly path: string;
  readonly kind: "entry" | "orphan_store" | "orphan_restore";
  readonly reason: "soft" | "max_age" | "max_size";
  readonly state: "valid" | "schema_mismatch" | "corrupt" | "orphan";
  readonly bytes: number;
}

/** Everything the clean report prints. */
export interface CleanReport {
  readonly dryRun: boolean;
  readonly modes: {
    readonly soft: boolean;
    readonly maxAgeSeconds: number | null;
    readonly maxSizeBytes: number | null;
  };
  /** Classified entry candidates (read failures excluded). */
  readonly inspected: number;
  readonly evicted: { readonly soft: number; readonly maxAge: number; readonly maxSize: number };
  readonly orphansRemoved: { readonly store: number; readonly restore: number };
  readonly bytesReclaimed: number;
  readonly items: readonly CleanItem[];
  /** Read and removal failures: each is a stderr line, and the exit code is 2 (AUX-027). */
  readonly failures: readonly CacheFailure[];
}

/** The report, or the fatal error line (ending with a newline) of an unreadable cache root (exit 2, no report; AUX-028). */
export type CleanResult =
  | { readonly ok: true; readonly report: CleanReport }
  | { readonly ok: false; readonly error: string };

/** A selected item before removal. */
interface Selection {
  readonly item: ClassifiedEntry | OrphanDir;
  readonly reason: CleanItem["reason"];
}

/**
 * Runs AUX-023: walk and classify, select by soft, then max-age, then max-size, and remove the
 * selection (entries manifest first) unless `dryRun`. Failures are recorded and the walk goes on.
 *
 * @example
 * ```ts
 * const result = await cleanCache({
 *   workspaceRoot: "/work", soft: true, maxAgeSeconds: null, maxSizeBytes: null, dryRun: false,
 *   nowUnix: Math.floor(Date.now() / 1000),
 * });
 * if (result.ok) stdout(renderCleanReport(result.report, false));
 * ```
 */
export async function cleanCache(options: CleanOptions): Promise<CleanResult> {
  const surveyed = await surveyCache(options.workspaceRoot);
  if (!surveyed.ok) {
    return { ok: false, error: cleanFailureLine(surveyed.failure) + "\n" };
  }
  const { survey } = surveyed;
  const selections = select(survey.entries, survey.orphans, options);
  const failures: CacheFailure[] = [...survey.failures];
  const items: CleanItem[] = [];
  for (const selection of selections) {
    if (!options.dryRun) {
      const failure = await remove(selection.item);
      if (failure !== null) {
        failures.push(failure);
        continue;
      }
    }
    items.push(toCleanItem(selection));
  }
  const countEntries = (reason: CleanItem["reason"]) =>
    items.filter((item) => item.kind === "entry" && item.reason === reason).length;
  return {
    ok: true,
    report: {
      dryRun: options.dryRun,
      modes: { soft: options.soft, maxAgeSeconds: options.maxAgeSeconds, maxSizeBytes: options.maxSizeBytes },
      inspected: survey.entries.length,
      evicted: {
        soft: countEntries("soft"),
        maxAge: countEntries("max_age"),
        maxSize: countEntries("max_size"),
      },
      orphansRemoved: {
        store: items.filter((item) => item.kind === "orphan_store").length,
        restore: items.filter((item) => item.kind === "orphan_restore").length,
      },
      bytesReclaimed: items.reduce((sum, item) => sum + item.bytes, 0),
      items,
      failures,
    },
  };
}

/**
 * The AUX-024 text or JSON report (ending with a newline). Failures are not in the text; see
 * {@link renderCleanFailures}.
 *
 * @example
 * ```ts
 * renderCleanReport(report, false).split("\n").at(-2); // "reclaimed: 6912 bytes (6.8 KiB)"
 * ```
 */
export function renderCleanReport(report: CleanReport, json: boolean): string {
  if (json) {
    const value = {
      dry_run: report.dryRun,
      modes: {
        soft: report.modes.soft,
        max_age_seconds: report.modes.maxAgeSeconds,
        max_size_bytes: report.modes.maxSizeBytes,
      },
      inspected: report.inspected,
      evicted: {
        soft: report.evicted.soft,
        max_age: report.evicted.maxAge,
        max_size: report.evicted.maxSize,
      },
      orphans_removed: { store: report.orphansRemoved.store, restore: report.orphansRemoved.restore },
      bytes_reclaimed: report.bytesReclaimed,
      items: report.items.map((item) => ({
        path: item.path,
        kind: item.kind,
        reason: item.reason,
        state: item.state,
        bytes: item.bytes,
      })),
      failures: report.failures.map((failure) => ({
        op: failure.op,
        path: failure.path,
        error: failure.error,
      })),
    };
    return JSON.stringify(value, null, 2) + "\n";
  }
  const lines: string[] = [];
  if (report.dryRun) lines.push("dry run: nothing was removed");
  const modes: string[] = [];
  if (report.modes.soft) modes.push("soft");
  if (report.modes.maxAgeSeconds !== null) modes.push(`max-age ${report.modes.maxAgeSeconds}s`);
  if (report.modes.maxSizeBytes !== null) modes.push(`max-size ${report.modes.maxSizeBytes} bytes`);
  lines.push(`modes: ${modes.join(", ")}`);
  const verb = report.dryRun ? "would remove" : "removed";
  for (const item of report.items) {
    lines.push(`${verb} ${item.path} (${reasonText(item)}, ${item.bytes} bytes)`);
  }
  const { evicted } = report;
  const evictedTotal = evicted.soft + evicted.maxAge + evicted.maxSize;
  lines.push(`inspected: ${entryCount(report.inspected)}`);
  lines.push(
    `evicted: ${
      entryCount(evictedTotal)
    } (soft ${evicted.soft}, max-age ${evicted.maxAge}, max-size ${evicted.maxSize})`,
  );
  lines.push(
    `orphan dirs removed: ${report.orphansRemoved.store} store, ${report.orphansRemoved.restore} restore`,
  );
  lines.push(`reclaimed: ${formatByteAmount(report.bytesReclaimed)}`);
  return lines.join("\n") + "\n";
}

/**
 * The AUX-027 stderr lines, one per failure, each ending with a newline (empty when none).
 *
 * @example
 * ```ts
 * renderCleanFailures(report); // "error: cache clean: could not remove .haz/cache/ab/ab…: EACCES: …\n"
 * ```
 */
export function renderCleanFailures(report: CleanReport): string {
  return report.failures.map((failure) => cleanFailureLine(failure) + "\n").join("");
}

function cleanFailureLine(failure: CacheFailure): string {
  return `error: cache clean: could not ${failure.op} ${failure.path}: ${failure.error}`;
}

function entryCount(count: number): string {
  return `${count} ${count === 1 ? "entry" : "entries"}`;
}

function reasonText(item: CleanItem): string {
  if (item.reason === "max_age") return "max-age";
  if (item.reason === "max_size") return "max-size";
  if (item.kind === "orphan_store") return "soft: orphan store dir";
  if (item.kind === "orphan_restore") return "soft: orphan restore dir";
  return item.state === "schema_mismatch" ? "soft: schema mismatch" : "soft: corrupt";
}

/** AUX-023 steps 2–4: soft items in path order, max-age in path order, max-size in eviction order. */
function select(
  entries: readonly ClassifiedEntry[],
  orphans: readonly OrphanDir[],
  options: CleanOptions,
): Selection[] {
  const selected: Selection[] = [];
  if (options.soft) {
    const stale = [...entries.filter((entry) => entry.state !== "valid"), ...orphans]
      .sort((a, b) => compareBytes(a.path, b.path));
    for (const item of stale) selected.push({ item, reason: "soft" });
  }
  let survivors = entries.filter((entry) => entry.state === "valid");
  if (options.maxAgeSeconds !== null) {
    const threshold = options.nowUnix - options.maxAgeSeconds;
    const old = threshold <= 0 ? [] : survivors.filter((entry) => (entry.createdAtUnix ?? 0) < threshold);
    for (const item of old) selected.push({ item, reason: "max_age" });
    survivors = survivors.filter((entry) => !old.includes(entry));
  }
  if (options.maxSizeBytes !== null) {
    const oldestFirst = [...survivors].sort((a, b) =>
      (a.createdAtUnix ?? 0) - (b.createdAtUnix ?? 0) || compareBytes(a.name, b.name)
    );
    let total = survivors.reduce((sum, entry) => sum + entry.bytes, 0);
    for (const item of oldestFirst) {
      if (total <= options.maxSizeBytes) break;
      selected.push({ item, reason: "max_size" });
      total -= item.bytes;
    }
  }
  return selected;
}

function toCleanItem(selection: Selection): CleanItem {
  const { item, reason } = selection;
  if (item.kind === "entry") {
    return { path: item.path, kind: "entry", reason, state: item.state, bytes: item.bytes };
  }
  return { path: item.path, kind: item.kind, reason, state: "orphan", bytes: item.bytes };
}

/** Removes one item (an entry's manifest first, AUX-023 step 5); a failure is returned, not thrown. */
async function remove(item: ClassifiedEntry | OrphanDir): Promise<CacheFailure | null> {
  if (item.kind === "entry" && item.isDirectory) {
    try {
      await unlink(join(item.hostPath, MANIFEST_FILE));
    } catch (error) {
      if (!isNotFound(error)) return { op: "remove", path: item.path, error: errorMessage(error) };
    }
  }
  const removed = await removeTree(item.hostPath);
  return removed.ok ? null : { op: "remove", path: item.path, error: errorMessage(removed.error) };
}
