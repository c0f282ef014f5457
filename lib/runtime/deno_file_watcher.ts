/**
 * The Deno adapter of the file-watching port (09-services-and-watch.md §11.1): `Deno.watchFs` without
 * recursion over the included directories (one call for the initial set, one per directory found
 * later; all share one inotify instance), `rescan` reported as overflow (WATCH-104).
 *
 * @module
 */

import { lstatSync } from "node:fs";
import {
  type FileWatch,
  type FileWatcher,
  type WatchEvent,
  WatchEventQueue,
  type WatchRequest,
} from "../exec/file_watcher.ts";
import { walkIncluded, watchErrorOf } from "./watch_tree.ts";

class DenoFileWatch implements FileWatch {
  readonly events = new WatchEventQueue();
  readonly #watchers: Deno.FsWatcher[] = [];
  readonly #watched = new Set<string>();
  readonly #root: string;
  readonly #include: (directory: string) => boolean;
  #closed = false;

  constructor(request: WatchRequest) {
    this.#root = request.root;
    this.#include = request.include;
  }

  get directories(): number {
    return this.#watched.size;
  }

  /** Watches `start` and everything included below it; returns the entries found (WATCH-102). */
  place(start: string): string[] {
    const tree = walkIncluded(start, this.#include);
    const fresh = tree.directories.filter((directory) => !this.#watched.has(directory));
    if (fresh.length > 0) {
      const watcher = Deno.watchFs(fresh, { recursive: false });
      for (const directory of fresh) this.#watched.add(directory);
      this.#watchers.push(watcher);
      void this.#read(watcher);
    }
    return tree.entries;
  }

  async #read(watcher: Deno.FsWatcher): Promise<void> {
    try {
      for await (const event of watcher) {
        if (this.#closed) return;
        if (event.flag === "rescan") {
          this.events.push([{ kind: "overflow" }]);
          continue;
        }
        const batch: WatchEvent[] = [];
        for (const path of event.paths) {
          batch.push({ kind: "change", path });
          this.#maybeNewDirectory(path, batch);
        }
        this.events.push(batch);
      }
    } catch (error) {
      if (this.#closed) return;
      this.events.push([{ kind: "error", error: watchErrorOf(error, this.#root) }]);
      await this.close();
    }
  }

  #maybeNewDirectory(path: string, batch: WatchEvent[]): void {
    let isDirectory = false;
    try {
      isDirectory = lstatSync(path).isDirectory();
    } catch {
      // Gone: its watch, if any, is lost with it.
      this.#watched.delete(path);
      return;
    }
    if (!isDirectory || this.#watched.has(path) || !this.#include(path)) return;
    try {
      for (const entry of this.place(path)) batch.push({ kind: "change", path: entry });
    } catch (error) {
      batch.push({ kind: "error", error: watchErrorOf(error, path) });
      void this.close();
    }
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const watcher of this.#watchers) {
        try {
          watcher.close();
        } catch {
          // Already closed by the runtime after an error.
        }
      }
      this.#watchers.length = 0;
      this.#watched.clear();
    }
    this.events.end();
    return Promise.resolve();
  }
}

/**
 * The adapter for Deno.
 *
 * @example
 * ```ts
 * const watch = await denoFileWatcher.watch({ root: "/work", include: () => true });
 * await watch.close();
 * ```
 */
export const denoFileWatcher: FileWatcher = {
  watch(request: WatchRequest): Promise<FileWatch> {
    const fileWatch = new DenoFileWatch(request);
    try {
      lstatSync(request.root);
      fileWatch.place(request.root);
    } catch (error) {
      void fileWatch.close();
      return Promise.reject(watchErrorOf(error, request.root));
    }
    return Promise.resolve(fileWatch);
  },
};
