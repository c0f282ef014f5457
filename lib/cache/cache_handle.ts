/**
 * The cache as the executor sees it (03-cache.md §8–10). `lib/exec` depends only on this port;
 * `openCache()` in `lib/cache/local_cache.ts` implements it over `.haz/cache`.
 *
 * @module
 */

import type { TaskDefinition } from "../domain/workspace.ts";
import type { Digest, StreamDigest } from "./digest.ts";
import type { HashAlgorithm } from "./hash_algorithm.ts";
import type { Manifest } from "./manifest.ts";

/** Lookup result: a hit carries the validated manifest; a miss its `haz why` state (CACHE-016). */
export type LookupResult =
  | { readonly kind: "hit"; readonly manifest: Manifest }
  | { readonly kind: "miss"; readonly state: "no entry" | "schema mismatch" | "corrupt entry" };

/** A store directory being filled while a task runs (CACHE-031). */
export interface Capture {
  /** Appends a chunk of the task's stdout or stderr to the store directory. Throws on I/O failure. */
  write(stream: "stdout" | "stderr", chunk: Uint8Array): Promise<void>;
}

/** What a successful fresh run hands to the store. */
export interface StoreRequest {
  readonly task: TaskDefinition;
  readonly key: Digest;
  /** Materialised outputs, workspace-absolute, sorted (PATH-022/023). */
  readonly outputs: readonly string[];
  readonly stdout: StreamDigest;
  readonly stderr: StreamDigest;
  readonly createdAtUnix: number;
  readonly durationMs: number;
}

/** Restore result (CACHE-020, CACHE-038); `needs-writes` only when asked to write nothing. */
export type RestoreResult =
  | { readonly kind: "restored"; readonly materialised: readonly string[] }
  | { readonly kind: "late-miss" }
  | { readonly kind: "error"; readonly message: string }
  | { readonly kind: "needs-writes" };

/** How a restore may go about it. */
export interface RestoreOptions {
  /**
   * Write nothing: succeed only when every output is already identical (CACHE-037), else report
   * `needs-writes`. A hit that finds its outputs in place needs no workspace lock (XPROC-001).
   */
  readonly onlyIfUpToDate?: boolean;
}

/** What a remote fetch left behind: an imported entry (a local lookup now hits) or nothing. */
export type RemoteFetchResult = "imported" | "miss";

/**
 * The remote cache as the executor sees it (07-remote-cache.md §6–7): `lib/exec` stays network-free;
 * `lib/cache/remote/remote_session.ts` implements it, tests use a fake. Neither method ever throws or
 * changes a task's outcome (REMOTE-083).
 */
export interface RemoteCachePort {
  /** REMOTE-060 step 2: download, verify and import the artifact of `key` after a local miss. */
  fetch(request: {
    readonly key: Digest;
    readonly task: TaskDefinition;
    /** Aborted when the run is cancelled (REMOTE-063). */
    readonly signal: AbortSignal;
  }): Promise<RemoteFetchResult>;
  /** REMOTE-070: a cacheable task ran fresh and succeeded; `stored` tells whether its entry was published. */
  freshRunSucceeded(
    request: { readonly key: Digest; readonly task: TaskDefinition; readonly stored: boolean },
  ): void;
}

/** The local cache of one workspace. */
export interface CacheHandle {
  /** The remote cache behind the local one; null without one or when it is off for the run. */
  readonly remote: RemoteCachePort | null;
  /** Host path of `.haz/cache`. */
  readonly root: string;
  /** The active hash function (CACHE-002), used for every digest the cache writes or checks. */
  readonly hash: HashAlgorithm;
  /** Reads the entry for `key` and checks it for `task` (CACHE-015). Never throws. */
  lookup(key: Digest, task: TaskDefinition): Promise<LookupResult>;
  /**
   * {@link lookup} synchronously, for a cached run that looks up every task; absent from a cache that
   * can only answer asynchronously.
   */
  lookupNow?(key: Digest, task: TaskDefinition): LookupResult;
  /**
   * {@link restore} synchronously, then, when it restored, the replay of both streams through
   * `onChunk`, stdout first. Null, having done nothing, when the asynchronous restore and replay must
   * answer (a large output or stream); absent from a cache without it.
   */
  restoreAndReplayNow?(
    manifest: Manifest,
    task: TaskDefinition,
    options: RestoreOptions,
    onChunk: (stream: "stdout" | "stderr", chunk: Uint8Array) => void,
  ): RestoreResult | null;
  /** Creates the store directory for a fresh run; null when it cannot be created (capture then hashes only). */
  beginCapture(key: Digest): Promise<Capture | null>;
  /** Publishes the entry (CACHE-017, CACHE-034); `ok: false` carries the warning reason (CACHE-033). */
  store(capture: Capture, request: StoreRequest): Promise<{ ok: true } | { ok: false; reason: string }>;
  /** Removes a capture that will not be stored (failed, cancelled, errored runs). Best effort. */
  discard(capture: Capture): Promise<void>;
  /** Materialises a hit's outputs (two-phase, contained). */
  restore(manifest: Manifest, task: TaskDefinition, options?: RestoreOptions): Promise<RestoreResult>;
  /** Reads a hit's recorded stream in chunks of at most 64 KiB. */
  replay(
    manifest: Manifest,
    stream: "stdout" | "stderr",
    onChunk: (chunk: Uint8Array) => void,
  ): Promise<void>;
}
