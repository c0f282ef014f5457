import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { describe, test } from "node:test";
import type { CommandContext } from "../../lib/cli/command_context.ts";
import { initCommand } from "../../lib/cli/init_command.ts";
import { inspectInitTarget } from "../../lib/cli/init_target.ts";
import { parseCommandLine, type ParsedCommandLine } from "../../lib/cli/parse_args.ts";
import { withWorkspaceFixture } from "../support/workspace_fixture.ts";

function parsed(...argv: string[]): ParsedCommandLine {
  const outcome = parseCommandLine(argv);
  assert.equal(outcome.kind, "command");
  return (outcome as { parsed: ParsedCommandLine }).parsed;
}

function sink() {
  let text = "";
  return { write: (bytes: Uint8Array) => (text += new TextDecoder().decode(bytes)), text: () => text };
}

/** A context for `init` that must never prompt: stdin is not a terminal, signals must not be touched. */
function contextFor(startDir: string) {
  const stdout = sink();
  const stderr = sink();
  const context = {
    startDir,
    env: {},
    stdout,
    stderr,
    color: false,
    stdoutIsTerminal: false,
    stdinIsTerminal: false,
    columns: () => 80,
    spawner: undefined as never,
    signals: {
      on() {
        throw new Error("init must not subscribe to signals without prompting");
      },
    },
    runtime: { hazVersion: "0", runtime: "deno", runtimeVersion: "0", os: "linux", arch: "x64" },
    argv: [],
    startedAt: 0,
    startedAtUnixMs: 0,
    exitNow: () => {
      throw new Error("init must not end the process");
    },
  } satisfies CommandContext;
  return { context, stdout, stderr };
}

describe("haz init without questions", () => {
  test("AUX-007 --yes writes exactly `projects: []` and nothing else", async () => {
    await withWorkspaceFixture({ "app/package.json": "{}" }, async (fixture) => {
      const { context, stdout, stderr } = contextFor(fixture.root);
      assert.equal(await initCommand(context, parsed("init", "--yes")), 0);
      assert.equal(stdout.text(), "created .haz/workspace.yml\n");
      assert.equal(stderr.text(), "");
      assert.equal(await readFile(fixture.path(".haz/workspace.yml"), "utf8"), "projects: []\n");
      assert.deepEqual(await readdir(fixture.path(".haz")), ["workspace.yml"]);
      assert.deepEqual(await readdir(fixture.path("app")), ["package.json"]);
    });
  });

  test("AUX-002 refusal when .haz/workspace.yml exists, whatever its type; nothing touched", async () => {
    const kinds = {
      file: { ".haz/workspace.yml": "projects: [x]\n" },
      directory: { ".haz/workspace.yml": { directory: true as const } },
      "dangling symlink": { ".haz/workspace.yml": { symlink: "nowhere.yml" } },
    };
    for (const [kind, tree] of Object.entries(kinds)) {
      await withWorkspaceFixture(tree, async (fixture) => {
        for (const argv of [["init", "--yes"], ["init"]]) {
          const { context, stdout, stderr } = contextFor(fixture.root);
          assert.equal(await initCommand(context, parsed(...argv)), 2, kind);
          assert.equal(stdout.text(), "");
          assert.equal(
            stderr.text(),
            `error: ${fixture.root} already has a haz workspace (.haz/workspace.yml exists)\n`,
          );
        }
        assert.deepEqual(await readdir(fixture.path(".haz")), ["workspace.yml"]);
      });
    }
  });

  test("AUX-002 inside another workspace: allowed, with the note on stderr", async () => {
    await withWorkspaceFixture(
      { ".haz/workspace.yml": "", "tools/new": { directory: true } },
      async (fixture) => {
        const dir = fixture.path("tools/new");
        const { context, stdout, stderr } = contextFor(dir);
        assert.equal(await initCommand(context, parsed("init", "--yes")), 0);
        assert.equal(
          stderr.text(),
          `note: ${dir} is inside the workspace at ${fixture.root}; commands started below ${dir} will use the new workspace\n`,
        );
        assert.equal(stdout.text(), "created .haz/workspace.yml\n");
        assert.equal(await readFile(fixture.path("tools/new/.haz/workspace.yml"), "utf8"), "projects: []\n");
        assert.equal(await readFile(fixture.path(".haz/workspace.yml"), "utf8"), "");
      },
    );
  });

  test("AUX-002 the enclosing workspace is the nearest one with a regular workspace.yml", async () => {
    await withWorkspaceFixture({
      ".haz/workspace.yml": "",
      "a/.haz/workspace.yml": { directory: true },
      "a/b/c": { directory: true },
    }, async (fixture) => {
      assert.deepEqual(await inspectInitTarget(fixture.path("a/b/c")), {
        kind: "free",
        enclosingRoot: fixture.root,
      });
      assert.deepEqual(await inspectInitTarget(fixture.path("a")), { kind: "has-workspace" });
    });
  });

  test("§7.1 Terminal required: stdin not a TTY is the two-line error, exit 2, nothing written", async () => {
    await withWorkspaceFixture({ "app/package.json": "{}" }, async (fixture) => {
      const { context, stdout, stderr } = contextFor(fixture.root);
      assert.equal(await initCommand(context, parsed("init")), 2);
      assert.equal(stdout.text(), "");
      assert.equal(
        stderr.text(),
        "error: haz init needs an interactive terminal (stdin is not a TTY)\n" +
          "help: use 'haz init --yes' to write a minimal workspace without questions\n",
      );
      assert.deepEqual((await readdir(fixture.root)).sort(), ["app"]);
    });
  });

  test("AUX-006 a write failure: `error: could not write <path>: <reason>`, exit 2", async () => {
    await withWorkspaceFixture({ ".haz": "a file" }, async (fixture) => {
      const { context, stdout, stderr } = contextFor(fixture.root);
      assert.equal(await initCommand(context, parsed("init", "--yes")), 2);
      assert.equal(stdout.text(), "");
      assert.equal(stderr.text(), "error: could not write .haz/: not a directory\n");
    });
  });
});
