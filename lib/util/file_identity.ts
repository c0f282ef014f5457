/**
 * A file's identity as the workspace snapshot (PERF-001) and the input stat cache (PERF-002) compare
 * it: device, inode, mode, size and both timestamps in nanoseconds, plus the rule that decides when
 * timestamps are too recent to prove that a later change would show (06-architecture.md §5).
 *
 * Deno's `node:fs` reports `mtimeNs` rounded to the millisecond and `ctimeNs` to the second, Bun the
 * kernel's nanoseconds: identities are only ever compared with ones taken by the same runtime, and the
 * two-second rule keeps a coarse timestamp safe.
 *
 * @module
 */

import { type BigIntStats, lstatSync, statSync } from "node:fs";

/** Timestamps this close to the reference time (or later) prove nothing: 2 s, in nanoseconds. */
export const RACY_WINDOW_NS = 2_000_000_000n;

/** What one `stat` (or `lstat`) saw. */
export interface FileIdentity {
  /** `dev:ino:mode:size:mtimeNs:ctimeNs`, or `!<error code>` when the call failed. */
  readonly key: string;
  /** The later of mtime and ctime in ns since the epoch; null when the call failed. */
  readonly latestNs: bigint | null;
}

/**
 * The identity of an existing file from its bigint stats.
 *
 * @example
 * ```ts
 * identityOf(statSync("/work/web/haz.yml", { bigint: true })).latestNs; // 1796659689548000000n
 * ```
 */
export function identityOf(stats: BigIntStats): FileIdentity {
  const latestNs = stats.mtimeNs > stats.ctimeNs ? stats.mtimeNs : stats.ctimeNs;
  return {
    key: `${stats.dev}:${stats.ino}:${stats.mode}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`,
    latestNs,
  };
}

/**
 * The identity of `path`, following symbolic links unless `follow` is false. A failing call is an
 * identity too (`!ENOENT`), so that a file appearing later is a change.
 *
 * @example
 * ```ts
 * fileIdentity("/work/web/haz.yml").key; // "2049:1234:33188:52:1796659689548000000:1796659689000000000"
 * fileIdentity("/work/missing").key; // "!ENOENT"
 * ```
 */
export function fileIdentity(path: string, follow = true): FileIdentity {
  try {
    return identityOf(follow ? statSync(path, { bigint: true }) : lstatSync(path, { bigint: true }));
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    return { key: `!${typeof code === "string" ? code : "EUNKNOWN"}`, latestNs: null };
  }
}

/**
 * Whether an identity's timestamps are old enough to trust against `referenceNs`, the wall-clock time
 * taken before the identity was read: both timestamps lie more than {@link RACY_WINDOW_NS} before it.
 * A later change to the file then gets a timestamp the identity cannot have (the racy-git problem:
 * a coarse clock gives two writes within one tick the same mtime). Failed calls carry no timestamp.
 *
 * @example
 * ```ts
 * isSettled(fileIdentity("/work/web/haz.yml"), BigInt(Date.now()) * 1_000_000n); // false right after an edit
 * ```
 */
export function isSettled(identity: FileIdentity, referenceNs: bigint): boolean {
  return identity.latestNs === null || identity.latestNs < referenceNs - RACY_WINDOW_NS;
}

/**
 * Milliseconds since the epoch as nanoseconds, for {@link isSettled}'s reference time.
 *
 * @example
 * ```ts
 * epochMsToNs(1_000); // 1_000_000_000n
 * ```
 */
export function epochMsToNs(epochMs: number): bigint {
  return BigInt(Math.floor(epochMs)) * 1_000_000n;
}
