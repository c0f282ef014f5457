/**
 * A {@link FileWatcher} for tests (WATCH-108): events are emitted by the test, at the fake clock's
 * current instant.
 *
 * @module
 */

import {
  type FileWatch,
  type FileWatcher,
  WatchError,
  type WatchErrorReason,
  WatchEventQueue,
  type WatchRequest,
} from "../../lib/exec/file_watcher.ts";

/**
 * One watch at a time; `emit`, `overflow` and `fail` feed it.
 *
 * @example
 * ```ts
 * const watcher = new FakeFileWatcher();
 * const watch = await watcher.watch({ root: "/w", include: () => true });
 * watcher.emit("/w/p/src/a.ts");
 * ```
 */
export class FakeFileWatcher implements FileWatcher {
  /** Every request, in order. */
  readonly requests: WatchRequest[] = [];
  /** The directory count each watch reports. */
  directories = 1;
  /** When set, `watch()` rejects with this reason. */
  failStart: WatchErrorReason | null = null;
  #queue: WatchEventQueue | null = null;
  closed = 0;

  watch(request: WatchRequest): Promise<FileWatch> {
    this.requests.push(request);
    if (this.failStart !== null) {
      return Promise.reject(new WatchError(this.failStart, request.root, `cannot watch: ${this.failStart}`));
    }
    const queue = new WatchEventQueue();
    this.#queue = queue;
    const directories = this.directories;
    return Promise.resolve({
      directories,
      events: queue,
      close: () => {
        this.closed += 1;
        queue.end();
        return Promise.resolve();
      },
    });
  }

  /** What the last request's `include` answers for a directory. */
  includes(directory: string): boolean {
    return this.requests.at(-1)!.include(directory);
  }

  /** One batch of `change` events. */
  emit(...paths: string[]): void {
    this.#queue?.push(paths.map((path) => ({ kind: "change" as const, path })));
  }

  /** An `overflow` event. */
  overflow(): void {
    this.#queue?.push([{ kind: "overflow" }]);
  }

  /** An `error` event with `reason`. */
  fail(reason: WatchErrorReason): void {
    this.#queue?.push([{ kind: "error", error: new WatchError(reason, null, `watch failed: ${reason}`) }]);
  }
}
