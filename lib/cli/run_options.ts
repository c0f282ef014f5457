/**
 * `haz run` options beyond the selection (05-cli.md §4): checked at parse time, before the workspace
 * is looked for.
 *
 * @module
 */

import type { RemoteMode } from "../domain/remote_url.ts";
import type { ParsedCommandLine, UsageError } from "./parse_args.ts";
import { usageError } from "./parse_args.ts";
import { parseShard, remoteCacheFlag, remoteEnvError, type Shard } from "./remote_options.ts";

/** The run options, validated. */
export interface RunOptions {
  readonly dryRun: boolean;
  readonly json: boolean;
  readonly outputMode: "live" | "buffered" | null;
  /** From `-j` or `HAZ_CONCURRENCY`; null = the workspace default. */
  readonly concurrency: number | "auto" | null;
  readonly noCache: boolean;
  readonly failFast: boolean;
  readonly summary: string | null;
  readonly profile: string | null;
  /** `--remote-cache` (REMOTE-019), or null. */
  readonly remoteCache: RemoteMode | null;
  /** `--shard I/N` (REMOTE-100), or null. */
  readonly shard: Shard | null;
}

/**
 * Validates the run options and their combinations.
 *
 * @example
 * ```ts
 * const options = runOptions(parsed, { HAZ_CONCURRENCY: "2" }); // { concurrency: 2, … }
 * ```
 */
export function runOptions(
  parsed: ParsedCommandLine,
  env: Readonly<Record<string, string>>,
): RunOptions | UsageError {
  const get = (name: string) => parsed.options.get(name);
  const dryRun = get("dry-run") === true;
  if (get("json") === true && !dryRun) {
    return usageError(parsed.command.name, "--json can only be used with --dry-run");
  }
  for (const name of ["summary", "profile"]) {
    if (get(name) !== undefined && dryRun) {
      return usageError(parsed.command.name, `--${name} cannot be combined with --dry-run`);
    }
  }
  let concurrency: number | "auto" | null = null;
  const flag = get("concurrency");
  if (typeof flag === "string") {
    concurrency = parseConcurrency(flag);
    if (concurrency === null) {
      return usageError(
        parsed.command.name,
        `invalid value for -j: ${JSON.stringify(flag)} (expected an integer >= 1 or auto)`,
      );
    }
  } else if (env.HAZ_CONCURRENCY !== undefined) {
    concurrency = parseConcurrency(env.HAZ_CONCURRENCY);
    if (concurrency === null) {
      return usageError(
        parsed.command.name,
        `invalid value for HAZ_CONCURRENCY: ${
          JSON.stringify(env.HAZ_CONCURRENCY)
        } (expected an integer >= 1 or auto)`,
      );
    }
  }
  const remoteCache = remoteCacheFlag(get("remote-cache"));
  if (remoteCache !== null && get("no-cache") === true) {
    return usageError("run", "--no-cache cannot be combined with --remote-cache");
  }
  let shard: Shard | null = null;
  const shardText = get("shard");
  if (typeof shardText === "string") {
    shard = parseShard(shardText);
    if (shard === null) {
      return usageError(
        "run",
        `invalid value for --shard: ${
          JSON.stringify(shardText)
        } (expected I/N with 1 <= I <= N <= 1000, e.g. 2/4)`,
      );
    }
  }
  const envError = remoteEnvError(env, "run");
  if (envError !== null) return envError;
  const mode = get("output-mode");
  return {
    dryRun,
    json: get("json") === true,
    outputMode: mode === "live" || mode === "buffered" ? mode : null,
    concurrency,
    noCache: get("no-cache") === true,
    failFast: get("fail-fast") === true,
    summary: typeof get("summary") === "string" ? get("summary") as string : null,
    profile: typeof get("profile") === "string" ? get("profile") as string : null,
    remoteCache,
    shard,
  };
}

/**
 * `auto` or an integer >= 1 written in decimal digits; null otherwise.
 *
 * @example
 * ```ts
 * parseConcurrency("4"); // 4
 * parseConcurrency("0"); // null
 * ```
 */
export function parseConcurrency(text: string): number | "auto" | null {
  if (text === "auto") return "auto";
  if (!/^[0-9]+$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) && value >= 1 ? value : null;
}
