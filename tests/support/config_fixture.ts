/**
 * Test helper for the configuration loader (phases 1–2): a one-project workspace from a `haz.yml`
 * text, and diagnostics as one comparable line each.
 *
 * @module
 */

import assert from "node:assert/strict";
import { sortDiagnostics } from "../../lib/cli/render_diagnostic.ts";
import { loadConfig } from "../../lib/config/load_config.ts";
import type { LoadedConfig, LoadedProject } from "../../lib/config/loaded_config.ts";
import type { Diagnostic } from "../../lib/domain/diagnostic.ts";
import { type FixtureEntry, withWorkspaceFixture } from "./workspace_fixture.ts";

/** The only project of a loaded workspace and every diagnostic of the load. */
export interface LoadedWebProject {
  readonly project: LoadedProject;
  readonly diagnostics: Diagnostic[];
}

/**
 * Loads a workspace whose only project is `web` with the given `haz.yml`; fails the test when the
 * configuration does not load at all.
 *
 * @example
 * ```ts
 * const { project } = await loadWebProject("tasks:\n  build: {command: [make]}\n");
 * [...project.tasks.keys()]; // ["build"]
 * ```
 */
export function loadWebProject(hazYml: FixtureEntry): Promise<LoadedWebProject> {
  return withWorkspaceFixture(
    { ".haz/workspace.yml": "projects: [web]\n", "web/haz.yml": hazYml },
    async (fx) => {
      const loaded = await loadConfig(fx.root);
      assert.ok(!("failed" in loaded));
      const config = loaded as LoadedConfig;
      return { project: config.projects[0], diagnostics: [...config.diagnostics] };
    },
  );
}

/**
 * `RULE line:column message | help` for each diagnostic, in DIAG-006 order.
 *
 * @example
 * ```ts
 * diagnosticLines(diagnostics); // ["CFG-003 3:5 unknown key `comand` in task `build` | did you mean `command`?"]
 * ```
 */
export function diagnosticLines(diagnostics: readonly Diagnostic[]): string[] {
  return sortDiagnostics(diagnostics).map((d) =>
    `${d.rule} ${d.location?.line ?? "-"}:${d.location?.column ?? "-"} ${d.message}${
      d.help ? ` | ${d.help}` : ""
    }`
  );
}
