import assert from "node:assert/strict";
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  realpath,
  rm,
  stat,
  symlink,
  truncate,
  utimes,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { CacheHandle } from "../../lib/cache/cache_handle.ts";
import { sha256 } from "../../lib/cache/hash_algorithm.ts";
import { type InputDigestMemo, openInputStatCache } from "../../lib/cache/input_stat_cache.ts";
import { cacheRootOf, entryPath } from "../../lib/cache/layout.ts";
import { openCache } from "../../lib/cache/local_cache.ts";
import type { Manifest } from "../../lib/cache/manifest.ts";
import type { TaskDefinition } from "../../lib/domain/workspace.ts";
import { epochMsToNs } from "../../lib/util/file_identity.ts";
import { systemClock } from "../../lib/util/system_clock.ts";
import { bytes, cacheTask, captureAndStore, fakeKey, listTree } from "../support/cache_fixtures.ts";
import { withWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";

const KEY = fakeKey("5e");
const TASK = cacheTask({ inputs: [], outputs: ["dist", "out.txt", "latest"] });
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
  fixture: WorkspaceFixture;
  cache: CacheHandle;
  manifest: Manifest;
  entry: string;
}

/** A workspace whose outputs were stored (a.txt with mode 0750), then handed to `body`. */
async function withStored(body: (stored: Stored) => Promise<void>): Promise<void> {
  await withWorkspaceFixture(WORKSPACE, async (fixture) => {
    await chmod(fixture.path("app/dist/sub/a.txt"), 0o750);
    const cache = openCache({ workspaceRoot: fixture.root, hash: sha256, clock: systemClock(0) });
    const stored = await captureAndStore(cache, {
      task: TASK,
      key: KEY,
      stdout: bytes("a\nb"),
      stderr: Uint8Array.of(0xff, 0),
      outputs: OUTPUTS,
    });
    assert.deepEqual(stored, { ok: true });
    const found = await cache.lookup(KEY, TASK);
    assert.equal(found.kind, "hit");
    if (found.kind !== "hit") return;
    await body({
      fixture,
      cache,
      manifest: found.manifest,
      entry: entryPath(cacheRootOf(fixture.root), KEY),
    });
  });
}

/** A directory outside the workspace, removed afterwards. */
async function withOutside(body: (outside: string) => Promise<void>): Promise<void> {
  const outside = await realpath(await mkdtemp(join(tmpdir(), "haz-outside-")));
  try {
    await writeFile(join(outside, "keep.txt"), "keep");
    await body(outside);
    assert.deepEqual(await readdir(outside), ["keep.txt"], "nothing may be written outside the workspace");
    assert.equal(await readFile(join(outside, "keep.txt"), "utf8"), "keep");
  } finally {
    await rm(outside, { recursive: true, force: true });
  }
}

async function noStagingLeft(fixture: WorkspaceFixture): Promise<void> {
  const names = await readdir(cacheRootOf(fixture.root));
  assert.deepEqual(names.filter((name) => name.startsWith(".restore-")), []);
}

describe("CACHE-020 two-phase restore", () => {
  test("CACHE-020 deleted outputs and their directory are recreated with bytes and modes (acceptance 23)", async () => {
    await withStored(async ({ fixture, cache, manifest }) => {
      await rm(fixture.path("app/dist"), { recursive: true });
      await rm(fixture.path("app/out.txt"));
      await rm(fixture.path("app/latest"));
      const result = await cache.restore(manifest, TASK);
      assert.deepEqual(result, { kind: "restored", materialised: OUTPUTS });
      assert.equal(await readFile(fixture.path("app/dist/sub/a.txt"), "utf8"), "alpha\n");
      assert.equal((await stat(fixture.path("app/dist/sub/a.txt"))).mode & 0o777, 0o750);
      assert.deepEqual([...await readFile(fixture.path("app/dist/b.bin"))], [0, 1, 2, 3]);
      assert.equal(await readFile(fixture.path("app/out.txt"), "utf8"), "top\n");
      assert.equal(await readlink(fixture.path("app/latest")), "out.txt");
      await noStagingLeft(fixture);
    });
  });

  test("CACHE-037 identical outputs are left alone, so their mtimes stay (acceptance 23)", async () => {
    await withStored(async ({ fixture, cache, manifest }) => {
      const old = new Date(1_000_000_000_000);
      for (const path of ["app/out.txt", "app/dist/sub/a.txt", "app/dist/b.bin"]) {
        await utimes(fixture.path(path), old, old);
      }
      const result = await cache.restore(manifest, TASK);
      assert.equal(result.kind, "restored");
      for (const path of ["app/out.txt", "app/dist/sub/a.txt", "app/dist/b.bin"]) {
        assert.equal((await stat(fixture.path(path))).mtimeMs, old.getTime(), path);
      }
    });
  });

  test("PERF-002 CACHE-037 an output in place whose identity the stat cache remembers is compared unread", async () => {
    await withStored(async ({ fixture, manifest }) => {
      // A run starting 3 s from now: the outputs written by the fixture count as settled.
      const stats = openInputStatCache({
        workspaceRoot: fixture.root,
        hashLabel: "sha256",
        referenceNs: epochMsToNs(Date.now() + 3_000),
      });
      const recalled: string[] = [];
      const counting: InputDigestMemo = {
        recall: (path, key) => {
          const digest = stats.recall(path, key);
          if (digest !== undefined) recalled.push(path);
          return digest;
        },
        remember: (path, identity, digest) => stats.remember(path, identity, digest),
      };
      const cache = openCache({
        workspaceRoot: fixture.root,
        hash: sha256,
        clock: systemClock(0),
        fileDigests: counting,
      });
      assert.equal((await cache.restore(manifest, TASK)).kind, "restored");
      assert.deepEqual(recalled, []);
      const before = await stat(fixture.path("app/out.txt"));
      assert.equal((await cache.restore(manifest, TASK)).kind, "restored");
      assert.deepEqual(
        recalled.sort(),
        ["app/dist/b.bin", "app/dist/sub/a.txt", "app/out.txt"].map(fixture.path).sort(),
      );
      assert.equal((await stat(fixture.path("app/out.txt"))).mtimeMs, before.mtimeMs);
    });
  });

  test("CACHE-037 changed content or mode is replaced", async () => {
    await withStored(async ({ fixture, cache, manifest }) => {
      await writeFile(fixture.path("app/out.txt"), "changed\n");
      await chmod(fixture.path("app/dist/sub/a.txt"), 0o600);
      await rm(fixture.path("app/latest"));
      await symlink("elsewhere", fixture.path("app/latest"));
      assert.equal((await cache.restore(manifest, TASK)).kind, "restored");
      assert.equal(await readFile(fixture.path("app/out.txt"), "utf8"), "top\n");
      assert.equal((await stat(fixture.path("app/dist/sub/a.txt"))).mode & 0o777, 0o750);
      assert.equal(await readlink(fixture.path("app/latest")), "out.txt");
    });
  });

  test("CACHE-020 a symlink output is recreated once deleted, a file in its place replaced (acceptance 20)", async () => {
    await withStored(async ({ fixture, cache, manifest }) => {
      await rm(fixture.path("app/latest"));
      await writeFile(fixture.path("app/latest"), "plain file");
      assert.equal((await cache.restore(manifest, TASK)).kind, "restored");
      assert.ok((await lstat(fixture.path("app/latest"))).isSymbolicLink());
      assert.equal(await readlink(fixture.path("app/latest")), "out.txt");
    });
  });

  test("CACHE-020 a directory at a file output's path is `a directory is in the way` (acceptance 25)", async () => {
    await withStored(async ({ fixture, cache, manifest }) => {
      await rm(fixture.path("app/out.txt"));
      await mkdir(fixture.path("app/out.txt"));
      await rm(fixture.path("app/dist/b.bin"));
      const result = await cache.restore(manifest, TASK);
      assert.deepEqual(result, {
        kind: "error",
        message: "cannot restore /app/out.txt: a directory is in the way",
      });
      await assert.rejects(
        lstat(fixture.path("app/dist/b.bin")),
        { code: "ENOENT" },
        "planning fails before any write",
      );
      await noStagingLeft(fixture);
    });
  });
});

describe("CACHE-036 containment", () => {
  test("CACHE-036 a parent replaced by a symlink to outside is an error, nothing written (acceptance 25)", async () => {
    await withStored(async ({ fixture, cache, manifest }) => {
      await withOutside(async (outside) => {
        await rm(fixture.path("app/dist"), { recursive: true });
        await symlink(outside, fixture.path("app/dist"));
        const result = await cache.restore(manifest, TASK);
        assert.deepEqual(result, {
          kind: "error",
          message: "cannot restore /app/dist/b.bin: `/app/dist` is a symbolic link",
        });
      });
    });
  });

  test("CACHE-036 a deeper symlinked parent is refused too", async () => {
    await withStored(async ({ fixture, cache, manifest }) => {
      await withOutside(async (outside) => {
        await rm(fixture.path("app/dist/sub"), { recursive: true });
        await symlink(outside, fixture.path("app/dist/sub"));
        const result = await cache.restore(manifest, TASK);
        assert.equal(result.kind, "error");
        assert.match(result.kind === "error" ? result.message : "", /`\/app\/dist\/sub` is a symbolic link/);
      });
    });
  });

  test("CACHE-036 an output path holding a symlink to outside is replaced, never written through", async () => {
    await withStored(async ({ fixture, cache, manifest }) => {
      await withOutside(async (outside) => {
        await rm(fixture.path("app/out.txt"));
        await symlink(join(outside, "keep.txt"), fixture.path("app/out.txt"));
        assert.equal((await cache.restore(manifest, TASK)).kind, "restored");
        assert.ok((await lstat(fixture.path("app/out.txt"))).isFile());
        assert.equal(await readFile(fixture.path("app/out.txt"), "utf8"), "top\n");
      });
    });
  });

  test("CACHE-036 planted manifests with unsafe or undeclared paths touch nothing (path safety)", async () => {
    await withStored(async ({ fixture, cache, manifest }) => {
      await withOutside(async (outside) => {
        await mkdir(fixture.path(".git"));
        await writeFile(fixture.path(".git/HEAD"), "ref");
        const file = manifest.outputs.find((output) => output.path === "/app/out.txt");
        assert.ok(file !== undefined);
        const relativeOutside = "/app/../../" + outside.split("/").filter(Boolean).join("/") + "/planted";
        // Invalid paths are refused even for a task whose outputs cover everything; an undeclared one
        // is refused for the task that does not declare it.
        const invalid = [relativeOutside, "/.haz/planted", "/.git/HEAD", "/app/.git/x", "app/out.txt"];
        const everything = cacheTask({ inputs: [], outputs: ["/**"] });
        const attempts: [string, TaskDefinition][] = [
          ...invalid.flatMap((path) => [[path, TASK], [path, everything]] as [string, TaskDefinition][]),
          ["/app/undeclared.txt", TASK],
        ];
        const before = await listTree(fixture.root);
        for (const [path, task] of attempts) {
          const result = await cache.restore({ ...manifest, outputs: [{ ...file, path }] }, task);
          assert.deepEqual(result, { kind: "late-miss" }, path);
        }
        assert.deepEqual(await listTree(fixture.root), before);
        assert.equal(await readFile(fixture.path(".git/HEAD"), "utf8"), "ref");
      });
    });
  });
});

describe("CACHE-038 late miss", () => {
  test("CACHE-038 a blob altered at equal size is caught while staging; the workspace is untouched (acceptance 30)", async () => {
    await withStored(async ({ fixture, cache, manifest, entry }) => {
      const file = manifest.outputs.find((output) => output.path === "/app/out.txt");
      assert.ok(file?.kind === "file");
      await writeFile(join(entry, "outputs", file.hash), "TOP\n");
      await writeFile(fixture.path("app/out.txt"), "stale\n");
      await rm(fixture.path("app/dist"), { recursive: true });
      assert.deepEqual(await cache.restore(manifest, TASK), { kind: "late-miss" });
      assert.equal(await readFile(fixture.path("app/out.txt"), "utf8"), "stale\n");
      await assert.rejects(lstat(fixture.path("app/dist")), { code: "ENOENT" });
      await noStagingLeft(fixture);
    });
  });

  test("CACHE-038 a truncated stream or a vanished entry is a late miss", async () => {
    await withStored(async ({ cache, manifest, entry }) => {
      await truncate(join(entry, "stderr"), 1);
      assert.deepEqual(await cache.restore(manifest, TASK), { kind: "late-miss" });
    });
    await withStored(async ({ fixture, cache, manifest, entry }) => {
      await rm(fixture.path("app/out.txt"));
      await rm(entry, { recursive: true });
      assert.deepEqual(await cache.restore(manifest, TASK), { kind: "late-miss" });
      await assert.rejects(lstat(fixture.path("app/out.txt")), { code: "ENOENT" });
    });
  });

  test("CACHE-038 a vanished cache root is a late miss", async () => {
    await withStored(async ({ fixture, cache, manifest }) => {
      await rm(fixture.path("app/out.txt"));
      await rm(cacheRootOf(fixture.root), { recursive: true });
      assert.deepEqual(await cache.restore(manifest, TASK), { kind: "late-miss" });
    });
  });
});

/** Restore works for a task whose outputs are covered by a glob. */
test("CACHE-030 outputs matched by a declared glob restore", async () => {
  await withStored(async ({ fixture, cache, manifest }) => {
    const globTask: TaskDefinition = cacheTask({ inputs: [], outputs: ["**/*", "latest"] });
    await rm(fixture.path("app/dist"), { recursive: true });
    assert.equal((await cache.restore(manifest, globTask)).kind, "restored");
    assert.equal(await readFile(fixture.path("app/dist/sub/a.txt"), "utf8"), "alpha\n");
  });
});
