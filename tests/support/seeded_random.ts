/**
 * A small seeded generator (mulberry32) for property tests, so a failing case can be replayed from
 * its seed.
 *
 * @module
 */

/**
 * Returns a function yielding numbers in [0, 1), the same sequence for the same seed.
 *
 * @example
 * ```ts
 * const next = seededRandom(42);
 * next(); // 0.6011037519201636, every time
 * ```
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
