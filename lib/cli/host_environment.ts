/**
 * The host environment snapshot of `run` and `why` (03-cache.md CACHE-028).
 *
 * @module
 */

import { checkEnvName } from "../domain/identifier.ts";

/**
 * CACHE-028: the one host snapshot of a run, keeping only valid environment variable names.
 *
 * @example
 * ```ts
 * hostEnvironment({ PATH: "/bin", "A-B": "x" }); // Map { "PATH" => "/bin" }
 * ```
 */
export function hostEnvironment(env: Readonly<Record<string, string>>): ReadonlyMap<string, string> {
  return new Map(
    Object.entries(env).filter(([name, value]) => value !== undefined && checkEnvName(name) === null),
  );
}
