import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { HAZ_VERSION } from "../../lib/version.ts";
import { runHaz } from "../support/run_haz.ts";

const outside = mkdtempSync(join(tmpdir(), "haz-cli-"));
after(() => rmSync(outside, { recursive: true, force: true }));

const RUN_USAGE = [
  "usage: haz run [REF...] [--all | --workspace] [--git-changed | --git-staged | --git-changed-since REV]",
  "               [--dry-run [--json]] [--output-mode live|buffered] [-j N|auto] [--no-cache]",
  "               [--remote-cache off|read|write|read-write] [--shard I/N]",
  "               [--fail-fast] [--summary FILE] [--profile FILE]",
].join("\n");

test("CLI-003 --version prints the specified format", async () => {
  const result = await runHaz(["--version"]);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^haz \S+ \((bun|deno|node) \S+, \S+-\S+\)\n$/);
  assert.ok(result.stdout.startsWith(`haz ${HAZ_VERSION} (`));
  assert.equal(result.stderr, "");
});

test("CLI-020 no command: exit 2, message, help, usage; nothing on stdout", async () => {
  const result = await runHaz([]);
  assert.equal(result.code, 2);
  assert.equal(result.stdout, "");
  assert.equal(
    result.stderr,
    "haz: error: no command given\nhelp: run 'haz --help' to list the commands\n\n" +
      "usage: haz [-C DIR] [--color auto|always|never] <command> [ARGS...]\n",
  );
});

test("CLI-020 an unknown command close to one suggests it", async () => {
  const result = await runHaz(["rn"]);
  assert.equal(result.code, 2);
  assert.equal(result.stdout, "");
  assert.equal(
    result.stderr,
    "haz: error: unknown command 'rn'\nhelp: did you mean 'run'?\n\n" +
      "usage: haz [-C DIR] [--color auto|always|never] <command> [ARGS...]\n",
  );
});

test("CLI-020 an unknown option exits 2 with did-you-mean and the command's usage block", async () => {
  const result = await runHaz(["run", "--dryrun"], { cwd: outside });
  assert.equal(result.code, 2);
  assert.equal(result.stdout, "");
  assert.equal(
    result.stderr,
    `haz run: error: unknown option --dryrun\nhelp: did you mean '--dry-run'?\n\n${RUN_USAGE}\n`,
  );
});

test("CLI-020 an unknown option far from every option points at the help page", async () => {
  const result = await runHaz(["check", "--frobnicate"], { cwd: outside });
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    "haz check: error: unknown option --frobnicate\nhelp: run 'haz check --help' to see every option\n\n" +
      "usage: haz check [--all | --workspace]\n",
  );
});

test("CLI-003 --help anywhere prints the command's help without checking the rest", async () => {
  const result = await runHaz(["run", "--all", "--workspace", "--help"], { cwd: outside });
  assert.equal(result.code, 0);
  assert.ok(result.stdout.startsWith(`haz run — run tasks and their dependencies\n\n${RUN_USAGE}\n\n`));
  assert.equal(result.stderr, "");
  const viaHelp = await runHaz(["help", "run"]);
  assert.equal(viaHelp.stdout, result.stdout);
});

test("CLI-006 the top-level help page lists the commands and global options", async () => {
  const result = await runHaz(["--help"]);
  assert.equal(result.code, 0);
  assert.ok(result.stdout.startsWith(
    "haz — run the tasks of a workspace as one graph, with a local content-addressed cache\n\n" +
      "usage: haz [-C DIR] [--color auto|always|never] <command> [ARGS...]\n\ncommands:\n",
  ));
  assert.ok(result.stdout.includes(
    "global options:\n" +
      "  -C, --cwd DIR         start in DIR instead of the current directory\n" +
      "      --color WHEN      auto, always or never (default: auto)\n" +
      "  -h, --help            show help\n" +
      "  -V, --version         show the version\n\n" +
      "Run 'haz <command> --help' for the options of a command.\n",
  ));
});

test("CLI-006 a cache subcommand's page has its own usage line", async () => {
  const result = await runHaz(["cache", "info", "--help"]);
  assert.equal(result.code, 0);
  assert.ok(result.stdout.startsWith("haz cache info — "));
  assert.ok(result.stdout.includes("\n\nusage: haz cache info [--json] [--remote]\n\n"));
});

test("CLI-003 help wins over version; an unknown command before --help is still an error", async () => {
  assert.equal((await runHaz(["--version", "--help"])).stdout.startsWith("haz — "), true);
  const unknown = await runHaz(["nope", "--help"]);
  assert.equal(unknown.code, 2);
  assert.ok(unknown.stderr.startsWith("haz: error: unknown command 'nope'\n"));
});

test("CLI-020 help for an unknown command is a usage error", async () => {
  const result = await runHaz(["help", "nope"]);
  assert.equal(result.code, 2);
  assert.ok(result.stderr.startsWith("haz: error: unknown command 'nope'\n"));
});

test("CLI-002 a boolean option given a value is a usage error", async () => {
  const result = await runHaz(["check", "--all=yes"], { cwd: outside });
  assert.equal(result.code, 2);
  assert.ok(result.stderr.startsWith("haz check: error: --all does not take a value\n"));
});

test("CLI-002 an enum value close to a valid one gets did-you-mean", async () => {
  const result = await runHaz(["--color", "allways", "check"], { cwd: outside });
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /^haz: error: invalid value for --color: "allways" \(expected auto, always or never\)\n/,
  );
  assert.ok(result.stderr.includes("help: did you mean 'always'?\n"));
});

test("DISC-002 -C with a missing directory is a usage error", async () => {
  const result = await runHaz(["-C", join(outside, "missing"), "check"]);
  assert.equal(result.code, 2);
  assert.ok(result.stderr.startsWith(`haz check: error: -C: not a directory: ${join(outside, "missing")}\n`));
});

test("the version is the same in deno.json, package.json and lib/version.ts", () => {
  const root = new URL("../../", import.meta.url);
  assert.equal(JSON.parse(readFileSync(new URL("deno.json", root), "utf8")).version, HAZ_VERSION);
  assert.equal(JSON.parse(readFileSync(new URL("package.json", root), "utf8")).version, HAZ_VERSION);
});
