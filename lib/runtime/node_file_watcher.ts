/**
 * The `node:fs` `watch` adapter of the file-watching port (09-services-and-watch.md §11.1), used by
 * Bun and by the bundle on Node: one non-recursive watcher per included directory, new directories
 * walked and watched as they appear (WATCH-102).
 *
 * @module
 */

import { type FSWatcher, lstatSync, watch } from "node:fs";
import { join } from "node:path";
import {
  type FileWatch,
  type FileWatcher,
  type WatchEvent,
  WatchEventQueue,
  type WatchRequest,
} from "../exec/file_watcher.ts";
import { placeRoot, walkIncluded, watchErrorOf } from "./watch_tree.ts";

class NodeFileWatch implements FileWatch {
  readonly events = new WatchEventQueue();
  readonly #watchers = new Map<string, FSWatcher>();
  readonly #include: (directory: string) => boolean;
  #closed = false;

  constructor(include: (directory: string) => boolean) {
    this.#include = include;
  }

  get directories(): number {
    return this.#watchers.size;
  }

  /** Watches `start` and everything included below it; returns the entries found (WATCH-102). */
  place(start: string): string[] {
    const tree = walkIncluded(start, this.#include);
    for (const directory of tree.directories) this.#watchOne(directory);
    return tree.entries;
  }

  #watchOne(directory: string): void {
    if (this.#watchers.has(directory)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(directory, { persistent: true }, (_kind, name) => {
        if (this.#closed) return;
        this.#changed(name === null ? directory : join(directory, String(name)));
      });
    } catch (error) {
      throw watchErrorOf(error, directory);
    }
    watcher.on("error", (error) => {
      if (this.#closed) return;
      const gone = (error as { code?: string }).code === "ENOENT" ||
        (error as { code?: string }).code === "EPERM";
      if (gone) return this.#unwatch(directory);
      this.#fail(watchErrorOf(error, directory));
    });
    this.#watchers.set(directory, watcher);
  }

  #changed(path: string): void {
    const batch: WatchEvent[] = [{ kind: "change", path }];
    let isDirectory = false;
    try {
      const stat = lstatSync(path);
      isDirectory = stat.isDirectory();
    } catch {
      this.#unwatch(path);
    }
    if (isDirectory && !this.#watchers.has(path) && this.#include(path)) {
      try {
        for (const entry of this.place(path)) batch.push({ kind: "change", path: entry });
      } catch (error) {
        this.events.push(batch);
        return this.#fail(watchErrorOf(error, path));
      }
    }
    this.events.push(batch);
  }

  /** A directory that disappeared loses its watch (and so do the ones below it) silently. */
  #unwatch(path: string): void {
    for (const [directory, watcher] of this.#watchers) {
      if (directory === path || directory.startsWith(`${path}/`)) {
        watcher.close();
        this.#watchers.delete(directory);
      }
    }
  }

  #fail(error: ReturnType<typeof watchErrorOf>): void {
    this.events.push([{ kind: "error", error }]);
    this.#closeWatchers();
  }

  #closeWatchers(): void {
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#closeWatchers();
    this.events.end();
    return Promise.resolve();
  }
}

/**
 * The adapter for Node and Bun (Bun reads inotify on its own thread).
 *
 * @example
 * ```ts
 * const watch = await nodeFileWatcher.watch({ root: "/work", include: () => true });
 * await watch.close();
 * ```
 */
export const nodeFileWatcher: FileWatcher = {
  watch(request: WatchRequest): Promise<FileWatch> {
    return placeRoot(new NodeFileWatch(request.include), request.root);
  },
};

/**
 * Bun's adapter is the `node:fs` one (WATCH-100 table).
 *
 * @example
 * ```ts
 * const watch = await bunFileWatcher.watch({ root: "/work", include: () => true });
 * ```
 */
export const bunFileWatcher: FileWatcher = nodeFileWatcher;
