/**
 * Synthetic benchmark workspaces (06-architecture.md §5): `count` projects under `packages/`, one
 * `build` task each (`mkdir -p dist && cp src/x dist/y`), three hard deps per task on earlier
 * projects, with equivalent configurations for haz, turbo (npm workspaces + turbo.json), nx (nx.json
 * over the same package.json files) and moon (.moon/ + moon.yml).
 *
 * @module
 */

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** The shell command every generated task runs, in its project directory. */
export const BUILD_COMMAND = "mkdir -p dist && cp src/x dist/y";

/** Hard dependencies of each project, by index: up to three distinct earlier projects. */
export type DependencyPlan = readonly (readonly number[])[];

/** One generated workspace. */
export interface SyntheticWorkspace {
  readonly root: string;
  readonly projectNames: readonly string[];
  /** Project directories relative to the root (`packages/p0000`), in project order. */
  readonly projectDirs: readonly string[];
  readonly deps: DependencyPlan;
}

/** What to generate. */
export interface SyntheticWorkspaceOptions {
  readonly root: string;
  readonly count: number;
  /** The `packageManager` field turbo insists on, e.g. `npm@11.2.0`. */
  readonly packageManager: string;
  /** Seed of the dependency choice, so every run benchmarks the same graph. */
  readonly seed?: number;
}

/**
 * Project names sort by their zero-padded index, so every tool's ordering agrees.
 *
 * @example
 * ```ts
 * projectName(7); // "p0007"
 * ```
 */
export function projectName(index: number): string {
  return `p${String(index).padStart(4, "0")}`;
}

/**
 * Three distinct earlier projects per project (fewer for the first three), from a seeded generator.
 *
 * @example
 * ```ts
 * planDependencies(4, 1); // [[], [0], [1, 0], [2, 0, 1]] (an example order)
 * ```
 */
export function planDependencies(count: number, seed: number): DependencyPlan {
  let state = seed >>> 0;
  // mulberry32: small, fast and good enough to spread edges over the graph.
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const plan: number[][] = [];
  for (let index = 0; index < count; index++) {
    const chosen = new Set<number>();
    while (chosen.size < Math.min(3, index)) chosen.add(Math.floor(random() * index));
    plan.push([...chosen].sort((a, b) => a - b));
  }
  return plan;
}

/**
 * Writes the workspace: sources, haz.yml, package.json, moon.yml per project, and the root files of
 * every tool. The root is expected to be empty.
 *
 * @example
 * ```ts
 * const ws = await writeSyntheticWorkspace({ root: "/tmp/ws", count: 100, packageManager: "npm@11.2.0" });
 * ws.projectNames.length; // 100
 * ```
 */
export async function writeSyntheticWorkspace(
  options: SyntheticWorkspaceOptions,
): Promise<SyntheticWorkspace> {
  const { root, count } = options;
  const deps = planDependencies(count, options.seed ?? 20260101);
  const projectNames = Array.from({ length: count }, (_, index) => projectName(index));
  const projectDirs = projectNames.map((name) => `packages/${name}`);
  await writeRootFiles(root, options.packageManager);
  for (let index = 0; index < count; index++) {
    const dir = join(root, projectDirs[index]);
    const depNames = deps[index].map(projectName);
    await mkdir(join(dir, "src"), { recursive: true });
    await Promise.all([
      writeFile(join(dir, "src", "x"), `source of ${projectNames[index]}\n`),
      writeFile(join(dir, "haz.yml"), hazProjectFile(depNames)),
      writeFile(join(dir, "package.json"), packageFile(projectNames[index], depNames)),
      writeFile(join(dir, "moon.yml"), moonProjectFile(depNames)),
      writeFile(join(dir, "project.json"), nxProjectFile(projectNames[index])),
    ]);
  }
  return { root, projectNames, projectDirs, deps };
}

async function writeRootFiles(root: string, packageManager: string): Promise<void> {
  await mkdir(join(root, ".haz"), { recursive: true });
  await mkdir(join(root, ".moon"), { recursive: true });
  const rootPackage = {
    name: "bench-root",
    version: "0.0.0",
    private: true,
    workspaces: ["packages/*"],
    packageManager,
  };
  const turbo = {
    $schema: "https://turborepo.com/schema.json",
    tasks: { build: { dependsOn: ["^build"], inputs: ["src/x"], outputs: ["dist/**"] } },
  };
  const nx = {
    $schema: "./node_modules/nx/schemas/nx-schema.json",
    neverConnectToCloud: true,
    tui: { enabled: false },
    targetDefaults: {
      build: {
        dependsOn: ["^build"],
        inputs: ["{projectRoot}/src/x"],
        outputs: ["{projectRoot}/dist"],
        cache: true,
      },
    },
  };
  await Promise.all([
    writeFile(join(root, ".haz", "workspace.yml"), 'projects: ["packages/*"]\n'),
    writeFile(join(root, "package.json"), `${JSON.stringify(rootPackage, null, 2)}\n`),
    writeFile(join(root, "turbo.json"), `${JSON.stringify(turbo, null, 2)}\n`),
    writeFile(join(root, "nx.json"), `${JSON.stringify(nx, null, 2)}\n`),
    writeFile(
      join(root, ".moon", "workspace.yml"),
      "projects:\n  - 'packages/*'\ntelemetry: false\nvcs:\n  client: 'git'\n  defaultBranch: 'main'\n",
    ),
    writeFile(
      join(root, ".gitignore"),
      ["node_modules", "dist", ".haz/cache", ".turbo", ".nx", ".moon/cache", ""].join("\n"),
    ),
  ]);
}

function hazProjectFile(depNames: readonly string[]): string {
  const deps = depNames.map((name) => `"${name}:build"`).join(", ");
  return [
    "tasks:",
    "  build:",
    `    shell: ${BUILD_COMMAND}`,
    "    inputs: [src/x]",
    "    outputs: [dist]",
    `    deps: [${deps}]`,
    "",
  ].join("\n");
}

function packageFile(name: string, depNames: readonly string[]): string {
  const pkg = {
    name,
    version: "0.0.0",
    private: true,
    scripts: { build: BUILD_COMMAND },
    dependencies: Object.fromEntries(depNames.map((dep) => [dep, "*"])),
    // nx takes the target from project.json (the command itself, like haz and moon), not the script.
    nx: { includedScripts: [] },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** nx runs the same shell command in the project directory (`nx:run-commands`). */
function nxProjectFile(name: string): string {
  const project = {
    name,
    targets: {
      build: { executor: "nx:run-commands", options: { command: BUILD_COMMAND, cwd: "{projectRoot}" } },
    },
  };
  return `${JSON.stringify(project, null, 2)}\n`;
}

function moonProjectFile(depNames: readonly string[]): string {
  const dependsOn = depNames.map((name) => `'${name}'`).join(", ");
  return [
    `dependsOn: [${dependsOn}]`,
    "tasks:",
    "  build:",
    `    script: '${BUILD_COMMAND}'`,
    "    inputs: ['src/x']",
    "    outputs: ['dist']",
    "    deps: ['^:build']",
    "",
  ].join("\n");
}
