/**
 * The global cap's `auto` value (04-execution.md EXEC-004).
 *
 * @module
 */

import { nodeOs } from "../util/builtin_modules.ts";

/**
 * Resolves a configured concurrency once, at run start: a number stays; `auto` is the number of
 * logical CPUs (`os.availableParallelism()`, replaceable for tests), at least 1.
 *
 * @example
 * ```ts
 * resolveConcurrency(4); // 4
 * resolveConcurrency("auto", () => 3); // 3
 * ```
 */
export function resolveConcurrency(
  setting: "auto" | number,
  cpuCount: () => number = () => nodeOs().availableParallelism(),
): number {
  return Math.max(1, setting === "auto" ? cpuCount() : setting);
}
