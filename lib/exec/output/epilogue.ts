/**
 * The epilogue of a run (04-execution.md §9.4, EXEC-017).
 *
 * @module
 */

import { formatDuration } from "../../util/format_duration.ts";
import type { RunGraphOutcome } from "../records.ts";
import { SGR, styler } from "./ansi_style.ts";

/** The counts the `Tasks:` line prints. */
export interface EpilogueCounts {
  /** Succeeded records, hits and aggregates included. */
  readonly completed: number;
  readonly cached: number;
  /** Stopped services, counted in `completed` too (SVC-083). */
  readonly services: number;
  /** Of the hits, those imported from the remote cache (REMOTE-091). */
  readonly remote: number;
  /** Failed records plus task errors. */
  readonly failed: number;
  readonly skipped: number;
  /** All three cancelled shapes. */
  readonly cancelled: number;
}

/**
 * Counts the outcomes of a run for the epilogue. Invariant violations are not counted.
 *
 * @example
 * ```ts
 * import type { RunGraphOutcome } from "../records.ts";
 * declare const outcome: RunGraphOutcome;
 * epilogueCounts(outcome).failed; // failed records + task errors
 * ```
 */
export function epilogueCounts(outcome: RunGraphOutcome): EpilogueCounts {
  let completed = 0;
  let cached = 0;
  let services = 0;
  let remote = 0;
  let failed = outcome.taskErrors.length;
  let skipped = 0;
  let cancelled = 0;
  for (const entry of outcome.outcomes) {
    if (entry.kind === "skipped") skipped++;
    else if (entry.kind === "cancelled") cancelled++;
    else if (entry.record.state === "failed") failed++;
    else {
      completed++;
      if (entry.record.source === "cache-hit") cached++;
      if (entry.record.source === "service") services++;
      if (entry.record.hitFrom === "remote") remote++;
    }
  }
  return { completed, cached, services, remote, failed, skipped, cancelled };
}

/**
 * The epilogue block: a blank line, `Tasks: …`, ` Time: …` and, with a remote, `Cache: …` (REMOTE-091),
 * each ending in `\n`. `completed` is
 * always printed, `(K cached)` only when K > 0, later segments only when non-zero. With colour the
 * segments take the colours of their status lines.
 *
 * @example
 * ```ts
 * import type { RunGraphOutcome } from "../records.ts";
 * declare const outcome: RunGraphOutcome; // 7 succeeded (3 hits), 1 failed, 2 skipped, 1 cancelled
 * epilogueText(outcome, 4521, false);
 * // "\nTasks: 7 completed (3 cached), 1 failed, 2 skipped, 1 cancelled\n Time: 4s 521ms\n"
 * ```
 */
export function epilogueText(
  outcome: RunGraphOutcome,
  elapsedMs: number,
  color: boolean,
  cacheLine: string | null = null,
): string {
  const cache = cacheLine === null ? "" : `${cacheLine}\n`;
  return `\nTasks: ${epilogueSegments(outcome, color).join(", ")}\n Time: ${
    formatDuration(elapsedMs)
  }\n${cache}`;
}

/**
 * The segments of the `Tasks:` line (EXEC-017, SVC-083, REMOTE-091), also those of a watch cycle's
 * epilogue.
 *
 * @example
 * ```ts
 * import type { RunGraphOutcome } from "../records.ts";
 * declare const outcome: RunGraphOutcome;
 * epilogueSegments(outcome, false); // ["3 completed (1 cached)", "1 failed"]
 * ```
 */
export function epilogueSegments(outcome: RunGraphOutcome, color: boolean): string[] {
  const counts = epilogueCounts(outcome);
  const style = styler(color);
  let completed = style(`${counts.completed} completed`, SGR.green);
  const split = counts.remote > 0 ? `: ${counts.cached - counts.remote} local, ${counts.remote} remote` : "";
  const kinds = [
    ...(counts.cached > 0 ? [`${counts.cached} cached${split}`] : []),
    ...(counts.services > 0 ? [counts.services === 1 ? "1 service" : `${counts.services} services`] : []),
  ];
  if (kinds.length > 0) completed += ` ${style(`(${kinds.join(", ")})`, SGR.cyan)}`;
  const segments = [completed];
  if (counts.failed > 0) segments.push(style(`${counts.failed} failed`, SGR.red));
  if (counts.skipped > 0) segments.push(style(`${counts.skipped} skipped`, SGR.dim));
  if (counts.cancelled > 0) segments.push(style(`${counts.cancelled} cancelled`, SGR.yellow));
  return segments;
}
