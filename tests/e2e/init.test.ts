import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { runHazInPty } from "../support/pty_haz.ts";
import { runHaz } from "../support/run_haz.ts";
import { withWorkspaceFixture } from "../support/workspace_fixture.ts";

/** Every entry below `dir` (files and directories), as sorted relative paths. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.map(String).sort();
}

const SELECTION = "Enter = done: ";
const CONFIRMATION = "Write these files? [Y/n] ";

describe("haz init (no terminal)", () => {
  test("AUX-007 example 21: --yes in an empty directory writes `projects: []`; again → exit 2", async () => {
    await withWorkspaceFixture({}, async (fixture) => {
      const first = await runHaz(["init", "--yes"], { cwd: fixture.root });
      assert.equal(first.code, 0);
      assert.equal(first.stdout, "created .haz/workspace.yml\n");
      assert.equal(first.stderr, "");
      assert.equal(await readFile(fixture.path(".haz/workspace.yml"), "utf8"), "projects: []\n");
      assert.deepEqual(await tree(fixture.root), [".haz", ".haz/workspace.yml"]);

      const again = await runHaz(["init", "--yes"], { cwd: fixture.root });
      assert.equal(again.code, 2);
      assert.equal(again.stdout, "");
      assert.equal(
        again.stderr,
        `error: ${fixture.root} already has a haz workspace (.haz/workspace.yml exists)\n`,
      );
      assert.equal(await readFile(fixture.path(".haz/workspace.yml"), "utf8"), "projects: []\n");
    });
  });

  test("AUX-008 --yes never reads stdin", async () => {
    await withWorkspaceFixture({ "app/package.json": "{}" }, async (fixture) => {
      const result = await runHaz(["init", "--yes"], { cwd: fixture.root, stdin: "n\n" });
      assert.equal(result.code, 0);
      assert.equal(result.stdout, "created .haz/workspace.yml\n");
      assert.equal(await readFile(fixture.path(".haz/workspace.yml"), "utf8"), "projects: []\n");
      assert.deepEqual(await tree(fixture.root), [".haz", ".haz/workspace.yml", "app", "app/package.json"]);
    });
  });

  test("§7.1 example 22: `haz init < /dev/null` names the missing terminal and the --yes hint", async () => {
    await withWorkspaceFixture({ "app/package.json": "{}" }, async (fixture) => {
      const result = await runHaz(["init"], { cwd: fixture.root });
      assert.equal(result.code, 2);
      assert.equal(result.stdout, "");
      assert.equal(
        result.stderr,
        "error: haz init needs an interactive terminal (stdin is not a TTY)\n" +
          "help: use 'haz init --yes' to write a minimal workspace without questions\n",
      );
      assert.deepEqual(await tree(fixture.root), ["app", "app/package.json"]);
    });
  });

  test("AUX-002 inside another workspace, -C DIR: the workspace is created in DIR with the note", async () => {
    await withWorkspaceFixture(
      { ".haz/workspace.yml": "projects: []\n", "tools/new": { directory: true } },
      async (
        fixture,
      ) => {
        const result = await runHaz(["-C", "tools/new", "init", "--yes"], { cwd: fixture.root });
        const dir = fixture.path("tools/new");
        assert.equal(result.code, 0);
        assert.equal(result.stdout, "created .haz/workspace.yml\n");
        assert.equal(
          result.stderr,
          `note: ${dir} is inside the workspace at ${fixture.root}; commands started below ${dir} will use the new workspace\n`,
        );
        assert.equal(await readFile(join(dir, ".haz/workspace.yml"), "utf8"), "projects: []\n");
      },
    );
  });
});

describe("haz init on a terminal (PTY)", () => {
  test("AUX-006 example 23: workspaces, Enter, y → new haz.yml, kept haz.yml, workspace.yml", async () => {
    await withWorkspaceFixture({
      "package.json": JSON.stringify({ workspaces: ["packages/*"] }),
      "packages/a/package.json": "{}",
      "packages/b/package.json": "{}",
      "packages/b/haz.yml": "name: bee\ntasks: {}\n",
    }, async (fixture) => {
      const result = await runHazInPty(fixture.root, ["init"], [
        { waitFor: SELECTION, send: "\r" },
        { waitFor: CONFIRMATION, send: "y\r" },
      ]);
      assert.equal(result.code, 0, result.terminal);
      assert.equal(result.stdout, "created packages/a/haz.yml\ncreated .haz/workspace.yml\n");
      assert.equal(await readFile(fixture.path("packages/a/haz.yml"), "utf8"), "tasks: {}\n");
      assert.equal(await readFile(fixture.path("packages/b/haz.yml"), "utf8"), "name: bee\ntasks: {}\n");
      assert.equal(
        await readFile(fixture.path(".haz/workspace.yml"), "utf8"),
        "projects:\n  - packages/a\n  - packages/b\n",
      );
      assert.ok(
        result.terminal.includes(
          'Found 2 candidate projects (package.json "workspaces"):\n\n' +
            "  [x] 1  packages/a    a\n  [x] 2  packages/b    bee   (has haz.yml)\n\n" +
            "Toggle with numbers or ranges (2, 1-3), a = all, n = none, Enter = done: ",
        ),
        result.terminal,
      );
      assert.ok(
        result.terminal.includes(
          "Will write:\n  packages/a/haz.yml\n  .haz/workspace.yml (2 projects)\n" +
            "Will keep:\n  packages/b/haz.yml\nWrite these files? [Y/n] ",
        ),
        result.terminal,
      );
    });
  });

  test("ID-005 example 24: `my app/` becomes `my-app`, the workspace entry is quoted", async () => {
    await withWorkspaceFixture({ "my app/package.json": "{}" }, async (fixture) => {
      const result = await runHazInPty(fixture.root, ["init"], [
        { waitFor: SELECTION, send: "\r" },
        { waitFor: CONFIRMATION, send: "\r" },
      ]);
      assert.equal(result.code, 0, result.terminal);
      assert.ok(result.terminal.includes("  [x] 1  my app    my-app\n"), result.terminal);
      assert.equal(result.stdout, "created my app/haz.yml\ncreated .haz/workspace.yml\n");
      assert.equal(await readFile(fixture.path("my app/haz.yml"), "utf8"), "name: my-app\ntasks: {}\n");
      assert.equal(await readFile(fixture.path(".haz/workspace.yml"), "utf8"), 'projects:\n  - "my app"\n');
    });
  });

  test("AUX-005 example 25: `n` at the confirmation → exit 0, `nothing written`, no file created", async () => {
    await withWorkspaceFixture({ "app/package.json": "{}" }, async (fixture) => {
      const result = await runHazInPty(fixture.root, ["init"], [
        { waitFor: SELECTION, send: "\r" },
        { waitFor: CONFIRMATION, send: "n\r" },
      ]);
      assert.equal(result.code, 0, result.terminal);
      assert.equal(result.stdout, "");
      assert.ok(result.terminal.includes("nothing written\n"), result.terminal);
      assert.deepEqual(await tree(fixture.root), ["app", "app/package.json"]);
    });
  });

  test("AUX-005 example 25: Ctrl-C at the selection → exit 130, nothing written", async () => {
    await withWorkspaceFixture({ "app/package.json": "{}" }, async (fixture) => {
      const result = await runHazInPty(fixture.root, ["init"], [{ waitFor: SELECTION, send: "\x03" }]);
      assert.equal(result.code, 130, result.terminal);
      assert.equal(result.stdout, "");
      assert.ok(!result.terminal.includes("nothing written"), result.terminal);
      assert.deepEqual(await tree(fixture.root), ["app", "app/package.json"]);
    });
  });

  test("§7.1 toggling on the terminal: deselect one candidate, then confirm", async () => {
    await withWorkspaceFixture({
      "deno.json": JSON.stringify({ workspace: ["./core", "./web"] }),
      "core": { directory: true },
      "web": { directory: true },
    }, async (fixture) => {
      const result = await runHazInPty(fixture.root, ["init"], [
        { waitFor: SELECTION, send: "2\r" },
        { waitFor: SELECTION, send: "\r" },
        { waitFor: CONFIRMATION, send: "y\r" },
      ]);
      assert.equal(result.code, 0, result.terminal);
      assert.ok(result.terminal.includes("  [x] 1  core    core\n  [ ] 2  web     web\n"), result.terminal);
      assert.equal(result.stdout, "created core/haz.yml\ncreated .haz/workspace.yml\n");
      assert.equal(await readFile(fixture.path(".haz/workspace.yml"), "utf8"), "projects:\n  - core\n");
      assert.deepEqual(await readdir(fixture.path("web")), []);
    });
  });
});
