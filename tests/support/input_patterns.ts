/**
 * Input patterns for tests of input enumeration, written as in a `haz.yml`.
 *
 * @module
 */

import { resolvePattern } from "../../lib/domain/path_pattern.ts";
import type { PathPattern } from "../../lib/domain/workspace.ts";

/**
 * Patterns of project `/web` as written in `inputs` (a leading `!` marks an exclusion), resolved and
 * split into inclusions and exclusions.
 *
 * @example
 * ```ts
 * const { inclusions, exclusions } = webInputPatterns(["src/**", "!src/gen/**"]);
 * ```
 */
export function webInputPatterns(
  texts: readonly string[],
): { inclusions: PathPattern[]; exclusions: PathPattern[] } {
  const inclusions: PathPattern[] = [];
  const exclusions: PathPattern[] = [];
  for (const text of texts) {
    const exclude = text.startsWith("!");
    const pattern = resolvePattern({ text: exclude ? text.slice(1) : text, exclude }, "/web");
    (exclude ? exclusions : inclusions).push(pattern);
  }
  return { inclusions, exclusions };
}
