/**
 * The production file-watching port of each runtime (09-services-and-watch.md §11.1).
 *
 * @module
 */

import type { FileWatcher } from "../exec/file_watcher.ts";
import { denoFileWatcher } from "./deno_file_watcher.ts";
import type { RuntimeName } from "./detect_runtime.ts";
import { bunFileWatcher, nodeFileWatcher } from "./node_file_watcher.ts";

/**
 * The production file watcher for a runtime.
 *
 * @example
 * ```ts
 * const watcher = fileWatcherFor(detectRuntime());
 * ```
 */
export function fileWatcherFor(runtime: RuntimeName): FileWatcher {
  if (runtime === "deno") return denoFileWatcher;
  if (runtime === "bun") return bunFileWatcher;
  return nodeFileWatcher;
}
