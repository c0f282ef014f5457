import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { FileObservations } from "../../lib/cache/file_observations.ts";
import { enumerateInputs } from "../../lib/cache/file_walk.ts";
import { buildCacheKey } from "../../lib/cache/key.ts";
import { webInputPatterns } from "../support/input_patterns.ts";
import { createWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";
import { cacheTask, keyRequestFor } from "../support/cache_fixtures.ts";

/** The same enumeration with direct reads and through shared observations. */
async function bothWays(root: string, observations: FileObservations, texts: readonly string[]) {
  const { inclusions, exclusions } = webInputPatterns(texts);
  const direct = await enumerateInputs(root, inclusions, exclusions);
  const shared = await enumerateInputs(root, inclusions, exclusions, observations);
  return { direct, shared };
}

describe("CACHE-006 inputs shared by the tasks of one run", () => {
  let fixture: WorkspaceFixture;
  before(async () => {
    fixture = await createWorkspaceFixture({
      "web/src/a.ts": "a",
      "web/src/b.ts": "b",
      "web/src/deep/c.ts": "c",
      "web/node_modules/x/index.js": "x",
      "web/dist/out.js": "out",
      "web/package.json": "{}",
      "web/src/lib": { symlink: "../../shared" },
      "shared/s.ts": "s",
      "other/src/o.ts": "o",
    });
  });
  after(async () => await fixture.remove());

  test("PATH-021 every inclusion and exclusion mix enumerates exactly as the direct walk", async () => {
    const observations = new FileObservations();
    const cases: string[][] = [
      ["src/**"],
      ["**", "!**/node_modules/**", "!dist/**"],
      ["src/x{,/**}", "package.json", "src/*.ts"],
      ["**/*.ts", "!src/deep"],
      ["/other/**", "src/**", "!/other/src/o.ts"],
      ["src/{a,b}.ts", "!src/b.ts", "/**/*.js", "!**/node_modules/**"],
      ["src/**", "src/**/*.ts", "!src/deep/**"],
    ];
    // Twice: the second round is served from what the first observed.
    for (let round = 0; round < 2; round++) {
      for (const texts of cases) {
        const { direct, shared } = await bothWays(fixture.root, observations, texts);
        assert.deepEqual(shared, direct, texts.join(" "));
      }
    }
  });

  test("PATH-020 a missing literal fails with the same message either way", async () => {
    const observations = new FileObservations();
    const { direct, shared } = await bothWays(fixture.root, observations, [
      "src/**",
      "missing.json",
      "a.json",
    ]);
    assert.equal(direct.ok, false);
    assert.deepEqual(shared, direct);
  });

  test("CACHE-006 what a run observed is kept until it is forgotten, then read again", async () => {
    const observations = new FileObservations();
    const { inclusions, exclusions } = webInputPatterns(["src/**"]);
    const before = await enumerateInputs(fixture.root, inclusions, exclusions, observations);
    await writeFile(join(fixture.root, "web", "src", "new.ts"), "new");
    try {
      const cached = await enumerateInputs(fixture.root, inclusions, exclusions, observations);
      assert.deepEqual(cached, before);
      observations.forget();
      const fresh = await enumerateInputs(fixture.root, inclusions, exclusions, observations);
      assert.ok(fresh.ok && fresh.files.some((file) => file.path === "/web/src/new.ts"));
    } finally {
      await rm(join(fixture.root, "web", "src", "new.ts"));
    }
  });

  test("CACHE-003 a key derived through observations equals the direct key, and follows a change after forget", async () => {
    const observations = new FileObservations();
    const task = cacheTask({
      project: "web",
      name: "build",
      inputs: ["src/**", "package.json", "!src/deep/**"],
    });
    const request = keyRequestFor(fixture.root, task);
    const direct = await buildCacheKey(request);
    const shared = await buildCacheKey({ ...request, observations });
    const again = await buildCacheKey({ ...request, observations });
    assert.ok(direct.ok && shared.ok && again.ok);
    assert.equal(shared.key, direct.key);
    assert.equal(again.key, direct.key);
    await writeFile(join(fixture.root, "web", "src", "a.ts"), "changed");
    try {
      observations.forget();
      const changed = await buildCacheKey({ ...request, observations });
      const changedDirect = await buildCacheKey(request);
      assert.ok(changed.ok && changedDirect.ok);
      assert.notEqual(changed.key, direct.key);
      assert.equal(changed.key, changedDirect.key);
    } finally {
      await writeFile(join(fixture.root, "web", "src", "a.ts"), "a");
    }
  });
  test("CACHE-020 a restore's outputs are read afresh; answers elsewhere are kept", async () => {
    const observations = new FileObservations();
    const sources = webInputPatterns(["src/**"]);
    const outputs = webInputPatterns(["dist/**"]);
    const sourcesBefore = await enumerateInputs(fixture.root, sources.inclusions, [], observations);
    await enumerateInputs(fixture.root, outputs.inclusions, [], observations);
    await writeFile(join(fixture.root, "web", "dist", "restored.js"), "r");
    await writeFile(join(fixture.root, "web", "src", "later.ts"), "l");
    try {
      observations.forgetAround([join(fixture.root, "web", "dist")]);
      const outputsAfter = await enumerateInputs(fixture.root, outputs.inclusions, [], observations);
      assert.ok(outputsAfter.ok && outputsAfter.files.some((file) => file.path === "/web/dist/restored.js"));
      // Not below, not above the restored path: still the answer of before.
      assert.deepEqual(
        await enumerateInputs(fixture.root, sources.inclusions, [], observations),
        sourcesBefore,
      );
    } finally {
      await rm(join(fixture.root, "web", "dist", "restored.js"));
      await rm(join(fixture.root, "web", "src", "later.ts"));
    }
  });

  test("CACHE-020 an input reached through a symlink makes any write forget everything", async () => {
    const observations = new FileObservations();
    const task = cacheTask({ project: "web", name: "build", inputs: ["src/lib/s.ts"] });
    const request = keyRequestFor(fixture.root, task, observations);
    const before = await buildCacheKey(request);
    await writeFile(join(fixture.root, "shared", "s.ts"), "changed through the link");
    try {
      observations.forgetAround([join(fixture.root, "other", "dist")]);
      const after = await buildCacheKey(request);
      assert.ok(before.ok && after.ok);
      assert.notEqual(after.key, before.key);
    } finally {
      await writeFile(join(fixture.root, "shared", "s.ts"), "s");
    }
  });
});
