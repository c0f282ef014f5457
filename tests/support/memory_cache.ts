/**
 * An in-memory {@link CacheHandle} for scheduler tests: entries live in a map, every call is
 * recorded, failures can be injected, and lookups can take fake time.
 *
 * @module
 */

import type {
  CacheHandle,
  Capture,
  LookupResult,
  RemoteCachePort,
  RestoreOptions,
  RestoreResult,
  StoreRequest,
} from "../../lib/cache/cache_handle.ts";
import type { HashAlgorithm } from "../../lib/cache/hash_algorithm.ts";
import type { Manifest } from "../../lib/cache/manifest.ts";
import type { TaskDefinition } from "../../lib/domain/workspace.ts";
import type { FakeClock } from "./fake_clock.ts";

/** Options of {@link MemoryCache}. */
export interface MemoryCacheOptions {
  readonly hash: HashAlgorithm;
  /** Drives lookup and restore delays. */
  readonly clock?: FakeClock;
  /** Fake ms each lookup takes (ordered by task at one instant). */
  readonly lookupDelayMs?: number;
  /** Fake ms each restore takes. */
  readonly restoreDelayMs?: number;
  /** Printed ids whose lookups hit whatever the key (empty streams unless `hitStreams` says otherwise). */
  readonly hitTasks?: Iterable<string>;
  /** Recorded streams of the `hitTasks` entries. */
  readonly hitStreams?: ReadonlyMap<string, { stdout: string; stderr: string }>;
  /** `store` fails with this reason. */
  readonly storeFailure?: string;
  /** `beginCapture` returns null. */
  readonly captureUnavailable?: boolean;
  /** Every capture write throws this message. */
  readonly captureWriteFailure?: string;
  /** `restore` of these tasks reports this error. */
  readonly restoreErrors?: ReadonlyMap<string, string>;
  /** `restore` of these tasks reports a late miss. */
  readonly lateMisses?: ReadonlySet<string>;
  /** Tasks whose outputs are in place: a restore that may write nothing succeeds (else `needs-writes`). */
  readonly upToDate?: ReadonlySet<string>;
}

interface StoredEntry {
  readonly manifest: Manifest;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
}

interface MemoryCapture extends Capture {
  readonly key: string;
  readonly chunks: Record<"stdout" | "stderr", Uint8Array[]>;
}

const encoder = new TextEncoder();
const CHUNK = 64 * 1024;

/**
 * The cache port in memory.
 *
 * @example
 * ```ts
 * const cache = new MemoryCache({ hash: sha256, hitTasks: ["p:b"] });
 * (await cache.lookup(key, taskB)).kind; // "hit"
 * cache.lookups; // [{ key, task: "p:b" }]
 * ```
 */
export class MemoryCache implements CacheHandle {
  readonly root = "/memory-cache";
  remote: RemoteCachePort | null = null;
  readonly hash: HashAlgorithm;
  readonly entries = new Map<string, StoredEntry>();
  readonly lookups: { key: string; task: string }[] = [];
  readonly stores: StoreRequest[] = [];
  readonly restores: string[] = [];
  readonly captures: string[] = [];
  discards = 0;
  readonly #options: MemoryCacheOptions;
  readonly #hitTasks: Set<string>;

  constructor(options: MemoryCacheOptions) {
    this.hash = options.hash;
    this.#options = options;
    this.#hitTasks = new Set(options.hitTasks ?? []);
  }

  async lookup(key: string, task: TaskDefinition): Promise<LookupResult> {
    this.lookups.push({ key, task: task.key });
    const { clock, lookupDelayMs } = this.#options;
    if (clock !== undefined && lookupDelayMs !== undefined) await clock.sleepOrdered(lookupDelayMs, task.id);
    if (this.#hitTasks.has(task.key) && !this.entries.has(key)) this.#seed(key, task);
    const entry = this.entries.get(key);
    return entry === undefined
      ? { kind: "miss", state: "no entry" }
      : { kind: "hit", manifest: entry.manifest };
  }

  beginCapture(key: string): Promise<Capture | null> {
    this.captures.push(key);
    if (this.#options.captureUnavailable) return Promise.resolve(null);
    const failure = this.#options.captureWriteFailure;
    const capture: MemoryCapture = {
      key,
      chunks: { stdout: [], stderr: [] },
      write(stream, chunk) {
        if (failure !== undefined) return Promise.reject(new Error(failure));
        capture.chunks[stream].push(chunk.slice());
        return Promise.resolve();
      },
    };
    return Promise.resolve(capture);
  }

  store(capture: Capture, request: StoreRequest): Promise<{ ok: true } | { ok: false; reason: string }> {
    this.stores.push(request);
    if (this.#options.storeFailure !== undefined) {
      return Promise.resolve({ ok: false, reason: this.#options.storeFailure });
    }
    const { chunks } = capture as MemoryCapture;
    const manifest: Manifest = {
      schema: 1,
      hash: this.hash.label,
      key: request.key,
      created_at_unix: request.createdAtUnix,
      duration_ms: request.durationMs,
      task: request.task.key,
      stdout: { size: request.stdout.bytes, hash: request.stdout.hash },
      stderr: { size: request.stderr.bytes, hash: request.stderr.hash },
      outputs: request.outputs.map((path) => ({
        path,
        kind: "file",
        hash: "0".repeat(64),
        size: 0,
        mode: 0o644,
      })),
    };
    this.entries.set(request.key, { manifest, stdout: concat(chunks.stdout), stderr: concat(chunks.stderr) });
    return Promise.resolve({ ok: true });
  }

  discard(_capture: Capture): Promise<void> {
    this.discards += 1;
    return Promise.resolve();
  }

  async restore(manifest: Manifest, task: TaskDefinition, options?: RestoreOptions): Promise<RestoreResult> {
    if (options?.onlyIfUpToDate && !this.#options.upToDate?.has(task.key)) return { kind: "needs-writes" };
    this.restores.push(task.key);
    const { clock, restoreDelayMs } = this.#options;
    if (clock !== undefined && restoreDelayMs !== undefined) {
      await clock.sleepOrdered(restoreDelayMs, task.id);
    }
    const error = this.#options.restoreErrors?.get(task.key);
    if (error !== undefined) return { kind: "error", message: error };
    if (this.#options.lateMisses?.has(task.key)) return { kind: "late-miss" };
    return { kind: "restored", materialised: manifest.outputs.map((output) => output.path) };
  }

  replay(
    manifest: Manifest,
    stream: "stdout" | "stderr",
    onChunk: (chunk: Uint8Array) => void,
  ): Promise<void> {
    const bytes = this.entries.get(manifest.key)?.[stream] ?? new Uint8Array();
    for (let offset = 0; offset < bytes.byteLength; offset += CHUNK) {
      onChunk(bytes.subarray(offset, offset + CHUNK));
    }
    return Promise.resolve();
  }

  #seed(key: string, task: TaskDefinition): void {
    const streams = this.#options.hitStreams?.get(task.key) ?? { stdout: "", stderr: "" };
    const stdout = encoder.encode(streams.stdout);
    const stderr = encoder.encode(streams.stderr);
    const digest = (bytes: Uint8Array) => {
      const hasher = this.hash.create();
      hasher.update(bytes);
      return { size: bytes.byteLength, hash: hasher.digestHex() };
    };
    const manifest: Manifest = {
      schema: 1,
      hash: this.hash.label,
      key,
      created_at_unix: 0,
      duration_ms: 0,
      task: task.key,
      stdout: digest(stdout),
      stderr: digest(stderr),
      outputs: [],
    };
    this.entries.set(key, { manifest, stdout, stderr });
  }
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const total = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
