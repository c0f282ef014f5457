/**
 * The peers haz is compared with (turbo, nx, moon), installed from the npm registry into a scratch
 * folder with `npm install --prefix` (never as dependencies of haz), and the command lines that make
 * each tool build a synthetic workspace. Native binaries are run directly (not through their npm
 * launcher scripts), nx through `node`, so no tool pays for another's wrapper.
 *
 * @module
 */

import { existsSync } from "node:fs";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ProcessSpawner } from "../lib/exec/process.ts";
import { measureCommand } from "./measure_command.ts";

/** The npm packages installed into the scratch folder. */
export const PEER_PACKAGES = ["turbo", "nx", "@moonrepo/cli"] as const;

/** Where each installed peer's entry point is, relative to `<scratch>/node_modules`. */
const ENTRY_POINTS = {
  turbo: "@turbo/linux-64/bin/turbo",
  nx: "nx/dist/bin/nx.js",
  moon: "@moonrepo/core-linux-x64-gnu/moon",
} as const;

/** One tool under test: how to build the workspace, print the version and start cold. */
export interface Contender {
  /** Row label, e.g. `nx (daemon)`. */
  readonly name: string;
  readonly version: string;
  /** Builds every project's `build` task at the given concurrency. */
  readonly buildArgv: (concurrency: number) => string[];
  readonly versionArgv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Removes the tool's cache (and stops its daemon), for a cold run. Not timed. */
  readonly forget: (root: string) => Promise<void>;
  /** Whether its cold runs are measured (the daemon variant of nx shares nx's cold path). */
  readonly measuresCold: boolean;
}

/** What a peer installation found: usable contenders, and why others are missing. */
export interface PeerSetup {
  readonly contenders: Contender[];
  readonly problems: string[];
  /** `<scratch>/node_modules`, linked into each workspace so nx finds its local installation. */
  readonly nodeModules: string;
}

/** Options of {@link setUpPeers}. */
export interface PeerOptions {
  readonly spawner: ProcessSpawner;
  /** The scratch folder (reused between runs; install happens only when a peer is missing). */
  readonly dir: string;
  /** The environment the tools run with (PATH, HOME, …); telemetry switches are added here. */
  readonly baseEnv: Readonly<Record<string, string>>;
  readonly scratch: string;
  readonly log: (line: string) => void;
}

/**
 * Installs the peers when missing and returns the contenders that can run here.
 *
 * @example
 * ```ts
 * const peers = await setUpPeers({ spawner, dir: "/tmp/haz-bench-peers", baseEnv, scratch, log: console.log });
 * peers.contenders.map((c) => c.name); // ["turbo", "nx", "nx (daemon)", "moon"]
 * ```
 */
export async function setUpPeers(options: PeerOptions): Promise<PeerSetup> {
  const nodeModules = join(options.dir, "node_modules");
  const problems: string[] = [];
  const missing = Object.values(ENTRY_POINTS).some((entry) => !existsSync(join(nodeModules, entry)));
  if (missing) {
    options.log(`installing ${PEER_PACKAGES.join(", ")} into ${options.dir} (npm install --prefix)`);
    if (!existsSync(join(options.dir, "package.json"))) {
      await writeFile(join(options.dir, "package.json"), '{ "private": true }\n').catch(() => {});
    }
    const install = await measureCommand(options.spawner, {
      argv: ["npm", "install", "--prefix", options.dir, "--no-audit", "--no-fund", ...PEER_PACKAGES],
      cwd: options.dir,
      env: options.baseEnv,
      rss: false,
      scratch: options.scratch,
    });
    if (install.exitCode !== 0) problems.push(`npm install failed: ${lastLine(install.outputTail)}`);
  }
  const env = {
    ...options.baseEnv,
    TURBO_TELEMETRY_DISABLED: "1",
    DO_NOT_TRACK: "1",
    NX_NO_CLOUD: "true",
    NX_TUI: "false",
    MOON_TELEMETRY: "false",
    MOON_CHECK_FOR_UPDATES: "false",
  };
  const contenders: Contender[] = [];
  const turbo = join(nodeModules, ENTRY_POINTS.turbo);
  if (existsSync(turbo)) {
    contenders.push({
      name: "turbo",
      version: await packageVersion(nodeModules, "turbo"),
      buildArgv: (concurrency) => [turbo, "run", "build", `--concurrency=${concurrency}`],
      versionArgv: [turbo, "--version"],
      env,
      forget: (root) => removeAll([join(root, ".turbo")], root, ".turbo"),
      measuresCold: true,
    });
  } else problems.push(`turbo: ${ENTRY_POINTS.turbo} is not installed`);
  const nx = join(nodeModules, ENTRY_POINTS.nx);
  if (existsSync(nx)) {
    const version = await packageVersion(nodeModules, "nx");
    for (const daemon of [false, true]) {
      const nxEnv = { ...env, NX_DAEMON: String(daemon) };
      contenders.push({
        name: daemon ? "nx (daemon)" : "nx",
        version,
        buildArgv: (concurrency) => ["node", nx, "run-many", "-t", "build", `--parallel=${concurrency}`],
        versionArgv: ["node", nx, "--version"],
        env: nxEnv,
        forget: async (root) => {
          // `nx reset` stops the daemon and deletes the cache and the workspace data.
          await measureCommand(options.spawner, {
            argv: ["node", nx, "reset"],
            cwd: root,
            env: nxEnv,
            rss: false,
            scratch: options.scratch,
          });
          await rm(join(root, ".nx"), { recursive: true, force: true });
        },
        measuresCold: !daemon,
      });
    }
  } else problems.push(`nx: ${ENTRY_POINTS.nx} is not installed`);
  const moon = join(nodeModules, ENTRY_POINTS.moon);
  if (existsSync(moon)) {
    contenders.push({
      name: "moon",
      version: await packageVersion(nodeModules, "@moonrepo/cli"),
      buildArgv: (concurrency) => [moon, "run", ":build", "--concurrency", String(concurrency)],
      versionArgv: [moon, "--version"],
      env,
      forget: (root) => rm(join(root, ".moon", "cache"), { recursive: true, force: true }),
      measuresCold: true,
    });
  } else problems.push(`moon: ${ENTRY_POINTS.moon} is not installed`);
  return { contenders, problems, nodeModules };
}

/**
 * The haz contender: the compiled binary.
 *
 * @example
 * ```ts
 * hazContender("/work/dist/haz", "0.1.0", env).buildArgv(2); // ["/work/dist/haz", "run", "build", "-j", "2"]
 * ```
 */
export function hazContender(
  binary: string,
  version: string,
  env: Readonly<Record<string, string>>,
): Contender {
  return {
    name: "haz",
    version,
    buildArgv: (concurrency) => [binary, "run", "build", "-j", String(concurrency)],
    versionArgv: [binary, "--version"],
    env,
    forget: (root) => rm(join(root, ".haz", "cache"), { recursive: true, force: true }),
    measuresCold: true,
  };
}

async function packageVersion(nodeModules: string, name: string): Promise<string> {
  try {
    return JSON.parse(await readFile(join(nodeModules, name, "package.json"), "utf8")).version ?? "?";
  } catch {
    return "?";
  }
}

/** Removes the given paths and every `packages/*\/<name>` directory (turbo's per-package logs). */
async function removeAll(paths: readonly string[], root: string, perPackage: string): Promise<void> {
  await Promise.all(paths.map((path) => rm(path, { recursive: true, force: true })));
  const packages = join(root, "packages");
  const names = await readdir(packages).catch(() => [] as string[]);
  await Promise.all(
    names.map((name) => rm(join(packages, name, perPackage), { recursive: true, force: true })),
  );
}

function lastLine(text: string): string {
  return text.trim().split("\n").pop() ?? "";
}
