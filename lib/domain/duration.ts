/**
 * Duration strings (01-workspace.md CFG-034, 03-cache.md AUX-026): `^[0-9]+(s|m|h|d|w)$`.
 *
 * @module
 */

/** CFG-034: the largest duration in seconds (its milliseconds stay exact in a double). */
export const MAX_DURATION_SECONDS = 9007199254740;

const DURATION = /^([0-9]+)(s|m|h|d|w)$/;

const SECONDS_PER_UNIT: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/**
 * Parses a duration into seconds; null when malformed or above {@linkcode MAX_DURATION_SECONDS}.
 *
 * @example
 * ```ts
 * parseDuration("7d"); // 604800
 * parseDuration("1h30m"); // null
 * ```
 */
export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text);
  if (!match) return null;
  // BigInt keeps arbitrarily long digit strings exact for the bound check.
  const seconds = BigInt(match[1]) * BigInt(SECONDS_PER_UNIT[match[2]]);
  return seconds > BigInt(MAX_DURATION_SECONDS) ? null : Number(seconds);
}
