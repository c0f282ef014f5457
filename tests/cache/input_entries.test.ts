import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { FileObservations } from "../../lib/cache/file_observations.ts";
import { buildCacheKey, buildCacheKeyNow, type KeyRequest, type KeyResult } from "../../lib/cache/key.ts";
import type { TaskDefinition } from "../../lib/domain/workspace.ts";
import { cacheTask, keyRequestFor } from "../support/cache_fixtures.ts";
import { createWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";

const LINUX = { os: "linux", arch: "x64" };

const MANY = Array.from({ length: 40 }, (_, index) => `many/f${String(index).padStart(2, "0")}`);

/** Inputs as an imported workspace writes them: overlapping, nested, repeated across contributions. */
const CASES: readonly (readonly string[])[] = [
  ["src/**"],
  ["src/**", "src/*.ts", "src/a.ts", "/web/src/a.ts"],
  ["**", "!**/node_modules/**", "!dist/**"],
  ["src/x{,/**}", "package.json", "turbo.json{,/**}", "/other/src/x{,/**}", "/other/package.json"],
  ["/other/**", "src/**", "!/other/src/o.ts", "package.json"],
  ["src/{a,b}.ts", "!src/b.ts", "/**/*.js", "!**/node_modules/**"],
  ["src/**", "src/**/*.ts", "!src/deep/**", "src/deep/c.ts"],
  ["src/lib/s.ts", "src/lib{,/**}", "src/**", "/shared/**"],
  ["/other/package.json", "/package.json", "src/x{,/**}", "/other/src/x{,/**}", "package.json"],
  ["src/\u{1D4B3}.ts", "src/\uFF5A.ts", "src/*.ts", "/other/**"],
  ["src/**", "/web/src/**", "!src/a.ts", "src/a.ts"],
  // Disjoint ranges far out of order: the insertion sort gives up and the general sort takes over.
  MANY.toReversed(),
  [...MANY.slice(20), "/package.json", ...MANY.slice(0, 20), "src/x{,/**}"],
  // Out of order (an imported task's own package first): disjoint, and overlapping ranges whose
  // first paths sort before or after the range they overlap.
  [
    "src/x{,/**}",
    "package.json",
    "turbo.json{,/**}",
    "/other/package.json",
    "/other/src/x{,/**}",
    "/package.json",
  ],
  ["package.json", "/other/src/o.ts", "/other/**"],
  ["/other/src/x{,/**}", "/package.json", "package.json", "/other/**"],
];

describe("CACHE-009 keys from input entries shared by the tasks of a run", () => {
  let fixture: WorkspaceFixture;
  before(async () => {
    fixture = await createWorkspaceFixture({
      "package.json": "{}",
      "web/src/a.ts": "a",
      "web/src/b.ts": "b",
      "web/src/x": "x",
      "web/src/deep/c.ts": "c",
      // U+1D4B3 (a surrogate pair) sorts before U+FF5A in UTF-16 units, after it in bytes.
      "web/src/\u{1D4B3}.ts": "script x",
      "web/src/\uFF5A.ts": "fullwidth z",
      "web/node_modules/x/index.js": "x",
      "web/dist/out.js": "out",
      "web/package.json": "{}",
      "web/turbo.json": "{}",
      "web/src/lib": { symlink: "../../shared" },
      "shared/s.ts": "s",
      "other/src/o.ts": "o",
      "other/src/x/inner.ts": "inner",
      "other/package.json": "{}",
      ...Object.fromEntries(MANY.map((path) => [`web/${path}`, path])),
    });
  });
  after(async () => await fixture.remove());

  function request(task: TaskDefinition, observations?: FileObservations): KeyRequest {
    return { ...keyRequestFor(fixture.root, task, observations), platform: LINUX };
  }

  function comparable(result: KeyResult | null) {
    assert.ok(result !== null && result.ok, result === null || result.ok ? "no result" : result.message);
    return { key: result.key, inputs: result.inputs.map(({ path, digest }) => ({ path, digest })) };
  }

  test("CACHE-006 nested, overlapping, excluded, repeated and symlinked inputs give the reference key", async () => {
    const observations = new FileObservations();
    const tasks = CASES.map((inputs, index) => cacheTask({ project: "web", name: `t${index}`, inputs }));
    // Twice, the second time in the opposite order: entries computed for one task serve the others.
    for (const round of [tasks, [...tasks].reverse()]) {
      for (const task of round) {
        const reference = comparable(await buildCacheKey(request(task)));
        const shared = comparable(await buildCacheKey(request(task, observations)));
        assert.deepEqual(shared, reference, task.key);
        assert.deepEqual(comparable(buildCacheKeyNow(request(task, observations))), reference, task.key);
      }
    }
  });

  test("CACHE-006 the byte order of paths, not UTF-16 order, orders the shared entries", async () => {
    const observations = new FileObservations();
    const task = cacheTask({ project: "web", inputs: ["src/\uFF5A.ts", "src/\u{1D4B3}.ts", "src/a.ts"] });
    const shared = comparable(await buildCacheKey(request(task, observations)));
    assert.deepEqual(shared.inputs.map((input) => input.path), [
      "/web/src/a.ts",
      "/web/src/\uFF5A.ts",
      "/web/src/\u{1D4B3}.ts",
    ]);
    assert.equal(shared.key, comparable(await buildCacheKey(request(task))).key);
  });

  test("CACHE-029 a missing literal fails with the reference message and is not remembered as present", async () => {
    const observations = new FileObservations();
    const task = cacheTask({ project: "web", inputs: ["src/**", "missing.json"] });
    const reference = await buildCacheKey(request(task));
    assert.deepEqual(reference, { ok: false, message: "input `/web/missing.json` does not exist" });
    assert.deepEqual(await buildCacheKey(request(task, observations)), reference);
    assert.equal(buildCacheKeyNow(request(task, observations)), null);
  });

  test("CACHE-020 a write below an inclusion's walk forgets its entries; entries elsewhere are kept", async () => {
    const observations = new FileObservations();
    const sources = cacheTask({ project: "web", name: "sources", inputs: ["src/**", "package.json"] });
    const outputs = cacheTask({ project: "web", name: "outputs", inputs: ["dist/**"] });
    const before = comparable(await buildCacheKey(request(sources, observations)));
    await buildCacheKey(request(outputs, observations));
    await writeFile(join(fixture.root, "web", "dist", "restored.js"), "r");
    try {
      observations.forgetAround([join(fixture.root, "web", "dist", "restored.js")]);
      assert.deepEqual(comparable(buildCacheKeyNow(request(sources, observations))), before);
      assert.equal(buildCacheKeyNow(request(outputs, observations)), null);
      const after = comparable(await buildCacheKey(request(outputs, observations)));
      assert.ok(after.inputs.some((input) => input.path === "/web/dist/restored.js"));
      assert.deepEqual(after, comparable(await buildCacheKey(request(outputs))));
    } finally {
      await rm(join(fixture.root, "web", "dist", "restored.js"));
    }
  });

  test("CACHE-020 a changed input is seen after the run forgets, with the reference key", async () => {
    const observations = new FileObservations();
    const task = cacheTask({ project: "web", inputs: ["src/x{,/**}", "src/*.ts", "/other/**"] });
    const before = comparable(await buildCacheKey(request(task, observations)));
    await writeFile(join(fixture.root, "web", "src", "a.ts"), "changed");
    try {
      assert.deepEqual(comparable(buildCacheKeyNow(request(task, observations))), before);
      observations.forgetAround([join(fixture.root, "web", "src", "a.ts")]);
      const after = comparable(await buildCacheKey(request(task, observations)));
      assert.notEqual(after.key, before.key);
      assert.deepEqual(after, comparable(await buildCacheKey(request(task))));
    } finally {
      await writeFile(join(fixture.root, "web", "src", "a.ts"), "a");
    }
  });
});
