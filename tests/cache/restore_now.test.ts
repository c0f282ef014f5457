import assert from "node:assert/strict";
import {
  chmod,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  utimes,
  writeFile,
} from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { CacheHandle, RestoreOptions, RestoreResult } from "../../lib/cache/cache_handle.ts";
import { sha256 } from "../../lib/cache/hash_algorithm.ts";
import { cacheRootOf, entryPath } from "../../lib/cache/layout.ts";
import { openCache } from "../../lib/cache/local_cache.ts";
import type { Manifest } from "../../lib/cache/manifest.ts";
import { systemClock } from "../../lib/util/system_clock.ts";
import { bytes, cacheTask, captureAndStore, fakeKey } from "../support/cache_fixtures.ts";
import { withWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";

const KEY = fakeKey("6d");
const TASK = cacheTask({ inputs: [], outputs: ["dist", "out.txt", "latest"] });
const OLD = new Date(1_000_000_000_000);
const WORKSPACE = {
  ".haz/workspace.yml": "projects: [app]\n",
  "app/haz.yml": "tasks: {}\n",
  "app/out.txt": "top\n",
  "app/dist/sub/a.txt": "alpha\n",
  "app/dist/b.bin": Uint8Array.of(0, 1, 2, 3),
  "app/latest": { symlink: "out.txt" },
};
const OUTPUTS = ["/app/dist/b.bin", "/app/dist/sub/a.txt", "/app/latest", "/app/out.txt"];

interface Stored {
  readonly fixture: WorkspaceFixture;
  readonly cache: CacheHandle;
  readonly manifest: Manifest;
  readonly entry: string;
}

/** What a restore and its replay left: the result, the replayed bytes, the project's files. */
interface Observed {
  readonly result: RestoreResult | null;
  readonly stdout: number[];
  readonly stderr: number[];
  readonly tree: Record<string, string>;
  readonly staging: string[];
}

/** Stores the outputs (streams as given, a.txt with mode 0750, every file's mtime OLD), then runs `body`. */
async function withStored<T>(
  streams: { stdout: Uint8Array; stderr: Uint8Array },
  body: (stored: Stored) => Promise<T>,
): Promise<T> {
  let value: T | undefined;
  await withWorkspaceFixture(WORKSPACE, async (fixture) => {
    await chmod(fixture.path("app/dist/sub/a.txt"), 0o750);
    const cache = openCache({ workspaceRoot: fixture.root, hash: sha256, clock: systemClock(0) });
    assert.deepEqual(await captureAndStore(cache, { task: TASK, key: KEY, ...streams, outputs: OUTPUTS }), {
      ok: true,
    });
    for (const path of ["app/out.txt", "app/dist/sub/a.txt", "app/dist/b.bin"]) {
      await utimes(fixture.path(path), OLD, OLD);
    }
    const found = await cache.lookup(KEY, TASK);
    assert.ok(found.kind === "hit");
    value = await body({
      fixture,
      cache,
      manifest: found.manifest,
      entry: entryPath(cacheRootOf(fixture.root), KEY),
    });
  });
  return value as T;
}

/** Every path below `app/` with its kind, bytes or target, mode and whether its mtime is still OLD. */
async function treeOf(root: string): Promise<Record<string, string>> {
  const tree: Record<string, string> = {};
  const walk = async (relative: string): Promise<void> => {
    const path = join(root, relative);
    const stat = await lstat(path);
    if (stat.isSymbolicLink()) tree[relative] = `link ${await readlink(path)}`;
    else if (stat.isDirectory()) {
      tree[relative] = "dir";
      for (const name of (await readdir(path)).sort()) await walk(`${relative}/${name}`);
    } else {
      const old = stat.mtimeMs === OLD.getTime() ? "untouched" : "written";
      tree[relative] = `file ${(await readFile(path)).toString("hex")} ${
        (stat.mode & 0o777).toString(8)
      } ${old}`;
    }
  };
  await walk("app");
  return tree;
}

/** Restores with the asynchronous restore and replay, or with `restoreAndReplayNow`, and observes it. */
async function observe(stored: Stored, synchronous: boolean, options: RestoreOptions): Promise<Observed> {
  const { cache, manifest, fixture } = stored;
  const replayed = { stdout: [] as number[], stderr: [] as number[] };
  let result: RestoreResult | null;
  if (synchronous) {
    result = cache.restoreAndReplayNow!(manifest, TASK, options, (stream, chunk) => {
      replayed[stream].push(...chunk);
    });
  } else {
    result = await cache.restore(manifest, TASK, options);
    if (result.kind === "restored") {
      for (const stream of ["stdout", "stderr"] as const) {
        if (manifest[stream].size > 0) {
          await cache.replay(manifest, stream, (chunk) => replayed[stream].push(...chunk));
        }
      }
    }
  }
  const staging = (await readdir(cacheRootOf(fixture.root))).filter((name) => name.startsWith(".restore-"));
  return { result, ...replayed, tree: await treeOf(fixture.root), staging };
}

const STREAMS = { stdout: bytes("a\nb"), stderr: Uint8Array.of(0xff, 0) };
const EMPTY = { stdout: new Uint8Array(), stderr: new Uint8Array() };

/** Workspace and entry changes made after the lookup, each followed by both kinds of restore. */
const SCENARIOS: readonly {
  readonly name: string;
  readonly streams?: { stdout: Uint8Array; stderr: Uint8Array };
  readonly change: (stored: Stored) => Promise<void>;
}[] = [
  { name: "outputs in place", change: async () => {} },
  {
    name: "outputs deleted",
    change: async ({ fixture }) => {
      await rm(fixture.path("app/dist"), { recursive: true });
      await rm(fixture.path("app/latest"));
    },
  },
  { name: "one output edited", change: ({ fixture }) => writeFile(fixture.path("app/out.txt"), "stale\n") },
  {
    name: "a mode changed",
    change: ({ fixture }) => chmod(fixture.path("app/dist/sub/a.txt"), 0o644),
  },
  {
    name: "a blob altered at equal size",
    change: async ({ fixture, manifest, entry }) => {
      const file = manifest.outputs.find((output) => output.path === "/app/out.txt");
      assert.ok(file?.kind === "file");
      await writeFile(join(entry, "outputs", file.hash), "TOP\n");
      await writeFile(fixture.path("app/out.txt"), "stale\n");
    },
  },
  {
    name: "the entry removed after the lookup, empty streams",
    streams: EMPTY,
    change: ({ entry }) => rm(entry, { recursive: true }),
  },
  {
    name: "the entry removed after the lookup, outputs deleted",
    change: async ({ fixture, entry }) => {
      await rm(fixture.path("app/dist"), { recursive: true });
      await rm(entry, { recursive: true });
    },
  },
  {
    name: "a directory in the way",
    change: async ({ fixture }) => {
      await rm(fixture.path("app/out.txt"));
      await mkdir(fixture.path("app/out.txt"));
    },
  },
  {
    name: "a symlinked ancestor",
    change: async ({ fixture }) => {
      await rm(fixture.path("app/dist"), { recursive: true });
      await mkdir(fixture.path("elsewhere"));
      await symlink("../elsewhere", fixture.path("app/dist"));
    },
  },
];

describe("restoreAndReplayNow: the synchronous restore of a small entry", () => {
  for (const scenario of SCENARIOS) {
    for (const onlyIfUpToDate of [true, false]) {
      test(`CACHE-020 CACHE-037 CACHE-038 XPROC-006 ${scenario.name}${onlyIfUpToDate ? ", writing nothing" : ""}: the same result, replay and files as restore() and replay()`, async () => {
        const run = (synchronous: boolean) =>
          withStored(scenario.streams ?? STREAMS, async (stored) => {
            await scenario.change(stored);
            return await observe(stored, synchronous, { onlyIfUpToDate });
          });
        const expected = await run(false);
        const actual = await run(true);
        assert.deepEqual(actual, expected);
        assert.deepEqual(actual.staging, []);
      });
    }
  }

  test("CACHE-019 an entry with an output over 64 KiB is left to the asynchronous restore: null, nothing written", async () => {
    const large = { ...WORKSPACE, "app/out.txt": "x".repeat(64 * 1024 + 1) };
    await withWorkspaceFixture(large, async (fixture) => {
      const cache = openCache({ workspaceRoot: fixture.root, hash: sha256, clock: systemClock(0) });
      assert.deepEqual(await captureAndStore(cache, { task: TASK, key: KEY, ...STREAMS, outputs: OUTPUTS }), {
        ok: true,
      });
      const found = await cache.lookup(KEY, TASK);
      assert.ok(found.kind === "hit");
      await rm(fixture.path("app/out.txt"));
      const chunks: Uint8Array[] = [];
      assert.equal(
        cache.restoreAndReplayNow!(found.manifest, TASK, {}, (_, chunk) => chunks.push(chunk)),
        null,
      );
      assert.deepEqual(chunks, []);
      await assert.rejects(lstat(fixture.path("app/out.txt")), { code: "ENOENT" });
      assert.deepEqual(await cache.restore(found.manifest, TASK), {
        kind: "restored",
        materialised: OUTPUTS,
      });
    });
  });
});
