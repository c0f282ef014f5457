import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { describe, test } from "node:test";
import { copyAdoptionFixture } from "../support/adoption_fixtures.ts";
import { runHazInPty } from "../support/pty_haz.ts";
import { runHaz, spawnHazProcess } from "../support/run_haz.ts";
import { createWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";
import { SLOW } from "./run_support.ts";

const QUESTION = "Write these files? [Y/n] ";

/** Two packages whose directories are both named `ui`: the import asks a name for the second. */
function createClashingBasenames(): Promise<WorkspaceFixture> {
  return createWorkspaceFixture({
    "package.json": JSON.stringify({ name: "r", workspaces: ["packages/*", "vendor/*"] }),
    "package-lock.json": "{}",
    "turbo.json": JSON.stringify({ tasks: { build: { outputLogs: "new-only" } } }),
    "packages/ui/package.json": JSON.stringify({ name: "ui", scripts: { build: "true" } }),
    "vendor/ui/package.json": JSON.stringify({ name: "ui2", scripts: { build: "true" } }),
  });
}

async function withPlain(body: (fixture: WorkspaceFixture) => Promise<void>): Promise<void> {
  const fixture = await copyAdoptionFixture("npm-workspaces-plain");
  try {
    await body(fixture);
  } finally {
    await fixture.remove();
  }
}

describe("haz init --import: interactive (§10 scenario 13)", () => {
  test("ADOPT-080 the plan, then `n`: nothing written, exit 0", SLOW, async () => {
    await withPlain(async (fixture) => {
      const result = await runHazInPty(fixture.root, ["init", "--import"], [{
        waitFor: QUESTION,
        send: "n\r",
      }]);
      assert.equal(result.code, 0);
      assert.match(
        result.terminal,
        /Importing from package-json \(npm\): 3 projects, 4 tasks \(0 cached\), 0 warnings\.\nWill write:\n/,
      );
      assert.match(result.terminal, /nothing written\n/);
      assert.equal(existsSync(fixture.path(".haz")), false);
      assert.equal(existsSync(fixture.path("packages/add/haz.yml")), false);
    });
  });

  test("ADOPT-080 Enter confirms and writes; the created lines go to stdout", SLOW, async () => {
    await withPlain(async (fixture) => {
      const result = await runHazInPty(fixture.root, ["init", "--import"], [{
        waitFor: QUESTION,
        send: "\r",
      }]);
      assert.equal(result.code, 0);
      assert.match(result.stdout, /created \.haz\/workspace\.yml\nimported 4 tasks into 3 projects/);
    });
  });

  test(
    "ADOPT-011 / 080 the warnings come first, then a name question for a clashing basename",
    SLOW,
    async () => {
      const fixture = await createClashingBasenames();
      try {
        const result = await runHazInPty(fixture.root, ["init", "--import"], [
          { waitFor: "name for vendor/ui: ", send: "vendor-ui\r" },
          { waitFor: QUESTION, send: "y\r" },
        ]);
        assert.equal(result.code, 0, result.terminal);
        const warning = result.terminal.indexOf("warning: turbo.json: tasks.build.outputLogs:");
        assert.ok(
          warning !== -1 && warning < result.terminal.indexOf("name for vendor/ui: "),
          result.terminal,
        );
        assert.equal(result.terminal.split("warning: turbo.json").length, 2, "the warning is printed once");
        assert.match(await readFile(fixture.path("vendor/ui/haz.yml"), "utf8"), /\nname: vendor-ui\n/);
      } finally {
        await fixture.remove();
      }
    },
  );

  test("ADOPT-080 end of input at a name question declines: nothing written, exit 0", SLOW, async () => {
    const fixture = await createClashingBasenames();
    try {
      const result = await runHazInPty(fixture.root, ["init", "--import"], [
        { waitFor: "name for vendor/ui: ", send: "\x04" },
      ]);
      assert.equal(result.code, 0, result.terminal);
      assert.match(result.terminal, /nothing written\n/);
      assert.equal(existsSync(fixture.path(".haz")), false);
    } finally {
      await fixture.remove();
    }
  });

  test("ADOPT-080 / 086 Ctrl-C at the question: exit 130, nothing written", SLOW, async () => {
    await withPlain(async (fixture) => {
      const result = await runHazInPty(fixture.root, ["init", "--import"], [{
        waitFor: QUESTION,
        send: "\x03",
      }]);
      assert.equal(result.code, 130);
      assert.equal(existsSync(fixture.path(".haz")), false);
    });
  });

  test("ADOPT-080 stdin not a terminal without --yes: the §7.1 error, exit 2", SLOW, async () => {
    await withPlain(async (fixture) => {
      const result = await runHaz(["init", "--import"], { cwd: fixture.root });
      assert.equal(result.code, 2);
      assert.equal(
        result.stderr,
        "error: haz init needs an interactive terminal (stdin is not a TTY)\n" +
          "help: use 'haz init --yes' to write a minimal workspace without questions\n",
      );
      assert.equal(existsSync(fixture.path(".haz")), false);
    });
  });

  test(
    "ADOPT-089 plain interactive init over package.json workspaces prints the import hint",
    SLOW,
    async () => {
      await withPlain(async (fixture) => {
        const result = await runHazInPty(fixture.root, ["init"], [
          { waitFor: "Enter = done: ", send: "\r" },
          { waitFor: QUESTION, send: "n\r" },
        ]);
        assert.equal(result.code, 0);
        assert.match(
          result.terminal,
          /note: run 'haz init --import' to import their scripts and tasks as well\nFound 3/,
        );
      });
    },
  );
});

/** A turbo repository of `count` packages, each depending on the first one. */
function largeTurboTree(count: number): Record<string, string> {
  const tree: Record<string, string> = {
    "package.json": JSON.stringify({ name: "big", workspaces: ["packages/*"], packageManager: "npm@11.0.0" }),
    "turbo.json": JSON.stringify({ tasks: { build: { dependsOn: ["^build"], outputs: ["dist/**"] } } }),
  };
  for (let index = 0; index < count; index++) {
    const name = `p${String(index).padStart(4, "0")}`;
    const dependencies = index === 0 ? {} : { p0000: "*" };
    tree[`packages/${name}/package.json`] = JSON.stringify({
      name,
      dependencies,
      scripts: { build: "true" },
    });
  }
  return tree;
}

describe("haz init --import: atomicity (§10 scenario 12)", () => {
  test(
    "ADOPT-081 SIGKILL at random points never leaves a workspace.yml listing a missing or partial haz.yml",
    {
      timeout: 600_000,
    },
    async () => {
      const fixture = await createWorkspaceFixture(largeTurboTree(200));
      try {
        const preview = await runHaz(["init", "--import", "--dry-run"], { cwd: fixture.root });
        assert.equal(preview.code, 0);
        const expected = new Map<string, string>();
        for (const block of preview.stdout.split(/^==> /m).slice(1)) {
          expected.set(block.slice(0, block.indexOf(" <==")), block.slice(block.indexOf("\n") + 1, -1));
        }
        const started = Date.now();
        const full = await runHaz(["init", "--import", "--yes"], { cwd: fixture.root });
        assert.equal(full.code, 0);
        const duration = Date.now() - started;
        for (let round = 0; round < 20; round++) {
          await rm(fixture.path(".haz"), { recursive: true, force: true });
          for (const path of expected.keys()) await rm(fixture.path(path), { force: true });
          const child = spawnHazProcess(["init", "--import", "--yes"], { cwd: fixture.root });
          // Listening before the kill: a run that already ended must not be waited for forever.
          const closed = new Promise((resolve) => child.on("close", resolve));
          const delay = Math.floor(((round + 1) / 21) * duration);
          await new Promise((resolve) => setTimeout(resolve, delay));
          child.kill("SIGKILL");
          await closed;
          if (!existsSync(fixture.path(".haz/workspace.yml"))) continue;
          assert.equal(
            await readFile(fixture.path(".haz/workspace.yml"), "utf8"),
            expected.get(".haz/workspace.yml"),
            `round ${round}`,
          );
          for (const [path, content] of expected) {
            assert.equal(await readFile(fixture.path(path), "utf8"), content, `round ${round}: ${path}`);
          }
        }
      } finally {
        await fixture.remove();
      }
    },
  );
});
