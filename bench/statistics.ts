/**
 * Summaries of repeated measurements: medians, ranges and paired ratios.
 *
 * @module
 */

/** A summary of one series of measurements. */
export interface Summary {
  readonly count: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/**
 * The median (mean of the two middle values for an even count); NaN for no values.
 *
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Median, minimum and maximum of a series; non-finite entries (failed runs) are left out.
 *
 * @example
 * ```ts
 * summarize([5, 1, 3, NaN]); // { count: 3, median: 3, min: 1, max: 5 }
 * ```
 */
export function summarize(series: readonly number[]): Summary {
  const values = series.filter(Number.isFinite);
  return {
    count: values.length,
    median: median(values),
    min: values.length === 0 ? Number.NaN : Math.min(...values),
    max: values.length === 0 ? Number.NaN : Math.max(...values),
  };
}

/**
 * The median of the per-round ratios `a[i] / b[i]` of two series measured in the same rounds
 * (interleaved), which cancels most of the drift of a shared, busy machine. Rounds where either run
 * failed (NaN) are left out.
 *
 * @example
 * ```ts
 * pairedRatio([10, 20], [20, 20]); // 0.75
 * ```
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  const rounds = Math.min(a.length, b.length);
  const ratios = Array.from({ length: rounds }, (_, index) => a[index] / b[index]);
  return median(ratios.filter(Number.isFinite));
}

/**
 * Spread of a series relative to its median, `(max − min) / median`, as a noise indicator.
 *
 * @example
 * ```ts
 * relativeSpread({ count: 3, median: 10, min: 9, max: 12 }); // 0.3
 * ```
 */
export function relativeSpread(summary: Summary): number {
  return (summary.max - summary.min) / summary.median;
}
