/**
 * The end-of-phase-2 warnings that need every project's tags: ID-006 for `concurrency.tags` keys and
 * `tagsFilter` atoms that no project carries, and CFG-026 for overlays that match no project.
 *
 * @module
 */

import { type Diagnostic, type DiagnosticLocation, warningDiagnostic } from "../domain/diagnostic.ts";
import { compareBytes } from "../domain/task_id.ts";
import { evaluateExpression, type Expression } from "../domain/expression.ts";
import { didYouMean } from "../util/did_you_mean.ts";

/** A tag named somewhere, with where. */
export interface NamedTag {
  readonly tag: string;
  readonly location: DiagnosticLocation;
}

/** An overlay as far as these checks need it. */
export interface OverlayFilter {
  readonly stem: string;
  readonly tagsFilter: Expression | null;
  readonly location?: DiagnosticLocation;
  readonly atoms: readonly NamedTag[];
}

/** Inputs of {@linkcode tagWarnings}. */
export interface TagWarningInput {
  /** Every project's tag set. */
  readonly projectTags: readonly (readonly string[])[];
  /** Some project's tags are unknown (its file failed): the checks would be guesses (DIAG-007). */
  readonly tagsIncomplete: boolean;
  readonly capKeys: readonly NamedTag[];
  readonly overlays: readonly OverlayFilter[];
}

/**
 * ID-006 and CFG-026 warnings (phase 2), with DIAG-009 help among the tags that exist.
 *
 * @example
 * ```ts
 * tagWarnings({ projectTags: [["lib"]], tagsIncomplete: false, capKeys: [{ tag: "lbi", location }], overlays: [] })[0].help;
 * // "did you mean `lib`?"
 * ```
 */
export function tagWarnings(input: TagWarningInput): Diagnostic[] {
  if (input.tagsIncomplete) return [];
  const carried = new Set(input.projectTags.flat());
  const known = [...carried].sort(compareBytes);
  const warnings: Diagnostic[] = [];
  const named = [...input.capKeys, ...input.overlays.flatMap((overlay) => overlay.atoms)];
  for (const { tag, location } of named) {
    if (carried.has(tag)) continue;
    const candidate = didYouMean(tag, known);
    warnings.push(warningDiagnostic("ID-006", `no project carries the tag \`${tag}\``, {
      phase: 2,
      location,
      ...(candidate === null ? {} : { help: `did you mean \`${candidate}\`?` }),
    }));
  }
  for (const overlay of input.overlays) {
    const filter = overlay.tagsFilter;
    if (filter === null) continue;
    const matches = input.projectTags.some((tags) =>
      evaluateExpression(filter, (atom) => atom === "*" || tags.includes(atom))
    );
    if (matches) continue;
    warnings.push(warningDiagnostic("CFG-026", `overlay \`${overlay.stem}\` matches no project`, {
      phase: 2,
      ...(overlay.location === undefined ? {} : { location: overlay.location }),
    }));
  }
  return warnings;
}
