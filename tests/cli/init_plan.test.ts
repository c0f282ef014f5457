import assert from "node:assert/strict";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { describe, test } from "node:test";
import { createFileDurably } from "../../lib/cli/init_atomic_write.ts";
import { hazYmlContent, workspaceYmlContent, yamlScalar } from "../../lib/cli/init_contents.ts";
import { buildInitPlan, commitInitPlan, describePlan, type PlannedProject } from "../../lib/cli/init_plan.ts";
import { withWorkspaceFixture } from "../support/workspace_fixture.ts";

function project(path: string, name: string, hasHazYml = false): PlannedProject {
  return { path, name, basename: path === "." ? "root" : path.slice(path.lastIndexOf("/") + 1), hasHazYml };
}

/** Every file below `dir`, as sorted relative paths. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile())
    .map((entry) => `${entry.parentPath ?? (entry as unknown as { path: string }).path}/${entry.name}`)
    .map((path) => path.slice(dir.length + 1))
    .sort();
}

describe("§7.1 Contents", () => {
  test("§7.1 Contents: a new haz.yml is `tasks: {}`, with `name:` only when it differs from the basename", () => {
    assert.equal(hazYmlContent("core", "core"), "tasks: {}\n");
    assert.equal(hazYmlContent("my-app", "my app"), "name: my-app\ntasks: {}\n");
    assert.equal(hazYmlContent("2024", "x"), 'name: "2024"\ntasks: {}\n');
  });

  test("§7.1 Contents: workspace.yml lists the projects in bytewise order, quoting unusual paths", () => {
    assert.equal(workspaceYmlContent([]), "projects: []\n");
    assert.equal(
      workspaceYmlContent(["packages/b", ".", "my app", "B", "-dash", "a.b/c_d-e", "naïve"]),
      'projects:\n  - "-dash"\n  - .\n  - B\n  - a.b/c_d-e\n  - "my app"\n  - "naïve"\n  - packages/b\n',
    );
  });

  test("§7.1 Contents: plain paths that YAML would not read back as the same string are quoted", () => {
    assert.equal(yamlScalar("2024"), '"2024"');
    assert.equal(yamlScalar("true"), '"true"');
    assert.equal(yamlScalar("null"), '"null"');
    assert.equal(yamlScalar("packages/x"), "packages/x");
    assert.equal(yamlScalar('a"b'), '"a\\"b"');
  });
});

describe("AUX-005 plan", () => {
  test("AUX-005 the plan block of §7.1, word for word", () => {
    const plan = buildInitPlan([
      project("tools/release", "release", true),
      project("packages/web", "web"),
      project("packages/core", "core"),
    ]);
    assert.equal(
      describePlan(plan),
      [
        "Will write:",
        "  packages/core/haz.yml",
        "  packages/web/haz.yml",
        "  .haz/workspace.yml (3 projects)",
        "Will keep:",
        "  tools/release/haz.yml",
        "",
      ].join("\n"),
    );
  });

  test("AUX-005 without projects the plan writes an empty workspace", () => {
    const plan = buildInitPlan([]);
    assert.equal(describePlan(plan), "Will write:\n  .haz/workspace.yml (0 projects)\n");
    assert.equal(plan.workspaceFile.content, "projects: []\n");
    assert.equal(describePlan(buildInitPlan([project("a", "a")])).includes("(1 project)"), true);
  });

  test("AUX-006 new haz.yml files are planned in bytewise path order", () => {
    const plan = buildInitPlan([
      project("b", "b"),
      project(".", "root"),
      project("B", "B"),
      project("a/x", "x"),
    ]);
    assert.deepEqual(plan.newProjectFiles.map((file) => file.path), [
      "B/haz.yml",
      "a/x/haz.yml",
      "b/haz.yml",
      "haz.yml",
    ]);
  });
});

describe("AUX-006 commit", () => {
  test("AUX-006 writes the new haz.yml files, then .haz/workspace.yml, and keeps existing files", async () => {
    await withWorkspaceFixture({
      "packages/a": { directory: true },
      "my app": { directory: true },
      "packages/b/haz.yml": "name: bee\n",
    }, async (fixture) => {
      const plan = buildInitPlan([
        project("packages/b", "bee", true),
        project("packages/a", "a"),
        project("my app", "my-app"),
      ]);
      const result = await commitInitPlan(fixture.root, plan);
      assert.deepEqual(result, {
        written: ["my app/haz.yml", "packages/a/haz.yml", ".haz/workspace.yml"],
        failure: null,
      });
      assert.equal(await readFile(fixture.path("packages/a/haz.yml"), "utf8"), "tasks: {}\n");
      assert.equal(await readFile(fixture.path("my app/haz.yml"), "utf8"), "name: my-app\ntasks: {}\n");
      assert.equal(await readFile(fixture.path("packages/b/haz.yml"), "utf8"), "name: bee\n");
      assert.equal(
        await readFile(fixture.path(".haz/workspace.yml"), "utf8"),
        'projects:\n  - "my app"\n  - packages/a\n  - packages/b\n',
      );
      // No temp file is left next to what was written.
      assert.deepEqual(await listFiles(fixture.root), [
        ".haz/workspace.yml",
        "my app/haz.yml",
        "packages/a/haz.yml",
        "packages/b/haz.yml",
      ]);
    });
  });

  test("AUX-006 a failed haz.yml write stops before workspace.yml, so no project is listed without its file", async () => {
    await withWorkspaceFixture({
      "a": { directory: true },
      "b/haz.yml": { directory: true },
      "c": { directory: true },
    }, async (fixture) => {
      const plan = buildInitPlan([project("a", "a"), project("b", "b"), project("c", "c")]);
      const result = await commitInitPlan(fixture.root, plan);
      assert.deepEqual(result, {
        written: ["a/haz.yml"],
        failure: { path: "b/haz.yml", reason: "file already exists" },
      });
      assert.deepEqual(await listFiles(fixture.root), ["a/haz.yml"]);
      await assert.rejects(stat(fixture.path(".haz")));
    });
  });

  test("AUX-006 a .haz that is not a directory fails after the haz.yml files", async () => {
    await withWorkspaceFixture({ ".haz": "not a directory", "a": { directory: true } }, async (fixture) => {
      const result = await commitInitPlan(fixture.root, buildInitPlan([project("a", "a")]));
      assert.deepEqual(result, {
        written: ["a/haz.yml"],
        failure: { path: ".haz/", reason: "not a directory" },
      });
    });
  });

  test("AUX-006 an existing file is never overwritten", async () => {
    await withWorkspaceFixture({ "x/haz.yml": "mine\n" }, async (fixture) => {
      const outcome = await createFileDurably(fixture.path("x/haz.yml"), "tasks: {}\n");
      assert.deepEqual(outcome, { ok: false, reason: "file already exists" });
      assert.equal(await readFile(fixture.path("x/haz.yml"), "utf8"), "mine\n");
      assert.deepEqual(await readdir(fixture.path("x")), ["haz.yml"]);
    });
  });

  test("AUX-006 a missing target directory is a failure value with a short reason", async () => {
    await withWorkspaceFixture({}, async (fixture) => {
      const outcome = await createFileDurably(fixture.path("gone/haz.yml"), "tasks: {}\n");
      assert.deepEqual(outcome, { ok: false, reason: "no such file or directory" });
    });
  });

  test("AUX-006 an existing .haz directory is reused", async () => {
    await withWorkspaceFixture({ ".haz/cache/x": "" }, async (fixture) => {
      await mkdir(fixture.path(".haz/tasks"));
      await writeFile(fixture.path(".haz/tasks/t.yml"), "");
      const result = await commitInitPlan(fixture.root, buildInitPlan([]));
      assert.deepEqual(result, { written: [".haz/workspace.yml"], failure: null });
      assert.equal(await readFile(fixture.path(".haz/workspace.yml"), "utf8"), "projects: []\n");
    });
  });
});
