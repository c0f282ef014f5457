import assert from "node:assert/strict";
import { chmod, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import { commitAll, copyAdoptionFixture } from "../support/adoption_fixtures.ts";
import { baseEnv, runHaz } from "../support/run_haz.ts";
import { withWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";
import { SLOW } from "./run_support.ts";

const binDir = fileURLToPath(new URL("../../node_modules/.bin", import.meta.url));

interface SummaryTask {
  readonly id: string;
  readonly source: string | null;
  readonly key: string | null;
}

/** The environment of the imported tasks: `bun` (and the `pnpm` shim of the fixture) on PATH. */
function envWith(fixture: WorkspaceFixture, extra: Record<string, string | undefined> = {}) {
  return { ...baseEnv(), PATH: `${fixture.path(".bin")}:${binDir}:${process.env.PATH}`, ...extra };
}

/** Runs `haz run <refs>` and returns each task's source (`cache-hit`, `fresh-run`, …) and key. */
async function run(
  fixture: WorkspaceFixture,
  refs: readonly string[],
  extra: Record<string, string | undefined> = {},
): Promise<Map<string, SummaryTask>> {
  const summary = join(fixture.root, ".bin", "summary.json");
  const result = await runHaz(["run", ...refs, "--summary", summary], {
    cwd: fixture.root,
    env: envWith(fixture, extra),
  });
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const tasks = (JSON.parse(await readFile(summary, "utf8")) as { tasks: SummaryTask[] }).tasks;
  return new Map(tasks.map((task) => [task.id, task]));
}

function sources(tasks: Map<string, SummaryTask>): Record<string, string | null> {
  return Object.fromEntries([...tasks].map(([id, task]) => [id, task.source]));
}

async function why(fixture: WorkspaceFixture, ref: string, extra: Record<string, string | undefined> = {}) {
  const result = await runHaz(["why", ref], { cwd: fixture.root, env: envWith(fixture, extra) });
  return result.stdout + result.stderr;
}

/** EX-802's shape with scripts that really run (through bun) and a Next.js app. */
const SHOP = {
  "package.json": JSON.stringify({ name: "shop", private: true, packageManager: "bun@1.4.4" }),
  "pnpm-workspace.yaml": 'packages: ["apps/*", "packages/*"]\n',
  "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
  "turbo.json": JSON.stringify({
    globalEnv: ["NODE_ENV"],
    tasks: { build: { dependsOn: ["^build"], outputs: ["dist/**"] } },
  }),
  "packages/ui/package.json": JSON.stringify({
    name: "@shop/ui",
    scripts: { build: "mkdir -p dist && cat src/*.ts > dist/ui.js" },
  }),
  "packages/ui/src/a.ts": "export const a = 1;\n",
  "apps/web/package.json": JSON.stringify({
    name: "web",
    dependencies: { "@shop/ui": "workspace:*" },
    scripts: { build: "mkdir -p dist && cat ../../packages/ui/dist/ui.js > dist/web.js" },
  }),
  "apps/next/package.json": JSON.stringify({
    name: "next-app",
    dependencies: { next: "15.0.0" },
    scripts: {
      build:
        'mkdir -p .next/cache && printf "%s" "$NEXT_PUBLIC_X" > .next/page.txt && date +%N > .next/cache/junk',
    },
  }),
  "apps/next/turbo.json": JSON.stringify({
    extends: ["//"],
    tasks: { build: { outputs: [".next/**", "!.next/cache/**"] } },
  }),
  ".bin/.keep": "",
};

describe("haz init --import: never a false hit (§10 scenario 7)", () => {
  test(
    "ADOPT-040..045 / 050 / 101 closure files, lockfile, outputs and NEXT_PUBLIC_* decide hits",
    SLOW,
    async () => {
      await withWorkspaceFixture(SHOP, async (fixture) => {
        commitAll(fixture.root);
        const imported = await runHaz(["init", "--import", "--yes"], { cwd: fixture.root });
        assert.equal(imported.code, 0, imported.stderr);
        const all = ["^:build"];
        const first = await run(fixture, all);
        assert.deepEqual(sources(first), {
          "next:build": "fresh-run",
          "root:build": "aggregate",
          "ui:build": "fresh-run",
          "web:build": "fresh-run",
        });
        const second = await run(fixture, all);
        assert.deepEqual(sources(second), {
          "next:build": "cache-hit",
          "root:build": "aggregate",
          "ui:build": "cache-hit",
          "web:build": "cache-hit",
        });
        assert.match(await why(fixture, "web:build"), /cache: hit/);

        await fixture.write({ "packages/ui/src/b.ts": "export const b = 2;\n" });
        assert.match(await why(fixture, "web:build"), /miss/);
        assert.equal(sources(await run(fixture, ["web:build"]))["web:build"], "fresh-run");

        await fixture.write({ "apps/web/dist/x": "not an input\n" });
        assert.match(await why(fixture, "web:build"), /cache: hit/);
        assert.equal(sources(await run(fixture, ["web:build"]))["web:build"], "cache-hit");

        assert.match(await why(fixture, "next:build", { NEXT_PUBLIC_X: "1" }), /cache: miss/);
        assert.equal(
          sources(await run(fixture, ["next:build"], { NEXT_PUBLIC_X: "1" }))["next:build"],
          "fresh-run",
        );
        assert.equal(await readFile(fixture.path("apps/next/.next/page.txt"), "utf8"), "1");
        assert.equal(
          sources(await run(fixture, ["next:build"], { NEXT_PUBLIC_X: "1" }))["next:build"],
          "cache-hit",
        );

        await fixture.write({ "pnpm-lock.yaml": "lockfileVersion: '9.1'\n" });
        assert.match(await why(fixture, "ui:build"), /cache: miss/);
        const afterLock = await run(fixture, all);
        assert.deepEqual(sources(afterLock), {
          "next:build": "fresh-run",
          "root:build": "aggregate",
          "ui:build": "fresh-run",
          "web:build": "fresh-run",
        });
      });
    },
  );
});

describe("haz init --import: transit tasks carry files (§10 scenario 8)", () => {
  test("ADOPT-042 t3-turbo-pnpm: tooling/typescript files reach api:lint and api:typecheck", {
    timeout: 120_000,
  }, async () => {
    const fixture = await copyAdoptionFixture("t3-turbo-pnpm");
    try {
      // The real scripts need the repository's dependencies; these stand-ins only print their name, and
      // `pnpm` is a shim that runs the scripts through bun, so the keys depend on files alone.
      for (const dir of ["packages/api", "packages/auth", "packages/db", "packages/validators"]) {
        const manifest = JSON.parse(await readFile(fixture.path(`${dir}/package.json`), "utf8"));
        for (const script of Object.keys(manifest.scripts)) manifest.scripts[script] = `echo ${script}`;
        await writeFile(fixture.path(`${dir}/package.json`), JSON.stringify(manifest));
      }
      await fixture.write({ ".bin/pnpm": '#!/bin/sh\nexec bun "$@"\n' });
      await chmod(fixture.path(".bin/pnpm"), 0o755);
      commitAll(fixture.root);
      const imported = await runHaz(["init", "--import", "--yes"], { cwd: fixture.root });
      assert.equal(imported.code, 0, imported.stderr);
      const apiFile = await readFile(fixture.path("packages/api/haz.yml"), "utf8");
      const lint = apiFile.slice(apiFile.indexOf("  lint:"), apiFile.indexOf("  typecheck:"));
      for (
        const dir of [
          "packages/auth",
          "packages/db",
          "packages/validators",
          "tooling/eslint",
          "tooling/typescript",
        ]
      ) {
        assert.ok(lint.includes(`- "/${dir}/**"`), dir);
      }
      const refs = ["api:lint", "api:typecheck"];
      await run(fixture, refs);
      const cached = await run(fixture, refs);
      assert.equal(cached.get("api:lint")?.source, "cache-hit");
      assert.equal(cached.get("api:typecheck")?.source, "cache-hit");
      await fixture.write({ "tooling/typescript/extra.json": "{}\n" });
      const after = await run(fixture, refs);
      assert.equal(after.get("api:lint")?.source, "fresh-run");
      assert.equal(after.get("api:typecheck")?.source, "fresh-run");
    } finally {
      await fixture.remove();
    }
  });
});

describe("runtime additions (§10 scenario 16)", () => {
  test(
    "ADOPT-100 an output exclusion stays out of the entry and of a restore; adding one changes the key",
    SLOW,
    async () => {
      const hazYml = (outputs: string) =>
        "tasks:\n  build:\n" +
        '    shell: "mkdir -p .next/cache && echo page > .next/page.txt && echo junk > .next/cache/junk"\n' +
        `    inputs: [src.txt]\n    outputs: ${outputs}\n`;
      await withWorkspaceFixture({
        ".haz/workspace.yml": "projects: [app]\n",
        "app/haz.yml": hazYml('[".next/**", "!.next/cache/**"]'),
        "app/src.txt": "x\n",
        ".bin/.keep": "",
      }, async (fixture) => {
        const first = await run(fixture, ["app:build"]);
        assert.equal(first.get("app:build")?.source, "fresh-run");
        await rm(fixture.path("app/.next"), { recursive: true });
        const restored = await run(fixture, ["app:build"]);
        assert.equal(restored.get("app:build")?.source, "cache-hit");
        assert.equal(await readFile(fixture.path("app/.next/page.txt"), "utf8"), "page\n");
        await assert.rejects(readFile(fixture.path("app/.next/cache/junk"), "utf8"));

        await fixture.write({ "app/haz.yml": hazYml('[".next/**"]') });
        const without = await run(fixture, ["app:build"]);
        assert.notEqual(without.get("app:build")?.key, first.get("app:build")?.key);
      });
    },
  );

  test(
    "ADOPT-101 a wildcard matching nothing, one, two variables: three keys; the child sees the matches",
    SLOW,
    async () => {
      await withWorkspaceFixture({
        ".haz/workspace.yml": "projects: [app]\n",
        "app/haz.yml": "tasks:\n  show:\n" +
          '    shell: "env | grep ^APP_ | sort > seen.txt"\n' +
          '    inputs: []\n    outputs: [seen.txt]\n    env: {from_host: ["APP_*"]}\n',
        ".bin/.keep": "",
      }, async (fixture) => {
        const none = await run(fixture, ["app:show"], { APP_ONE: undefined, APP_TWO: undefined, APPX: "1" });
        assert.equal(await readFile(fixture.path("app/seen.txt"), "utf8"), "");
        const one = await run(fixture, ["app:show"], { APP_ONE: "1", APP_TWO: undefined });
        assert.equal(await readFile(fixture.path("app/seen.txt"), "utf8"), "APP_ONE=1\n");
        const two = await run(fixture, ["app:show"], { APP_ONE: "1", APP_TWO: "2" });
        assert.equal(await readFile(fixture.path("app/seen.txt"), "utf8"), "APP_ONE=1\nAPP_TWO=2\n");
        const keys = new Set([none, one, two].map((tasks) => tasks.get("app:show")?.key));
        assert.equal(keys.size, 3);
        const again = await run(fixture, ["app:show"], { APP_ONE: "1", APP_TWO: "2" });
        assert.equal(again.get("app:show")?.source, "cache-hit");
      });
    },
  );
});
