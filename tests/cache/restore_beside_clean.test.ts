import assert from "node:assert/strict";
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { describe, test } from "node:test";
import type { CacheHandle } from "../../lib/cache/cache_handle.ts";
import { clearCache } from "../../lib/cache/clear.ts";
import { cleanCache } from "../../lib/cache/clean.ts";
import { sha256 } from "../../lib/cache/hash_algorithm.ts";
import { cacheRootOf, entryPath } from "../../lib/cache/layout.ts";
import { openCache } from "../../lib/cache/local_cache.ts";
import type { Manifest } from "../../lib/cache/manifest.ts";
import { systemClock } from "../../lib/util/system_clock.ts";
import { cacheTask, captureAndStore, fakeKey } from "../support/cache_fixtures.ts";
import { withWorkspaceFixture } from "../support/workspace_fixture.ts";

const KEY = fakeKey("7c");
const FILES = 12;
const TASK = cacheTask({ inputs: [], outputs: ["dist"] });
/** Output i: distinct, large enough that copying and hashing take a while. */
const content = (i: number) => `file ${i}\n`.repeat(6000 + i);
const OUTPUTS = Array.from({ length: FILES }, (_, i) => `/app/dist/f${String(i).padStart(2, "0")}.txt`);
const WORKSPACE = {
  ".haz/workspace.yml": "projects: [app]\n",
  "app/haz.yml": "tasks: {}\n",
  ...Object.fromEntries(OUTPUTS.map((path, i) => [path.slice(1), content(i)])),
};
const STDOUT = new TextEncoder().encode("out line\n".repeat(10_000));
const STDERR = new TextEncoder().encode("small\n");

/** Stores the outputs under KEY and returns the manifest a lookup then finds. */
async function storeAndLookUp(cache: CacheHandle): Promise<Manifest> {
  const stored = await captureAndStore(cache, {
    task: TASK,
    key: KEY,
    stdout: STDOUT,
    stderr: STDERR,
    outputs: OUTPUTS,
  });
  assert.deepEqual(stored, { ok: true });
  const found = await cache.lookup(KEY, TASK);
  assert.ok(found.kind === "hit");
  return found.manifest;
}

describe("cache commands beside a run (04-execution.md §5.8)", () => {
  test("XPROC-005 the replay reads the streams its restore verified, even if the entry is removed in between", async () => {
    await withWorkspaceFixture(WORKSPACE, async (fixture) => {
      const cache = openCache({ workspaceRoot: fixture.root, hash: sha256, clock: systemClock(0) });
      const manifest = await storeAndLookUp(cache);
      await rm(fixture.path("app/dist"), { recursive: true });
      assert.equal((await cache.restore(manifest, TASK)).kind, "restored");
      await rm(entryPath(cacheRootOf(fixture.root), KEY), { recursive: true });
      const replayed: Record<string, number[]> = { stdout: [], stderr: [] };
      for (const stream of ["stdout", "stderr"] as const) {
        await cache.replay(manifest, stream, (chunk) => replayed[stream].push(...chunk));
      }
      assert.deepEqual(Uint8Array.from(replayed.stdout), STDOUT);
      assert.deepEqual(Uint8Array.from(replayed.stderr), STDERR);
    });
  });

  test("CACHE-038 an entry with empty streams and outputs in place that vanishes after the lookup is a late miss", async () => {
    await withWorkspaceFixture(WORKSPACE, async (fixture) => {
      const cache = openCache({ workspaceRoot: fixture.root, hash: sha256, clock: systemClock(0) });
      const stored = await captureAndStore(cache, {
        task: TASK,
        key: KEY,
        stdout: new Uint8Array(),
        stderr: new Uint8Array(),
        outputs: OUTPUTS,
      });
      assert.deepEqual(stored, { ok: true });
      const found = await cache.lookup(KEY, TASK);
      assert.ok(found.kind === "hit");
      await rm(entryPath(cacheRootOf(fixture.root), KEY), { recursive: true });
      assert.equal((await cache.restore(found.manifest, TASK)).kind, "late-miss");
    });
  });

  test("XPROC-006 a restore asked to write nothing succeeds only when every output is in place, and then writes nothing", async () => {
    await withWorkspaceFixture(WORKSPACE, async (fixture) => {
      const cache = openCache({ workspaceRoot: fixture.root, hash: sha256, clock: systemClock(0) });
      const manifest = await storeAndLookUp(cache);
      const before = await stat(fixture.path("app/dist/f00.txt"));
      assert.deepEqual(await cache.restore(manifest, TASK, { onlyIfUpToDate: true }), {
        kind: "restored",
        materialised: OUTPUTS,
      });
      assert.equal((await stat(fixture.path("app/dist/f00.txt"))).mtimeMs, before.mtimeMs);
      await writeFile(fixture.path("app/dist/f03.txt"), "changed\n");
      await rm(fixture.path("app/dist/f07.txt"));
      assert.deepEqual(await cache.restore(manifest, TASK, { onlyIfUpToDate: true }), {
        kind: "needs-writes",
      });
      assert.equal(await readFile(fixture.path("app/dist/f03.txt"), "utf8"), "changed\n");
      assert.deepEqual(
        await readdir(cacheRootOf(fixture.root)).then((names) =>
          names.filter((name) => name.startsWith(".restore-"))
        ),
        [],
      );
      assert.equal((await cache.restore(manifest, TASK)).kind, "restored");
      assert.equal(await readFile(fixture.path("app/dist/f03.txt"), "utf8"), content(3));
      for (const stream of ["stdout", "stderr"] as const) {
        await cache.replay(manifest, stream, () => {});
      }
    });
  });

  test("XPROC-005 restores racing `cache clear` and `cache clean --max-size 0` complete or are late misses, never partial", async () => {
    await withWorkspaceFixture(WORKSPACE, async (fixture) => {
      const cache = openCache({ workspaceRoot: fixture.root, hash: sha256, clock: systemClock(0) });
      const outcomes = { restored: 0, lateMiss: 0 };
      for (let round = 0; round < 30; round++) {
        await mkdir(fixture.path("app/dist"), { recursive: true });
        for (const [i, path] of OUTPUTS.entries()) await writeFile(fixture.path(path.slice(1)), content(i));
        const manifest = await storeAndLookUp(cache);
        await rm(fixture.path("app/dist"), { recursive: true });
        // Start the removal a little later each round, so that it lands in every phase of the restore.
        const remover = (async () => {
          for (let i = 0; i < round % 10; i++) await new Promise((resolve) => setImmediate(resolve));
          if (round % 2 === 0) assert.equal((await clearCache(fixture.root)).error, null);
          else {
            await cleanCache({
              workspaceRoot: fixture.root,
              soft: false,
              maxAgeSeconds: null,
              maxSizeBytes: 0,
              dryRun: false,
              nowUnix: Math.floor(Date.now() / 1000),
            });
          }
        })();
        const result = await cache.restore(manifest, TASK);
        await remover;
        assert.notEqual(result.kind, "error", JSON.stringify(result));
        if (result.kind === "late-miss") {
          outcomes.lateMiss += 1;
          continue;
        }
        outcomes.restored += 1;
        for (const [i, path] of OUTPUTS.entries()) {
          assert.equal(await readFile(fixture.path(path.slice(1)), "utf8"), content(i), path);
        }
        let replayed = 0;
        await cache.replay(manifest, "stdout", (chunk) => replayed += chunk.length);
        assert.equal(replayed, STDOUT.length);
      }
      assert.equal(outcomes.restored + outcomes.lateMiss, 30);
    });
  });
});
