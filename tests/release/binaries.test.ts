/**
 * The release executables run where they can on this machine: the one for this platform directly
 * and the linux-arm64 one under qemu-user (`qemu-aarch64-static` with the arm64 glibc of
 * `libc6-arm64-cross`): `--version`, the example workspace cold then cached, and a Ctrl-C of a
 * running task that leaves no process behind. The e2e suite runs against the arm64 one as well
 * (`.ci/run`, `HAZ_E2E_CMD`).
 */

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { after, before, describe, test } from "node:test";
import { livingWithMarker, uniqueSleepMarker, waitUntilGone } from "../support/process_table.ts";
import {
  ARM64_SYSROOT,
  cleanEnv,
  createScratch,
  needsProgram,
  needsRelease,
  releaseDir,
  runProgram,
  type Scratch,
  shopRunProblems,
} from "./release_support.ts";

const SLOW = { timeout: 120_000 };
const QEMU = "/usr/bin/qemu-aarch64-static";
const MUSL_LOADER = "/lib/ld-musl-x86_64.so.1";

const hostX64 = process.platform === "linux" && process.arch === "x64";

/** The executables to run here: the argv prefix that starts each and the platform it reports. */
const forms = [
  {
    name: "the linux-x64 executable",
    argv: [join(releaseDir, "haz-linux-x64")],
    reports: "linux-x64",
    skip: hostX64 ? needsRelease() : "not a linux-x64 machine",
  },
  {
    name: "the linux-arm64 executable under qemu-user",
    argv: [QEMU, "-L", ARM64_SYSROOT, join(releaseDir, "haz-linux-arm64")],
    reports: "linux-arm64",
    skip: needsRelease() || needsProgram(QEMU) ||
      needsProgram(join(ARM64_SYSROOT, "lib", "ld-linux-aarch64.so.1")),
  },
  {
    name: "the linux-x64-musl executable with the musl loader",
    argv: [MUSL_LOADER, join(releaseDir, "haz-linux-x64-musl")],
    reports: "linux-x64",
    skip: hostX64 ? needsRelease() || muslSkip() : "not a linux-x64 machine",
  },
];

/**
 * Why the musl executable cannot run here, or `false`. Bun's musl build links `libstdc++.so.6`
 * built for musl (Alpine's `libstdc++`); Debian's `musl` package has the loader and libc only, so on
 * CI's Debian the loader stops at that library and the test is skipped with this reason.
 */
function muslSkip(): string | false {
  const binary = join(releaseDir, "haz-linux-x64-musl");
  if (!existsSync(binary)) return false;
  if (!existsSync(MUSL_LOADER)) return needsProgram(MUSL_LOADER);
  const listed = spawnSync(MUSL_LOADER, ["--list", binary], { encoding: "utf8" });
  const missing = /Error loading shared library ([^:\s]+)/.exec(listed.stderr);
  return missing ? `the musl loader finds no ${missing[1]} built for musl (Debian packages none)` : false;
}

for (const form of forms) {
  describe(form.name, { skip: form.skip }, () => {
    let scratch: Scratch;

    before(async () => {
      scratch = await createScratch("binary");
    });

    after(async () => {
      await scratch.remove();
    });

    test("--version, then the example workspace cold and cached from an empty directory", SLOW, async () => {
      const options = { cwd: scratch.empty, env: cleanEnv() };
      const version = await runProgram([...form.argv, "--version"], options);
      assert.equal(version.code, 0, version.stderr);
      assert.match(
        version.stdout,
        new RegExp(String.raw`^haz \d+\.\d+\.\d+ \(bun [\d.]+, ${form.reports}\)\n$`),
      );
      const cold = await runProgram([...form.argv, "-C", scratch.shop, "run"], options);
      const cached = await runProgram([...form.argv, "-C", scratch.shop, "run"], options);
      assert.deepEqual(shopRunProblems(cold, cached), []);
    });

    test(
      "EXEC-012/EXEC-013 Ctrl-C of a running task exits 130 and leaves no process behind",
      SLOW,
      async () => {
        const marker = uniqueSleepMarker();
        const workspace = join(scratch.root, "cancel");
        await mkdir(join(workspace, ".haz"), { recursive: true });
        await mkdir(join(workspace, "p"));
        await writeFile(join(workspace, ".haz", "workspace.yml"), "projects: [p]\n");
        await writeFile(
          join(workspace, "p", "haz.yml"),
          `tasks:\n  long:\n    shell: "touch started; sleep ${marker} & sleep ${marker}"\n    inputs: []\n`,
        );
        const child = spawn(form.argv[0], [...form.argv.slice(1), "-C", workspace, "run", "p:long"], {
          cwd: scratch.empty,
          env: cleanEnv(),
          stdio: ["ignore", "pipe", "pipe"],
        });
        const output: Buffer[] = [];
        child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
        child.stderr.on("data", (chunk: Buffer) => output.push(chunk));
        const exited = new Promise<string>((resolve) =>
          child.on("close", (code, signal) => resolve(`${code} ${signal}`))
        );
        const deadline = Date.now() + 60_000;
        while (livingWithMarker(marker).length < 2 || !existsSync(join(workspace, "p", "started"))) {
          assert.ok(Date.now() < deadline, `the task did not start: ${Buffer.concat(output)}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        // Not `child.kill`: Deno's node:child_process would report the signal it sent as the status.
        process.kill(child.pid!, "SIGINT");
        assert.equal(await exited, "130 null", Buffer.concat(output).toString());
        assert.deepEqual(await waitUntilGone(marker, 10_000), []);
      },
    );
  });
}
