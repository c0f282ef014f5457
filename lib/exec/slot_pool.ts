/**
 * The admission slots of a run (EXEC-004/005): the global cap, the tag caps and the lanes. A watch
 * loop shares one pool between its cycles and the runs that keep its services (WATCH-047).
 *
 * @module
 */

import { RankHeap } from "./rank_heap.ts";

/**
 * Global slots, tag slots and lanes, with listeners told whenever slots come free.
 *
 * @example
 * ```ts
 * const pool = new SlotPool(1, new Map());
 * const lane = pool.take([]); // 1
 * pool.fits([]); // false
 * pool.give(lane, []);
 * ```
 */
export class SlotPool {
  readonly #concurrency: number;
  readonly #tagCaps: ReadonlyMap<string, number>;
  readonly #freeLanes = new RankHeap();
  readonly #tagHolds = new Map<string, number>();
  readonly #listeners = new Set<() => void>();
  #held = 0;

  constructor(concurrency: number, tagCaps: ReadonlyMap<string, number>) {
    this.#concurrency = concurrency;
    this.#tagCaps = tagCaps;
    for (let lane = 1; lane <= concurrency; lane++) this.#freeLanes.push(lane);
  }

  /** Whether a task carrying these capped tags can be admitted now. */
  fits(tags: readonly string[]): boolean {
    if (this.#held >= this.#concurrency) return false;
    return tags.every((tag) => (this.#tagHolds.get(tag) ?? 0) < this.#tagCaps.get(tag)!);
  }

  /** Takes a global slot and the tags' slots; returns the lane (the smallest free one). */
  take(tags: readonly string[]): number {
    this.#held += 1;
    for (const tag of tags) this.#tagHolds.set(tag, (this.#tagHolds.get(tag) ?? 0) + 1);
    return this.#freeLanes.pop()!;
  }

  /** Gives back what {@link take} took; every listener hears of it after the current event. */
  give(lane: number, tags: readonly string[]): void {
    this.#freeLanes.push(lane);
    this.#held -= 1;
    for (const tag of tags) this.#tagHolds.set(tag, this.#tagHolds.get(tag)! - 1);
    for (const listener of this.#listeners) queueMicrotask(listener);
  }

  /** Calls `listener` whenever slots come free; returns the unsubscription. */
  onRelease(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
