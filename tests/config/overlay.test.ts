import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../lib/config/load_config.ts";
import type { LoadedConfig } from "../../lib/config/loaded_config.ts";
import { renderDiagnosticReport, sortDiagnostics } from "../../lib/cli/render_diagnostic.ts";
import type { Diagnostic } from "../../lib/domain/diagnostic.ts";
import { evaluateExpression } from "../../lib/domain/expression.ts";
import { type FixtureEntry, withWorkspaceFixture } from "../support/workspace_fixture.ts";

const PROJECTS: Record<string, FixtureEntry> = {
  ".haz/workspace.yml": "projects: [a, b, c]\n",
  "a/haz.yml": "tags: [ts]\n",
  "b/haz.yml": "tags: [ts, legacy]\n",
  "c/haz.yml": "",
};

/** Loads the three EX-111 projects plus the given overlay files. */
function loadWith(overlays: Record<string, FixtureEntry>): Promise<LoadedConfig> {
  return withWorkspaceFixture({ ...PROJECTS, ...overlays }, async (fx) => {
    const loaded = await loadConfig(fx.root);
    assert.ok(!("failed" in loaded));
    return loaded as LoadedConfig;
  });
}

/** `RULE line:column message | help`, in DIAG-006 order. */
function lines(diagnostics: readonly Diagnostic[]): string[] {
  return sortDiagnostics(diagnostics).map((d) =>
    `${d.severity} ${d.rule} ${d.location?.line ?? "-"}:${d.location?.column ?? "-"} ${d.message}${
      d.help ? ` | ${d.help}` : ""
    }`
  );
}

/** Names of the EX-111 projects an overlay's parsed filter is true for. */
function matched(config: LoadedConfig, stem: string): string[] {
  const filter = config.overlays.find((overlay) => overlay.stem === stem)?.tagsFilter;
  assert.ok(filter, `overlay ${stem} has a filter`);
  return config.projects
    .filter((project) => evaluateExpression(filter, (atom) => atom === "*" || project.tags.includes(atom)))
    .map((project) => project.name);
}

describe("overlay files", () => {
  test("CFG-024 / EX-111 the filter is parsed: `ts & !legacy` → {a}, `*` → {a, b, c}", async () => {
    const config = await loadWith({
      ".haz/tasks/lint.yml": 'tagsFilter: "ts & !legacy"\ntasks:\n  lint: {command: [eslint, .]}\n',
      ".haz/tasks/all.yml": 'tagsFilter: "*"\n',
    });
    assert.deepEqual(config.diagnostics, []);
    assert.deepEqual(matched(config, "lint"), ["a"]);
    assert.deepEqual(matched(config, "all"), ["a", "b", "c"]);
    const lint = config.overlays.find((overlay) => overlay.stem === "lint")!;
    assert.equal(lint.file, "/.haz/tasks/lint.yml");
    assert.equal(lint.incomplete, false);
    assert.deepEqual(lint.tagsFilterLocation?.column, 13);
    const body = lint.tasks.get("lint")!;
    assert.deepEqual([body.overlay, body.file, body.location?.line], ["lint", "/.haz/tasks/lint.yml", 3]);
    assert.deepEqual(lint.taskLocations.get("lint")?.column, 3);
  });

  test("CFG-024 a missing tagsFilter is an error on the file", async () => {
    const config = await loadWith({ ".haz/tasks/o.yml": "tasks: {t: {}}\n" });
    assert.equal(
      renderDiagnosticReport(config.diagnostics, false),
      "error[CFG-024]: overlay `o` has no `tagsFilter`\n  --> /.haz/tasks/o.yml\n" +
        'help: add e.g. `tagsFilter: "ts"` to choose the projects it attaches to\n\nfound 1 error\n',
    );
    assert.equal(config.overlays[0].tagsFilter, null);
  });

  test("CFG-024 parse errors are positioned inside the file", async () => {
    const config = await loadWith({ ".haz/tasks/o.yml": 'tagsFilter: "ts &"\n' });
    assert.deepEqual(lines(config.diagnostics), [
      "error CFG-024 1:18 invalid tagsFilter: expected an atom or `(` after `&`",
    ]);
    assert.equal(
      renderDiagnosticReport(config.diagnostics, false),
      [
        "error[CFG-024]: invalid tagsFilter: expected an atom or `(` after `&`",
        "  --> /.haz/tasks/o.yml:1:18",
        "   |",
        ' 1 | tagsFilter: "ts &"',
        "   |                  ^",
        "",
        "found 1 error",
        "",
      ].join("\n"),
    );
  });

  test("CFG-024 atoms must be tag names or `*`; a plain scalar maps columns too", async () => {
    const config = await loadWith({ ".haz/tasks/o.yml": "tagsFilter: ts | a.b\n" });
    assert.deepEqual(lines(config.diagnostics), [
      "error ID-001 1:18 invalid tag name `a.b`: name `a.b` contains `.`; allowed are ASCII letters, digits, `_` and `-`",
    ]);
    assert.equal(config.overlays[0].tagsFilter, null);
    const typed = await loadWith({ ".haz/tasks/o.yml": "tagsFilter: [ts]\n" });
    assert.deepEqual(lines(typed.diagnostics), [
      "error CFG-004 1:13 `tagsFilter` must be a string, found a list",
    ]);
  });

  test("CFG-003 overlay keys are closed", async () => {
    const config = await loadWith({ ".haz/tasks/o.yml": 'tagsFilter: "*"\ntags: [x]\n' });
    assert.deepEqual(lines(config.diagnostics), ["error CFG-003 2:1 unknown key `tags` in overlay `o`"]);
  });

  test("CFG-023 the stem must be an identifier", async () => {
    const config = await loadWith({ ".haz/tasks/-x.yml": 'tagsFilter: "*"\n' });
    assert.deepEqual(lines(config.diagnostics), [
      "error CFG-023 -:- invalid overlay name `-x`: name `-x` must start with an ASCII letter or digit",
    ]);
    assert.equal(config.overlays[0].incomplete, true);
  });

  test("CFG-025 overlay tasks follow §5; bodies are dropped on error, names known", async () => {
    const config = await loadWith({
      ".haz/tasks/o.yml":
        'tagsFilter: ts\ntasks:\n  good: {command: [x], inputs: ["src/**"]}\n  bad: {command: x}\n',
    });
    const overlay = config.overlays[0];
    assert.deepEqual([...overlay.tasks.keys()], ["good"]);
    assert.deepEqual([...overlay.droppedTasks], ["bad"]);
    assert.deepEqual([...overlay.taskLocations.keys()], ["good", "bad"]);
    assert.deepEqual(lines(config.diagnostics).map((line) => line.split(" ").slice(0, 3).join(" ")), [
      "error CFG-014 4:18",
    ]);
  });

  test("CFG-025 overlay patterns are compared as written (no project root yet)", async () => {
    const config = await loadWith({
      ".haz/tasks/o.yml": "tagsFilter: ts\ntasks:\n  t: {command: [x], inputs: [src, /a/src, src]}\n",
    });
    assert.deepEqual(lines(config.diagnostics), ["error CFG-007 3:43 duplicate entry `src` in `inputs`"]);
  });

  test("CFG-026 an overlay whose filter matches no project is a warning", async () => {
    const config = await loadWith({ ".haz/tasks/o.yml": 'tagsFilter: "ts & !ts"\n' });
    assert.deepEqual(lines(config.diagnostics), ["warning CFG-026 1:13 overlay `o` matches no project"]);
  });

  test("ID-006 a filter tag no project carries is a warning at the atom, with did-you-mean", async () => {
    const config = await loadWith({ ".haz/tasks/o.yml": 'tagsFilter: "ts | legcy"\n' });
    assert.deepEqual(lines(config.diagnostics), [
      "warning ID-006 1:19 no project carries the tag `legcy` | did you mean `legacy`?",
    ]);
  });

  test("ID-006 / CFG-026 are not guessed while some project's tags are unknown (DIAG-007)", async () => {
    const config = await withWorkspaceFixture({
      ".haz/workspace.yml": "projects: [a, b]\nconcurrency: {tags: {gone: 1}}\n",
      "a/haz.yml": "tags: [x]\n",
      "b/haz.yml": "tags: [",
      ".haz/tasks/o.yml": "tagsFilter: gone\n",
    }, (fx) => loadConfig(fx.root));
    assert.deepEqual(config.diagnostics.map((d) => d.rule), ["CFG-001"]);
  });
});
