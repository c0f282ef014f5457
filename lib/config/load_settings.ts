/**
 * Reading `.haz/workspace.yml` alone (03-cache.md AUX-017): what the `haz cache` commands load, and
 * the first step of the full load.
 *
 * @module
 */

import { join } from "node:path";
import type { Diagnostic } from "../domain/diagnostic.ts";
import type { WorkspaceSettings } from "../domain/workspace.ts";
import { findWorkspaceRoot } from "./discover.ts";
import { readConfigText } from "./read_file.ts";
import { SETTINGS_PATH, type SettingsResult, validateSettings } from "./settings_schema.ts";
import { parseYamlFile } from "./yaml_source.ts";

/**
 * Reads, parses and validates `<root>/.haz/workspace.yml`. Fails only when the file as a whole is
 * unusable (CFG-009, CFG-001, CFG-002); other problems are in the result's diagnostics.
 *
 * @example
 * ```ts
 * const read = readSettingsFile("/tmp/shop");
 * if (read.ok) read.result.settings.hash; // "sha256"
 * ```
 */
export function readSettingsFile(
  root: string,
): { ok: true; result: SettingsResult } | { ok: false; diagnostics: Diagnostic[] } {
  const read = readConfigText(join(root, ".haz", "workspace.yml"), SETTINGS_PATH);
  if (!read.ok) return { ok: false, diagnostics: [read.diagnostic] };
  const parsed = parseYamlFile(read.text, SETTINGS_PATH);
  if (!parsed.ok) return { ok: false, diagnostics: [parsed.diagnostic] };
  return { ok: true, result: validateSettings(parsed.file, parsed.root) };
}

/**
 * AUX-017: finds the workspace and validates only `.haz/workspace.yml` (`projects` entries are checked
 * as strings and patterns, never expanded). Any error fails the load.
 *
 * @example
 * ```ts
 * const loaded = await loadSettings(process.cwd());
 * if (loaded.ok) loaded.settings.clean.maxAgeSeconds; // e.g. 604800
 * ```
 */
export async function loadSettings(
  startDir: string,
): Promise<
  | { ok: true; root: string; settings: WorkspaceSettings; diagnostics: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[] }
> {
  const found = await findWorkspaceRoot(startDir);
  if (!found.ok) return { ok: false, diagnostics: [found.diagnostic] };
  const read = readSettingsFile(found.root);
  if (!read.ok) return read;
  const diagnostics = [...read.result.diagnostics];
  if (diagnostics.some((diagnostic) => diagnostic.severity === "error")) return { ok: false, diagnostics };
  return { ok: true, root: found.root, settings: read.result.settings, diagnostics };
}
