/**
 * The Deno adapter of the file-watching port (09-services-and-watch.md §11.1): `Deno.watchFs` without
 * recursion over the included directories (one call for the initial set, one per directory found
 * later; all share one inotify instance), read inside a Worker so that the OS queue is drained while
 * the main thread is busy (WATCH-103), `rescan` reported as overflow (WATCH-104).
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
import { DENO_WATCH_WORKER_SOURCE } from "./deno_watch_worker.ts";
import { placeRoot, walkIncluded, watchErrorOf } from "./watch_tree.ts";

/** An error as the worker describes it. */
interface WorkerError {
  readonly name: string;
  readonly message: string;
  readonly code: string | null;
}

type WorkerMessage =
  | { readonly kind: "placed"; readonly id: number; readonly error: WorkerError | null }
  | { readonly kind: "events"; readonly events: readonly { rescan: boolean; paths: string[] }[] }
  | { readonly kind: "error"; readonly error: WorkerError }
  | { readonly kind: "closed" };

class DenoFileWatch implements FileWatch {
  readonly events = new WatchEventQueue();
  readonly #worker: Worker;
  readonly #watched = new Set<string>();
  readonly #root: string;
  readonly #include: (directory: string) => boolean;
  readonly #placing = new Map<number, (error: WorkerError | null) => void>();
  #nextId = 0;
  /** Batches are handled one after the other: a new directory is placed before later events. */
  #handling: Promise<void> = Promise.resolve();
  #closed = false;
  #workerClosed: (() => void) | null = null;

  constructor(request: WatchRequest) {
    this.#root = request.root;
    this.#include = request.include;
    const url = URL.createObjectURL(new Blob([DENO_WATCH_WORKER_SOURCE], { type: "text/javascript" }));
    this.#worker = new Worker(url, { type: "module" });
    URL.revokeObjectURL(url);
    this.#worker.onmessage = (message: MessageEvent<WorkerMessage>) => this.#onMessage(message.data);
    this.#worker.onerror = (event: ErrorEvent) => {
      // A worker that died reads nothing any more: the watch stopped working (WATCH-105).
      event.preventDefault();
      this.#workerClosed?.();
      this.#onMessage({ kind: "error", error: { name: "Error", message: event.message, code: null } });
    };
  }

  get directories(): number {
    return this.#watched.size;
  }

  /** Watches `start` and everything included below it; returns the entries found (WATCH-102). */
  async place(start: string): Promise<string[]> {
    const tree = walkIncluded(start, this.#include);
    const fresh = tree.directories.filter((directory) => !this.#watched.has(directory));
    if (fresh.length === 0) return tree.entries;
    const id = this.#nextId++;
    const error = await new Promise<WorkerError | null>((resolve) => {
      this.#placing.set(id, resolve);
      this.#worker.postMessage({ kind: "watch", id, directories: fresh });
    });
    if (error !== null) throw rebuilt(error);
    for (const directory of fresh) this.#watched.add(directory);
    return tree.entries;
  }

  #onMessage(message: WorkerMessage): void {
    if (message.kind === "placed") {
      this.#placing.get(message.id)?.(message.error);
      this.#placing.delete(message.id);
    } else if (message.kind === "closed") {
      this.#workerClosed?.();
    } else if (!this.#closed) {
      this.#handling = this.#handling.then(() => this.#handle(message));
    }
  }

  async #handle(message: Exclude<WorkerMessage, { kind: "placed" | "closed" }>): Promise<void> {
    if (this.#closed) return;
    if (message.kind === "error") {
      this.events.push([{ kind: "error", error: watchErrorOf(rebuilt(message.error), this.#root) }]);
      return await this.close();
    }
    const batch: WatchEvent[] = [];
    for (const event of message.events) {
      if (event.rescan) {
        batch.push({ kind: "overflow" });
        continue;
      }
      for (const path of event.paths) {
        batch.push({ kind: "change", path });
        if (!await this.#maybeNewDirectory(path, batch)) return;
      }
    }
    this.events.push(batch);
  }

  /** WATCH-102: a new included directory is watched and walked; false when that failed. */
  async #maybeNewDirectory(path: string, batch: WatchEvent[]): Promise<boolean> {
    let isDirectory = false;
    try {
      isDirectory = lstatSync(path).isDirectory();
    } catch {
      // Gone: its watch, if any, is lost with it.
      this.#watched.delete(path);
      return true;
    }
    if (!isDirectory || this.#watched.has(path) || !this.#include(path)) return true;
    try {
      for (const entry of await this.place(path)) batch.push({ kind: "change", path: entry });
      return true;
    } catch (error) {
      batch.push({ kind: "error", error: watchErrorOf(error, path) });
      this.events.push(batch);
      await this.close();
      return false;
    }
  }

  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.events.end();
      // The watches are closed inside the worker first, so no inotify watch outlives close().
      const closed = new Promise<void>((resolve) => this.#workerClosed = resolve);
      this.#worker.postMessage({ kind: "close" });
      await closed;
      this.#worker.terminate();
      for (const resolve of this.#placing.values()) resolve({ name: "Error", message: "closed", code: null });
      this.#placing.clear();
      this.#watched.clear();
    }
    this.events.end();
  }
}

function rebuilt(error: WorkerError): Error {
  return Object.assign(new Error(error.message), { name: error.name, code: error.code });
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
    return placeRoot(new DenoFileWatch(request), request.root);
  },
};
