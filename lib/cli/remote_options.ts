/**
 * The remote cache's variables and flags (07-remote-cache.md REMOTE-018/019, REMOTE-100), checked
 * during argument parsing, before the workspace is looked for.
 *
 * @module
 */

import { isIdentifier } from "../domain/identifier.ts";
import { hideUserInfo, normaliseRemoteUrl, REMOTE_MODES, type RemoteMode } from "../domain/remote_url.ts";
import { type UsageError, usageError } from "./parse_args.ts";

/**
 * The first invalid `HAZ_REMOTE_CACHE_URL`, `_TEAM` or `HAZ_REMOTE_CACHE` as a usage error of
 * `command`, or null. Empty counts as unset; secrets are never checked here.
 *
 * @example
 * ```ts
 * remoteEnvError({ HAZ_REMOTE_CACHE: "rw" }, "run")?.message;
 * // 'invalid value for HAZ_REMOTE_CACHE: "rw" (expected off, read, write or read-write)'
 * ```
 */
export function remoteEnvError(
  env: Readonly<Record<string, string | undefined>>,
  command: string,
): UsageError | null {
  const url = env.HAZ_REMOTE_CACHE_URL;
  if (url !== undefined && url !== "" && normaliseRemoteUrl(url) === null) {
    return usageError(
      command,
      `invalid value for HAZ_REMOTE_CACHE_URL: ${
        JSON.stringify(hideUserInfo(url))
      } (expected an http or https URL without user name, password, query or fragment)`,
    );
  }
  const team = env.HAZ_REMOTE_CACHE_TEAM;
  if (team !== undefined && team !== "" && !isIdentifier(team)) {
    return usageError(
      command,
      `invalid value for HAZ_REMOTE_CACHE_TEAM: ${
        JSON.stringify(team)
      } (expected 1 to 64 ASCII letters, digits, _ or -, starting with a letter or digit)`,
    );
  }
  const mode = env.HAZ_REMOTE_CACHE;
  if (mode !== undefined && mode !== "" && !(REMOTE_MODES as readonly string[]).includes(mode)) {
    return usageError(
      command,
      `invalid value for HAZ_REMOTE_CACHE: ${JSON.stringify(mode)} (expected off, read, write or read-write)`,
    );
  }
  return null;
}

/**
 * `--remote-cache MODE` as parsed (its choices were checked by the parser), or null.
 *
 * @example
 * ```ts
 * remoteCacheFlag("read"); // "read"
 * ```
 */
export function remoteCacheFlag(value: unknown): RemoteMode | null {
  return typeof value === "string" && (REMOTE_MODES as readonly string[]).includes(value)
    ? value as RemoteMode
    : null;
}

/** A shard of REMOTE-100. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

const MAX_SHARDS = 1000;

/**
 * REMOTE-100: `I/N` with 1 <= I <= N <= 1000, or null when invalid.
 *
 * @example
 * ```ts
 * parseShard("2/4"); // { index: 2, count: 4 }
 * parseShard("0/2"); // null
 * ```
 */
export function parseShard(text: string): Shard | null {
  const match = /^([1-9][0-9]*)\/([1-9][0-9]*)$/.exec(text);
  if (match === null) return null;
  const index = Number(match[1]);
  const count = Number(match[2]);
  return index <= count && count <= MAX_SHARDS ? { index, count } : null;
}
