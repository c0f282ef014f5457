/**
 * Test helper: the running example W1 of 02-graph.md §0 (projects `core`, `util` and `web`), written
 * byte for byte as the specification shows it, plus the source files its inputs name.
 *
 * @module
 */

import { createWorkspaceFixture, type FixtureEntry, type WorkspaceFixture } from "./workspace_fixture.ts";

/** The files of W1 (configuration and a few sources), keyed by workspace-relative path. */
export const W1_FILES: Readonly<Record<string, FixtureEntry>> = {
  ".haz/workspace.yml": 'projects: ["libs/*", apps/web]\n',
  "libs/core/haz.yml": [
    "tags: [lib, ts]",
    "tasks:",
    "  build:",
    "    command: [tsc, -p, .]",
    '    inputs: ["src/**/*.ts", tsconfig.json]',
    "    outputs: [dist]",
    "  test:",
    "    command: [node, --test]",
    '    deps: ["~:build"]',
    '    inputs: ["test/**"]',
    "",
  ].join("\n"),
  "libs/core/src/index.ts": "export const core = 1;\n",
  "libs/core/tsconfig.json": "{}\n",
  "libs/core/test/core.test.js": "",
  "libs/util/haz.yml": [
    "tags: [lib]",
    "tasks:",
    "  build:",
    "    shell: cp src/*.js dist/",
    '    inputs: ["src/*.js"]',
    '    outputs: ["dist/*.js"]',
    "",
  ].join("\n"),
  "libs/util/src/a.js": "export const a = 1;\n",
  "apps/web/haz.yml": [
    "name: web",
    "tags: [app]",
    "tasks:",
    "  build:",
    "    description: Bundle the app",
    "    command: [vite, build]",
    '    deps: ["[lib]:build"]',
    '    inputs: ["src/**", /libs/core/dist/index.js]',
    "    outputs: [dist]",
    "  deploy:",
    "    shell: ./deploy.sh",
    '    deps: ["~:build"]',
    '    weakDeps: ["core:test"]',
    "    mutex: deploy",
    "  default:",
    '    deps: ["~:build"]',
    "",
  ].join("\n"),
  "apps/web/src/main.ts": "console.log('web');\n",
  "apps/web/README.md": "# web\n",
};

/** The task ids of W1 in canonical order (02-graph.md §0). */
export const W1_TASKS: readonly string[] = [
  "core:build",
  "core:test",
  "util:build",
  "web:build",
  "web:default",
  "web:deploy",
];

/**
 * Writes W1 into a fresh temp directory; the caller removes it.
 *
 * @example
 * ```ts
 * const w1 = await createW1Fixture();
 * try {
 *   // await runHaz(["check"], { cwd: w1.root }) prints "6 tasks validated."
 * } finally {
 *   await w1.remove();
 * }
 * ```
 */
export function createW1Fixture(): Promise<WorkspaceFixture> {
  return createWorkspaceFixture(W1_FILES);
}
