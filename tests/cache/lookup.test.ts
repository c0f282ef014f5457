import assert from "node:assert/strict";
import { cp, mkdir, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { CacheHandle } from "../../lib/cache/cache_handle.ts";
import { sha256 } from "../../lib/cache/hash_algorithm.ts";
import { cacheRootOf, entryPath } from "../../lib/cache/layout.ts";
import { openCache } from "../../lib/cache/local_cache.ts";
import { systemClock } from "../../lib/util/system_clock.ts";
import {
  bytes,
  captureAndStore,
  fakeKey,
  listTree,
  W1_FILES,
  W1_HELLO,
  W1_HELLO_KEY,
} from "../support/cache_fixtures.ts";
import { withWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";

const FILES = { ...W1_FILES, "app/out.txt": "hello\n" };
/** The single blob of the W1 entry: sha256 of "hello\n". */
const BLOB = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

/** W1 with a stored `app:hello` entry (stderr "warn\n"). */
async function withStoredEntry(
  body: (context: { fixture: WorkspaceFixture; cache: CacheHandle; entry: string }) => Promise<void>,
): Promise<void> {
  await withWorkspaceFixture(FILES, async (fixture) => {
    const cache = openCache({
      workspaceRoot: fixture.root,
      hash: sha256,
      clock: systemClock(performance.now()),
    });
    const stored = await captureAndStore(cache, {
      task: W1_HELLO,
      key: W1_HELLO_KEY,
      stderr: bytes("warn\n"),
      outputs: ["/app/out.txt"],
    });
    assert.deepEqual(stored, { ok: true });
    await body({ fixture, cache, entry: entryPath(cacheRootOf(fixture.root), W1_HELLO_KEY) });
  });
}

async function editManifest(entry: string, change: (manifest: Record<string, any>) => void): Promise<void> {
  const path = join(entry, "manifest.json");
  const manifest = JSON.parse(await readFile(path, "utf8"));
  change(manifest);
  await writeFile(path, JSON.stringify(manifest, null, 2) + "\n");
}

async function state(cache: CacheHandle): Promise<string> {
  const result = await cache.lookup(W1_HELLO_KEY, W1_HELLO);
  return result.kind === "hit" ? "hit" : result.state;
}

describe("CACHE-014..016 lookup", () => {
  test("CACHE-015 a stored entry is a hit carrying its manifest", async () => {
    await withStoredEntry(async ({ cache }) => {
      const result = await cache.lookup(W1_HELLO_KEY, W1_HELLO);
      assert.equal(result.kind, "hit");
      assert.equal(result.kind === "hit" ? result.manifest.stderr.size : -1, 5);
    });
  });

  test("CACHE-016 no cache root, or an entry without manifest, is `no entry` (acceptance 26)", async () => {
    await withWorkspaceFixture(FILES, async (fixture) => {
      const cache = openCache({ workspaceRoot: fixture.root, hash: sha256, clock: systemClock(0) });
      assert.deepEqual(await cache.lookup(W1_HELLO_KEY, W1_HELLO), { kind: "miss", state: "no entry" });
      await assert.rejects(stat(cacheRootOf(fixture.root)), { code: "ENOENT" });
    });
    await withStoredEntry(async ({ cache, entry }) => {
      await rm(join(entry, "manifest.json"));
      assert.equal(await state(cache), "no entry");
    });
  });

  test("CACHE-016 broken manifests and files are `corrupt entry` (acceptance 27)", async () => {
    const cases: [string, (entry: string) => Promise<void>][] = [
      ["invalid JSON", (entry) => writeFile(join(entry, "manifest.json"), "{")],
      ["unknown member", (entry) => editManifest(entry, (m) => m.extra = true)],
      ["md5", (entry) => editManifest(entry, (m) => m.hash = "md5")],
      ["uppercase hex", (entry) => editManifest(entry, (m) => m.stdout.hash = m.stdout.hash.toUpperCase())],
      [
        "unsorted outputs",
        (entry) =>
          editManifest(entry, (m) => m.outputs = [{ ...m.outputs[0], path: "/app/z" }, m.outputs[0]]),
      ],
      ["truncated blob", (entry) => truncate(join(entry, "outputs", BLOB), 2)],
      ["truncated stderr", (entry) => truncate(join(entry, "stderr"), 1)],
      ["missing stdout", (entry) => rm(join(entry, "stdout"))],
      ["manifest is a directory", async (entry) => {
        await rm(join(entry, "manifest.json"));
        await mkdir(join(entry, "manifest.json"));
      }],
    ];
    for (const [name, damage] of cases) {
      await withStoredEntry(async ({ cache, entry }) => {
        await damage(entry);
        assert.equal(await state(cache), "corrupt entry", name);
      });
    }
  });

  test("CACHE-016 schema 2, or another hash label, is `schema mismatch` (acceptance 28)", async () => {
    await withStoredEntry(async ({ cache, entry }) => {
      await editManifest(entry, (m) => m.schema = 2);
      assert.equal(await state(cache), "schema mismatch");
    });
    await withStoredEntry(async ({ cache, entry }) => {
      await editManifest(entry, (m) => m.hash = "blake3");
      assert.equal(await state(cache), "schema mismatch");
    });
  });

  test("CACHE-030 traversal, .haz and undeclared paths are `corrupt entry` (acceptance 29)", async () => {
    for (const path of ["/app/../../etc/x", "/.haz/x", "/app/other.txt"]) {
      await withStoredEntry(async ({ cache, entry }) => {
        await editManifest(entry, (m) => m.outputs[0].path = path);
        assert.equal(await state(cache), "corrupt entry", path);
      });
    }
  });

  test("CACHE-015 a blob altered at equal size still looks like a hit (acceptance 30)", async () => {
    await withStoredEntry(async ({ cache, entry }) => {
      await writeFile(join(entry, "outputs", BLOB), "HELLO\n");
      assert.equal(await state(cache), "hit");
    });
  });

  test("CACHE-015 the key must match the directory, and a non-directory entry is corrupt", async () => {
    await withStoredEntry(async ({ cache, entry, fixture }) => {
      const otherKey = fakeKey("db");
      await cp(entry, entryPath(cacheRootOf(fixture.root), otherKey), { recursive: true });
      assert.deepEqual(await cache.lookup(otherKey, W1_HELLO), { kind: "miss", state: "corrupt entry" });
      await rm(entry, { recursive: true });
      await writeFile(entry, "not a directory");
      assert.equal(await state(cache), "corrupt entry");
    });
  });

  test("CACHE-022 leftover store and restore directories are ignored by lookup (acceptance 32)", async () => {
    await withStoredEntry(async ({ cache, entry, fixture }) => {
      const root = cacheRootOf(fixture.root);
      await cp(entry, join(root, "db", `.tmp-${W1_HELLO_KEY}-x`), { recursive: true });
      await cp(entry, join(root, `.restore-${W1_HELLO_KEY}-x`), { recursive: true });
      await rm(entry, { recursive: true });
      assert.equal(await state(cache), "no entry");
    });
  });

  test("CACHE-014 lookup only reads: the tree and its mtimes are unchanged", async () => {
    await withStoredEntry(async ({ cache, fixture }) => {
      const root = cacheRootOf(fixture.root);
      const snapshot = async () =>
        await Promise.all(
          (await listTree(root)).map(async (path) => [path, (await stat(join(root, path))).mtimeMs]),
        );
      const before = await snapshot();
      await cache.lookup(W1_HELLO_KEY, W1_HELLO);
      await cache.lookup(fakeKey("ab"), W1_HELLO);
      assert.deepEqual(await snapshot(), before);
    });
  });
});
