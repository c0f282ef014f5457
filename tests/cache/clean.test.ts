import assert from "node:assert/strict";
import { lstat } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  cleanCache,
  type CleanOptions,
  renderCleanFailures,
  renderCleanReport,
} from "../../lib/cache/clean.ts";
import { sha256 } from "../../lib/cache/hash_algorithm.ts";
import { openCache } from "../../lib/cache/local_cache.ts";
import { formatByteAmount } from "../../lib/domain/size.ts";
import { systemClock } from "../../lib/util/system_clock.ts";
import {
  captureAndStore,
  fakeKey,
  listTree,
  lockPath,
  MIXED,
  MIXED_FILES,
  MIXED_TASK,
  regularFileBytes,
  treeSnapshot,
  withMixedCache,
} from "../support/cache_fixtures.ts";
import { withWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";

const NOW = 1_800_000_000;

function options(fixture: WorkspaceFixture, extra: Partial<CleanOptions>): CleanOptions {
  return {
    workspaceRoot: fixture.root,
    soft: false,
    maxAgeSeconds: null,
    maxSizeBytes: null,
    dryRun: false,
    nowUnix: NOW,
    ...extra,
  };
}

/** A cache with valid sha256 entries created at the given times (keys `<prefix>000…`). */
async function withEntries(
  entries: readonly (readonly [string, number])[],
  body: (fixture: WorkspaceFixture) => Promise<void>,
): Promise<void> {
  await withWorkspaceFixture(MIXED_FILES, async (fixture) => {
    const cache = openCache({ workspaceRoot: fixture.root, hash: sha256, clock: systemClock(0) });
    for (const [prefix, createdAtUnix] of entries) {
      const stored = await captureAndStore(cache, {
        task: MIXED_TASK,
        key: fakeKey(prefix),
        outputs: ["/app/out.txt"],
        createdAtUnix,
      });
      assert.ok(stored.ok);
    }
    await body(fixture);
  });
}

function entryDisplay(key: string): string {
  return `.haz/cache/${key.slice(0, 2)}/${key}`;
}

async function exists(path: string): Promise<boolean> {
  return await lstat(path).then(() => true, () => false);
}

describe("AUX-022..028 haz cache clean", () => {
  test("AUX-023 --soft removes corrupt, mismatched and orphan items, keeps valid entries of both hashes (acceptance 37)", async () => {
    await withMixedCache(async (fixture) => {
      const bytes = {
        corrupt: await regularFileBytes(fixture.path(entryDisplay(MIXED.corruptKey))),
        mismatch: await regularFileBytes(fixture.path(entryDisplay(MIXED.mismatchKey))),
        store: await regularFileBytes(fixture.path(MIXED.orphanStore)),
        restore: await regularFileBytes(fixture.path(MIXED.orphanRestore)),
      };
      const result = await cleanCache(options(fixture, { soft: true }));
      assert.ok(result.ok);
      if (!result.ok) return;
      const reclaimed = bytes.corrupt + bytes.mismatch + bytes.store + bytes.restore;
      assert.equal(
        renderCleanReport(result.report, false),
        [
          "modes: soft",
          `removed ${MIXED.orphanRestore} (soft: orphan restore dir, ${bytes.restore} bytes)`,
          `removed ${MIXED.orphanStore} (soft: orphan store dir, ${bytes.store} bytes)`,
          `removed ${entryDisplay(MIXED.corruptKey)} (soft: corrupt, ${bytes.corrupt} bytes)`,
          `removed ${entryDisplay(MIXED.mismatchKey)} (soft: schema mismatch, ${bytes.mismatch} bytes)`,
          "inspected: 5 entries",
          "evicted: 2 entries (soft 2, max-age 0, max-size 0)",
          "orphan dirs removed: 1 store, 1 restore",
          `reclaimed: ${formatByteAmount(reclaimed)}`,
          "",
        ].join("\n"),
      );
      assert.equal(renderCleanFailures(result.report), "");
      for (const key of [...MIXED.sha256Keys, MIXED.blake3Key]) {
        assert.ok(await exists(fixture.path(entryDisplay(key))));
      }
      for (
        const gone of [
          entryDisplay(MIXED.corruptKey),
          entryDisplay(MIXED.mismatchKey),
          MIXED.orphanStore,
          MIXED.orphanRestore,
        ]
      ) {
        assert.equal(await exists(fixture.path(gone)), false, gone);
      }
      assert.ok(await exists(fixture.path(MIXED.foreign)), "foreign items are never removed");
    });
  });

  test("AUX-024 --dry-run --json equals the real run's JSON but for dry_run, and changes nothing (acceptance 41)", async () => {
    await withMixedCache(async (fixture) => {
      const cacheDir = fixture.path(".haz/cache");
      const before = await treeSnapshot(cacheDir);
      const dry = await cleanCache(options(fixture, { soft: true, maxSizeBytes: 0, dryRun: true }));
      assert.ok(dry.ok);
      assert.deepEqual(await treeSnapshot(cacheDir), before);
      const real = await cleanCache(options(fixture, { soft: true, maxSizeBytes: 0 }));
      assert.ok(real.ok);
      if (!dry.ok || !real.ok) return;
      const dryJson = JSON.parse(renderCleanReport(dry.report, true));
      const realJson = JSON.parse(renderCleanReport(real.report, true));
      assert.equal(dryJson.dry_run, true);
      assert.equal(realJson.dry_run, false);
      assert.deepEqual({ ...dryJson, dry_run: false }, realJson);
      assert.deepEqual(realJson.evicted, { soft: 2, max_age: 0, max_size: 3 });
      assert.deepEqual(realJson.modes, { soft: true, max_age_seconds: null, max_size_bytes: 0 });
      assert.deepEqual(Object.keys(realJson), [
        "dry_run",
        "modes",
        "inspected",
        "evicted",
        "orphans_removed",
        "bytes_reclaimed",
        "items",
        "failures",
      ]);
      assert.deepEqual(realJson.items[0], {
        path: MIXED.orphanRestore,
        kind: "orphan_restore",
        reason: "soft",
        state: "orphan",
        bytes: 7,
      });
      const dryText = renderCleanReport(dry.report, false).split("\n");
      const realText = renderCleanReport(real.report, false).split("\n");
      assert.equal(dryText[0], "dry run: nothing was removed");
      assert.deepEqual(dryText.slice(1).map((line) => line.replace(/^would remove /, "removed ")), realText);
      // Only the (now empty) shards and the foreign file remain.
      assert.deepEqual(await listTree(cacheDir), ["11", "12", "21", "31", "41", "README"]);
    });
  });

  test("AUX-023 --max-age keeps created_at = now - D, evicts one second older (acceptance 38)", async () => {
    await withEntries([["aa", NOW - 86400], ["bb", NOW - 86401]], async (fixture) => {
      const result = await cleanCache(options(fixture, { maxAgeSeconds: 86400 }));
      assert.ok(result.ok);
      if (!result.ok) return;
      assert.deepEqual(result.report.items.map((item) => [item.path, item.reason]), [[
        entryDisplay(fakeKey("bb")),
        "max_age",
      ]]);
      assert.equal(renderCleanReport(result.report, false).split("\n")[0], "modes: max-age 86400s");
      assert.ok(await exists(fixture.path(entryDisplay(fakeKey("aa")))));
      assert.equal(await exists(fixture.path(entryDisplay(fakeKey("bb")))), false);
    });
  });

  test("AUX-023 --max-age selects nothing when now - D <= 0", async () => {
    await withEntries([["aa", 0]], async (fixture) => {
      const result = await cleanCache(options(fixture, { maxAgeSeconds: NOW }));
      assert.ok(result.ok && result.report.items.length === 0);
    });
  });

  test("AUX-023 --max-size evicts oldest first, equal ages by smaller key, until <= S (acceptance 39)", async () => {
    await withEntries([["cc", 100], ["bb", 200], ["aa", 200], ["dd", 300]], async (fixture) => {
      const each = await regularFileBytes(fixture.path(entryDisplay(fakeKey("aa"))));
      const total = 4 * each;
      const nothing = await cleanCache(options(fixture, { maxSizeBytes: total, dryRun: true }));
      assert.ok(nothing.ok && nothing.report.items.length === 0);
      const result = await cleanCache(options(fixture, { maxSizeBytes: total - each - 1 }));
      assert.ok(result.ok);
      if (!result.ok) return;
      assert.deepEqual(result.report.items.map((item) => item.path), [
        entryDisplay(fakeKey("cc")),
        entryDisplay(fakeKey("aa")),
      ]);
      assert.deepEqual(result.report.evicted, { soft: 0, maxAge: 0, maxSize: 2 });
      assert.equal(result.report.bytesReclaimed, 2 * each);
      const text = renderCleanReport(result.report, false);
      assert.ok(
        text.startsWith(
          `modes: max-size ${total - each - 1} bytes\nremoved ${
            entryDisplay(fakeKey("cc"))
          } (max-size, ${each} bytes)\n`,
        ),
      );
    });
  });

  test("AUX-023 --soft --max-age 0s counts an old corrupt entry once, under soft (acceptance 40)", async () => {
    await withMixedCache(async (fixture) => {
      const result = await cleanCache(options(fixture, { soft: true, maxAgeSeconds: 0 }));
      assert.ok(result.ok);
      if (!result.ok) return;
      const corrupt = result.report.items.filter((item) => item.path === entryDisplay(MIXED.corruptKey));
      assert.deepEqual(corrupt.map((item) => [item.reason, item.state]), [["soft", "corrupt"]]);
      assert.deepEqual(result.report.evicted, { soft: 2, maxAge: 3, maxSize: 0 });
      assert.match(renderCleanReport(result.report, false), /^modes: soft, max-age 0s\n/);
      assert.match(
        renderCleanReport(result.report, false),
        /\nevicted: 5 entries \(soft 2, max-age 3, max-size 0\)\n/,
      );
    });
  });

  test("AUX-028 an absent root gives an all-zero report", async () => {
    await withWorkspaceFixture(MIXED_FILES, async (fixture) => {
      const result = await cleanCache(options(fixture, { soft: true, maxAgeSeconds: 60, maxSizeBytes: 10 }));
      assert.ok(result.ok);
      if (!result.ok) return;
      assert.equal(
        renderCleanReport(result.report, false),
        [
          "modes: soft, max-age 60s, max-size 10 bytes",
          "inspected: 0 entries",
          "evicted: 0 entries (soft 0, max-age 0, max-size 0)",
          "orphan dirs removed: 0 store, 0 restore",
          "reclaimed: 0 bytes (0 B)",
          "",
        ].join("\n"),
      );
      assert.equal(await exists(fixture.path(".haz/cache")), false);
    });
  });

  test("AUX-024 counted nouns agree: 1 entry", async () => {
    await withEntries([["aa", 1]], async (fixture) => {
      const result = await cleanCache(options(fixture, { maxAgeSeconds: 60 }));
      assert.ok(result.ok);
      if (!result.ok) return;
      const text = renderCleanReport(result.report, false);
      assert.match(text, /\ninspected: 1 entry\nevicted: 1 entry \(soft 0, max-age 1, max-size 0\)\n/);
    });
  });

  test("AUX-027 an undeletable entry is a failure; the rest is removed and reported (acceptance 43)", async (t) => {
    await withEntries([["aa", 1], ["bb", 2]], async (fixture) => {
      const manifest = join(fixture.path(entryDisplay(fakeKey("aa"))), "manifest.json");
      const lock = await lockPath(manifest, { directory: false });
      if (lock === null) return t.skip("cannot make a file undeletable here");
      let result;
      try {
        result = await cleanCache(options(fixture, { maxAgeSeconds: 60 }));
      } finally {
        await lock.release();
      }
      assert.ok(result.ok);
      if (!result.ok) return;
      assert.deepEqual(result.report.items.map((item) => item.path), [entryDisplay(fakeKey("bb"))]);
      assert.deepEqual(result.report.evicted, { soft: 0, maxAge: 1, maxSize: 0 });
      assert.equal(result.report.failures.length, 1);
      assert.equal(result.report.failures[0].op, "remove");
      assert.equal(result.report.failures[0].path, entryDisplay(fakeKey("aa")));
      assert.match(
        renderCleanFailures(result.report),
        new RegExp(`^error: cache clean: could not remove ${entryDisplay(fakeKey("aa"))}: .+\\n$`),
      );
      assert.equal(JSON.parse(renderCleanReport(result.report, true)).failures.length, 1);
      assert.ok(await exists(manifest));
      assert.equal(await exists(fixture.path(entryDisplay(fakeKey("bb")))), false);
    });
  });

  test("AUX-023 an entry is removed manifest first: an interrupted removal leaves a corrupt entry", async (t) => {
    await withEntries([["aa", 1]], async (fixture) => {
      const entry = fixture.path(entryDisplay(fakeKey("aa")));
      const lock = await lockPath(join(entry, "outputs"), { directory: true });
      if (lock === null) return t.skip("cannot make a file undeletable here");
      let result;
      try {
        result = await cleanCache(options(fixture, { maxAgeSeconds: 60 }));
      } finally {
        await lock.release();
      }
      assert.ok(result.ok && result.report.failures.length === 1);
      assert.equal(await exists(join(entry, "manifest.json")), false);
      assert.ok(await exists(join(entry, "outputs")));
    });
  });
});
