/**
 * `install.sh` against a release served on a loopback port: it picks this machine's executable,
 * checks it against SHA256SUMS and installs it; a tampered executable is refused with exit code 1
 * and nothing installed.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { copyFile, mkdir, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { after, before, describe, test } from "node:test";
import { serveStatic, type StaticServer } from "../support/static_server.ts";
import {
  cleanEnv,
  createScratch,
  needsRelease,
  PLATFORMS,
  releaseDir,
  repoRoot,
  runProgram,
  type Scratch,
} from "./release_support.ts";

const SLOW = { timeout: 60_000 };
const installer = join(repoRoot, "install.sh");

/** This machine's artefact, as install.sh should pick it (the tests run on glibc Linux or macOS). */
function hostPlatform(): string {
  const arch = process.arch === "arm64" ? "arm64" : "x64";
  return `${process.platform === "darwin" ? "darwin" : "linux"}-${arch}`;
}

describe("install.sh", { skip: needsRelease() }, () => {
  let server: StaticServer;
  let tampered: StaticServer;
  let scratch: Scratch;

  before(async () => {
    scratch = await createScratch("install");
    server = await serveStatic(releaseDir);
    // The real SHA256SUMS next to an executable that is not the one it describes.
    const tamperedDir = join(scratch.root, "tampered");
    await mkdir(tamperedDir);
    await copyFile(join(releaseDir, "SHA256SUMS"), join(tamperedDir, "SHA256SUMS"));
    const original = readFileSync(join(releaseDir, `haz-${hostPlatform()}`));
    const changed = Buffer.from(original.subarray(0, 4096));
    changed[4095] ^= 1;
    await writeFile(join(tamperedDir, `haz-${hostPlatform()}`), changed, { mode: 0o755 });
    tampered = await serveStatic(tamperedDir);
  });

  after(async () => {
    await server.close();
    await tampered.close();
    await scratch.remove();
  });

  test("installs this machine's executable, verified, into the given directory", SLOW, async () => {
    const target = join(scratch.root, "bin-given");
    const result = await runProgram(["sh", installer, target], {
      cwd: scratch.empty,
      env: cleanEnv({ HAZ_INSTALL_BASE_URL: server.url }),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.split("\n")[0], `installed haz (${hostPlatform()}) into ${target}/haz`);
    assert.deepEqual(await readdir(target), ["haz"]);
    assert.ok(
      readFileSync(join(target, "haz")).equals(readFileSync(join(releaseDir, `haz-${hostPlatform()}`))),
    );
    const version = await runProgram([join(target, "haz"), "--version"], {
      cwd: scratch.empty,
      env: cleanEnv(),
    });
    assert.match(version.stdout, /^haz \d+\.\d+\.\d+ \(bun /);
  });

  test(
    "curl -fsSL <url>/install.sh | sh -s -- DIR installs from the release it came with",
    SLOW,
    async () => {
      const target = join(scratch.root, "bin-piped");
      const script = `curl -fsSL ${server.url}/install.sh | sh -s -- ${target}`;
      const result = await runProgram(["sh", "-c", script], {
        cwd: scratch.empty,
        env: cleanEnv({ HAZ_INSTALL_BASE_URL: server.url }),
      });
      assert.equal(result.code, 0, result.stderr);
      assert.ok(
        readFileSync(join(target, "haz")).equals(readFileSync(join(releaseDir, `haz-${hostPlatform()}`))),
      );
      assert.ok(server.requests.includes("/install.sh"));
    },
  );

  test("downloads with wget where curl is missing", SLOW, async () => {
    // A PATH of the tools install.sh uses, curl left out.
    const tools = join(scratch.root, "no-curl");
    await mkdir(tools);
    const needed = ["sh", "wget", "sha256sum", "awk", "mktemp", "cut", "mkdir", "chmod", "cp", "mv", "rm"];
    for (const name of [...needed, "uname", "getconf", "grep", "ls", "ldd", "cat"]) {
      const found = ["/usr/bin", "/bin"].map((dir) => join(dir, name)).find((path) => existsSync(path));
      if (found) await symlink(found, join(tools, name));
      else assert.ok(!needed.includes(name), `${name} is not installed`);
    }
    const target = join(scratch.root, "bin-wget");
    const result = await runProgram([join(tools, "sh"), installer, target], {
      cwd: scratch.empty,
      env: cleanEnv({ HAZ_INSTALL_BASE_URL: server.url, PATH: tools }),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(
      readFileSync(join(target, "haz")).equals(readFileSync(join(releaseDir, `haz-${hostPlatform()}`))),
    );
  });

  test("picks the artefact from uname, and glibc or musl from the C library", SLOW, async () => {
    // A release of small stand-ins, and fake uname/getconf/ldd ahead of the real tools on PATH.
    const fakeRelease = join(scratch.root, "fake-release");
    await mkdir(fakeRelease);
    const sums: string[] = [];
    for (const platform of PLATFORMS) {
      const content = `stand-in for haz-${platform}\n`;
      await writeFile(join(fakeRelease, `haz-${platform}`), content);
      sums.push(`${createHash("sha256").update(content).digest("hex")}  haz-${platform}`);
    }
    await writeFile(join(fakeRelease, "SHA256SUMS"), `${sums.join("\n")}\n`);
    const fakeServer = await serveStatic(fakeRelease);
    const machines = [
      { os: "Linux", arch: "x86_64", libc: "glibc", expected: "linux-x64" },
      { os: "Linux", arch: "x86_64", libc: "musl", expected: "linux-x64-musl" },
      { os: "Linux", arch: "aarch64", libc: "glibc", expected: "linux-arm64" },
      { os: "Darwin", arch: "x86_64", libc: "none", expected: "darwin-x64" },
      { os: "Darwin", arch: "arm64", libc: "none", expected: "darwin-arm64" },
      {
        os: "Linux",
        arch: "riscv64",
        libc: "glibc",
        expected: "error: no haz executable for the riscv64 architecture",
      },
      { os: "Linux", arch: "aarch64", libc: "musl", expected: "error: no haz executable for musl on arm64" },
      { os: "FreeBSD", arch: "amd64", libc: "none", expected: "error: no haz executable for FreeBSD" },
    ];
    try {
      const seen: string[] = [];
      for (const [index, machine] of machines.entries()) {
        const fakes = join(scratch.root, `fakes-${index}`);
        await mkdir(fakes);
        const script = (body: string) => `#!/bin/sh\n${body}\n`;
        await writeFile(
          join(fakes, "uname"),
          script(`case "$1" in -s) echo ${machine.os};; -m) echo ${machine.arch};; esac`),
          { mode: 0o755 },
        );
        const glibc = machine.libc === "glibc";
        await writeFile(join(fakes, "getconf"), script(glibc ? "echo glibc 2.36" : "exit 1"), {
          mode: 0o755,
        });
        await writeFile(
          join(fakes, "ldd"),
          script(
            machine.libc === "musl" ? "echo 'musl libc (x86_64)' >&2; exit 1" : "echo 'ldd (GNU libc) 2.36'",
          ),
          { mode: 0o755 },
        );
        const target = join(scratch.root, `bin-detect-${index}`);
        const result = await runProgram(["sh", installer, target], {
          cwd: scratch.empty,
          env: cleanEnv({ HAZ_INSTALL_BASE_URL: fakeServer.url, PATH: `${fakes}:${process.env.PATH}` }),
        });
        seen.push(
          result.code === 0
            ? readFileSync(join(target, "haz"), "utf8").replace(/^stand-in for haz-|\n$/g, "")
            : `error: ${result.stderr.replace(/^install\.sh: |\n$/g, "").replace(/ \(Linux.*$/, "")}`,
        );
      }
      assert.deepEqual(seen, machines.map((machine) => machine.expected));
    } finally {
      await fakeServer.close();
    }
  });

  test("installs into ~/.local/bin by default and says when it is not on PATH", SLOW, async () => {
    const home = join(scratch.root, "home");
    await mkdir(home);
    const result = await runProgram(["sh", installer], {
      cwd: scratch.empty,
      env: cleanEnv({ HAZ_INSTALL_BASE_URL: server.url, HOME: home }),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(existsSync(join(home, ".local", "bin", "haz")));
    assert.match(result.stdout, new RegExp(`^add ${home}/\\.local/bin to PATH`, "m"));
  });

  test("HAZ_INSTALL_TARGET picks another artefact (the musl build)", SLOW, async () => {
    const target = join(scratch.root, "bin-musl");
    const result = await runProgram(["sh", installer, target], {
      cwd: scratch.empty,
      env: cleanEnv({ HAZ_INSTALL_BASE_URL: server.url, HAZ_INSTALL_TARGET: "linux-x64-musl" }),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(readFileSync(join(target, "haz")).equals(readFileSync(join(releaseDir, "haz-linux-x64-musl"))));
  });

  test("a tampered executable is refused with exit code 1 and nothing installed", SLOW, async () => {
    const target = join(scratch.root, "bin-tampered");
    await mkdir(target);
    await writeFile(join(target, "haz"), "the haz installed before\n");
    const result = await runProgram(["sh", installer, target], {
      cwd: scratch.empty,
      env: cleanEnv({ HAZ_INSTALL_BASE_URL: tampered.url }),
    });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(
        `^install\\.sh: checksum mismatch for haz-${hostPlatform()}: SHA256SUMS says [0-9a-f]{64}, ` +
          `the download is [0-9a-f]{64}; nothing was installed\n$`,
      ),
    );
    assert.deepEqual(await readdir(target), ["haz"]);
    assert.equal(readFileSync(join(target, "haz"), "utf8"), "the haz installed before\n");
  });

  test(
    "an artefact missing from SHA256SUMS or from the server is refused with exit code 1",
    SLOW,
    async () => {
      const target = join(scratch.root, "bin-missing");
      const unknown = await runProgram(["sh", installer, target], {
        cwd: scratch.empty,
        env: cleanEnv({ HAZ_INSTALL_BASE_URL: server.url, HAZ_INSTALL_TARGET: "windows-x64" }),
      });
      assert.equal(unknown.code, 1);
      assert.equal(unknown.stderr, `install.sh: ${server.url}/SHA256SUMS lists no haz-windows-x64\n`);
      const gone = await runProgram(["sh", installer, target], {
        cwd: scratch.empty,
        env: cleanEnv({ HAZ_INSTALL_BASE_URL: `${server.url}/nowhere` }),
      });
      assert.equal(gone.code, 1);
      assert.match(
        gone.stderr,
        /^install\.sh: could not download http:\/\/127\.0\.0\.1:\d+\/nowhere\/SHA256SUMS$/m,
      );
      assert.equal(existsSync(target), false);
    },
  );
});
