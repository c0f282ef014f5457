import assert from "node:assert/strict";
import { chmod, readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { enumerateInputs, resolveOutputs } from "../../lib/cache/file_walk.ts";
import { detectRuntime } from "../../lib/runtime/detect_runtime.ts";
import { spawnerFor } from "../../lib/runtime/spawner_for.ts";
import { webInputPatterns } from "../support/input_patterns.ts";
import { createWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";

async function inputs(fixture: WorkspaceFixture, texts: readonly string[]) {
  const { inclusions, exclusions } = webInputPatterns(texts);
  return await enumerateInputs(fixture.root, inclusions, exclusions);
}

async function inputPaths(fixture: WorkspaceFixture, texts: readonly string[]): Promise<string[]> {
  const result = await inputs(fixture, texts);
  assert.ok(result.ok, result.ok ? "" : result.message);
  return result.files.map((file) => file.path);
}

async function outputs(fixture: WorkspaceFixture, texts: readonly string[]) {
  return await resolveOutputs(fixture.root, webInputPatterns(texts).inclusions);
}

/** Creates a FIFO through the runtime's spawner (no `node:` API creates one). */
async function makeFifo(hostPath: string): Promise<void> {
  const child = spawnerFor(detectRuntime()).spawn({
    program: "mkfifo",
    args: [hostPath],
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    cwd: "/",
  });
  await Promise.all([child.stdout.cancel(), child.stderr.cancel()]);
  assert.deepEqual(await child.exited, { code: 0, signal: null });
}

const isRoot = process.getuid?.() === 0;

describe("EX-114 input enumeration", () => {
  let fixture: WorkspaceFixture;
  before(async () => {
    fixture = await createWorkspaceFixture({
      "web/src/a.ts": "content of a",
      "web/src/.b.ts": "b",
      "web/shared/s.ts": "shared",
      "web/src/lib": { symlink: "../shared" },
      "web/src/c.ts": { symlink: "a.ts" },
      "web/src/.git/x.ts": "git",
    });
  });
  after(() => fixture.remove());

  test("PATH-020 EX-114 enumerates `.b.ts`, `a.ts` and the link `c.ts`, not through `lib` or `.git`", async () => {
    const result = await inputs(fixture, ["src/**/*.ts", "src/a.ts"]);
    assert.ok(result.ok);
    assert.deepEqual(result.files.map(({ path, hostPath }) => ({ path, hostPath })), [
      { path: "/web/src/.b.ts", hostPath: fixture.path("web/src/.b.ts") },
      { path: "/web/src/a.ts", hostPath: fixture.path("web/src/a.ts") },
      { path: "/web/src/c.ts", hostPath: fixture.path("web/src/c.ts") },
    ]);
    assert.equal(await readFile(result.files[2].hostPath, "utf8"), "content of a");
    // The literal's stat from the enumeration travels with it, so hashing does not stat again.
    assert.equal(result.files[1].stat?.isFile(), true);
  });

  test("PATH-020 EX-114 a missing literal input is an error", async () => {
    assert.deepEqual(await inputs(fixture, ["src/missing.ts"]), {
      ok: false,
      message: "input `/web/src/missing.ts` does not exist",
    });
  });

  test("PATH-020 a glob whose prefix goes through a symlinked directory matches nothing", async () => {
    assert.deepEqual(await inputPaths(fixture, ["src/lib/*.ts"]), []);
    assert.deepEqual(await inputPaths(fixture, ["shared/*.ts"]), ["/web/shared/s.ts"]);
  });
});

describe("PATH-020 literal inputs", () => {
  let fixture: WorkspaceFixture;
  before(async () => {
    fixture = await createWorkspaceFixture({
      "web/file.txt": "x",
      "web/dir": { directory: true },
      "web/to_dir": { symlink: "dir" },
      "web/to_file": { symlink: "file.txt" },
      "web/dangling": { symlink: "nowhere" },
    });
  });
  after(() => fixture.remove());

  test("PATH-020 a literal directory is not a regular file", async () => {
    assert.deepEqual(await inputs(fixture, ["dir"]), {
      ok: false,
      message: "input `/web/dir` is not a regular file",
    });
  });

  test("PATH-020 a literal symlink is checked through its target", async () => {
    assert.deepEqual(await inputs(fixture, ["to_dir"]), {
      ok: false,
      message: "input `/web/to_dir` is not a regular file",
    });
    assert.deepEqual(await inputs(fixture, ["dangling"]), {
      ok: false,
      message: "input `/web/dangling` does not exist",
    });
    assert.deepEqual(await inputPaths(fixture, ["to_file"]), ["/web/to_file"]);
  });

  test("PATH-020 a literal below a regular file does not exist", async () => {
    assert.deepEqual(await inputs(fixture, ["file.txt/x"]), {
      ok: false,
      message: "input `/web/file.txt/x` does not exist",
    });
  });

  test("PATH-021 an excluded literal input is not checked", async () => {
    assert.deepEqual(await inputPaths(fixture, ["missing.txt", "file.txt", "!missing.txt"]), [
      "/web/file.txt",
    ]);
    assert.deepEqual(await inputPaths(fixture, ["dir/missing.txt", "!dir"]), []);
  });

  test("PATH-020 errors name the smallest failing path", async () => {
    assert.deepEqual(await inputs(fixture, ["zz.txt", "dir", "aa.txt"]), {
      ok: false,
      message: "input `/web/aa.txt` does not exist",
    });
  });
});

describe("PATH-020 glob inputs", () => {
  let fixture: WorkspaceFixture;
  before(async () => {
    fixture = await createWorkspaceFixture({
      ".haz/workspace.yml": "",
      ".haz/cache/x.ts": "cache",
      ".git/HEAD": "ref",
      "top.ts": "top",
      "web/src/a.ts": "a",
      "web/src/deep/er/b.ts": "b",
      "web/src/broken.ts": { symlink: "gone.ts" },
      "web/src/dir.ts": { directory: true },
      "web/src/linked_dir.ts": { symlink: "deep" },
      "web/sub/.git": "gitdir: elsewhere",
    });
    await makeFifo(fixture.path("web/src/pipe.ts"));
  });
  after(() => fixture.remove());

  test("PATH-020 broken symlinks, directories, symlinked directories and FIFOs are skipped", async () => {
    assert.deepEqual(await inputPaths(fixture, ["src/*.ts"]), ["/web/src/a.ts"]);
  });

  test("PATH-020 a missing static prefix gives zero matches", async () => {
    assert.deepEqual(await inputPaths(fixture, ["nope/**/*.ts", "src/nope/*"]), []);
  });

  test("PATH-020 walks never enter or report `.haz` and `.git`", async () => {
    assert.deepEqual(await inputPaths(fixture, ["/**"]), [
      "/top.ts",
      "/web/src/a.ts",
      "/web/src/deep/er/b.ts",
    ]);
  });

  test("PATH-020 a fully literal brace alternative is checked like a glob match", async () => {
    assert.deepEqual(await inputPaths(fixture, ["src/{a,missing}.ts"]), ["/web/src/a.ts"]);
    assert.deepEqual(await inputPaths(fixture, ["src/{deep/er/b,broken}.ts"]), ["/web/src/deep/er/b.ts"]);
  });
});

describe("PATH-021 union, exclusions, order", () => {
  let fixture: WorkspaceFixture;
  before(async () => {
    fixture = await createWorkspaceFixture({
      "web/haz.yml": "tasks: {}",
      "web/src/B.ts": "",
      "web/src/a.ts": "",
      "web/src/é.ts": "",
      "web/src/😀.ts": "",
      "web/src/ｚ.ts": "",
      "web/src/a.test.ts": "",
      "web/dist/out.js": "",
      "web/dist/nested/more.js": "",
      "web/coverage/lcov.info": "",
    });
  });
  after(() => fixture.remove());

  test("PATH-021 inclusions are united, de-duplicated and sorted by UTF-8 bytes", async () => {
    assert.deepEqual(await inputPaths(fixture, ["src/*.ts", "src/**", "src/a.ts", "/web/src/B.ts"]), [
      "/web/src/B.ts",
      "/web/src/a.test.ts",
      "/web/src/a.ts",
      "/web/src/é.ts",
      "/web/src/ｚ.ts",
      "/web/src/😀.ts",
    ]);
  });

  test("CFG-044 exclusions remove what they match after every inclusion, whatever the order", async () => {
    assert.deepEqual(await inputPaths(fixture, ["!dist/**", "**/*", "!coverage/**", "!src/*.test.ts"]), [
      "/web/haz.yml",
      "/web/src/B.ts",
      "/web/src/a.ts",
      "/web/src/é.ts",
      "/web/src/ｚ.ts",
      "/web/src/😀.ts",
    ]);
  });

  test("CFG-044 a literal exclusion removes the path and everything below it", async () => {
    assert.deepEqual(await inputPaths(fixture, ["dist/**", "!dist/nested"]), ["/web/dist/out.js"]);
    assert.deepEqual(await inputPaths(fixture, ["src/**", "!src/a.ts"]), [
      "/web/src/B.ts",
      "/web/src/a.test.ts",
      "/web/src/é.ts",
      "/web/src/ｚ.ts",
      "/web/src/😀.ts",
    ]);
  });
});

describe("CACHE-029 unreadable directories", () => {
  test("CACHE-029 a glob walk fails on a directory it cannot read", { skip: isRoot }, async () => {
    const fixture = await createWorkspaceFixture({ "web/src/locked/a.ts": "", "web/src/b.ts": "" });
    try {
      await chmod(fixture.path("web/src/locked"), 0o000);
      assert.deepEqual(await inputs(fixture, ["src/**/*.ts"]), {
        ok: false,
        message: "cannot read directory `/web/src/locked`: permission denied",
      });
    } finally {
      await chmod(fixture.path("web/src/locked"), 0o755);
      await fixture.remove();
    }
  });
});

describe("PATH-022 output resolution", () => {
  let fixture: WorkspaceFixture;
  before(async () => {
    fixture = await createWorkspaceFixture({
      "web/out.txt": "o",
      "web/dist/index.js": "i",
      "web/dist/sub/deep.js": "d",
      "web/dist/empty": { directory: true },
      "web/dist/link.js": { symlink: "index.js" },
      "web/dist/dangling": { symlink: "missing" },
      "web/dist/linked_dir": { symlink: "sub" },
      "web/dist/.git/x": "x",
      "web/gen/a.ts": "a",
      "web/gen/b.js": "b",
      "web/gen/to_dir.ts": { symlink: "../dist" },
      "web/only_empty/nothing": { directory: true },
      "web/link_out": { symlink: "out.txt" },
      "web/dangling_out": { symlink: "nowhere" },
    });
    await makeFifo(fixture.path("web/dist/pipe"));
    await makeFifo(fixture.path("web/pipe"));
  });
  after(() => fixture.remove());

  test("PATH-022 a missing literal output is `output-missing`", async () => {
    assert.deepEqual(await outputs(fixture, ["out.txt", "missing.txt"]), {
      ok: false,
      error: { kind: "output-missing", path: "/web/missing.txt" },
    });
  });

  test("PATH-022 a literal FIFO output is `output-unsupported`", async () => {
    assert.deepEqual(await outputs(fixture, ["pipe"]), {
      ok: false,
      error: { kind: "output-unsupported", path: "/web/pipe", fileType: "fifo" },
    });
  });

  test("PATH-022 a literal directory yields every file and symlink below, not through links, `.git` or FIFOs", async () => {
    assert.deepEqual(await outputs(fixture, ["dist"]), {
      ok: true,
      paths: [
        "/web/dist/dangling",
        "/web/dist/index.js",
        "/web/dist/link.js",
        "/web/dist/linked_dir",
        "/web/dist/sub/deep.js",
      ],
    });
  });

  test("PATH-022 empty directories yield nothing", async () => {
    assert.deepEqual(await outputs(fixture, ["only_empty"]), { ok: true, paths: [] });
  });

  test("PATH-023 literal symlinks are recorded as themselves, even dangling", async () => {
    assert.deepEqual(await outputs(fixture, ["link_out", "dangling_out", "out.txt"]), {
      ok: true,
      paths: ["/web/dangling_out", "/web/link_out", "/web/out.txt"],
    });
  });

  test("PATH-022 a glob output with zero matches is fine", async () => {
    assert.deepEqual(await outputs(fixture, ["gen/*.rs", "nope/**"]), { ok: true, paths: [] });
  });

  test("PATH-022 a glob output keeps matching files and symlinks without following them", async () => {
    assert.deepEqual(await outputs(fixture, ["gen/*.ts"]), {
      ok: true,
      paths: ["/web/gen/a.ts", "/web/gen/to_dir.ts"],
    });
  });

  test("PATH-023 outputs are de-duplicated and sorted by path bytes", async () => {
    assert.deepEqual(await outputs(fixture, ["gen/*.js", "gen", "gen/b.js", "dist/sub/**"]), {
      ok: true,
      paths: ["/web/dist/sub/deep.js", "/web/gen/a.ts", "/web/gen/b.js", "/web/gen/to_dir.ts"],
    });
  });
});
