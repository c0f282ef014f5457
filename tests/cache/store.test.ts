import assert from "node:assert/strict";
import { chmod, lstat, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { CacheHandle } from "../../lib/cache/cache_handle.ts";
import { loadHashAlgorithm, sha256 } from "../../lib/cache/hash_algorithm.ts";
import { cacheRootOf, entryPath } from "../../lib/cache/layout.ts";
import { openCache } from "../../lib/cache/local_cache.ts";
import { type Manifest, serializeManifest } from "../../lib/cache/manifest.ts";
import { systemClock } from "../../lib/util/system_clock.ts";
import {
  bytes,
  cacheTask,
  captureAndStore,
  EMPTY_SHA256,
  fakeKey,
  listTree,
  lockPath,
  streamDigest,
  W1_FILES,
  W1_HELLO,
  W1_HELLO_KEY,
} from "../support/cache_fixtures.ts";
import { withWorkspaceFixture } from "../support/workspace_fixture.ts";

const BLOB = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
const FILES = { ...W1_FILES, "app/out.txt": "hello\n" };

function open(root: string, hash = sha256): CacheHandle {
  return openCache({ workspaceRoot: root, hash, clock: systemClock(performance.now()) });
}

/** Names in a shard directory, sorted. */
async function shardNames(root: string, shard: string): Promise<string[]> {
  return (await readdir(join(cacheRootOf(root), shard))).sort();
}

describe("CACHE-017 two-phase store", () => {
  test("CACHE-010 CACHE-011 the W1 entry has the documented layout and manifest (acceptance 17)", async () => {
    await withWorkspaceFixture(FILES, async (fixture) => {
      const cache = open(fixture.root);
      await chmod(fixture.path("app/out.txt"), 0o640);
      const result = await captureAndStore(cache, {
        task: W1_HELLO,
        key: W1_HELLO_KEY,
        outputs: ["/app/out.txt"],
        createdAtUnix: 1767225600,
      });
      assert.deepEqual(result, { ok: true });
      assert.deepEqual(await listTree(cacheRootOf(fixture.root)), [
        "db",
        `db/${W1_HELLO_KEY}`,
        `db/${W1_HELLO_KEY}/manifest.json`,
        `db/${W1_HELLO_KEY}/outputs`,
        `db/${W1_HELLO_KEY}/outputs/${BLOB}`,
        `db/${W1_HELLO_KEY}/stderr`,
        `db/${W1_HELLO_KEY}/stdout`,
      ]);
      const entry = entryPath(cacheRootOf(fixture.root), W1_HELLO_KEY);
      const text = await readFile(join(entry, "manifest.json"), "utf8");
      const expected: Manifest = {
        schema: 1,
        hash: "sha256",
        key: W1_HELLO_KEY,
        created_at_unix: 1767225600,
        duration_ms: 4,
        task: "app:hello",
        stdout: { size: 0, hash: EMPTY_SHA256 },
        stderr: { size: 0, hash: EMPTY_SHA256 },
        outputs: [{ path: "/app/out.txt", kind: "file", hash: BLOB, size: 6, mode: 0o640 }],
      };
      assert.equal(text, serializeManifest(expected));
      assert.equal(text, JSON.stringify(JSON.parse(text), null, 2) + "\n");
      assert.equal((await stat(join(entry, "outputs", BLOB))).mode & 0o777, 0o644);
      assert.equal(await readFile(join(entry, "outputs", BLOB), "utf8"), "hello\n");
    });
  });

  test("CACHE-013 equal-content outputs share one blob; symlinks are recorded by link text", async () => {
    await withWorkspaceFixture({
      ...FILES,
      "app/dist/a.txt": "same",
      "app/dist/b.txt": "same",
      "app/dist/latest": { symlink: "a.txt" },
    }, async (fixture) => {
      const task = cacheTask({ inputs: [], outputs: ["dist"] });
      const key = fakeKey("aa");
      const cache = open(fixture.root);
      const outputs = ["/app/dist/latest", "/app/dist/b.txt", "/app/dist/a.txt"];
      assert.deepEqual(await captureAndStore(cache, { task, key, outputs }), { ok: true });
      const found = await cache.lookup(key, task);
      assert.equal(found.kind, "hit");
      const manifest = found.kind === "hit" ? found.manifest : null;
      const digest = streamDigest(sha256, bytes("same")).hash;
      assert.deepEqual(manifest?.outputs, [
        { path: "/app/dist/a.txt", kind: "file", hash: digest, size: 4, mode: 0o644 },
        { path: "/app/dist/b.txt", kind: "file", hash: digest, size: 4, mode: 0o644 },
        { path: "/app/dist/latest", kind: "symlink", target: "a.txt" },
      ]);
      assert.deepEqual(await readdir(join(entryPath(cacheRootOf(fixture.root), key), "outputs")), [digest]);
    });
  });

  test("CACHE-002 a blake3 cache stores blake3 digests and labels", async () => {
    const blake3 = await loadHashAlgorithm("blake3");
    await withWorkspaceFixture(FILES, async (fixture) => {
      const cache = open(fixture.root, blake3);
      const key = fakeKey("b3");
      assert.deepEqual(await captureAndStore(cache, { task: W1_HELLO, key, outputs: ["/app/out.txt"] }), {
        ok: true,
      });
      const found = await cache.lookup(key, W1_HELLO);
      assert.equal(found.kind, "hit");
      const manifest = found.kind === "hit" ? found.manifest : null;
      assert.equal(manifest?.hash, "blake3");
      assert.equal(
        manifest?.outputs[0].kind === "file" && manifest.outputs[0].hash,
        streamDigest(blake3, bytes("hello\n")).hash,
      );
      assert.equal((await open(fixture.root).lookup(key, W1_HELLO)).kind, "miss");
    });
  });

  test("CACHE-034 eight concurrent stores of one key end with one valid entry, all succeeding", async () => {
    await withWorkspaceFixture(FILES, async (fixture) => {
      const cache = open(fixture.root);
      const results = await Promise.all(Array.from({ length: 8 }, () =>
        captureAndStore(cache, {
          task: W1_HELLO,
          key: W1_HELLO_KEY,
          stdout: bytes("out"),
          outputs: ["/app/out.txt"],
        })));
      assert.ok(results.every((result) => result.ok), JSON.stringify(results));
      assert.deepEqual(await shardNames(fixture.root, "db"), [W1_HELLO_KEY]);
      assert.equal((await cache.lookup(W1_HELLO_KEY, W1_HELLO)).kind, "hit");
    });
  });

  test("CACHE-034 an unusable entry (corrupt, or a file) is replaced by the store", async () => {
    await withWorkspaceFixture(FILES, async (fixture) => {
      const cache = open(fixture.root);
      const entry = entryPath(cacheRootOf(fixture.root), W1_HELLO_KEY);
      await mkdir(entry, { recursive: true });
      await writeFile(join(entry, "stray"), "x");
      const request = { task: W1_HELLO, key: W1_HELLO_KEY, stdout: bytes("new"), outputs: ["/app/out.txt"] };
      assert.deepEqual(await captureAndStore(cache, request), { ok: true });
      assert.equal((await cache.lookup(W1_HELLO_KEY, W1_HELLO)).kind, "hit");
      assert.deepEqual(await shardNames(fixture.root, "db"), [W1_HELLO_KEY]);
      await rm(entry, { recursive: true });
      await writeFile(entry, "a file in the way");
      assert.deepEqual(await captureAndStore(cache, request), { ok: true });
      assert.equal((await cache.lookup(W1_HELLO_KEY, W1_HELLO)).kind, "hit");
      assert.deepEqual(await shardNames(fixture.root, "db"), [W1_HELLO_KEY]);
    });
  });
});

describe("CACHE-031 capture", () => {
  test("CACHE-031 beginCapture creates .tmp-<key>-<16 hex> and writes chunks as they arrive", async () => {
    await withWorkspaceFixture(FILES, async (fixture) => {
      const cache = open(fixture.root);
      await assert.rejects(stat(cacheRootOf(fixture.root)), { code: "ENOENT" });
      const capture = await cache.beginCapture(W1_HELLO_KEY);
      assert.ok(capture !== null);
      const names = await shardNames(fixture.root, "db");
      assert.equal(names.length, 1);
      assert.match(names[0], new RegExp(`^\\.tmp-${W1_HELLO_KEY}-[0-9a-f]{16}$`));
      const stdoutPath = join(cacheRootOf(fixture.root), "db", names[0], "stdout");
      await capture.write("stdout", bytes("first "));
      assert.equal(await readFile(stdoutPath, "utf8"), "first ");
      await capture.write("stdout", bytes("second"));
      await capture.write("stderr", Uint8Array.of(0, 255));
      assert.equal(await readFile(stdoutPath, "utf8"), "first second");
      await cache.discard(capture);
      assert.deepEqual(await shardNames(fixture.root, "db"), []);
    });
  });

  test("CACHE-031 an uncreatable store directory gives no capture", async () => {
    await withWorkspaceFixture(FILES, async (fixture) => {
      await mkdir(join(fixture.root, ".haz", "cache"), { recursive: true });
      await writeFile(join(fixture.root, ".haz", "cache", "db"), "a file where the shard should be");
      assert.equal(await open(fixture.root).beginCapture(W1_HELLO_KEY), null);
    });
  });

  test("CACHE-012 CACHE-019 replay returns the exact bytes in chunks of at most 64 KiB", async () => {
    await withWorkspaceFixture(FILES, async (fixture) => {
      const cache = open(fixture.root);
      const stdout = new Uint8Array(200_000).map((_, index) => (index * 7) % 256);
      const stderr = Uint8Array.of(0, 1, 2, 0xff, 0x0a, 0x61);
      await captureAndStore(cache, { task: W1_HELLO, key: W1_HELLO_KEY, stdout, stderr, outputs: [] });
      const found = await cache.lookup(W1_HELLO_KEY, W1_HELLO);
      assert.equal(found.kind, "hit");
      if (found.kind !== "hit") return;
      for (const [stream, expected] of [["stdout", stdout], ["stderr", stderr]] as const) {
        const chunks: Uint8Array[] = [];
        await cache.replay(found.manifest, stream, (chunk) => chunks.push(chunk));
        assert.ok(chunks.every((chunk) => chunk.length > 0 && chunk.length <= 64 * 1024));
        assert.deepEqual(Uint8Array.from(chunks.flatMap((chunk) => [...chunk])), expected);
      }
    });
  });
});

describe("CACHE-033 store failures are results", () => {
  test("CACHE-033 an output reached through a symlinked directory is not stored", async () => {
    await withWorkspaceFixture(
      { ...FILES, "app/real/x.txt": "x", "app/dist": { symlink: "real" } },
      async (fixture) => {
        const cache = open(fixture.root);
        const task = cacheTask({ inputs: [], outputs: ["dist/x.txt"] });
        const result = await captureAndStore(cache, {
          task,
          key: fakeKey("cc"),
          outputs: ["/app/dist/x.txt"],
        });
        assert.equal(result.ok, false);
        assert.match(result.ok ? "" : result.reason, /symbolic link/);
        assert.deepEqual(await shardNames(fixture.root, "cc"), []);
      },
    );
  });

  test("CACHE-033 an undeclared output path or an incomplete capture is not stored", async () => {
    await withWorkspaceFixture(FILES, async (fixture) => {
      const cache = open(fixture.root);
      const undeclared = await captureAndStore(cache, {
        task: W1_HELLO,
        key: W1_HELLO_KEY,
        outputs: ["/app/msg.txt"],
      });
      assert.equal(undeclared.ok, false);
      const capture = await cache.beginCapture(W1_HELLO_KEY);
      assert.ok(capture !== null);
      await capture.write("stdout", bytes("abc"));
      const short = await cache.store(capture, {
        task: W1_HELLO,
        key: W1_HELLO_KEY,
        outputs: [],
        stdout: streamDigest(sha256, bytes("abcdef")),
        stderr: streamDigest(sha256, new Uint8Array()),
        createdAtUnix: 1,
        durationMs: 1,
      });
      assert.deepEqual(short, { ok: false, reason: "captured stdout is incomplete" });
      assert.deepEqual(await shardNames(fixture.root, "db"), []);
    });
  });

  test("CACHE-033 a read-only shard makes the store fail without throwing (acceptance 19)", async (t) => {
    await withWorkspaceFixture(FILES, async (fixture) => {
      const cache = open(fixture.root);
      const capture = await cache.beginCapture(W1_HELLO_KEY);
      assert.ok(capture !== null);
      const shard = join(cacheRootOf(fixture.root), "db");
      const lock = await lockPath(shard, { directory: true });
      if (lock === null) return t.skip("cannot make a directory read-only here");
      try {
        const result = await cache.store(capture, {
          task: W1_HELLO,
          key: W1_HELLO_KEY,
          outputs: ["/app/out.txt"],
          stdout: streamDigest(sha256, new Uint8Array()),
          stderr: streamDigest(sha256, new Uint8Array()),
          createdAtUnix: 1,
          durationMs: 1,
        });
        assert.equal(result.ok, false);
      } finally {
        await lock.release();
      }
      await assert.rejects(lstat(entryPath(cacheRootOf(fixture.root), W1_HELLO_KEY)), { code: "ENOENT" });
      assert.equal((await cache.lookup(W1_HELLO_KEY, W1_HELLO)).kind, "miss");
    });
  });
});
