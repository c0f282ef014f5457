/**
 * Runs an async function over many items with a bounded number in flight, keeping result order
 * (reading a thousand project files at once could exhaust file descriptors).
 *
 * @module
 */

/**
 * Maps `items` through `run`, at most `limit` at a time; results are in item order.
 *
 * @example
 * ```ts
 * const texts = await mapLimited(["a.yml", "b.yml"], 16, (path) => readFile(path, "utf8"));
 * ```
 */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  run: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index], index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
