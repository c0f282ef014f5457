/**
 * Helpers of the distribution tests (`tests/release/`): where the release artefacts are, how to
 * run a program without blocking the in-process static server, and fresh copies of the example
 * workspace. The artefacts come from `./compile.sh --release`; without them these tests are skipped
 * (outside CI) so that `deno test tests/` works before a release build.
 *
 * @module
 */

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** The repository root, with a trailing slash. */
export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** `dist/release/` of this checkout. */
export const releaseDir = join(repoRoot, "dist", "release");

/** The toolchains `npm ci` installs. */
export const tools = {
  deno: join(repoRoot, "node_modules", ".bin", "deno"),
  bun: join(repoRoot, "node_modules", ".bin", "bun"),
} as const;

/** Every platform `./compile.sh --release` builds, as in `haz-<platform>`. */
export const PLATFORMS = [
  "linux-x64",
  "linux-x64-musl",
  "linux-arm64",
  "darwin-x64",
  "darwin-arm64",
] as const;

/** The glibc arm64 loader and libraries that `qemu-aarch64-static -L` needs (libc6-arm64-cross). */
export const ARM64_SYSROOT = "/usr/aarch64-linux-gnu";

/**
 * The `skip` option of a test that needs the release artefacts: a reason when they are missing
 * outside CI, `false` otherwise (in CI a missing artefact fails the test instead).
 *
 * @example
 * ```ts
 * test("SHA256SUMS lists every artefact", { skip: needsRelease() }, () => {});
 * ```
 */
export function needsRelease(): string | false {
  if (process.env.CI === "true" || existsSync(join(releaseDir, "SHA256SUMS"))) return false;
  return "no dist/release: run ./compile.sh --release first";
}

/**
 * The `skip` option of a test that needs a program on this machine (outside CI only).
 *
 * @example
 * ```ts
 * test("arm64 under qemu", { skip: needsProgram("/usr/bin/qemu-aarch64-static") }, () => {});
 * ```
 */
export function needsProgram(path: string): string | false {
  if (process.env.CI === "true" || existsSync(path)) return false;
  return `${path} is not installed (.ci/run installs it)`;
}

/** What a finished program left. */
export interface ProgramResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runProgram}. */
export interface RunProgramOptions {
  readonly cwd: string;
  /** The whole environment of the program. */
  readonly env: Record<string, string>;
}

/**
 * Runs `argv` asynchronously (a synchronous spawn would stall the static server of the same
 * process) and collects its exit code and output.
 *
 * @example
 * ```ts
 * const result = await runProgram(["sh", "install.sh", dir], { cwd, env });
 * result.code; // 0
 * ```
 */
export function runProgram(argv: readonly string[], options: RunProgramOptions): Promise<ProgramResult> {
  const child = spawn(argv[0], argv.slice(1), { cwd: options.cwd, env: options.env, stdio: "pipe" });
  child.stdin.end();
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        code,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      }));
  });
}

/**
 * The environment of a program run by these tests: this process's (its trusted certificates and
 * proxies reach the npm registry) without CI's, the test runner's or a tool's own caches and
 * settings, no colours; `extra` is added on top.
 *
 * @example
 * ```ts
 * cleanEnv({ DENO_DIR: "/tmp/x/deno" });
 * ```
 */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { NO_COLOR: "1" };
  const dropped =
    /^(CI|FORCE_COLOR|HAZ_.*|DENO_DIR|DENO_INSTALL_ROOT|BUN_INSTALL.*|npm_.*|NPM_CONFIG_PREFIX)$/;
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !dropped.test(name)) env[name] = value;
  }
  return { ...env, ...extra };
}

/** A scratch directory of one test and what it holds. */
export interface Scratch {
  readonly root: string;
  /** An empty directory to run from. */
  readonly empty: string;
  /** A fresh copy of `examples/shop`. */
  readonly shop: string;
  remove(): Promise<void>;
}

/**
 * A new scratch directory under the system's temp dir with an empty directory and a fresh copy of
 * the example workspace (no cache).
 *
 * @example
 * ```ts
 * const scratch = await createScratch("url");
 * await scratch.remove();
 * ```
 */
export async function createScratch(label: string): Promise<Scratch> {
  const root = await mkdtemp(join(tmpdir(), `haz-release-${label}-`));
  const empty = join(root, "empty");
  const shop = join(root, "shop");
  const example = join(repoRoot, "examples", "shop");
  // What a run of the example in place leaves (its .gitignore) is not part of the example.
  const leftovers = new Set(["cache", "dist", "out"]);
  await cp(example, shop, { recursive: true, filter: (source) => !leftovers.has(basename(source)) });
  await mkdir(empty);
  return { root, empty, shop, remove: () => rm(root, { recursive: true, force: true }) };
}

/**
 * Checks the two runs of the example workspace that every form must pass: the first runs its
 * seven tasks, the second restores all seven from the cache. Returns the problems found.
 *
 * @example
 * ```ts
 * assert.deepEqual(shopRunProblems(cold, cached), []);
 * ```
 */
export function shopRunProblems(cold: ProgramResult, cached: ProgramResult): string[] {
  const problems: string[] = [];
  if (cold.code !== 0) problems.push(`cold run exited ${cold.code}: ${cold.stderr}${cold.stdout}`);
  if (!/^Tasks: 7 completed$/m.test(cold.stdout)) problems.push(`cold run output:\n${cold.stdout}`);
  if (cached.code !== 0) problems.push(`cached run exited ${cached.code}: ${cached.stderr}${cached.stdout}`);
  if (!/^Tasks: 7 completed \(7 cached\)$/m.test(cached.stdout)) {
    problems.push(`cached run output:\n${cached.stdout}`);
  }
  return problems;
}
