/**
 * The capture of a fresh run's stdout and stderr (04-execution.md §4 step 7, 03-cache.md CACHE-031):
 * every chunk is hashed, handed to the observer and, for a cacheable task, written to the store
 * directory. A failed disk write stops the writing, never the hashing.
 *
 * @module
 */

import type { Capture } from "../cache/cache_handle.ts";
import type { HashAlgorithm, Hasher } from "../cache/hash_algorithm.ts";
import type { StreamDigest } from "../cache/digest.ts";

/** The two streams of a task. */
export type StreamName = "stdout" | "stderr";

/** Collaborators of a {@link StreamCapture}. */
export interface StreamCaptureOptions {
  readonly hash: HashAlgorithm;
  /** The store directory being filled; null when the task is not stored. */
  readonly capture: Capture | null;
  /** Each chunk, in order per stream, before it is written to disk. */
  onChunk(stream: StreamName, chunk: Uint8Array): void;
}

/**
 * Hashes, forwards and captures the chunks of one fresh run.
 *
 * @example
 * ```ts
 * const streams = new StreamCapture({ hash: sha256, capture: null, onChunk: () => {} });
 * await streams.write("stdout", new TextEncoder().encode("hi\n"));
 * streams.digest("stdout").bytes; // 3
 * ```
 */
export class StreamCapture {
  readonly #options: StreamCaptureOptions;
  readonly #hashers: Record<StreamName, Hasher>;
  readonly #bytes: Record<StreamName, number> = { stdout: 0, stderr: 0 };
  #failure: string | null = null;

  constructor(options: StreamCaptureOptions) {
    this.#options = options;
    this.#hashers = { stdout: options.hash.create(), stderr: options.hash.create() };
  }

  /** Takes one chunk; the returned promise settles once it is on disk (back-pressure). */
  write(stream: StreamName, chunk: Uint8Array): Promise<void> | void {
    this.#hashers[stream].update(chunk);
    this.#bytes[stream] += chunk.byteLength;
    this.#options.onChunk(stream, chunk);
    const { capture } = this.#options;
    if (capture === null || this.#failure !== null) return;
    return capture.write(stream, chunk).catch((error: unknown) => {
      this.#failure ??= error instanceof Error ? error.message : String(error);
    });
  }

  /** The first disk write failure (CACHE-031: the store is then skipped), or null. */
  get failure(): string | null {
    return this.#failure;
  }

  /** Digest and length of everything written so far; call once, after the last chunk. */
  digest(stream: StreamName): StreamDigest {
    return { hash: this.#hashers[stream].digestHex(), bytes: this.#bytes[stream] };
  }
}

/**
 * The digest of the empty byte string: the streams of an aggregate task (EXEC-102).
 *
 * @example
 * ```ts
 * emptyStreamDigest(sha256); // { hash: "e3b0c442…b855", bytes: 0 }
 * ```
 */
export function emptyStreamDigest(hash: HashAlgorithm): StreamDigest {
  return { hash: hash.create().digestHex(), bytes: 0 };
}
