/**
 * Group commit of directory fsyncs (03-cache.md CACHE-017 step 6 for imported entries, REMOTE-064):
 * a published entry's shard directory is queued instead of synced inline, and one round syncs every
 * directory queued so far while later renames queue for the next round. The task that imported the
 * entry goes on to its restore meanwhile; the run waits for the last round before it ends.
 *
 * Step 6 only makes the rename durable. Until it has run, a power loss can at worst lose the name of
 * a complete entry (its files and directory were fsynced before the rename, steps 2–4), which is a
 * miss, never a wrong hit (CACHE-039 #9).
 *
 * @module
 */

import { syncDirectory } from "../util/fsync_path.ts";

/**
 * Directories to fsync, synced in rounds beside the caller.
 *
 * @example
 * ```ts
 * const batch = new DirectorySyncBatch();
 * batch.add("/work/.haz/cache/db"); // a round starts at once
 * await batch.flush(); // every directory added so far is synced
 * ```
 */
export class DirectorySyncBatch {
  readonly #pending = new Set<string>();
  #round: Promise<void> | null = null;

  /** Queues `directory`; starts a round unless one is under way (which then runs another). */
  add(directory: string): void {
    this.#pending.add(directory);
    this.#round ??= this.#run();
  }

  /**
   * Resolves once every directory added so far has been synced. A failed sync is not reported: its
   * entry is published and complete, and a name lost to a power loss is a miss.
   */
  async flush(): Promise<void> {
    while (this.#round !== null) await this.#round;
  }

  async #run(): Promise<void> {
    try {
      while (this.#pending.size > 0) {
        const directories = [...this.#pending];
        this.#pending.clear();
        await Promise.allSettled(directories.map(syncDirectory));
      }
    } finally {
      this.#round = null;
    }
  }
}
