import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { findWorkspaceRoot } from "../../lib/config/discover.ts";
import { loadConfig } from "../../lib/config/load_config.ts";
import type { LoadedConfig } from "../../lib/config/loaded_config.ts";
import { renderDiagnosticReport } from "../../lib/cli/render_diagnostic.ts";
import type { Diagnostic } from "../../lib/domain/diagnostic.ts";
import { type FixtureEntry, withWorkspaceFixture } from "../support/workspace_fixture.ts";

type Loaded = LoadedConfig | { failed: true; diagnostics: Diagnostic[] };

function load(files: Record<string, FixtureEntry>, cwd = ""): Promise<Loaded> {
  return withWorkspaceFixture(files, (fixture) => loadConfig(cwd === "" ? fixture.root : fixture.path(cwd)));
}

function config(loaded: Loaded): LoadedConfig {
  assert.ok(!("failed" in loaded), "expected a LoadedConfig");
  return loaded as LoadedConfig;
}

function dirs(loaded: Loaded): string[] {
  return config(loaded).projects.map((project) => project.dir);
}

function summary(loaded: Loaded): string[] {
  return loaded.diagnostics.map((d) =>
    `${d.severity} ${d.rule} ${d.message}${
      d.location ? ` @${d.location.path}:${d.location.line ?? "-"}` : ""
    }`
  );
}

describe("discovery", () => {
  test("DISC-001 the nearest ancestor holding .haz/workspace.yml wins (nested workspaces are separate)", async () => {
    await withWorkspaceFixture({
      ".haz/workspace.yml": "",
      "inner/.haz/workspace.yml": "",
      "inner/deep/x.txt": "",
      "other/x.txt": "",
    }, async (fixture) => {
      assert.deepEqual(await findWorkspaceRoot(fixture.path("inner/deep")), {
        ok: true,
        root: fixture.path("inner"),
      });
      assert.deepEqual(await findWorkspaceRoot(fixture.path("other")), { ok: true, root: fixture.root });
      assert.deepEqual(await findWorkspaceRoot(fixture.root), { ok: true, root: fixture.root });
    });
  });

  test("DISC-001 a directory named workspace.yml does not count; a symlink to a file does", async () => {
    await withWorkspaceFixture({
      "a/.haz/workspace.yml": { directory: true },
      "real.yml": "",
      "b/.haz/workspace.yml": { symlink: "../../real.yml" },
    }, async (fixture) => {
      const missing = await findWorkspaceRoot(fixture.path("a"));
      assert.equal(missing.ok, false);
      if (!missing.ok) {
        assert.equal(missing.diagnostic.rule, "DISC-001");
        assert.equal(missing.diagnostic.phase, 1);
        assert.equal(missing.diagnostic.location, undefined);
      }
      assert.deepEqual(await findWorkspaceRoot(fixture.path("b")), { ok: true, root: fixture.path("b") });
    });
  });

  test("DISC-002 the start directory is resolved to its real path first", async () => {
    await withWorkspaceFixture({
      "ws/.haz/workspace.yml": "",
      "ws/src/x.txt": "",
      "elsewhere/link": { symlink: "../ws/src" },
    }, async (fixture) => {
      const loaded = config(await loadConfig(fixture.path("elsewhere/link")));
      assert.equal(loaded.root, fixture.path("ws"));
      assert.equal(loaded.startDir, fixture.path("ws/src"));
    });
  });

  test("DISC-003 implicit mode with a root haz.yml; zero projects without one", async () => {
    assert.deepEqual(dirs(await load({ ".haz/workspace.yml": "", "haz.yml": "" })), ["."]);
    assert.deepEqual(dirs(await load({ ".haz/workspace.yml": "projects: []\n", "haz.yml": "" })), ["."]);
    const none = await load({ ".haz/workspace.yml": "", "a/haz.yml": "" });
    assert.deepEqual(dirs(none), []);
    assert.deepEqual(none.diagnostics, []);
  });

  test("DISC-004 a leading `/` is rejected with help", async () => {
    const loaded = await load({ ".haz/workspace.yml": "projects: [/web]\n", "web/haz.yml": "" });
    const report = renderDiagnosticReport(loaded.diagnostics, false);
    assert.equal(
      report,
      [
        "error[DISC-004]: invalid project entry `/web`: project paths must be relative",
        "  --> /.haz/workspace.yml:1:12",
        "   |",
        " 1 | projects: [/web]",
        "   |            ^^^^",
        "help: project paths are relative to the workspace root; drop the leading `/`",
        "",
        "found 1 error",
        "",
      ].join("\n"),
    );
    assert.deepEqual(dirs(loaded), []);
  });

  test("DISC-004 entries must satisfy PATH-002..006 and the glob rules", async () => {
    const loaded = await load({
      ".haz/workspace.yml": 'projects: ["../x", "a//b", ".git/x", "[!a]*", "x{1..3}", "src/[a", "a\\\\"]\n',
    });
    assert.deepEqual(loaded.diagnostics.map((d) => [d.rule, d.phase]), Array(7).fill(["DISC-004", 1]));
    assert.ok(loaded.diagnostics.every((d) => d.message.startsWith("invalid project entry `")));
  });

  test("DISC-004 a non-string entry is CFG-004; `.` is the root", async () => {
    const loaded = await load({ ".haz/workspace.yml": "projects: [., 3]\n", "haz.yml": "" });
    assert.deepEqual(summary(loaded), [
      "error CFG-004 `projects` must be a list of strings, found an integer @/.haz/workspace.yml:1",
    ]);
    assert.deepEqual(dirs(loaded), ["."]);
  });

  test("DISC-005 literal entries: missing, not a directory, symlink, no haz.yml", async () => {
    const loaded = await load({
      ".haz/workspace.yml": "projects: [missing, file, link, empty, through/b, ok]\n",
      "file": "",
      "real/haz.yml": "",
      "link": { symlink: "real" },
      "empty": { directory: true },
      "elsewhere/b/haz.yml": "",
      "through": { symlink: "elsewhere" },
      "ok/haz.yml": "",
    });
    assert.deepEqual(summary(loaded), [
      "error DISC-005 project directory `missing` does not exist @/.haz/workspace.yml:1",
      "error DISC-005 project directory `file` is not a directory @/.haz/workspace.yml:1",
      "error DISC-005 project directory `link` is a symbolic link @/.haz/workspace.yml:1",
      "error DISC-005 project directory `empty` has no haz.yml @/.haz/workspace.yml:1",
      "error DISC-005 project directory `through/b` is a symbolic link @/.haz/workspace.yml:1",
    ]);
    assert.deepEqual(dirs(loaded), ["ok"]);
  });

  test("DISC-005 a haz.yml that is a symlink to a regular file counts; a directory does not", async () => {
    const loaded = await load({
      ".haz/workspace.yml": "projects: [a, b]\n",
      "shared.yml": "tags: [x]\n",
      "a/haz.yml": { symlink: "../shared.yml" },
      "b/haz.yml": { directory: true },
    });
    assert.deepEqual(dirs(loaded), ["a"]);
    assert.deepEqual(summary(loaded), [
      "error DISC-005 project directory `b` has no haz.yml @/.haz/workspace.yml:1",
    ]);
    assert.deepEqual(config(loaded).projects[0].tags, ["x"]);
  });

  test("DISC-006 glob walk: no symlinked dirs, no .haz/.git/node_modules, never the root", async () => {
    const loaded = await load({
      ".haz/workspace.yml": 'projects: ["**"]\n',
      "haz.yml": "",
      "a/haz.yml": "",
      "a/b/c/haz.yml": "",
      "a/node_modules/m/haz.yml": "",
      "node_modules/n/haz.yml": "",
      ".git/g/haz.yml": "",
      ".haz/h/haz.yml": "",
      "real/haz.yml": "",
      "linked": { symlink: "real" },
      "real2/inner/haz.yml": "",
      "viaLink": { symlink: "real2" },
      "no-project/readme": "",
    });
    assert.deepEqual(dirs(loaded), ["a", "a/b/c", "real", "real2/inner"]);
    assert.deepEqual(summary(loaded), [
      "warning DISC-007 haz.yml at the workspace root is ignored because `projects` does not list `.` @/haz.yml:-",
    ]);
  });

  test("DISC-006 braces, classes and escapes in project globs; a match needs haz.yml", async () => {
    const loaded = await load({
      ".haz/workspace.yml": 'projects: ["{apps,libs}/[a-m]*", "x/\\\\*"]\n',
      "apps/alpha/haz.yml": "",
      "apps/zulu/haz.yml": "",
      "libs/core/haz.yml": "",
      "libs/dead/readme": "",
      "x/*/haz.yml": "name: star\n",
      "x/y/haz.yml": "",
    });
    assert.deepEqual(dirs(loaded), ["apps/alpha", "libs/core", "x/*"]);
    assert.deepEqual(loaded.diagnostics, []);
  });

  test("DISC-006 a glob entry matching nothing is a warning on the entry", async () => {
    const loaded = await load({ ".haz/workspace.yml": 'projects: ["packages/*"]\n', "packages/c/x": "" });
    assert.deepEqual(summary(loaded), [
      "warning DISC-006 project pattern `packages/*` matches no directory containing haz.yml @/.haz/workspace.yml:1",
    ]);
    assert.deepEqual(loaded.diagnostics[0].location?.column, 12);
  });

  test("DISC-007 union de-duplicated by directory, ordered by path bytes with `.` first", async () => {
    const loaded = await load({
      ".haz/workspace.yml": 'projects: ["p/*", p/B, ., p/a, "-x"]\n',
      "haz.yml": "name: top\n",
      "p/a/haz.yml": "",
      "p/B/haz.yml": "",
      "p/b/haz.yml": "",
      "-x/haz.yml": "name: dash\n",
    });
    assert.deepEqual(dirs(loaded), [".", "-x", "p/B", "p/a", "p/b"]);
    assert.deepEqual(loaded.diagnostics, []);
  });

  test("DISC-007 textually equal entries are CFG-007", async () => {
    const loaded = await load({ ".haz/workspace.yml": "projects: [a, a]\n", "a/haz.yml": "" });
    assert.deepEqual(summary(loaded), [
      "error CFG-007 duplicate entry `a` in `projects` @/.haz/workspace.yml:1",
    ]);
    assert.equal(loaded.diagnostics[0].location?.column, 15);
  });

  test("DISC-008 names: declared, basename, root basename; duplicates list the directories", async () => {
    const loaded = await load({
      ".haz/workspace.yml": "projects: [., x/one, y/two, z]\n",
      "haz.yml": "name: twin\n",
      "x/one/haz.yml": "name: twin\n",
      "y/two/haz.yml": "",
      "z/haz.yml": "name: two\n",
    });
    const projects = config(loaded).projects;
    assert.deepEqual(projects.map((p) => [p.name, p.incomplete]), [
      ["twin", true],
      ["twin", true],
      ["two", true],
      ["two", true],
    ]);
    assert.deepEqual(summary(loaded), [
      "error DISC-008 project name `twin` is used by 2 directories: /, /x/one",
      "error DISC-008 project name `two` is used by 2 directories: /y/two, /z",
    ]);
  });

  test("DISC-008 a file that failed as a whole is named after its directory, with no naming error", async () => {
    const loaded = await load({
      ".haz/workspace.yml": 'projects: ["*"]\n',
      "a/haz.yml": "name: b\n",
      "b/haz.yml": "name: [\n",
      "bad name/haz.yml": "tags: {\n",
    });
    assert.deepEqual(config(loaded).projects.map((p) => [p.name, p.incomplete]), [
      ["b", false],
      ["b", true],
      ["bad name", true],
    ]);
    assert.deepEqual(loaded.diagnostics.map((d) => d.rule), ["CFG-001", "CFG-001"]);
  });

  test("DISC-009 overlay listing: byte order, dot files and directories silent, other names warned", async () => {
    const loaded = await load({
      ".haz/workspace.yml": "",
      ".haz/tasks/b.yml": 'tagsFilter: "*"\n',
      ".haz/tasks/B.yml": 'tagsFilter: "*"\n',
      ".haz/tasks/a.yml": { symlink: "b.yml" },
      ".haz/tasks/.swap.yml": "junk: [",
      ".haz/tasks/sub.yml/x.yml": "",
      ".haz/tasks/notes.txt": "",
      ".haz/tasks/dangling.yml": { symlink: "nowhere.yml" },
    });
    assert.deepEqual(config(loaded).overlays.map((overlay) => [overlay.stem, overlay.file]), [
      ["B", "/.haz/tasks/B.yml"],
      ["a", "/.haz/tasks/a.yml"],
      ["b", "/.haz/tasks/b.yml"],
    ]);
    assert.deepEqual(summary(loaded).filter((line) => line.includes("DISC-009")), [
      "warning DISC-009 ignoring .haz/tasks/dangling.yml: overlay files must be regular files @/.haz/tasks/dangling.yml:-",
      "warning DISC-009 ignoring .haz/tasks/notes.txt: overlay files must end in `.yml` @/.haz/tasks/notes.txt:-",
    ]);
  });

  test("DISC-011 no workspace or an unusable workspace.yml fails; other errors still load", async () => {
    const unparsable = await load({ ".haz/workspace.yml": "projects: [\n" });
    assert.ok("failed" in unparsable);
    assert.deepEqual(unparsable.diagnostics.map((d) => [d.rule, d.phase]), [["CFG-001", 2]]);
    const notMapping = await load({ ".haz/workspace.yml": "- a\n" });
    assert.ok("failed" in notMapping);
    assert.deepEqual(notMapping.diagnostics.map((d) => d.rule), ["CFG-002"]);
    const collected = await load({
      ".haz/workspace.yml": "projects: [a, b, missing]\noutput: {mode: x}\n",
      "a/haz.yml": "tasks: {t: {command: 1}}\n",
      "b/haz.yml": "tags: [bad.tag]\n",
    });
    assert.deepEqual(collected.diagnostics.map((d) => d.rule).sort(), [
      "CFG-004",
      "CFG-030",
      "DISC-005",
      "ID-001",
    ]);
    assert.deepEqual(dirs(collected), ["a", "b"]);
  });
});
