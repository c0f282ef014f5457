/**
 * Task names of an import (08-adoption.md ADOPT-013): valid identifiers are kept, others mapped by the
 * ID-005 rule; a clash keeps the bytewise smaller source name and numbers the rest.
 *
 * @module
 */

import { deriveProjectName, isIdentifier } from "../domain/identifier.ts";
import { compareBytes } from "../domain/task_id.ts";

/**
 * Maps the source task names of one project; a name that maps to nothing maps to null (W-NAME).
 *
 * @example
 * ```ts
 * mapTaskNames(["a:b", "a-b", "lint:fix"]);
 * // Map { "a-b" => "a-b", "a:b" => "a-b-2", "lint:fix" => "lint-fix" }
 * ```
 */
export function mapTaskNames(sourceNames: Iterable<string>): Map<string, string | null> {
  const mapped = new Map<string, string | null>();
  const taken = new Set<string>();
  const sorted = [...new Set(sourceNames)].sort(compareBytes);
  for (const name of sorted) {
    const base = isIdentifier(name) ? name : deriveProjectName(name);
    if (base === null) {
      mapped.set(name, null);
      continue;
    }
    let candidate = base;
    for (let suffix = 2; taken.has(candidate); suffix++) candidate = `${base}-${suffix}`;
    taken.add(candidate);
    mapped.set(name, candidate);
  }
  return mapped;
}
