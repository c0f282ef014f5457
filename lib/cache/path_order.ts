/**
 * A run-wide order of paths as numbers: each path placed gets a {@linkcode PathRank} whose `rank`
 * compares as the path does in UTF-16 order (byte order of UTF-8 when no surrogate is involved).
 * A key of an imported workspace orders about 300 shared inclusions by their first path; comparing
 * numbers instead of long paths with common prefixes takes that sort off the profile.
 *
 * @module
 */

/** The number of one placed path; `rank` may change when the order is renumbered, never its order. */
export interface PathRank {
  readonly path: string;
  rank: number;
}

/**
 * Paths placed so far, in order, with ranks strictly increasing along it. A new path takes the
 * midpoint of its neighbours' ranks; when doubles can no longer split a gap, all are renumbered.
 *
 * @example
 * ```ts
 * const order = new PathOrder();
 * const b = order.place("/b");
 * const a = order.place("/a");
 * a.rank < b.rank; // true
 * order.place("/a") === a; // true
 * ```
 */
export class PathOrder {
  readonly #sorted: PathRank[] = [];
  readonly #byPath = new Map<string, PathRank>();

  /** The rank of `path`, placed now unless it was before. */
  place(path: string): PathRank {
    const known = this.#byPath.get(path);
    if (known !== undefined) return known;
    const sorted = this.#sorted;
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (sorted[middle].path < path) low = middle + 1;
      else high = middle;
    }
    const before = low === 0 ? null : sorted[low - 1].rank;
    const after = low === sorted.length ? null : sorted[low].rank;
    const placed: PathRank = { path, rank: rankBetween(before, after) };
    sorted.splice(low, 0, placed);
    this.#byPath.set(path, placed);
    if (placed.rank === before || placed.rank === after) this.#renumber();
    return placed;
  }

  #renumber(): void {
    for (let index = 0; index < this.#sorted.length; index++) this.#sorted[index].rank = index;
  }
}

function rankBetween(before: number | null, after: number | null): number {
  if (before === null) return after === null ? 0 : after - 1;
  if (after === null) return before + 1;
  return before + (after - before) / 2;
}
