import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  existsSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { loadWorkspace, type LoadWorkspaceResult, type SnapshotUse } from "../../lib/graph/load_workspace.ts";
import { readWorkspaceSnapshot, SNAPSHOT_FILE } from "../../lib/graph/workspace_snapshot.ts";
import { stateDirOf } from "../../lib/util/state_file.ts";
import { seededRandom } from "../support/seeded_random.ts";
import {
  type FixtureEntry,
  withWorkspaceFixture,
  type WorkspaceFixture,
} from "../support/workspace_fixture.ts";

const VERSION = "haz test";

/**
 * A snapshot use whose clock runs 3 s ahead: every file written before the load counts as settled, as
 * if the test had waited out the 2-second window (the window itself is tested with the real clock).
 */
const SETTLED: SnapshotUse = {
  version: VERSION,
  now: () => Date.now() + 3_000,
};

/** The result without object identity, for comparison (warnings and diagnostics included). */
function comparable(result: LoadWorkspaceResult): unknown {
  if (!result.ok) return { ok: false, diagnostics: result.diagnostics };
  const { workspace, graph, startDir, bearingProject, warnings } = result.loaded;
  return { ok: true, workspace, graph, startDir, bearing: bearingProject?.name ?? null, warnings };
}

function snapshotPath(fixture: WorkspaceFixture): string {
  return join(stateDirOf(fixture.root), SNAPSHOT_FILE);
}

/** Lets the file system clock move on, so the next change gets a timestamp of its own. */
function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 15));
}

/** Sets a file's mtime and atime `secondsAgo` in the past. */
function age(path: string, secondsAgo: number): void {
  const when = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(path, when, when);
}

const BASE: Record<string, FixtureEntry> = {
  ".haz/workspace.yml": 'projects: ["packages/*", tools/gen]\n',
  ".haz/tasks/lint.yml": "tagsFilter: lib\ntasks:\n  lint:\n    command: [echo, lint]\n",
  "packages/a/haz.yml": "tags: [lib]\ntasks:\n  build:\n    command: [echo, a]\n",
  "packages/b/haz.yml": 'tasks:\n  build:\n    command: [echo, b]\n    deps: ["a:build"]\n',
  "tools/gen/haz.yml": "tasks:\n  gen:\n    shell: echo gen\n",
};

describe("workspace snapshot", () => {
  test("PERF-001 a second load uses the snapshot and gives the same workspace, warnings included", async () => {
    await withWorkspaceFixture({ ...BASE, ".haz/tasks/notes.txt": "x", "haz.yml": "" }, async (fixture) => {
      const fresh = await loadWorkspace(fixture.root);
      const first = await loadWorkspace(fixture.root, { snapshot: SETTLED });
      assert.ok(existsSync(snapshotPath(fixture)));
      assert.notEqual(readWorkspaceSnapshot(fixture.root, VERSION), null);
      const second = await loadWorkspace(fixture.path("packages/b"), { snapshot: SETTLED });
      assert.deepEqual(comparable(first), comparable(fresh));
      assert.ok(second.ok && first.ok);
      assert.deepEqual(second.loaded.warnings.map((w) => w.rule).sort(), ["DISC-007", "DISC-009"]);
      assert.deepEqual(comparable(second), comparable(await loadWorkspace(fixture.path("packages/b"))));
      assert.equal(second.loaded.bearingProject?.name, "b");
      assert.equal(readFileSync(join(stateDirOf(fixture.root), ".gitignore"), "utf8").split("\n")[1], "*");
    });
  });

  test("PERF-001 a build's files in a glob-matched project (dist/) leave the snapshot valid; a new haz.yml does not", async () => {
    await withWorkspaceFixture({ ...BASE, "packages/c/src/x": "" }, async (fixture) => {
      await loadWorkspace(fixture.root, { snapshot: SETTLED });
      await fixture.write({ "packages/a/dist/y": "built", "packages/c/dist/y": "built" });
      assert.notEqual(readWorkspaceSnapshot(fixture.root, VERSION), null);
      await fixture.write({ "packages/c/haz.yml": "" });
      assert.equal(readWorkspaceSnapshot(fixture.root, VERSION), null);
      const loaded = await loadWorkspace(fixture.root, { snapshot: SETTLED });
      assert.deepEqual(comparable(loaded), comparable(await loadWorkspace(fixture.root)));
    });
  });

  test("PERF-001 a literal entry reached through a directory replaced by a symlink is a full load (DISC-005)", async () => {
    const files = { ".haz/workspace.yml": "projects: [libs/core]\n", "libs/core/haz.yml": "tasks: {}\n" };
    await withWorkspaceFixture(files, async (fixture) => {
      await loadWorkspace(fixture.root, { snapshot: SETTLED });
      assert.notEqual(readWorkspaceSnapshot(fixture.root, VERSION), null);
      renameSync(fixture.path("libs"), fixture.path("elsewhere"));
      symlinkSync("elsewhere", fixture.path("libs"));
      assert.equal(readWorkspaceSnapshot(fixture.root, VERSION), null);
      const loaded = await loadWorkspace(fixture.root, { snapshot: SETTLED });
      assert.equal(loaded.ok, false);
      assert.deepEqual(comparable(loaded), comparable(await loadWorkspace(fixture.root)));
    });
  });

  test("PERF-001 a snapshot from another version, or a corrupt one, means a full load", async () => {
    await withWorkspaceFixture(BASE, async (fixture) => {
      await loadWorkspace(fixture.root, { snapshot: SETTLED });
      assert.equal(readWorkspaceSnapshot(fixture.root, "haz other"), null);
      const bytes = readFileSync(snapshotPath(fixture));
      for (const damage of [bytes.subarray(0, bytes.length - 7), bytes.fill(0, bytes.length - 50)]) {
        writeFileSync(snapshotPath(fixture), damage);
        assert.equal(readWorkspaceSnapshot(fixture.root, VERSION), null);
        const loaded = await loadWorkspace(fixture.root, { snapshot: SETTLED });
        assert.deepEqual(comparable(loaded), comparable(await loadWorkspace(fixture.root)));
      }
      writeFileSync(snapshotPath(fixture), "garbage");
      assert.equal(readWorkspaceSnapshot(fixture.root, VERSION), null);
    });
  });

  test("PERF-001 a read-only load (haz why, AUX-018) uses a snapshot but never writes one", async () => {
    await withWorkspaceFixture(BASE, async (fixture) => {
      const readOnly: SnapshotUse = { ...SETTLED, readOnly: true };
      await loadWorkspace(fixture.root, { snapshot: readOnly });
      assert.equal(existsSync(stateDirOf(fixture.root)), false);
      await loadWorkspace(fixture.root, { snapshot: SETTLED });
      const written = statSync(snapshotPath(fixture)).mtimeMs;
      await fixture.write({ "packages/c/haz.yml": "" });
      await pause();
      const result = await loadWorkspace(fixture.root, { snapshot: readOnly });
      assert.ok(result.ok && result.loaded.workspace.projects.some((project) => project.name === "c"));
      assert.equal(statSync(snapshotPath(fixture)).mtimeMs, written);
    });
  });

  test("PERF-001 a load with errors writes no snapshot", async () => {
    await withWorkspaceFixture({ ...BASE, "packages/b/haz.yml": "tasks: [" }, async (fixture) => {
      const result = await loadWorkspace(fixture.root, { snapshot: SETTLED, collectAll: true });
      assert.equal(result.ok, false);
      assert.equal(existsSync(snapshotPath(fixture)), false);
    });
  });

  test("PERF-001 files changed within 2 s of the load are not trusted; a same-size edit keeping mtime shows", async () => {
    await withWorkspaceFixture(BASE, async (fixture) => {
      const file = fixture.path("packages/a/haz.yml");
      const real: SnapshotUse = { version: VERSION };
      // A load starting 1 s after the latest change (a clock pinned there, so a stalled machine
      // cannot make the files look older): nothing may be recorded.
      const latestChangeMs = () =>
        Math.max(...Object.keys(BASE).map((path) => statSync(fixture.path(path)).ctimeMs));
      const soon: SnapshotUse = { version: VERSION, now: () => latestChangeMs() + 1_000 };
      await loadWorkspace(fixture.root, { snapshot: soon });
      assert.equal(existsSync(snapshotPath(fixture)), false);
      // Settled mtimes but a fresh ctime (utimes moves ctime to now): still not trusted.
      for (const path of Object.keys(BASE)) age(fixture.path(path), 60);
      await loadWorkspace(fixture.root, { snapshot: soon });
      assert.equal(existsSync(snapshotPath(fixture)), false);
      // Once every timestamp is more than 2 s old, the snapshot is written and used.
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      await loadWorkspace(fixture.root, { snapshot: real });
      assert.notEqual(readWorkspaceSnapshot(fixture.root, VERSION), null);
      // A same-size edit that puts the mtime back still changes the identity (ctime).
      const before = statSync(file);
      writeFileSync(file, readFileSync(file, "utf8").replace("echo, a", "echo, A"));
      utimesSync(file, before.atime, before.mtime);
      assert.equal(statSync(file).size, before.size);
      const after = await loadWorkspace(fixture.root, { snapshot: real });
      assert.ok(after.ok);
      assert.deepEqual(
        after.loaded.graph.tasks.get("a:build")?.action,
        { kind: "command", argv: ["echo", "A"] },
      );
    });
  });

  test("PERF-001 every kind of task field, edge and warning survives the snapshot", async () => {
    const rich: Record<string, FixtureEntry> = {
      ".haz/workspace.yml": 'projects: ["apps/*", "libs/*"]\nconcurrency: {default: 2, tags: {app: 1}}\n',
      ".haz/tasks/lint.yml":
        'tagsFilter: lib\ntasks:\n  lint:\n    command: [echo, lint]\n    inputs: ["src/**"]\n',
      "libs/core/haz.yml": [
        "tags: [lib, base]",
        "tasks:",
        "  build:",
        "    description: Bundle core",
        "    command: [tsc, -p, .]",
        '    inputs: ["src/**", "!src/**/*.test.ts", /shared/config.json]',
        '    outputs: [dist, "!dist/cache"]',
        '    mutex: {name: "~:bundler", mode: shared}',
        "    env: {from_host: [NODE_ENV], override: {STRICT: 1}}",
        "    timeout: 10m",
        "    cache: false",
        "",
      ].join("\n"),
      "apps/web/haz.yml": [
        "name: web",
        "tags: [app]",
        "tasks:",
        "  build:",
        '    shell: {using: bash, script: "cat /libs/core/dist/index.js > out.js"}',
        '    inputs: ["/libs/core/dist/**"]',
        "    outputs: [out.js]",
        '    deps: ["[lib]:build", "^~:build"]',
        '    weakDeps: ["~:serve", "[nosuchtag]:build"]',
        "  serve:",
        "    command: [serve]",
        '    service: {ready: {line: "^up (\\\\d+)$", timeout: 2m}, on_exit: restart, max_restarts: 5}',
        "  default:",
        '    deps: ["~:build"]',
        "",
      ].join("\n"),
    };
    await withWorkspaceFixture(rich, async (fixture) => {
      const fresh = await loadWorkspace(fixture.root);
      assert.ok(fresh.ok, JSON.stringify(fresh));
      assert.ok(fresh.loaded.warnings.length > 0);
      assert.ok(fresh.loaded.graph.edges.some((edge) => edge.kind === "producer" && edge.via !== undefined));
      await loadWorkspace(fixture.root, { snapshot: SETTLED });
      assert.notEqual(readWorkspaceSnapshot(fixture.root, VERSION), null);
      const viaSnapshot = await loadWorkspace(fixture.root, { snapshot: SETTLED });
      assert.deepEqual(comparable(viaSnapshot), comparable(fresh));
      assert.ok(viaSnapshot.ok);
      const serve = viaSnapshot.loaded.graph.tasks.get("web:serve");
      assert.ok(serve?.service?.ready?.line instanceof RegExp);
    });
  });

  test("PERF-001 property: snapshot-backed and fresh loads agree through random edits, adds, removes, touches", async () => {
    const random = seededRandom(20261207);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const names = ["a", "b", "c", "d", "e"];
    const bodies = [
      (name: string) => `tasks:\n  build:\n    command: [echo, ${name}]\n`,
      (name: string) =>
        `tags: [lib]\ntasks:\n  build:\n    command: [echo, ${name}]\n    deps: ["a:build"]\n`,
      (name: string) => `name: n${name}\ntasks:\n  build:\n    shell: echo ${name}x\n`,
      (name: string) => `tasks:\n  build:\n    command: [echo, ${name.toUpperCase()}]\n`,
    ];
    const broken = [() => "tasks: [\n", () => "tasks:\n  build:\n    deps: [missing:build]\n"];
    const settings = [
      'projects: ["packages/*", tools/gen]\n',
      'projects: ["packages/*"]\n',
      'projects: ["packages/**"]\n',
      "projects: [packages/a, packages/b]\n",
      "projects: []\n",
    ];
    const overlays = [
      "tagsFilter: lib\ntasks:\n  lint:\n    command: [echo, lint]\n",
      "tagsFilter: lib\ntasks:\n  lint:\n    command: [echo, LINT]\n",
      "tagsFilter: nosuchtag\ntasks:\n  lint:\n    command: [echo, lint]\n",
    ];
    await withWorkspaceFixture(BASE, async (fixture) => {
      let hits = 0;
      let rounds = 0;
      for (let round = 0; round < 70; round++) {
        const changes = 1 + Math.floor(random() * 3);
        for (let change = 0; change < changes; change++) {
          const name = pick(names);
          const project = `packages/${random() < 0.2 ? `nested/${name}` : name}`;
          const file = fixture.path(`${project}/haz.yml`);
          switch (pick(["edit", "edit", "add", "remove", "touch", "settings", "overlay", "other"])) {
            case "edit":
            case "add":
              await fixture.write({ [`${project}/haz.yml`]: pick(random() < 0.1 ? broken : bodies)(name) });
              break;
            case "remove":
              rmSync(fixture.path(random() < 0.5 ? project : `${project}/haz.yml`), {
                recursive: true,
                force: true,
              });
              break;
            case "touch":
              if (existsSync(file)) age(file, 10 + random() * 1000);
              break;
            case "settings":
              await fixture.write({ ".haz/workspace.yml": pick(settings) });
              break;
            case "overlay":
              if (random() < 0.3) rmSync(fixture.path(".haz/tasks/lint.yml"), { force: true });
              else await fixture.write({ ".haz/tasks/lint.yml": pick(overlays) });
              break;
            case "other":
              if (random() < 0.5) await fixture.write({ [`${project}/src/x.txt`]: String(random()) });
              else await fixture.write({ "haz.yml": random() < 0.5 ? "" : "tasks: {}\n" });
              break;
          }
        }
        await pause();
        const start = pick(["", "packages", "packages/a", "tools/gen"]);
        const startDir = existsSync(fixture.path(start)) ? fixture.path(start) : fixture.root;
        const collectAll = random() < 0.5;
        const fresh = comparable(await loadWorkspace(startDir, { collectAll }));
        const viaSnapshot = await loadWorkspace(startDir, { collectAll, snapshot: SETTLED });
        assert.deepEqual(comparable(viaSnapshot), fresh, `round ${round}`);
        if (readWorkspaceSnapshot(fixture.root, VERSION) !== null) {
          hits++;
          assert.deepEqual(
            comparable(await loadWorkspace(startDir, { collectAll, snapshot: SETTLED })),
            fresh,
          );
        }
        rounds++;
      }
      assert.equal(rounds, 70);
      // The property is only worth something when the snapshot path is taken often.
      assert.ok(hits >= 20, `the snapshot was usable in only ${hits} rounds`);
    });
  });
});
