/**
 * How a run reports its remote cache (07-remote-cache.md REMOTE-091, REMOTE-093): the epilogue's
 * `Cache:` line and the summary members.
 *
 * @module
 */

import type { RemoteConfig } from "../cache/remote/remote_config.ts";
import type { RemoteSession, RemoteTaskRecord } from "../cache/remote/remote_session.ts";
import { humanBytes } from "../domain/size.ts";

/** The remote of one run: its configuration and, when it was on at start, its session. */
export interface RunRemote {
  readonly config: RemoteConfig;
  readonly session: RemoteSession | null;
}

/**
 * REMOTE-091: the `Cache:` line (no newline).
 *
 * @example
 * ```ts
 * cacheLine(remote); // "Cache: 2 remote hits (1.2 MiB), 3 uploaded (4.5 MiB)"
 * ```
 */
export function cacheLine(remote: RunRemote): string {
  const { config, session } = remote;
  if (session === null) return `Cache: remote off: ${config.offReason ?? config.mode}`;
  const { lookups, uploads } = session.totals;
  const readable = config.mode === "read" || config.mode === "read-write";
  const writable = config.mode === "write" || config.mode === "read-write";
  const reads = readable
    ? `${lookups.hits} remote hit${lookups.hits === 1 ? "" : "s"} (${humanBytes(lookups.bytes)})`
    : "lookups off (write-only)";
  const writes = writable
    ? `${uploads.uploaded} uploaded (${humanBytes(uploads.bytes)})`
    : "uploads off (read-only)";
  let line = `Cache: ${reads}, ${writes}`;
  if (uploads.notUploaded > 0) line += `, ${uploads.notUploaded} not uploaded`;
  if (session.trip !== null) line += "; remote off after an error";
  else if (session.uploadsOff !== null) line += "; uploads off after an error";
  return line;
}

/**
 * REMOTE-093 `RemoteCacheSummaryV1`, or null without a configured remote.
 *
 * @example
 * ```ts
 * remoteCacheSummary(remote)?.mode; // "read-write"
 * ```
 */
export function remoteCacheSummary(remote: RunRemote | null) {
  if (remote === null) return null;
  const { config, session } = remote;
  return {
    url: config.url,
    team: config.team,
    tokenSet: config.tokenSet,
    signature: config.signature,
    mode: config.mode,
    modeSource: config.modeSource,
    offReason: config.offReason,
    trip: session?.trip ?? null,
    uploadsOff: session?.uploadsOff ?? null,
    lookups: session?.totals.lookups ??
      { requested: 0, hits: 0, misses: 0, rejected: 0, notImported: 0, aborted: 0, bytes: 0 },
    uploads: session?.totals.uploads ??
      { due: 0, uploaded: 0, notUploaded: 0, abandoned: 0, bytes: 0, waitMs: 0 },
  };
}

/**
 * REMOTE-093 `TaskSummaryV1.remote` of a cacheable task in a run with a remote; null otherwise.
 *
 * @example
 * ```ts
 * taskRemoteSummary(remote, "app:build", true)?.lookup; // "hit"
 * ```
 */
export function taskRemoteSummary(
  remote: RunRemote | null,
  task: string,
  cacheable: boolean,
): RemoteTaskRecord | null {
  if (remote === null || remote.session === null || !cacheable) return null;
  return remote.session.taskRecord(task) ??
    { lookup: "not-requested", download: null, upload: "not-due", uploadBytes: null, uploadMs: null };
}
