import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DENO_JSON_SOURCE,
  discoverCandidates,
  FOUND_DENO_JSON,
  FOUND_PACKAGE_JSON,
  PACKAGE_JSON_SOURCE,
  sourceSummary,
} from "../../lib/cli/init_candidates.ts";
import { parseJsonc } from "../../lib/util/jsonc.ts";
import { withWorkspaceFixture } from "../support/workspace_fixture.ts";

const PKG = "{}\n";

describe("§7.1 candidates from package.json workspaces", () => {
  test("§7.1 package.json workspaces: matching directories that hold a package.json", async () => {
    await withWorkspaceFixture({
      "package.json": JSON.stringify({ workspaces: ["packages/*", "tools/gen"] }),
      "packages/b/package.json": PKG,
      "packages/a/package.json": PKG,
      "packages/no-manifest/README.md": "x",
      "packages/a/nested/package.json": PKG,
      "tools/gen/package.json": PKG,
      "other/package.json": PKG,
    }, async (fixture) => {
      const found = await discoverCandidates(fixture.root);
      assert.deepEqual(found.candidates, [
        { path: "packages/a", source: PACKAGE_JSON_SOURCE },
        { path: "packages/b", source: PACKAGE_JSON_SOURCE },
        { path: "tools/gen", source: PACKAGE_JSON_SOURCE },
      ]);
      assert.deepEqual(found.warnings, []);
    });
  });

  test("§7.1 package.json workspaces: the object form with a packages array", async () => {
    await withWorkspaceFixture({
      "package.json": JSON.stringify({ workspaces: { packages: ["libs/**"], nohoist: ["x"] } }),
      "libs/one/package.json": PKG,
      "libs/deep/er/two/package.json": PKG,
      "libs/node_modules/dep/package.json": PKG,
      "libs/.cache/package.json": PKG,
    }, async (fixture) => {
      const found = await discoverCandidates(fixture.root);
      assert.deepEqual(found.candidates.map((candidate) => candidate.path), ["libs/deep/er/two", "libs/one"]);
    });
  });

  test("§7.1 package.json workspaces: !-prefixed globs exclude", async () => {
    await withWorkspaceFixture({
      "package.json": JSON.stringify({ workspaces: ["./packages/*/", "!packages/legacy*"] }),
      "packages/a/package.json": PKG,
      "packages/legacy/package.json": PKG,
      "packages/legacy-2/package.json": PKG,
    }, async (fixture) => {
      const found = await discoverCandidates(fixture.root);
      assert.deepEqual(found.candidates, [{ path: "packages/a", source: PACKAGE_JSON_SOURCE }]);
    });
  });

  test("§7.1 package.json workspaces: symlinked directories are not candidates", async () => {
    await withWorkspaceFixture({
      "package.json": JSON.stringify({ workspaces: ["packages/*"] }),
      "real/package.json": PKG,
      "packages/a/package.json": PKG,
      "packages/link": { symlink: "../real" },
    }, async (fixture) => {
      const found = await discoverCandidates(fixture.root);
      assert.deepEqual(found.candidates.map((candidate) => candidate.path), ["packages/a"]);
    });
  });

  test("§7.1 package.json that does not parse is reported as a warning and ignored", async () => {
    await withWorkspaceFixture({
      "package.json": "{ not json",
      "app/package.json": PKG,
    }, async (fixture) => {
      const found = await discoverCandidates(fixture.root);
      assert.equal(found.warnings.length, 1);
      assert.match(found.warnings[0], /^warning: could not parse package\.json: /);
      // Nothing declared, so the scan runs: `.` holds a package.json too.
      assert.deepEqual(found.candidates, [
        { path: ".", source: FOUND_PACKAGE_JSON },
        { path: "app", source: FOUND_PACKAGE_JSON },
      ]);
    });
  });
});

describe("§7.1 candidates from deno.json workspace", () => {
  test("§7.1 deno.json workspace: the member directories that exist", async () => {
    await withWorkspaceFixture({
      "deno.json": JSON.stringify({ workspace: ["./core", "./web", "./missing"] }),
      "core/mod.ts": "",
      "web": { directory: true },
    }, async (fixture) => {
      const found = await discoverCandidates(fixture.root);
      assert.deepEqual(found.candidates, [
        { path: "core", source: DENO_JSON_SOURCE },
        { path: "web", source: DENO_JSON_SOURCE },
      ]);
    });
  });

  test("§7.1 deno.jsonc workspace: the object form with members, comments and trailing commas", async () => {
    await withWorkspaceFixture({
      "deno.jsonc": '{\n  // members\n  "workspace": { "members": ["libs/a", /* b */ "libs/b",], },\n}\n',
      "libs/a": { directory: true },
      "libs/b": { directory: true },
    }, async (fixture) => {
      const found = await discoverCandidates(fixture.root);
      assert.deepEqual(found.candidates, [
        { path: "libs/a", source: DENO_JSON_SOURCE },
        { path: "libs/b", source: DENO_JSON_SOURCE },
      ]);
    });
  });

  test("§7.1 both manifests: de-duplicated, bytewise order, the package.json label kept", async () => {
    await withWorkspaceFixture({
      "package.json": JSON.stringify({ workspaces: ["a", "B"] }),
      "deno.json": JSON.stringify({ workspace: ["./a", "./c"] }),
      "a/package.json": PKG,
      "B/package.json": PKG,
      "c": { directory: true },
    }, async (fixture) => {
      const found = await discoverCandidates(fixture.root);
      assert.deepEqual(found.candidates, [
        { path: "B", source: PACKAGE_JSON_SOURCE },
        { path: "a", source: PACKAGE_JSON_SOURCE },
        { path: "c", source: DENO_JSON_SOURCE },
      ]);
      assert.equal(sourceSummary(found.candidates), `${PACKAGE_JSON_SOURCE}, ${DENO_JSON_SOURCE}`);
    });
  });
});

describe("§7.1 candidates from the depth 0..3 scan", () => {
  test("§7.1 scan: depth 0..3, labels, and the excluded directories", async () => {
    await withWorkspaceFixture({
      "package.json": JSON.stringify({ name: "root" }),
      "one/deno.json": "{}",
      "one/two/deno.jsonc": "{}",
      "one/two/three/package.json": PKG,
      "one/two/three/four/package.json": PKG,
      "both/package.json": PKG,
      "both/deno.json": "{}",
      "node_modules/dep/package.json": PKG,
      ".git/x/package.json": PKG,
      ".haz/y/package.json": PKG,
      ".hidden/package.json": PKG,
      "target/package.json": PKG,
      "linked": { symlink: "target" },
      "plain/README.md": "",
    }, async (fixture) => {
      const found = await discoverCandidates(fixture.root);
      assert.deepEqual(found.candidates, [
        { path: ".", source: FOUND_PACKAGE_JSON },
        { path: "both", source: FOUND_PACKAGE_JSON },
        { path: "one", source: FOUND_DENO_JSON },
        { path: "one/two", source: FOUND_DENO_JSON },
        { path: "one/two/three", source: FOUND_PACKAGE_JSON },
        { path: "target", source: FOUND_PACKAGE_JSON },
      ]);
      assert.equal(sourceSummary(found.candidates), `${FOUND_PACKAGE_JSON}, ${FOUND_DENO_JSON}`);
    });
  });

  test("§7.1 scan runs when the declared workspaces match nothing", async () => {
    await withWorkspaceFixture({
      "package.json": JSON.stringify({ workspaces: ["packages/*"] }),
      "apps/web/package.json": PKG,
    }, async (fixture) => {
      const found = await discoverCandidates(fixture.root);
      assert.deepEqual(found.candidates, [
        { path: ".", source: FOUND_PACKAGE_JSON },
        { path: "apps/web", source: FOUND_PACKAGE_JSON },
      ]);
    });
  });

  test("§7.1 scan does not run when a manifest declares candidates", async () => {
    await withWorkspaceFixture({
      "deno.json": JSON.stringify({ workspace: ["./core"] }),
      "core": { directory: true },
      "apps/web/package.json": PKG,
    }, async (fixture) => {
      const found = await discoverCandidates(fixture.root);
      assert.deepEqual(found.candidates, [{ path: "core", source: DENO_JSON_SOURCE }]);
    });
  });

  test("§7.1 an empty directory has no candidates", async () => {
    await withWorkspaceFixture({}, async (fixture) => {
      assert.deepEqual(await discoverCandidates(fixture.root), { candidates: [], warnings: [] });
    });
  });
});

describe("JSONC reading of deno.json(c)", () => {
  test("§7.1 JSONC keeps comment markers inside strings", () => {
    assert.deepEqual(parseJsonc('{"a": "// not a comment", "b": "/* nor */", "c": ",]"}'), {
      ok: true,
      value: { a: "// not a comment", b: "/* nor */", c: ",]" },
    });
  });

  test("§7.1 JSONC rejects broken documents as a value", () => {
    const parsed = parseJsonc('{"a": ');
    assert.equal(parsed.ok, false);
  });
});
