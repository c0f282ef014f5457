/**
 * Test helper: loads a workspace written from a file map (phases 1–4, as `haz` would) and reads the
 * result the way the graph tests check it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { renderDiagnosticReport } from "../../lib/cli/render_diagnostic.ts";
import type { Diagnostic } from "../../lib/domain/diagnostic.ts";
import {
  type LoadedWorkspace,
  loadWorkspace,
  type LoadWorkspaceOptions,
  type LoadWorkspaceResult,
} from "../../lib/graph/load_workspace.ts";
import { type FixtureEntry, withWorkspaceFixture } from "./workspace_fixture.ts";

/** A workspace as files, keyed by workspace-relative path. */
export type FixtureFiles = Readonly<Record<string, FixtureEntry>>;

/**
 * Writes `files` into a temp directory, loads the workspace at its root, then removes the directory.
 *
 * @example
 * ```ts
 * const result = await loadFixture({ ".haz/workspace.yml": "projects: [a]\n", "a/haz.yml": "" });
 * result.ok; // true
 * ```
 */
export function loadFixture(
  files: FixtureFiles,
  options: LoadWorkspaceOptions = {},
): Promise<LoadWorkspaceResult> {
  return withWorkspaceFixture(files, (fixture) => loadWorkspace(fixture.root, options));
}

/**
 * The diagnostic report haz prints for a failed load (without colour); fails the test if it loaded.
 *
 * @example
 * ```ts
 * stderrOf(await loadFixture(files)).endsWith("found 1 error\n"); // true
 * ```
 */
export function stderrOf(result: LoadWorkspaceResult): string {
  assert.equal(result.ok, false, "expected load errors");
  return result.ok ? "" : renderDiagnosticReport(result.diagnostics, false);
}

/**
 * The loaded workspace; fails the test with the diagnostic report if the load failed.
 *
 * @example
 * ```ts
 * loadedOf(await loadFixture(files)).graph.order; // ["a:build"]
 * ```
 */
export function loadedOf(result: LoadWorkspaceResult): LoadedWorkspace {
  assert.ok(result.ok, result.ok ? "" : renderDiagnosticReport(result.diagnostics, false));
  return result.loaded;
}

/**
 * Rule id and message of every diagnostic, in order.
 *
 * @example
 * ```ts
 * rulesAndMessages(diagnostics); // [["DAG-010", "task `p:c` lists p:b in both `deps` and `weakDeps`"]]
 * ```
 */
export function rulesAndMessages(diagnostics: readonly Diagnostic[]): string[][] {
  return diagnostics.map((diagnostic) => [diagnostic.rule, diagnostic.message]);
}
