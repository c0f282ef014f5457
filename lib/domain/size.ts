/**
 * Byte sizes (01-workspace.md CFG-035, 03-cache.md AUX-026) and their printed form (AUX-018).
 *
 * @module
 */

const SIZE = /^([0-9]+)(B|KB|MB|GB|KiB|MiB|GiB|TiB)?$/;

const BYTES_PER_UNIT: Readonly<Record<string, bigint>> = {
  B: 1n,
  KB: 10n ** 3n,
  MB: 10n ** 6n,
  GB: 10n ** 9n,
  KiB: 2n ** 10n,
  MiB: 2n ** 20n,
  GiB: 2n ** 30n,
  TiB: 2n ** 40n,
};

const BINARY_UNITS = ["KiB", "MiB", "GiB", "TiB"] as const;

/**
 * Parses the string form of a size into bytes; null when malformed or above 2^53−1.
 * (The YAML integer form is checked by the config loader.)
 *
 * @example
 * ```ts
 * parseSize("10GiB"); // 10737418240
 * parseSize("10gb"); // null
 * ```
 */
export function parseSize(text: string): number | null {
  const match = SIZE.exec(text);
  if (!match) return null;
  // BigInt keeps arbitrarily long digit strings exact for the bound check.
  const bytes = BigInt(match[1]) * BYTES_PER_UNIT[match[2] ?? "B"];
  return bytes > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(bytes);
}

/**
 * Prints a byte amount as `<n> bytes (<human>)` (AUX-018): `<n> B` below 1024, else the largest binary
 * unit giving at least 1, with one decimal.
 *
 * @example
 * ```ts
 * formatByteAmount(123456); // "123456 bytes (120.6 KiB)"
 * formatByteAmount(1023); // "1023 bytes (1023 B)"
 * ```
 */
export function formatByteAmount(bytes: number): string {
  return `${bytes} bytes (${humanBytes(bytes)})`;
}

/**
 * The `<human>` part of a byte amount (REMOTE-091): `0 B`, `624 B`, `2.3 KiB`, `100.0 MiB`.
 *
 * @example
 * ```ts
 * humanBytes(2355); // "2.3 KiB"
 * ```
 */
export function humanBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let k = BINARY_UNITS.length;
  while (bytes / 1024 ** k < 1) k--;
  return `${(bytes / 1024 ** k).toFixed(1)} ${BINARY_UNITS[k - 1]}`;
}
