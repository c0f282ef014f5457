import assert from "node:assert/strict";
import { lstat, mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { clearCache } from "../../lib/cache/clear.ts";
import { sha256 } from "../../lib/cache/hash_algorithm.ts";
import { openCache } from "../../lib/cache/local_cache.ts";
import { systemClock } from "../../lib/util/system_clock.ts";
import { captureAndStore, lockPath, W1_FILES, W1_HELLO, W1_HELLO_KEY } from "../support/cache_fixtures.ts";
import { withWorkspaceFixture } from "../support/workspace_fixture.ts";

const FILES = { ...W1_FILES, "app/out.txt": "hello\n" };

describe("AUX-029 haz cache clear", () => {
  test("AUX-029 clears the cache, then reports nothing to clear (acceptance 34)", async () => {
    await withWorkspaceFixture(FILES, async (fixture) => {
      const cache = openCache({ workspaceRoot: fixture.root, hash: sha256, clock: systemClock(0) });
      const stored = await captureAndStore(cache, {
        task: W1_HELLO,
        key: W1_HELLO_KEY,
        outputs: ["/app/out.txt"],
      });
      assert.ok(stored.ok);
      assert.deepEqual(await clearCache(fixture.root), { text: "cleared .haz/cache\n", error: null });
      await assert.rejects(lstat(fixture.path(".haz/cache")), { code: "ENOENT" });
      assert.deepEqual(await cache.lookup(W1_HELLO_KEY, W1_HELLO), { kind: "miss", state: "no entry" });
      assert.deepEqual(await clearCache(fixture.root), {
        text: "nothing to clear: .haz/cache does not exist\n",
        error: null,
      });
      assert.ok((await lstat(fixture.path(".haz/workspace.yml"))).isFile(), "only the cache is removed");
    });
  });

  test("AUX-029 a symlink at .haz/cache is itself removed, its target kept", async () => {
    await withWorkspaceFixture({ ...FILES, "elsewhere/keep.txt": "keep" }, async (fixture) => {
      await symlink(fixture.path("elsewhere"), fixture.path(".haz/cache"));
      assert.deepEqual(await clearCache(fixture.root), { text: "cleared .haz/cache\n", error: null });
      await assert.rejects(lstat(fixture.path(".haz/cache")), { code: "ENOENT" });
      assert.equal(await readFile(fixture.path("elsewhere/keep.txt"), "utf8"), "keep");
    });
  });

  test("AUX-029 links inside the cache are not followed", async () => {
    await withWorkspaceFixture({ ...FILES, "elsewhere/keep.txt": "keep" }, async (fixture) => {
      await mkdir(fixture.path(".haz/cache/ab"), { recursive: true });
      await symlink(fixture.path("elsewhere"), fixture.path(".haz/cache/ab/link"));
      assert.equal((await clearCache(fixture.root)).error, null);
      assert.equal(await readFile(fixture.path("elsewhere/keep.txt"), "utf8"), "keep");
    });
  });

  test("AUX-029 a removal failure is an error line naming the path", async (t) => {
    await withWorkspaceFixture(FILES, async (fixture) => {
      await mkdir(fixture.path(".haz/cache/ab"), { recursive: true });
      const stuck = join(fixture.path(".haz/cache/ab"), "stuck");
      await writeFile(stuck, "x");
      const lock = await lockPath(stuck, { directory: false });
      if (lock === null) return t.skip("cannot make a file undeletable here");
      let result;
      try {
        result = await clearCache(fixture.root);
      } finally {
        await lock.release();
      }
      assert.equal(result.text, "");
      assert.match(
        result.error ?? "",
        /^error: cache clear: could not remove \.haz\/cache\/ab\/stuck: .+\n$/,
      );
    });
  });
});
