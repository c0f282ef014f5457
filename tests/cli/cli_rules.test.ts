import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { decideColor } from "../../lib/cli/main.ts";
import { parseCommandLine } from "../../lib/cli/parse_args.ts";
import { hostEnvironment } from "../../lib/cli/host_environment.ts";
import { isPosixPlatform } from "../../lib/cli/run_command.ts";
import { runCliInProcess } from "../support/cli_harness.ts";
import { createWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";

let fixture: WorkspaceFixture;
before(async () => {
  fixture = await createWorkspaceFixture({
    ".haz/workspace.yml": "projects: [app, lib]\n",
    "app/haz.yml": 'tasks:\n  build: {command: ["true"], deps: ["lib:build"]}\n',
    "lib/haz.yml": 'tasks:\n  build: {command: ["true"]}\n',
  });
});
after(() => fixture.remove());

test("CLI-001 global options may follow the command", async () => {
  const result = await runCliInProcess(["check", "-C", "app", "--color", "never", "--workspace"], {
    cwd: fixture.root,
  });
  assert.deepEqual(result, { code: 0, stdout: "2 tasks validated.\n", stderr: "" });
});

test("CLI-001 `--` ends option parsing: later words are task references", async () => {
  const result = await runCliInProcess(["run", "--dry-run", "--", "--all"], { cwd: fixture.root });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^error\[REF-001\]: invalid task reference `--all`: /);
  assert.match(result.stderr, /\n\nfound 1 error\n$/);
});

test("CLI-002 short values attach or follow; a repeated value option keeps the last", () => {
  const outcome = parseCommandLine(["run", "-j4", "--summary", "a.json", "--summary=b.json", "-j", "2"]);
  assert.equal(outcome.kind, "command");
  if (outcome.kind !== "command") return;
  assert.equal(outcome.parsed.options.get("concurrency"), "2");
  assert.equal(outcome.parsed.options.get("summary"), "b.json");
});

test("CLI-010 colour: always/never decide; auto follows FORCE_COLOR, the terminal and NO_COLOR", () => {
  assert.equal(decideColor("always", {}, false), true);
  assert.equal(decideColor("never", { FORCE_COLOR: "1" }, true), false);
  assert.equal(decideColor("auto", { FORCE_COLOR: "1" }, false), true);
  assert.equal(decideColor("auto", { FORCE_COLOR: "0" }, false), false);
  assert.equal(decideColor("auto", {}, true), true);
  assert.equal(decideColor("auto", { NO_COLOR: "1" }, true), false);
  assert.equal(decideColor("auto", { NO_COLOR: "" }, true), true);
  assert.equal(decideColor("auto", { NO_COLOR: "1", FORCE_COLOR: "1" }, false), true);
});

test("CLI-012 HAZ_CONCURRENCY steers -j and an invalid value is a usage error naming it", async () => {
  const result = await runCliInProcess(["run", "--dry-run"], {
    cwd: fixture.root,
    env: { HAZ_CONCURRENCY: "lots" },
  });
  assert.equal(result.code, 2);
  assert.equal(result.stdout, "");
  assert.match(
    result.stderr,
    /^haz run: error: invalid value for HAZ_CONCURRENCY: "lots" \(expected an integer >= 1 or auto\)\n/,
  );
  const valid = await runCliInProcess(["run", "--dry-run", "--workspace"], {
    cwd: fixture.root,
    env: { HAZ_CONCURRENCY: "3" },
  });
  assert.equal(valid.code, 0);
});

test("CACHE-028 the host snapshot keeps only valid environment variable names", () => {
  const snapshot = hostEnvironment({ PATH: "/bin", "A-B": "x", _OK: "1", "1BAD": "y", LC_ALL: "C" });
  assert.deepEqual([...snapshot.keys()].sort(), ["LC_ALL", "PATH", "_OK"]);
});

test("PROC-008 haz run refuses non-POSIX hosts with exit 2", async () => {
  assert.equal(isPosixPlatform("linux"), true);
  assert.equal(isPosixPlatform("darwin"), true);
  const result = await runCliInProcess(["run", "--workspace"], { cwd: fixture.root, platform: "win32" });
  assert.deepEqual(result, { code: 2, stdout: "", stderr: "error: haz run needs a POSIX system\n" });
});

test("DIAG-010 load errors exit 2 with the closing line", async () => {
  const broken = await createWorkspaceFixture({
    ".haz/workspace.yml": "projects: [x]\n",
    "x/haz.yml": "tasks: [\n",
  });
  try {
    const result = await runCliInProcess(["query"], { cwd: broken.root });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error\[CFG-001\]: invalid YAML: /);
    assert.match(result.stderr, /\nfound 1 error\n$/);
  } finally {
    await broken.remove();
  }
});
