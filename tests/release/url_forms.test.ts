/**
 * haz from a URL with nothing but Deno (README "Ways to use it"): the release bundle through
 * `deno run` and `deno install`, and the source through `deno run --import-map`. The repository
 * is served by a plain static server on a loopback port; every form starts in an empty directory
 * with an empty `DENO_DIR` and runs the example workspace cold, then cached.
 */

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { after, before, describe, test } from "node:test";
import { type NpmRegistry, serveNpmRegistry } from "../support/npm_registry.ts";
import { serveStatic, type StaticServer } from "../support/static_server.ts";
import {
  cleanEnv,
  createScratch,
  needsRelease,
  type ProgramResult,
  repoRoot,
  runProgram,
  type Scratch,
  shopRunProblems,
  tools,
} from "./release_support.ts";

const SLOW = { timeout: 120_000 };

describe("haz from a URL", { skip: needsRelease() }, () => {
  let server: StaticServer;
  let registry: NpmRegistry;
  let scratch: Scratch;

  before(async () => {
    server = await serveStatic(repoRoot);
    registry = await serveNpmRegistry(join(repoRoot, "node_modules"), ["hash-wasm", "picomatch", "yaml"]);
    scratch = await createScratch("url");
  });

  after(async () => {
    await server.close();
    await registry.close();
    await scratch.remove();
  });

  async function runForm(argv: readonly string[], env: Record<string, string>): Promise<ProgramResult[]> {
    const version = await runProgram([...argv, "--version"], { cwd: scratch.empty, env });
    const cold = await runProgram([...argv, "-C", scratch.shop, "run"], { cwd: scratch.empty, env });
    const cached = await runProgram([...argv, "-C", scratch.shop, "run"], { cwd: scratch.empty, env });
    return [version, cold, cached];
  }

  async function freshShop(): Promise<void> {
    await scratch.remove();
    scratch = await createScratch("url");
  }

  test(
    "deno run -A <url>/haz.mjs runs the example cold, then cached, with an empty DENO_DIR",
    SLOW,
    async () => {
      await freshShop();
      const env = cleanEnv({ DENO_DIR: join(scratch.root, "deno-run") });
      const url = `${server.url}/dist/release/haz.mjs`;
      const [version, cold, cached] = await runForm([tools.deno, "run", "-A", url], env);
      assert.match(version.stdout, /^haz \d+\.\d+\.\d+ \(deno \d/, version.stderr);
      assert.deepEqual(shopRunProblems(cold, cached), []);
      assert.ok(server.requests.includes("/dist/release/haz.mjs"));
    },
  );

  test("deno install -g -A -n haz <url>/haz.mjs installs a working haz command", SLOW, async () => {
    await freshShop();
    const installRoot = join(scratch.root, "deno-install");
    const denoDir = join(scratch.root, "deno-install-cache");
    const installed = await runProgram(
      [tools.deno, "install", "-g", "-A", "-n", "haz", `${server.url}/dist/release/haz.mjs`],
      { cwd: scratch.empty, env: cleanEnv({ DENO_DIR: denoDir, DENO_INSTALL_ROOT: installRoot }) },
    );
    assert.equal(installed.code, 0, installed.stderr);
    // The installed script runs `deno` from PATH, as it would on a user's machine.
    const path = `${join(installRoot, "bin")}:${join(repoRoot, "node_modules", ".bin")}:${process.env.PATH}`;
    const [version, cold, cached] = await runForm(["haz"], cleanEnv({ DENO_DIR: denoDir, PATH: path }));
    assert.match(version.stdout, /^haz \d+\.\d+\.\d+ \(deno \d/, version.stderr);
    assert.deepEqual(shopRunProblems(cold, cached), []);
  });

  test("deno run -A --import-map <url>/import_map.json <url>/cli.ts runs the source", SLOW, async () => {
    await freshShop();
    // The npm: specifiers of the import map resolve from a loopback registry: tests stay off the network.
    const env = cleanEnv({ DENO_DIR: join(scratch.root, "deno-source"), NPM_CONFIG_REGISTRY: registry.url });
    const argv = [
      tools.deno,
      "run",
      "-A",
      "--import-map",
      `${server.url}/import_map.json`,
      `${server.url}/cli.ts`,
    ];
    const [version, cold, cached] = await runForm(argv, env);
    assert.match(version.stdout, /^haz \d+\.\d+\.\d+ \(deno \d/, version.stderr);
    assert.deepEqual(shopRunProblems(cold, cached), []);
    assert.ok(server.requests.includes("/lib/cli/main.ts"));
    assert.ok(registry.requests.includes("/yaml/tarball.tgz"), registry.requests.join(" "));
    // BLAKE3 comes from a subpath of hash-wasm, which the import map maps too.
    await appendFile(join(scratch.shop, ".haz", "workspace.yml"), "cache: {hash: blake3}\n");
    const blake3 = await runProgram([...argv, "-C", scratch.shop, "run"], { cwd: scratch.empty, env });
    assert.equal(blake3.code, 0, blake3.stderr);
    assert.match(blake3.stdout, /^Tasks: 7 completed$/m);
  });
});

/** The bare specifiers that `cli.ts` and `lib/` import, statically or dynamically (types aside). */
function bareSpecifiers(): string[] {
  const files = [
    "cli.ts",
    ...readdirSync(join(repoRoot, "lib"), { recursive: true, encoding: "utf8" })
      .filter((name) => name.endsWith(".ts")).map((name) => join("lib", name)),
  ];
  const specifiers = new Set<string>();
  for (const file of files) {
    const text = readFileSync(join(repoRoot, file), "utf8");
    const statics = [...text.matchAll(/^import (?!type )[^;]*? from "([^"]+)";/gms)];
    const dynamics = [...text.matchAll(/\bimport\("([^"]+)"\)/g)];
    for (const [, specifier] of [...statics, ...dynamics]) {
      if (!specifier.startsWith(".") && !specifier.startsWith("node:")) specifiers.add(specifier);
    }
  }
  return [...specifiers].sort();
}

test("import_map.json maps every bare import of the source to package.json's npm version", () => {
  const read = (name: string) => JSON.parse(readFileSync(join(repoRoot, name), "utf8"));
  const pkg = read("package.json");
  const pinned: Record<string, string> = { ...pkg.dependencies, ...pkg.devDependencies };
  const imports: Record<string, string> = read("import_map.json").imports;
  const specifiers = bareSpecifiers();
  assert.ok(specifiers.includes("yaml") && specifiers.length >= 3, specifiers.join(" "));
  for (const specifier of specifiers) {
    const key = specifier in imports
      ? specifier
      : Object.keys(imports).find((prefix) => prefix.endsWith("/") && specifier.startsWith(prefix));
    assert.ok(key, `import_map.json does not map ${specifier}`);
    const name = key.replace(/\/$/, "");
    const expected = key.endsWith("/") ? `npm:/${name}@${pinned[name]}/` : `npm:${name}@${pinned[name]}`;
    assert.equal(imports[key], expected);
  }
});
