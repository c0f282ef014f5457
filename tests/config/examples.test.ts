import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { basename } from "node:path";
import { loadConfig } from "../../lib/config/load_config.ts";
import type { LoadedConfig } from "../../lib/config/loaded_config.ts";
import { renderDiagnosticReport } from "../../lib/cli/render_diagnostic.ts";
import type { Diagnostic } from "../../lib/domain/diagnostic.ts";
import { type FixtureEntry, withWorkspaceFixture } from "../support/workspace_fixture.ts";

type Loaded = LoadedConfig | { failed: true; diagnostics: Diagnostic[] };

/** Loads a fixture tree (from `cwd` below its root) and returns the result and its rendered report. */
function load(
  files: Record<string, FixtureEntry>,
  cwd = "",
): Promise<{ loaded: Loaded; report: string; root: string }> {
  return withWorkspaceFixture(files, async (fixture) => {
    const loaded = await loadConfig(cwd === "" ? fixture.root : fixture.path(cwd));
    return { loaded, report: renderDiagnosticReport(loaded.diagnostics, false), root: fixture.root };
  });
}

function config(loaded: Loaded): LoadedConfig {
  assert.ok(!("failed" in loaded), "expected a LoadedConfig");
  return loaded as LoadedConfig;
}

describe("01-workspace examples", () => {
  test("EX-101 glob projects, naming, node_modules skipped, duplicates counted once", async () => {
    const { loaded, report } = await load({
      ".haz/workspace.yml": 'projects: ["packages/*", packages/b, tools/gen]\n',
      "packages/a/haz.yml": "tags: [lib]\n",
      "packages/b/haz.yml": "name: beta\n",
      "tools/gen/haz.yml": "",
      "packages/c/readme.txt": "no project here\n",
      "packages/a/node_modules/x/haz.yml": "",
    });
    assert.equal(report, "");
    assert.deepEqual(
      config(loaded).projects.map((project) => [project.name, project.root, project.file, project.tags]),
      [
        ["a", "/packages/a", "/packages/a/haz.yml", ["lib"]],
        ["beta", "/packages/b", "/packages/b/haz.yml", []],
        ["gen", "/tools/gen", "/tools/gen/haz.yml", []],
      ],
    );
  });

  test("EX-102 implicit mode: the root is the only project, named after the root directory", async () => {
    const { loaded, root } = await load({
      ".haz/workspace.yml": "projects: []\n",
      "haz.yml": "tasks: {build: {command: [make]}}\n",
      "src/deep/file.txt": "",
    }, "src/deep");
    const result = config(loaded);
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(result.projects.map((project) => [project.name, project.dir, project.root]), [
      [basename(root), ".", "/"],
    ]);
    assert.equal(result.root, root);
    assert.equal(result.startDir, `${root}/src/deep`);
  });

  test("EX-103 no workspace: DISC-001 with the real start directory", async () => {
    const { loaded, report, root } = await load({ "some/dir/file.txt": "" }, "some/dir");
    assert.ok("failed" in loaded);
    assert.equal(
      report,
      `error[DISC-001]: no haz workspace found in ${root}/some/dir or any parent directory\n` +
        "help: run `haz init` to create one\n\nfound 1 error\n",
    );
  });

  test("EX-104 bad basename: DISC-008 without position", async () => {
    const { loaded, report } = await load({
      ".haz/workspace.yml": 'projects: ["apps/*"]\n',
      "apps/My App/haz.yml": "tags: [x]\n",
    });
    assert.equal(
      report,
      "error[DISC-008]: directory name `My App` is not a valid project name\n" +
        "  --> /apps/My App/haz.yml\n" +
        "help: set `name:` in `/apps/My App/haz.yml`\n\nfound 1 error\n",
    );
    assert.equal(config(loaded).projects[0].incomplete, true);
  });

  test("EX-105 every settings key is valid", async () => {
    const { loaded, report } = await load({
      ".haz/workspace.yml": [
        'projects: [., "packages/*"]',
        "concurrency: {default: auto, tags: {heavy: 1}}",
        "output: {mode: live}",
        "execution: {cancel_grace: 2.5}",
        "cache: {hash: sha256, clean: {max_age: 7d, max_size: 10GiB}}",
        "env: {pass_through: [CI]}",
        "",
      ].join("\n"),
      "haz.yml": "name: root\ntags: [heavy]\n",
      "packages/p/haz.yml": "",
    });
    assert.equal(report, "");
    const settings = config(loaded).settings;
    assert.equal(settings.concurrency.default, "auto");
    assert.deepEqual([...settings.concurrency.tags], [["heavy", 1]]);
    assert.equal(settings.outputMode, "live");
    assert.equal(settings.cancelGraceMs, 2500);
    assert.equal(settings.hash, "sha256");
    assert.deepEqual(settings.clean, { maxAgeSeconds: 604800, maxSizeBytes: 10737418240 });
    assert.deepEqual(settings.passThrough, ["CI"]);
  });

  test('EX-105 variants: `default: 0` is CFG-028, `default: "4"` is CFG-004', async () => {
    const zero = await load({ ".haz/workspace.yml": "concurrency: {default: 0}\n" });
    assert.equal(
      zero.report,
      "error[CFG-028]: `default` must be `auto` or an integer >= 1, found 0\n" +
        "  --> /.haz/workspace.yml:1:24\n   |\n 1 | concurrency: {default: 0}\n   |                        ^\n\n" +
        "found 1 error\n",
    );
    const quoted = await load({ ".haz/workspace.yml": 'concurrency: {default: "4"}\n' });
    assert.match(
      quoted.report,
      /^error\[CFG-004\]: `default` must be `auto` or an integer, found a string\n/,
    );
  });

  test("EX-106 all task keys produce the TaskBody as written", async () => {
    const { loaded, report } = await load({
      ".haz/workspace.yml": "projects: [apps/web]\n",
      "apps/web/haz.yml": [
        "name: web",
        "tags: [app]",
        "tasks:",
        "  build:",
        "    description: Bundle the web app",
        "    command: [vite, build, --mode, production]",
        '    inputs: ["src/**", index.html, /libs/core/dist/index.js]',
        "    outputs: [dist]",
        '    deps: ["core:build", "[lib]:build"]',
        '    weakDeps: ["~:lint"]',
        '    mutex: {name: "~:bundler", mode: shared}',
        "    env: {from_host: [NODE_ENV], override: {VITE_STRICT: 1}}",
        "    timeout: 10m",
        "  lint:",
        '    shell: {using: bash, script: "eslint src && tsc --noEmit"}',
        '    inputs: ["src/**"]',
        "  default:",
        '    deps: ["~:build"]',
        "",
      ].join("\n"),
    });
    assert.equal(report, "");
    const project = config(loaded).projects[0];
    assert.deepEqual([...project.tasks.keys()], ["build", "lint", "default"]);
    const build = project.tasks.get("build")!;
    assert.deepEqual(build.action, { kind: "command", argv: ["vite", "build", "--mode", "production"] });
    assert.deepEqual(build.inputs?.map((spec) => [spec.text, spec.exclude]), [
      ["src/**", false],
      ["index.html", false],
      ["/libs/core/dist/index.js", false],
    ]);
    assert.deepEqual(build.outputs.map((spec) => spec.text), ["dist"]);
    assert.deepEqual(build.deps.map((dep) => dep.ref), [
      { form: "exact", project: "core", task: "build", text: "core:build" },
      { form: "tag", tag: "lib", excludeOwn: false, task: "build", text: "[lib]:build" },
    ]);
    assert.deepEqual(build.deps[1].location, {
      path: "/apps/web/haz.yml",
      line: 9,
      column: 26,
      length: 13,
      lineText: '    deps: ["core:build", "[lib]:build"]',
    });
    assert.deepEqual(build.weakDeps.map((dep) => dep.ref.text), ["~:lint"]);
    assert.deepEqual(build.mutex, { name: "bundler", projectScoped: true, mode: "shared" });
    assert.deepEqual(build.env.fromHost, ["NODE_ENV"]);
    assert.deepEqual([...build.env.override], [["VITE_STRICT", "1"]]);
    assert.equal(build.description, "Bundle the web app");
    assert.equal(build.cache, true);
    assert.equal(build.timeoutMs, 600000);
    assert.equal(build.file, "/apps/web/haz.yml");
    assert.equal(build.overlay, null);
    assert.equal(build.location?.line, 4);
    assert.deepEqual(project.tasks.get("lint")!.action, {
      kind: "shell",
      shell: "bash",
      script: "eslint src && tsc --noEmit",
    });
    const aggregate = project.tasks.get("default")!;
    assert.equal(aggregate.action, null);
    assert.equal(aggregate.inputs, null);
  });

  test("EX-107 plain-string command", async () => {
    const { report } = await load({
      ".haz/workspace.yml": "projects: [web]\n",
      "web/haz.yml": "tasks:\n  build:\n    command: tsc -p .\n",
    });
    assert.equal(
      report,
      [
        "error[CFG-014]: `command` must be a list of strings, found a string",
        "  --> /web/haz.yml:3:14",
        "   |",
        " 3 |     command: tsc -p .",
        "   |              ^^^^^^^^",
        "help: use a list, or `shell:`",
        "",
        "found 1 error",
        "",
      ].join("\n"),
    );
  });

  test("EX-108 aggregate misuse", async () => {
    const { loaded, report } = await load({
      ".haz/workspace.yml": "projects: [web]\n",
      "web/haz.yml": 'tasks:\n  check: {inputs: ["src/**"], deps: ["~:build"]}\n',
    });
    assert.equal(
      report,
      [
        "error[CFG-016]: `inputs` is not allowed on aggregate task `check`",
        "  --> /web/haz.yml:2:11",
        "   |",
        ' 2 |   check: {inputs: ["src/**"], deps: ["~:build"]}',
        "   |           ^^^^^^",
        "help: add `command:` or `shell:`",
        "",
        "found 1 error",
        "",
      ].join("\n"),
    );
    assert.deepEqual([...config(loaded).projects[0].droppedTasks], ["check"]);
  });

  test("EX-110 / CFG-042 absent inputs are null, `[]` is an empty list, cache false kept", async () => {
    const { loaded, report } = await load({
      ".haz/workspace.yml": "projects: [w]\n",
      "w/haz.yml": [
        "tasks:",
        '  a: {command: [tsc], inputs: ["src/**"]}',
        "  b: {command: [date], inputs: []}",
        "  c: {command: [tsc]}",
        '  d: {command: [tsc], inputs: ["src/**"], cache: false}',
        '  e: {deps: ["~:a"]}',
        "",
      ].join("\n"),
    });
    assert.equal(report, "");
    const tasks = config(loaded).projects[0].tasks;
    assert.deepEqual(
      ["a", "b", "c", "d", "e"].map((name) => {
        const body = tasks.get(name)!;
        return [name, body.action !== null, body.inputs === null ? null : body.inputs.length, body.cache];
      }),
      [["a", true, 1, true], ["b", true, 0, true], ["c", true, null, true], ["d", true, 1, false], [
        "e",
        false,
        null,
        true,
      ]],
    );
  });

  test("EX-111 overlay traps: unquoted `!legacy`, `.yaml` file, invalid stem", async () => {
    const { loaded, report } = await load({
      ".haz/workspace.yml": "projects: [a]\n",
      "a/haz.yml": "tags: [ts]\n",
      ".haz/tasks/lint.yml": "tagsFilter: !legacy\n",
      ".haz/tasks/Lint.yaml": "tagsFilter: ts\n",
      ".haz/tasks/my.lint.yml": "tagsFilter: ts\n",
    });
    assert.equal(
      report,
      [
        "warning[DISC-009]: ignoring .haz/tasks/Lint.yaml: overlay files must end in `.yml`",
        "  --> /.haz/tasks/Lint.yaml",
        "",
        "error[CFG-001]: invalid YAML: unknown tag `!legacy`",
        "  --> /.haz/tasks/lint.yml:1:13",
        "   |",
        " 1 | tagsFilter: !legacy",
        "   |             ^^^^^^^",
        'help: quote expressions like `"!legacy"`',
        "",
        "error[CFG-023]: invalid overlay name `my.lint`: name `my.lint` contains `.`; allowed are ASCII letters, digits, `_` and `-`",
        "  --> /.haz/tasks/my.lint.yml",
        "",
        "found 2 errors",
        "",
      ].join("\n"),
    );
    assert.deepEqual(config(loaded).overlays.map((overlay) => [overlay.stem, overlay.incomplete]), [
      ["lint", true],
      ["my.lint", true],
    ]);
  });

  test("EX-116 unknown keys with did-you-mean; the task is dropped but known", async () => {
    const { loaded, report } = await load({
      ".haz/workspace.yml": "projects: [web]\n",
      "web/haz.yml": 'tasks:\n  build:\n    comand: [tsc]\n    weak_deps: ["~:gen"]\n',
    });
    assert.equal(
      report,
      [
        "error[CFG-003]: unknown key `comand` in task `build`",
        "  --> /web/haz.yml:3:5",
        "   |",
        " 3 |     comand: [tsc]",
        "   |     ^^^^^^",
        "help: did you mean `command`?",
        "",
        "error[CFG-003]: unknown key `weak_deps` in task `build`",
        "  --> /web/haz.yml:4:5",
        "   |",
        ' 4 |     weak_deps: ["~:gen"]',
        "   |     ^^^^^^^^^",
        "help: did you mean `weakDeps`?",
        "",
        "found 2 errors",
        "",
      ].join("\n"),
    );
    const project = config(loaded).projects[0];
    assert.equal(project.tasks.has("build"), false);
    assert.deepEqual([...project.droppedTasks], ["build"]);
    assert.equal(project.incomplete, false);
  });

  test("EX-117 lib_a: `tasks: [` is CFG-001 and makes the project incomplete", async () => {
    const { loaded, report } = await load({
      ".haz/workspace.yml": 'projects: ["lib_*"]\n',
      "lib_a/haz.yml": "tasks: [",
      "lib_b/haz.yml": "tasks: {build: {command: [make], deps: [ghost:build]}}\n",
    });
    assert.match(report, /^error\[CFG-001\]: invalid YAML: .*\n {2}--> \/lib_a\/haz\.yml:1:\d+\n/);
    assert.match(report, /\n\nfound 1 error\n$/);
    const projects = config(loaded).projects;
    assert.deepEqual(projects.map((project) => [project.name, project.incomplete, project.tasks.size]), [
      ["lib_a", true, 0],
      ["lib_b", false, 1],
    ]);
  });

  test("EX-118 unquoted glob: CFG-001 at 5:9 with carets under the alias and quoting help", async () => {
    const { report } = await load({
      ".haz/workspace.yml": "projects: [web]\n",
      "web/haz.yml": "tasks:\n  build:\n    command: [tsc]\n    inputs:\n      - **/*.ts\n",
    });
    assert.equal(
      report,
      [
        "error[CFG-001]: invalid YAML: alias `**/*.ts` refers to an undefined anchor",
        "  --> /web/haz.yml:5:9",
        "   |",
        " 5 |       - **/*.ts",
        "   |         ^^^^^^^",
        'help: quote the pattern, e.g. `"**/*.ts"`',
        "",
        "found 1 error",
        "",
      ].join("\n"),
    );
  });
});
