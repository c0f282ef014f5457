/**
 * A binary min-heap of numbers: the scheduler's ready queues (by canonical rank) and free lanes.
 *
 * @module
 */

/**
 * Min-heap of numbers, O(log n) push and pop.
 *
 * @example
 * ```ts
 * const heap = new RankHeap();
 * heap.push(3); heap.push(1);
 * heap.pop(); // 1
 * ```
 */
export class RankHeap {
  readonly #items: number[] = [];

  /** The smallest item, or undefined when empty. */
  peek(): number | undefined {
    return this.#items[0];
  }

  push(item: number): void {
    const items = this.#items;
    items.push(item);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (items[parent] <= item) break;
      items[index] = items[parent];
      index = parent;
    }
    items[index] = item;
  }

  /** Removes and returns the smallest item, or undefined when empty. */
  pop(): number | undefined {
    const items = this.#items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        if (left >= items.length) break;
        const right = left + 1;
        const child = right < items.length && items[right] < items[left] ? right : left;
        if (items[child] >= last) break;
        items[index] = items[child];
        index = child;
      }
      items[index] = last;
    }
    return top;
  }
}
