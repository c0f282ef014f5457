import assert from "node:assert/strict";
import { basename } from "node:path";
import { test } from "node:test";
import { hazYmlPath, nameAnswerProblem, nameCandidates } from "../../lib/cli/init_names.ts";
import { withWorkspaceFixture } from "../support/workspace_fixture.ts";

const SOURCE = "found package.json";

function candidates(...paths: string[]) {
  return paths.map((path) => ({ path, source: SOURCE }));
}

test("ID-005 new candidates are named after their basename, rewritten", async () => {
  await withWorkspaceFixture({}, async (fixture) => {
    const naming = await nameCandidates(fixture.root, candidates("apps/My App!", "tools/.config", "x/__y__"));
    assert.ok(naming.ok);
    assert.deepEqual(
      naming.candidates.map((candidate) => [candidate.path, candidate.basename, candidate.name]),
      [["apps/My App!", "My App!", "My-App"], ["tools/.config", ".config", "config"], [
        "x/__y__",
        "__y__",
        "y__",
      ]],
    );
    assert.ok(naming.candidates.every((candidate) => !candidate.hasHazYml));
  });
});

test("ID-005 `.` is named after the basename of <dir>", async () => {
  await withWorkspaceFixture({}, async (fixture) => {
    const naming = await nameCandidates(fixture.root, candidates("."));
    assert.ok(naming.ok);
    assert.equal(naming.candidates[0].basename, basename(fixture.root));
    assert.equal(naming.candidates[0].name, basename(fixture.root).replace(/[^A-Za-z0-9_-]+/g, "-"));
  });
});

test("§7.1 Names: an empty derivation leaves the name to be asked", async () => {
  await withWorkspaceFixture({}, async (fixture) => {
    const naming = await nameCandidates(fixture.root, candidates("日本", "---"));
    assert.ok(naming.ok);
    assert.deepEqual(naming.candidates.map((candidate) => candidate.name), [null, null]);
  });
});

test("§7.1 Names: an existing haz.yml keeps the name it declares, or its basename", async () => {
  await withWorkspaceFixture({
    "a/haz.yml": "name: alpha\ntasks: {}\n",
    "b c/haz.yml": "tasks: {}\n",
    "d/haz.yml": "name: [broken\n",
  }, async (fixture) => {
    const naming = await nameCandidates(fixture.root, candidates("a", "b c", "d"));
    assert.ok(naming.ok);
    assert.deepEqual(
      naming.candidates.map((candidate) => [candidate.name, candidate.hasHazYml]),
      [["alpha", true], ["b c", true], ["d", true]],
    );
  });
});

test("§7.1 Names: a duplicate derivation is asked, existing names are taken first", async () => {
  await withWorkspaceFixture({
    "z/web/haz.yml": "tasks: {}\n",
    "x/core/haz.yml": "name: api\n",
  }, async (fixture) => {
    const naming = await nameCandidates(
      fixture.root,
      candidates("a/web", "b/api", "c/core", "d/core", "x/core", "z/web"),
    );
    assert.ok(naming.ok);
    assert.deepEqual(
      naming.candidates.map((candidate) => candidate.name),
      [null, null, "core", null, "api", "web"],
    );
  });
});

test("§7.1 Names: two existing haz.yml files declaring the same name are an error listing both", async () => {
  await withWorkspaceFixture({
    "a/haz.yml": "name: shared\n",
    "b/haz.yml": "name: shared\n",
    "c/shared/haz.yml": "tasks: {}\n",
    "d/haz.yml": "name: d\n",
  }, async (fixture) => {
    const naming = await nameCandidates(fixture.root, candidates("a", "b", "c/shared", "d"));
    assert.ok(!naming.ok);
    assert.deepEqual(naming.errorLines, [
      "error: existing haz.yml files declare the same project name `shared`: a/haz.yml, b/haz.yml, c/shared/haz.yml",
      "help: give each of them a distinct `name:`, then run `haz init` again",
    ]);
  });
});

test("§7.1 Names: an answer must be a valid identifier not yet used", () => {
  const used = new Set(["web"]);
  assert.equal(nameAnswerProblem("web", used), "name `web` is already used");
  assert.equal(nameAnswerProblem("", used), "name is empty");
  assert.equal(
    nameAnswerProblem("a b", used),
    "name `a b` contains ` `; allowed are ASCII letters, digits, `_` and `-`",
  );
  assert.equal(nameAnswerProblem("-x", used), "name `-x` must start with an ASCII letter or digit");
  assert.equal(nameAnswerProblem("web2", used), null);
});

test("§7.1 Names: haz.yml paths are relative to <dir>", () => {
  assert.equal(hazYmlPath("."), "haz.yml");
  assert.equal(hazYmlPath("packages/a"), "packages/a/haz.yml");
});
