/**
 * Places watches on a tree with the runtime's adapter and prints the outcome: `watching <n>` or
 * `error <reason>`. Run inside a user namespace with a low `user/max_inotify_watches` by the
 * file-watching port tests (09-services-and-watch.md §14 scenario 61).
 *
 * @module
 */

import { detectRuntime } from "../../lib/runtime/detect_runtime.ts";
import { fileWatcherFor } from "../../lib/runtime/file_watcher_for.ts";

const root = process.argv[2];
try {
  const watch = await fileWatcherFor(detectRuntime()).watch({ root, include: () => true });
  console.log(`watching ${watch.directories}`);
  await watch.close();
} catch (error) {
  console.log(`error ${(error as { reason?: string }).reason ?? String(error)}`);
}
