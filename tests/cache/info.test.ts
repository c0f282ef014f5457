import assert from "node:assert/strict";
import { chmod, lstat } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { cacheInfo, renderCacheInfo } from "../../lib/cache/info.ts";
import { formatByteAmount } from "../../lib/domain/size.ts";
import {
  canDenyReads,
  MIXED_FILES,
  regularFileBytes,
  treeSnapshot,
  withMixedCache,
} from "../support/cache_fixtures.ts";
import { withWorkspaceFixture } from "../support/workspace_fixture.ts";

describe("AUX-019..021 haz cache info", () => {
  test("AUX-020 an absent root prints (absent) and zeros, and stays absent (acceptance 35)", async () => {
    await withWorkspaceFixture(MIXED_FILES, async (fixture) => {
      const result = await cacheInfo(fixture.root, "sha256");
      assert.ok(result.ok);
      if (!result.ok) return;
      assert.equal(
        renderCacheInfo(result.info, false),
        [
          "cache root: .haz/cache (absent)",
          "active hash: sha256",
          "entries: 0 (0 valid, 0 schema mismatch, 0 corrupt)",
          "valid by hash: none",
          "orphan dirs: 0 store, 0 restore",
          "total size: 0 bytes (0 B)",
          "",
        ].join("\n"),
      );
      assert.deepEqual(JSON.parse(renderCacheInfo(result.info, true)), {
        cache_root: ".haz/cache",
        exists: false,
        active_hash: "sha256",
        entries: { total: 0, valid: 0, schema_mismatch: 0, corrupt: 0 },
        valid_by_hash: {},
        orphans: { store: 0, restore: 0 },
        total_bytes: 0,
        remote: null,
      });
      await assert.rejects(lstat(fixture.path(".haz/cache")), { code: "ENOENT" });
    });
  });

  test("AUX-020 a mixed cache is counted exactly and left unchanged (acceptance 35)", async () => {
    await withMixedCache(async (fixture) => {
      const cacheDir = fixture.path(".haz/cache");
      const before = await treeSnapshot(cacheDir);
      const result = await cacheInfo(fixture.root, "blake3");
      assert.ok(result.ok);
      if (!result.ok) return;
      const total = await regularFileBytes(cacheDir);
      assert.equal(
        renderCacheInfo(result.info, false),
        [
          "cache root: .haz/cache",
          "active hash: blake3",
          "entries: 5 (3 valid, 1 schema mismatch, 1 corrupt)",
          "valid by hash: blake3 1, sha256 2",
          "orphan dirs: 1 store, 1 restore",
          `total size: ${formatByteAmount(total)}`,
          "",
        ].join("\n"),
      );
      const json = renderCacheInfo(result.info, true);
      assert.equal(
        json,
        JSON.stringify(
          {
            cache_root: ".haz/cache",
            exists: true,
            active_hash: "blake3",
            entries: { total: 5, valid: 3, schema_mismatch: 1, corrupt: 1 },
            valid_by_hash: { blake3: 1, sha256: 2 },
            orphans: { store: 1, restore: 1 },
            total_bytes: total,
            remote: null,
          },
          null,
          2,
        ) + "\n",
      );
      assert.deepEqual(await treeSnapshot(cacheDir), before);
    });
  });

  test("AUX-019 non-directories, bad names and a manifest-less entry are corrupt (acceptance 26)", async () => {
    await withMixedCache(async (fixture) => {
      await fixture.write({
        ".haz/cache/11/not-a-key": "x",
        ".haz/cache/12/ab00000000000000000000000000000000000000000000000000000000000000/manifest.json": "{}",
        ".haz/cache/13/1300000000000000000000000000000000000000000000000000000000000000": { directory: true },
      });
      const result = await cacheInfo(fixture.root, "sha256");
      assert.ok(result.ok);
      if (!result.ok) return;
      assert.deepEqual(result.info.entries, { total: 8, valid: 3, schemaMismatch: 1, corrupt: 4 });
    });
  });

  test("AUX-021 an unreadable shard is a read error line", async (t) => {
    if (!canDenyReads()) return t.skip("root can read every directory");
    await withMixedCache(async (fixture) => {
      const shard = join(fixture.path(".haz/cache"), "11");
      await chmod(shard, 0);
      try {
        const result = await cacheInfo(fixture.root, "sha256");
        assert.equal(result.ok, false);
        if (result.ok) return;
        assert.equal(result.errors.length, 1);
        assert.match(result.errors[0], /^error: cache info: cannot read \.haz\/cache\/11: /);
      } finally {
        await chmod(shard, 0o755);
      }
    });
  });
});
