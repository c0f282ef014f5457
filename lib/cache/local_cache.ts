/**
 * The local cache of one workspace, `<workspace>/.haz/cache` (03-cache.md §6–10), behind the
 * {@link CacheHandle} port the executor uses.
 *
 * @module
 */

import type { TaskDefinition } from "../domain/workspace.ts";
import type { Clock } from "../util/clock.ts";
import type {
  CacheHandle,
  Capture,
  LookupResult,
  RestoreOptions,
  RestoreResult,
  StoreRequest,
} from "./cache_handle.ts";
import type { HashAlgorithm } from "./hash_algorithm.ts";
import type { InputDigestMemo } from "./input_stat_cache.ts";
import { cacheRootOf } from "./layout.ts";
import { lookupEntry, lookupEntryNow } from "./lookup.ts";
import type { Manifest } from "./manifest.ts";
import { replayStream, restoreAndReplayNow, restoreEntry, type VerifiedStreams } from "./restore.ts";
import { beginStoreCapture, discardCapture, storeEntry } from "./store.ts";

/** Options of {@link openCache}. */
export interface OpenCacheOptions {
  /** Real host path of the workspace root. */
  readonly workspaceRoot: string;
  /** The invocation's hash function (CACHE-002). */
  readonly hash: HashAlgorithm;
  /** Part of the construction contract; the cache takes no time readings itself (each store request
   *  brings its `created_at_unix` and duration). */
  readonly clock: Clock;
  /** The stat cache (PERF-002), so that a restore does not re-read an output already in place. */
  readonly fileDigests?: InputDigestMemo;
}

/**
 * Opens the cache of a workspace. Creates nothing: the cache root appears with the first capture.
 *
 * @example
 * ```ts
 * const cache = openCache({ workspaceRoot: "/work", hash: sha256, clock });
 * const found = await cache.lookup(key, task);
 * if (found.kind === "hit") await cache.restore(found.manifest, task);
 * ```
 */
export function openCache(options: OpenCacheOptions): CacheHandle {
  const root = cacheRootOf(options.workspaceRoot);
  const context = {
    root,
    workspaceRoot: options.workspaceRoot,
    hash: options.hash,
    ...(options.fileDigests === undefined ? {} : { fileDigests: options.fileDigests }),
  };
  // The streams each restore verified, for its replay (XPROC-005: the entry may vanish in between).
  const verified = new WeakMap<Manifest, VerifiedStreams>();
  return {
    root,
    hash: options.hash,
    remote: null,
    lookup(key: string, task: TaskDefinition): Promise<LookupResult> {
      return lookupEntry({ root, key, task, hashLabel: options.hash.label });
    },
    lookupNow(key: string, task: TaskDefinition): LookupResult {
      return lookupEntryNow({ root, key, task, hashLabel: options.hash.label });
    },
    restoreAndReplayNow(
      manifest: Manifest,
      task: TaskDefinition,
      restoreOptions: RestoreOptions,
      onChunk: (stream: "stdout" | "stderr", chunk: Uint8Array) => void,
    ): RestoreResult | null {
      return restoreAndReplayNow(context, manifest, task, restoreOptions, onChunk);
    },
    beginCapture(key: string): Promise<Capture | null> {
      return beginStoreCapture(root, key);
    },
    store(capture: Capture, request: StoreRequest): Promise<{ ok: true } | { ok: false; reason: string }> {
      return storeEntry(context, capture, request);
    },
    discard(capture: Capture): Promise<void> {
      return discardCapture(capture);
    },
    async restore(
      manifest: Manifest,
      task: TaskDefinition,
      options?: RestoreOptions,
    ): Promise<RestoreResult> {
      const { result, streams } = await restoreEntry(context, manifest, task, options);
      const previous = verified.get(manifest);
      if (streams !== null) verified.set(manifest, streams);
      previous?.close();
      return result;
    },
    replay(
      manifest: Manifest,
      stream: "stdout" | "stderr",
      onChunk: (chunk: Uint8Array) => void,
    ): Promise<void> {
      return replayStream(root, manifest, stream, onChunk, verified.get(manifest));
    },
  };
}
