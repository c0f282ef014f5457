/**
 * Test helper: a workspace whose tasks append markers to a file outside it (09-services-and-watch.md
 * §14 timing discipline), the file's path given to them as `$MARK`.
 *
 * @module
 */

import { rmSync } from "node:fs";
import { basename } from "node:path";
import { createWorkspaceFixture, type WorkspaceFixture } from "./workspace_fixture.ts";

/**
 * The YAML lines of one task whose environment holds `MARK`.
 *
 * @example
 * ```ts
 * markedTask("svc", ['shell: "echo up >> \\"$MARK\\""', "service: true"], mark);
 * // ["  svc:", '    shell: "echo up >> \"$MARK\""', "    service: true", "    env: {override: {MARK: …}}"]
 * ```
 */
export function markedTask(name: string, body: readonly string[], mark: string): string[] {
  return [
    `  ${name}:`,
    ...body.map((line) => `    ${line}`),
    `    env: {override: {MARK: ${JSON.stringify(mark)}}}`,
  ];
}

/**
 * The service `web` that records each spawn in `$MARK`, prints `up` and sleeps on `marker` (a unique
 * sleep, so a test can find its processes).
 *
 * @example
 * ```ts
 * await withMarkedWorkspace({ s: (mark) => heldWebService(mark, uniqueSleepMarker()) }, async (fx, mark) => {});
 * ```
 */
export function heldWebService(mark: string, marker: string): string[] {
  return markedTask("web", [
    `shell: "echo spawn >> \\"$MARK\\"; echo up; sleep ${marker}"`,
    "service: {ready: {line: up}}",
  ], mark);
}

/**
 * Runs `body` on a fresh workspace with the given projects (each a function of the marker path that
 * returns its task lines), then removes the workspace and the marker file.
 *
 * @example
 * ```ts
 * await withMarkedWorkspace({ p: (mark) => markedTask("t", ['shell: "echo x >> \\"$MARK\\""'], mark) }, async (fx, mark) => {
 *   await runHaz(["run", "p:t"], { cwd: fx.root });
 * });
 * ```
 */
export async function withMarkedWorkspace(
  projects: Readonly<Record<string, (mark: string) => readonly string[]>>,
  body: (fx: WorkspaceFixture, mark: string) => Promise<void>,
): Promise<void> {
  const names = Object.keys(projects);
  const fx = await createWorkspaceFixture({ ".haz/workspace.yml": `projects: [${names.join(", ")}]\n` });
  const mark = fx.path(`../${basename(fx.root)}.marks`);
  try {
    await fx.write(Object.fromEntries(
      names.map((name) => [`${name}/haz.yml`, ["tasks:", ...projects[name](mark), ""].join("\n")]),
    ));
    await body(fx, mark);
  } finally {
    rmSync(mark, { force: true });
    await fx.remove();
  }
}
