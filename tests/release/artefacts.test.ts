/**
 * The release artefacts of `./compile.sh --release`: one executable per supported platform (of
 * the right format and architecture), the bundle, and SHA256SUMS covering each; the bundle is
 * reproducible from a clean checkout and imports nothing but Node built-ins.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { closeSync, openSync, readdirSync, readFileSync, readSync } from "node:fs";
import { symlink } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  cleanEnv,
  createScratch,
  needsRelease,
  PLATFORMS,
  type ProgramResult,
  releaseDir,
  repoRoot,
  runProgram,
  type Scratch,
} from "./release_support.ts";

const SLOW = { timeout: 120_000 };

function sha256(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** The `SHA256SUMS` lines as file name → digest. */
function checksums(): Map<string, string> {
  const lines = readFileSync(join(releaseDir, "SHA256SUMS"), "utf8").split("\n").filter(Boolean);
  return new Map(lines.map((line) => {
    const match = /^([0-9a-f]{64}) {2}(\S+)$/.exec(line);
    assert.ok(match, `malformed SHA256SUMS line: ${line}`);
    return [match[2], match[1]];
  }));
}

/** The first `length` bytes of a file (the headers; the executables are about 100 MB). */
function head(path: string, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  const fd = openSync(path, "r");
  try {
    return bytes.subarray(0, readSync(fd, bytes, 0, length, 0));
  } finally {
    closeSync(fd);
  }
}

/** The executable format and machine of a file's header: `elf-x64`, `macho-arm64`, … */
function executableKind(path: string): string {
  const header = head(path, 64);
  if (header.readUInt32BE(0) === 0x7f454c46) {
    const machines: Record<number, string> = { 62: "x64", 183: "arm64" };
    return `elf-${machines[header.readUInt16LE(18)] ?? header.readUInt16LE(18)}`;
  }
  if (header.readUInt32LE(0) === 0xfeedfacf) {
    const cpus: Record<number, string> = { 0x01000007: "x64", 0x0100000c: "arm64" };
    return `macho-${cpus[header.readUInt32LE(4)] ?? header.readUInt32LE(4)}`;
  }
  return "unknown";
}

/** The program interpreter (PT_INTERP) of a 64-bit ELF file. */
function elfInterpreter(path: string): string {
  const file = head(path, 65536);
  const programHeaders = Number(file.readBigUInt64LE(32));
  const entrySize = file.readUInt16LE(54);
  for (let index = 0; index < file.readUInt16LE(56); index++) {
    const entry = programHeaders + index * entrySize;
    if (file.readUInt32LE(entry) === 3) {
      const offset = Number(file.readBigUInt64LE(entry + 8));
      const size = Number(file.readBigUInt64LE(entry + 32));
      return file.subarray(offset, offset + size - 1).toString("latin1");
    }
  }
  return "";
}

describe("release artefacts", { skip: needsRelease() }, () => {
  test("dist/release holds an executable per platform, the bundle, install.sh and SHA256SUMS", () => {
    const expected = [
      ...PLATFORMS.map((platform) => `haz-${platform}`),
      "haz.mjs",
      "install.sh",
      "SHA256SUMS",
    ];
    assert.deepEqual(readdirSync(releaseDir).sort(), expected.sort());
  });

  test("SHA256SUMS covers every artefact with its digest", () => {
    const sums = checksums();
    const artefacts = readdirSync(releaseDir).filter((name) => name !== "SHA256SUMS").sort();
    assert.deepEqual([...sums.keys()].sort(), artefacts);
    for (const name of artefacts) assert.equal(sums.get(name), sha256(join(releaseDir, name)), name);
  });

  test("each executable is built for its platform; the musl one asks for the musl loader", () => {
    const kinds = Object.fromEntries(
      PLATFORMS.map((platform) => [platform, executableKind(join(releaseDir, `haz-${platform}`))]),
    );
    assert.deepEqual(kinds, {
      "linux-x64": "elf-x64",
      "linux-x64-musl": "elf-x64",
      "linux-arm64": "elf-arm64",
      "darwin-x64": "macho-x64",
      "darwin-arm64": "macho-arm64",
    });
    assert.equal(elfInterpreter(join(releaseDir, "haz-linux-x64-musl")), "/lib/ld-musl-x86_64.so.1");
    assert.equal(elfInterpreter(join(releaseDir, "haz-linux-x64")), "/lib64/ld-linux-x86-64.so.2");
    assert.equal(elfInterpreter(join(releaseDir, "haz-linux-arm64")), "/lib/ld-linux-aarch64.so.1");
  });

  test("the bundle imports only node: built-ins (loadable from a URL by Deno alone)", () => {
    const bundle = readFileSync(join(releaseDir, "haz.mjs"), "utf8");
    // Import statements only: minified code also holds strings like `{long:"from",value:…}`.
    const bindings = String.raw`(?:\{[^}]*\}|\*\s*as\s*[\w$]+|[\w$]+(?:\s*,\s*\{[^}]*\})?)`;
    const specifiers = [
      ...bundle.matchAll(new RegExp(String.raw`\b(?:import|export)\s*${bindings}\s*from\s*"([^"]+)"`, "g")),
      ...bundle.matchAll(/\bimport\s*\(\s*"([^"]+)"\s*\)/g),
      ...bundle.matchAll(/(?:^|[;\n])\s*import\s*"([^"]+)"/g),
    ].map((match) => match[1]);
    assert.ok(specifiers.includes("node:fs/promises"));
    assert.deepEqual(specifiers.filter((specifier) => !specifier.startsWith("node:")), []);
  });
});

describe("a reproducible bundle", { skip: needsRelease() }, () => {
  let scratch: Scratch;

  before(async () => {
    scratch = await createScratch("repro");
  });

  after(async () => {
    await scratch.remove();
  });

  async function buildFromClone(name: string): Promise<Buffer> {
    const clone = join(scratch.root, name);
    const env = cleanEnv();
    const cloned = await runProgram(["git", "clone", "-q", "--no-hardlinks", repoRoot, clone], {
      cwd: scratch.root,
      env,
    });
    assert.equal(cloned.code, 0, cloned.stderr);
    await symlink(join(repoRoot, "node_modules"), join(clone, "node_modules"));
    const built: ProgramResult = await runProgram(["./compile.sh", "--bundle"], { cwd: clone, env });
    assert.equal(built.code, 0, built.stderr);
    return readFileSync(join(clone, "dist", "haz.mjs"));
  }

  test("two builds from clean checkouts give the same bundle bytes", SLOW, async () => {
    const first = await buildFromClone("first");
    const second = await buildFromClone("second");
    assert.ok(first.length > 100_000);
    assert.ok(first.equals(second), "the two bundles differ");
    // The release's bundle came from this checkout; with no local change it is the same bytes.
    const status = await runProgram(["git", "status", "--porcelain", "--", "cli.ts", "lib", "compile.sh"], {
      cwd: repoRoot,
      env: cleanEnv(),
    });
    if (status.stdout === "") assert.ok(first.equals(readFileSync(join(releaseDir, "haz.mjs"))));
  });
});
