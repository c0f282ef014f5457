/**
 * Environment variable entries of a source (08-adoption.md ADOPT-050, ADOPT-101): names and `PREFIX*`
 * wildcards are kept; negations and invalid names are warnings.
 *
 * @module
 */

import { checkEnvName } from "../domain/identifier.ts";

/** How one source entry maps: kept, or the warning text that replaces it. */
export type EnvEntryMapping = { readonly ok: true; readonly name: string } | {
  readonly ok: false;
  readonly warning: string;
};

/**
 * Maps one `env` / `globalEnv` / `passThroughEnv` entry (W-ENV-NEGATION, W-ENV).
 *
 * @example
 * ```ts
 * mapEnvEntry("NEXT_PUBLIC_*"); // { ok: true, name: "NEXT_PUBLIC_*" }
 * mapEnvEntry("!SECRET").ok; // false
 * ```
 */
export function mapEnvEntry(entry: string): EnvEntryMapping {
  if (entry.startsWith("!")) {
    return {
      ok: false,
      warning:
        `negated variable "${entry}" cannot be expressed; ignored (the variable stays hashed if a wildcard matches it)`,
    };
  }
  const name = entry.endsWith("*") ? entry.slice(0, -1) : entry;
  if (name === "" || checkEnvName(name) !== null) {
    return { ok: false, warning: `"${entry}" is not an environment variable name; ignored` };
  }
  return { ok: true, name: entry };
}
