/**
 * The file-watching port (09-services-and-watch.md §11.1, WATCH-100..108): implemented once per
 * runtime in `lib/runtime/`, faked in tests. The watch loop sees only this interface.
 *
 * @module
 */

/** One change notification. Paths are absolute host paths. */
export type WatchEvent =
  /** A file or directory at `path` was created, written, removed or renamed (either end). */
  | { readonly kind: "change"; readonly path: string }
  /** The OS dropped notifications: anything under the root may have changed. */
  | { readonly kind: "overflow" }
  /** The watch stopped working; no more events follow. */
  | { readonly kind: "error"; readonly error: WatchError };

/** Why watching failed (WATCH-105). */
export type WatchErrorReason = "limit" | "not-found" | "permission-denied" | "other";

/**
 * A watch that could not be placed or stopped working.
 *
 * @example
 * ```ts
 * throw new WatchError("limit", "/work/p/src", "OS file watch limit reached");
 * ```
 */
export class WatchError extends Error {
  /** What went wrong. */
  readonly reason: WatchErrorReason;
  /** The absolute host path concerned, when known. */
  readonly path: string | null;

  /** Creates the error; `message` is the runtime's text. */
  constructor(reason: WatchErrorReason, path: string | null, message: string) {
    super(message);
    this.name = "WatchError";
    this.reason = reason;
    this.path = path;
  }
}

/** What to watch. */
export interface WatchRequest {
  /** Absolute host path of the tree: the workspace root. Always watched. */
  readonly root: string;
  /** Whether a directory below `root` is watched. false: no OS watch and no descent (WATCH-025). */
  readonly include: (directory: string) => boolean;
}

/** A running watch. */
export interface FileWatch {
  /** Directories currently holding an OS watch. */
  readonly directories: number;
  /** Batches in arrival order; never empty; ends after close(). Not debounced, not de-duplicated. */
  readonly events: AsyncIterable<readonly WatchEvent[]>;
  /** Releases every OS watch; idempotent; undelivered events are dropped. */
  close(): Promise<void>;
}

/**
 * Places watches on a tree.
 *
 * @example
 * ```ts
 * const watch = await watcher.watch({ root: "/work", include: (dir) => !dir.endsWith("/node_modules") });
 * const seen: (readonly WatchEvent[])[] = [];
 * for await (const batch of watch.events) seen.push(batch);
 * ```
 */
export interface FileWatcher {
  /** Walks `root`, places one watch per included directory, resolves once all are in place. Rejects with WatchError. */
  watch(request: WatchRequest): Promise<FileWatch>;
}

/**
 * The batches of a watch as an async iterable fed by the adapter: `push` appends a batch, `end`
 * finishes the iteration (pending batches are dropped).
 *
 * @example
 * ```ts
 * const queue = new WatchEventQueue();
 * queue.push([{ kind: "change", path: "/w/a" }]);
 * queue.end();
 * ```
 */
export class WatchEventQueue implements AsyncIterable<readonly WatchEvent[]> {
  readonly #batches: (readonly WatchEvent[])[] = [];
  #wake: (() => void) | null = null;
  #ended = false;

  /** Appends a non-empty batch, unless the queue ended. */
  push(batch: readonly WatchEvent[]): void {
    if (this.#ended || batch.length === 0) return;
    this.#batches.push(batch);
    this.#wake?.();
  }

  /** Ends the iteration; undelivered batches are dropped. */
  end(): void {
    this.#ended = true;
    this.#batches.length = 0;
    this.#wake?.();
  }

  /** Whether {@link end} was called. */
  get ended(): boolean {
    return this.#ended;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<readonly WatchEvent[]> {
    while (true) {
      if (this.#batches.length > 0) {
        yield this.#batches.shift()!;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => this.#wake = resolve);
      this.#wake = null;
    }
  }
}
