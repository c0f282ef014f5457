/**
 * ID-006 for `[tag]` references in `deps` / `weakDeps`: a tag that no project carries is likely a typo.
 * (The `tagsFilter` and `concurrency.tags` cases are reported by `lib/config` in phase 2.)
 *
 * @module
 */

import { warningDiagnostic } from "../domain/diagnostic.ts";
import type { Diagnostic } from "../domain/diagnostic.ts";
import type { DeclaredRef, TaskBody } from "../domain/workspace.ts";
import { didYouMean } from "../util/did_you_mean.ts";
import { suggestionHelp, tagIsCarried } from "./resolve_refs.ts";
import type { ReferenceIndex } from "./resolve_refs.ts";

/**
 * One warning per `[tag]` reference (as written in a file) whose tag no project carries. Skipped when a
 * project is incomplete: its tags are unknown (DIAG-007).
 *
 * @example
 * ```ts
 * unknownTagWarnings([body], index);
 * // [{ severity: "warning", rule: "ID-006", message: "no project carries the tag `lbi`", help: "did you mean `lib`?", … }]
 * ```
 */
export function unknownTagWarnings(bodies: Iterable<TaskBody>, index: ReferenceIndex): Diagnostic[] {
  if (index.someProjectIncomplete) return [];
  const warnings: Diagnostic[] = [];
  const seen = new Set<string>();
  const check = (body: TaskBody, declared: DeclaredRef): void => {
    const ref = declared.ref;
    if (ref.form !== "tag" || tagIsCarried(index, ref.tag)) return;
    const where = declared.location;
    const key = `${body.file}\n${where?.line}\n${where?.column}\n${ref.text}`;
    if (seen.has(key)) return;
    seen.add(key);
    warnings.push(
      warningDiagnostic("ID-006", `no project carries the tag \`${ref.tag}\``, {
        phase: 4,
        location: where,
        help: suggestionHelp(didYouMean(ref.tag, index.tags)),
      }),
    );
  };
  for (const body of bodies) {
    for (const declared of body.deps) check(body, declared);
    for (const declared of body.weakDeps) check(body, declared);
  }
  return warnings;
}
