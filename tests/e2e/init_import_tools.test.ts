import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import { commitAll, copyAdoptionFixture } from "../support/adoption_fixtures.ts";
import { baseEnv, hazCommand, runHaz } from "../support/run_haz.ts";
import { withWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";

const binDir = fileURLToPath(new URL("../../node_modules/.bin", import.meta.url));
/** Tools from the npm registry, installed once per machine into scratch space, never into the project. */
const toolsDir = join(tmpdir(), "haz-adopt-tools");
const TOOL_TIMEOUT = { timeout: 300_000 } as const;

/** The bin directory holding `pnpm`, installed from npm on first use; a failed install fails the test. */
function pnpmBin(): string {
  const bin = join(toolsDir, "node_modules", ".bin");
  if (!existsSync(join(bin, "pnpm"))) {
    mkdirSync(toolsDir, { recursive: true });
    const install = spawnSync(
      "npm",
      ["install", "--prefix", toolsDir, "--no-audit", "--no-fund", "pnpm@10"],
      {
        encoding: "utf8",
      },
    );
    assert.ok(existsSync(join(bin, "pnpm")), `pnpm could not be installed from npm:\n${install.stderr}`);
  }
  return bin;
}

function envWith(...dirs: string[]): Record<string, string | undefined> {
  return { ...baseEnv(), PATH: [...dirs, binDir, process.env.PATH].join(":") };
}

/** A script that logs `s <pkg>`, sleeps, logs `e <pkg>` to `$ORDER_LOG`. */
function marker(pkg: string): string {
  return `echo "s ${pkg}" >> "$ORDER_LOG"; sleep 0.3; echo "e ${pkg}" >> "$ORDER_LOG"`;
}

/** For each ordered pair (a, b): did every run end a before it started b? */
function alwaysBefore(runs: readonly string[][]): (a: string, b: string) => boolean {
  return (a, b) =>
    runs.every((lines) => {
      const end = lines.indexOf(`e ${a}`);
      const start = lines.indexOf(`s ${b}`);
      return end !== -1 && start !== -1 && end < start;
    });
}

/** Transitive closure of `deps` (haz ids). */
function predecessors(deps: ReadonlyMap<string, readonly string[]>, id: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(deps.get(id) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (!seen.has(next)) {
      seen.add(next);
      stack.push(...(deps.get(next) ?? []));
    }
  }
  return seen;
}

/** Rewrites every member's scripts to order markers; returns package name → haz project name. */
async function markScripts(fixture: WorkspaceFixture, dirs: readonly string[]): Promise<Map<string, string>> {
  const projects = new Map<string, string>();
  for (const dir of dirs) {
    const path = fixture.path(`${dir}/package.json`);
    const manifest = JSON.parse(await readFile(path, "utf8"));
    for (const script of Object.keys(manifest.scripts ?? {})) {
      manifest.scripts[script] = marker(manifest.name);
    }
    await writeFile(path, JSON.stringify(manifest));
    projects.set(manifest.name, dir.slice(dir.lastIndexOf("/") + 1));
  }
  return projects;
}

let logCount = 0;

/** Runs `argv` ten times, each with a fresh order log, and returns the logs' lines. */
function tenRuns(
  fixture: WorkspaceFixture,
  argv: readonly string[],
  env: Record<string, string | undefined>,
) {
  const runs: string[][] = [];
  for (let round = 0; round < 10; round++) {
    const log = fixture.path(`order-${logCount++}.log`);
    const result = spawnSync(argv[0], argv.slice(1), {
      cwd: fixture.root,
      env: { ...env, ORDER_LOG: log } as Record<string, string>,
      encoding: "utf8",
    });
    assert.equal(result.status, 0, `${argv.join(" ")}: ${result.stderr}`);
    runs.push(existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []);
  }
  return runs;
}

const ORDER_CASES: readonly { fixture: string; dirs: readonly string[]; scripts: readonly string[] }[] = [
  {
    fixture: "npm-workspaces-plain",
    dirs: ["packages/add", "packages/cli", "packages/subtract"],
    scripts: ["build"],
  },
  {
    fixture: "bun-full-stack",
    dirs: ["packages/rest-api", "packages/shared", "packages/web"],
    scripts: ["build", "lint"],
  },
];

describe("haz init --import: same order as the package managers (§10 scenario 4)", () => {
  for (const { fixture: name, dirs, scripts } of ORDER_CASES) {
    test(
      `ADOPT-022 / 085 ${name}: bun --filter and pnpm -r order exactly the pairs haz orders`,
      TOOL_TIMEOUT,
      async () => {
        const fixture = await copyAdoptionFixture(name);
        try {
          const projects = await markScripts(fixture, dirs);
          const root = JSON.parse(await readFile(fixture.path("package.json"), "utf8"));
          delete root.packageManager;
          await writeFile(fixture.path("package.json"), JSON.stringify(root));
          // pnpm 10 orders by a version-range dependency (`^1.0.0`) only when it links workspace packages.
          await writeFile(
            fixture.path("pnpm-workspace.yaml"),
            'packages: ["packages/*"]\nlinkWorkspacePackages: true\n',
          );
          commitAll(fixture.root);
          const imported = await runHaz(["init", "--import", "--yes", "--from", "package-json"], {
            cwd: fixture.root,
          });
          assert.equal(imported.code, 0, imported.stderr);
          // The order log reaches the imported tasks only when haz passes it through (CFG-040).
          const workspaceYml = fixture.path(".haz/workspace.yml");
          await writeFile(
            workspaceYml,
            `${await readFile(workspaceYml, "utf8")}env:\n  pass_through: [ORDER_LOG]\n`,
          );
          const pnpm = pnpmBin();
          for (const script of scripts) {
            const dry = await runHaz(["run", `^:${script}`, "--dry-run", "--json"], { cwd: fixture.root });
            const tasks = (JSON.parse(dry.stdout) as { tasks: { id: string; deps: string[] }[] }).tasks;
            const deps = new Map(tasks.map((task) => [task.id, task.deps]));
            const packages = [...projects.keys()].filter((pkg) => deps.has(`${projects.get(pkg)}:${script}`));
            const hazOrders = (a: string, b: string) =>
              predecessors(deps, `${projects.get(b)}:${script}`).has(`${projects.get(a)}:${script}`);
            const tools: [string, string[], Record<string, string | undefined>][] = [
              ["bun", [join(binDir, "bun"), "run", "--filter", "*", script], envWith()],
            ];
            tools.push([
              "pnpm",
              [join(pnpm, "pnpm"), "-r", "--workspace-concurrency=4", "run", script],
              envWith(pnpm),
            ]);
            const hazRuns = tenRuns(
              fixture,
              [...hazCommand(), "run", `^:${script}`, "-j", "4", "--no-cache"],
              {
                ...envWith(),
                ORDER_LOG: "",
              },
            );
            for (const [tool, argv, env] of tools) {
              const toolOrders = alwaysBefore(tenRuns(fixture, argv, env));
              for (const a of packages) {
                for (const b of packages) {
                  if (a === b) continue;
                  assert.equal(toolOrders(a, b), hazOrders(a, b), `${tool} ${script}: ${a} before ${b}`);
                }
              }
            }
            const hazObserved = alwaysBefore(hazRuns);
            for (const a of packages) {
              for (const b of packages) {
                if (a !== b && hazOrders(a, b)) {
                  assert.ok(hazObserved(a, b), `haz ${script}: ${a} before ${b}`);
                }
              }
            }
          }
        } finally {
          await fixture.remove();
        }
      },
    );
  }
});

const ACTION_CASES: readonly { pm: string; packageManager: string; lockfile: string }[] = [
  { pm: "npm", packageManager: "npm@11.0.0", lockfile: "package-lock.json" },
  { pm: "bun", packageManager: "bun@1.4.4", lockfile: "bun.lock" },
  // No `packageManager` here: pnpm would download the pinned version; the lockfile decides (ADOPT-012).
  { pm: "pnpm", packageManager: "", lockfile: "pnpm-lock.yaml" },
];

describe("haz init --import: actions behave like the source tool (§10 scenario 6)", () => {
  for (const { pm, packageManager, lockfile } of ACTION_CASES) {
    test(
      `ADOPT-031 ${pm}: haz run p:build prints what '${pm} run build' prints, minus the banner`,
      TOOL_TIMEOUT,
      async () => {
        const pnpm = pm === "pnpm" ? pnpmBin() : null;
        if (pm === "npm" && spawnSync("npm", ["--version"]).status !== 0) return;
        await withWorkspaceFixture({
          "package.json": JSON.stringify({
            name: "root",
            ...(packageManager === "" ? {} : { packageManager }),
            workspaces: ["packages/*"],
          }),
          "pnpm-workspace.yaml": 'packages: ["packages/*"]\n',
          [lockfile]: "",
          "node_modules/.bin/hello": "#!/bin/sh\necho hello-from-bin\n",
          "packages/p/package.json": JSON.stringify({
            name: "p",
            version: "1.0.0",
            scripts: { prebuild: "echo pre", build: "echo event=$npm_lifecycle_event && hello" },
          }),
        }, async (fixture) => {
          chmodSync(fixture.path("node_modules/.bin/hello"), 0o755);
          const imported = await runHaz(["init", "--import", "--yes"], { cwd: fixture.root });
          assert.equal(imported.code, 0, imported.stderr);
          const env = pnpm === null ? envWith() : envWith(pnpm);
          const haz = await runHaz(["run", "p:build", "--output-mode", "buffered"], {
            cwd: fixture.root,
            env,
          });
          assert.equal(haz.code, 0, haz.stdout + haz.stderr);
          const hazLines = haz.stdout.split("\n");
          const taskLines = hazLines.slice(
            hazLines.findIndex((line) => line.includes("p:build")) + 1,
            hazLines.indexOf("", hazLines.findIndex((line) => line.includes("p:build"))),
          );
          const direct = spawnSync(pm, ["run", "build"], {
            cwd: fixture.path("packages/p"),
            env: env as Record<string, string>,
            encoding: "utf8",
          });
          assert.equal(direct.status, 0, direct.stderr);
          const toolLines = direct.stdout.split("\n").filter((line) =>
            line !== "" && !line.startsWith(">") &&
            !line.startsWith("$ ")
          );
          assert.deepEqual(taskLines, toolLines);
          assert.ok(taskLines.includes("event=build"));
          assert.ok(taskLines.includes("hello-from-bin") || pm === "pnpm");
        });
      },
    );
  }
});
