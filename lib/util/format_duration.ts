/**
 * The duration grammar of run output (04-execution.md §9.5): status lines, the epilogue, limits in
 * details (`timed out after 30s`) and the cancellation notices of the CLI.
 *
 * @module
 */

interface DurationUnit {
  readonly ms: number;
  readonly suffix: string;
}

const MILLISECOND: DurationUnit = { ms: 1, suffix: "ms" };
const SECOND: DurationUnit = { ms: 1000, suffix: "s" };
const MINUTE: DurationUnit = { ms: 60 * 1000, suffix: "m" };
const HOUR: DurationUnit = { ms: 60 * 60 * 1000, suffix: "h" };

/** Largest unit first; each pair is printed as `<major><suffix> <minor><suffix>`. */
const UNIT_PAIRS: readonly (readonly [DurationUnit, DurationUnit])[] = [
  [HOUR, MINUTE],
  [MINUTE, SECOND],
  [SECOND, MILLISECOND],
];

/**
 * Prints a duration in milliseconds with at most two components, truncated (never rounded), without
 * zero padding, leaving out a second component of zero. Negative or non-finite input prints `0ms`.
 *
 * @example
 * ```ts
 * formatDuration(0); // "0ms"
 * formatDuration(7005); // "7s 5ms"
 * formatDuration(83999); // "1m 23s"
 * formatDuration(5025000); // "1h 23m"
 * formatDuration(60000); // "1m"
 * ```
 */
export function formatDuration(ms: number): string {
  const total = Number.isFinite(ms) && ms > 0 ? Math.floor(ms) : 0;
  for (const [major, minor] of UNIT_PAIRS) {
    if (total < major.ms) continue;
    const majorCount = Math.floor(total / major.ms);
    const minorCount = Math.floor((total % major.ms) / minor.ms);
    const head = `${majorCount}${major.suffix}`;
    return minorCount === 0 ? head : `${head} ${minorCount}${minor.suffix}`;
  }
  return `${total}${MILLISECOND.suffix}`;
}
