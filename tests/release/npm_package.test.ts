/**
 * The npm / Bun package: `npm pack` gives a tarball of the bundle, the README, the license and
 * package.json only, with no runtime dependency. Installed into scratch projects with npm (offline)
 * and with Bun, haz runs from a package.json script through `npm run` (Node), `bun run --bun` (Bun)
 * (`bun run` alone honours the `node` shebang) and `bunx`, on the example workspace cold then cached.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { cp, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  cleanEnv,
  createScratch,
  needsRelease,
  type ProgramResult,
  releaseDir,
  repoRoot,
  runProgram,
  type Scratch,
  shopRunProblems,
  tools,
} from "./release_support.ts";

const SLOW = { timeout: 180_000 };

interface PackedFile {
  readonly path: string;
}

describe("the npm package", { skip: needsRelease() }, () => {
  let scratch: Scratch;
  let tarball: string;
  let packedFiles: string[];
  let env: Record<string, string>;

  before(async () => {
    scratch = await createScratch("npm");
    // Package managers' caches and global state stay inside the scratch directory.
    env = cleanEnv({
      npm_config_cache: join(scratch.root, "npm-cache"),
      BUN_INSTALL_CACHE_DIR: join(scratch.root, "bun-cache"),
    });
    // The bundle of this release, packed as is (`prepack` would rebuild it into the same bytes).
    const packed = await runProgram(
      ["npm", "pack", "--json", "--ignore-scripts", "--pack-destination", scratch.root],
      { cwd: repoRoot, env },
    );
    assert.equal(packed.code, 0, packed.stderr);
    const [manifest] = JSON.parse(packed.stdout) as [{ filename: string; files: PackedFile[] }];
    tarball = join(scratch.root, manifest.filename);
    packedFiles = manifest.files.map((file) => file.path).sort();
  });

  after(async () => {
    await scratch.remove();
  });

  test("npm pack holds the bundle, README, LICENSE and package.json, nothing from tests/", () => {
    assert.deepEqual(packedFiles, ["LICENSE", "README.md", "dist/haz.mjs", "package.json"]);
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
    assert.deepEqual(pkg.bin, { haz: "dist/haz.mjs" });
    assert.equal(pkg.dependencies, undefined, "the bundle needs no runtime dependency");
    assert.equal(pkg.private, undefined);
    assert.ok(
      readFileSync(join(repoRoot, "dist", "haz.mjs")).equals(readFileSync(join(releaseDir, "haz.mjs"))),
    );
  });

  /** A scratch project whose scripts run haz on a fresh copy of the example workspace. */
  async function project(name: string): Promise<{ dir: string; shop: string }> {
    const dir = join(scratch.root, name);
    const shop = join(scratch.root, `${name}-shop`);
    await cp(scratch.shop, shop, { recursive: true });
    await mkdir(dir);
    await writeFile(
      join(dir, "package.json"),
      JSON.stringify({
        name: `scratch-${name}`,
        private: true,
        scripts: { shop: `haz -C ${shop} run`, "haz-version": "haz --version" },
      }),
    );
    return { dir, shop };
  }

  async function twice(argv: readonly string[], cwd: string): Promise<[ProgramResult, ProgramResult]> {
    return [await runProgram(argv, { cwd, env }), await runProgram(argv, { cwd, env })];
  }

  test("installed offline with npm, `npm run` runs haz under Node", SLOW, async () => {
    const { dir } = await project("with-npm");
    const installed = await runProgram(["npm", "install", "--offline", "--no-audit", "--no-fund", tarball], {
      cwd: dir,
      env,
    });
    assert.equal(installed.code, 0, installed.stderr);
    const version = await runProgram(["npm", "run", "--silent", "haz-version"], { cwd: dir, env });
    assert.match(version.stdout, /^haz \d+\.\d+\.\d+ \(node (\d+)\./, version.stderr);
    assert.ok(Number(/\(node (\d+)\./.exec(version.stdout)![1]) >= 20);
    const [cold, cached] = await twice(["npm", "run", "--silent", "shop"], dir);
    assert.deepEqual(shopRunProblems(cold, cached), []);
  });

  test("npm install -g puts a haz command on the prefix's bin", SLOW, async () => {
    const prefix = join(scratch.root, "global");
    const installed = await runProgram(
      ["npm", "install", "-g", "--offline", "--no-audit", "--no-fund", "--prefix", prefix, tarball],
      { cwd: scratch.empty, env },
    );
    assert.equal(installed.code, 0, installed.stderr);
    const shop = join(scratch.root, "global-shop");
    await cp(scratch.shop, shop, { recursive: true });
    const haz = join(prefix, "bin", "haz");
    const version = await runProgram([haz, "--version"], { cwd: scratch.empty, env });
    assert.match(version.stdout, /^haz \d+\.\d+\.\d+ \(node \d/, version.stderr);
    const [cold, cached] = await twice([haz, "-C", shop, "run"], scratch.empty);
    assert.deepEqual(shopRunProblems(cold, cached), []);
  });

  test("installed with Bun, `bun run --bun` runs haz under Bun and `bunx` runs it too", SLOW, async () => {
    const { dir } = await project("with-bun");
    const installed = await runProgram([tools.bun, "add", tarball], { cwd: dir, env });
    assert.equal(installed.code, 0, installed.stderr);
    const version = await runProgram([tools.bun, "run", "--bun", "haz-version"], { cwd: dir, env });
    assert.match(version.stdout, /^haz \d+\.\d+\.\d+ \(bun \d/, version.stderr);
    // Without --bun, Bun honours the bin's `node` shebang.
    const plain = await runProgram([tools.bun, "run", "haz-version"], { cwd: dir, env });
    assert.match(plain.stdout, /^haz \d+\.\d+\.\d+ \(node \d/, plain.stderr);
    const [cold, cached] = await twice([tools.bun, "run", "--bun", "shop"], dir);
    assert.deepEqual(shopRunProblems(cold, cached), []);

    const bunx = join(repoRoot, "node_modules", ".bin", "bunx");
    const bunxVersion = await runProgram([bunx, "--bun", "haz", "--version"], { cwd: dir, env });
    assert.match(bunxVersion.stdout, /^haz \d+\.\d+\.\d+ \(bun \d/, bunxVersion.stderr);
    const bunxShop = join(scratch.root, "bunx-shop");
    await cp(scratch.shop, bunxShop, { recursive: true });
    const [bunxCold, bunxCached] = await twice([bunx, "haz", "-C", bunxShop, "run"], dir);
    assert.deepEqual(shopRunProblems(bunxCold, bunxCached), []);
  });
});
