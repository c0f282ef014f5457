/**
 * Environment entries of `env.from_host` and `env.pass_through`: a name (CFG-032/033) or a prefix
 * wildcard `PREFIX*` standing for every host variable whose name starts with the prefix (08-adoption.md
 * ADOPT-101, amending CFG-021/036/040 and CACHE-008).
 *
 * @module
 */

import { checkEnvName, type EnvNameProblem } from "./identifier.ts";

/**
 * Checks one entry: a valid name, or a valid name followed by `*` (a lone `*` is not allowed).
 *
 * @example
 * ```ts
 * checkEnvEntry("NEXT_PUBLIC_*"); // null
 * checkEnvEntry("*")?.rule; // "CFG-032"
 * ```
 */
export function checkEnvEntry(entry: string): EnvNameProblem | null {
  if (!isEnvWildcard(entry)) return checkEnvName(entry);
  const prefix = entry.slice(0, -1);
  if (prefix === "" || checkEnvName(prefix) !== null) {
    return {
      rule: "CFG-032",
      message: `\`${entry}\` is not a valid environment variable name or \`PREFIX*\` wildcard`,
    };
  }
  return null;
}

/**
 * Whether an entry is a prefix wildcard.
 *
 * @example
 * ```ts
 * isEnvWildcard("VITE_*"); // true
 * isEnvWildcard("CI"); // false
 * ```
 */
export function isEnvWildcard(entry: string): boolean {
  return entry.endsWith("*");
}

/**
 * The host variable names an entry stands for: the name itself when set, or every set name starting
 * with the wildcard's prefix (valid names only), in bytewise order.
 *
 * @example
 * ```ts
 * matchingEnvNames("VITE_*", new Map([["VITE_A", "1"], ["CI", "1"]])); // ["VITE_A"]
 * ```
 */
export function matchingEnvNames(entry: string, hostEnv: ReadonlyMap<string, string>): string[] {
  if (!isEnvWildcard(entry)) return hostEnv.has(entry) ? [entry] : [];
  const prefix = entry.slice(0, -1);
  const names = [...hostEnv.keys()].filter((name) => name.startsWith(prefix) && checkEnvName(name) === null);
  // Names are ASCII (CFG-032), so code-unit order is byte order.
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
