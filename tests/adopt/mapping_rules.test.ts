import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { inferredWildcards } from "../../lib/adopt/frameworks.ts";
import { mergeInputs, PrefixIndex } from "../../lib/adopt/input_sets.ts";
import { mapSourcePattern } from "../../lib/adopt/map_patterns.ts";
import { nameProjects } from "../../lib/adopt/project_names.ts";
import { mapTaskNames } from "../../lib/adopt/task_names.ts";
import { mapEnvEntry } from "../../lib/adopt/env_entries.ts";

/** Contribution entries from `!`-prefixed texts. */
function entries(...texts: string[]) {
  return texts.map((text) => ({ text: text.replace(/^!/, ""), exclude: text.startsWith("!") }));
}

const NO_OUTPUTS = { candidates: () => [] };

describe("import mapping rules (08-adoption.md §3, §4)", () => {
  test("ADOPT-043 turbo and Deno entries map to haz patterns", () => {
    const cases: [string, string, string][] = [
      ["src/**", "packages/ui", "src/**"],
      ["src/**/*.ts", "packages/ui", "src/**/*.ts"],
      ["tsconfig.json", "packages/ui", "tsconfig.json{,/**}"],
      ["src/", "packages/ui", "src/**"],
      ["./src/index.ts", "packages/ui", "src/index.ts{,/**}"],
      ["$TURBO_ROOT$/tsconfig.json", "apps/web", "/tsconfig.json{,/**}"],
      ["../shared/src/**", "packages/ui", "/packages/shared/src/**"],
      ["[!a]*.md", ".", "[^a]*.md"],
    ];
    for (const [entry, dir, expected] of cases) {
      assert.deepEqual(
        mapSourcePattern(entry, dir),
        { kind: "pattern", text: expected, exclude: false },
        entry,
      );
    }
    assert.deepEqual(mapSourcePattern("!README.md", "."), {
      kind: "pattern",
      text: "README.md{,/**}",
      exclude: true,
    });
    assert.deepEqual(mapSourcePattern("!*.md", "."), { kind: "pattern", text: "*.md{,/**}", exclude: true });
    assert.deepEqual(mapSourcePattern("!dist/**", "."), { kind: "pattern", text: "dist/**", exclude: true });
    assert.deepEqual(mapSourcePattern("$TURBO_DEFAULT$", "."), { kind: "default" });
    assert.equal(mapSourcePattern("../../../outside", "packages/ui").kind, "invalid");
    assert.equal(mapSourcePattern("{a}", ".").kind, "invalid");
  });

  test("ADOPT-013 task names: kept, mapped by ID-005, clashes numbered from the bytewise smaller", () => {
    assert.deepEqual(
      mapTaskNames(["build", "lint:fix", "test:e2e:ui", "a:b", "a-b", "@@@"]),
      new Map<string, string | null>([
        ["@@@", null],
        ["a-b", "a-b"],
        ["a:b", "a-b-2"],
        ["build", "build"],
        ["lint:fix", "lint-fix"],
        ["test:e2e:ui", "test-e2e-ui"],
      ]),
    );
  });

  test("ADOPT-011 project names: root, basenames, then package name, then path; workspace-root on a clash", async () => {
    const named = await nameProjects([
      { dir: ".", packageName: "shop" },
      { dir: "packages/ui", packageName: "@acme/ui" },
      { dir: "vendor/ui", packageName: "@other/ui" },
      { dir: "lib/ui", packageName: null },
    ]);
    assert.ok(named.ok);
    assert.deepEqual(
      named.names,
      new Map([[".", "root"], ["lib/ui", "ui"], ["packages/ui", "acme-ui"], ["vendor/ui", "other-ui"]]),
    );
    const clash = await nameProjects([{ dir: ".", packageName: null }, {
      dir: "tools/root",
      packageName: null,
    }]);
    assert.ok(clash.ok);
    assert.equal(clash.names.get("."), "workspace-root");
    assert.equal(clash.names.get("tools/root"), "root");
    const asked = await nameProjects(
      [{ dir: "a/x", packageName: null }, { dir: "b/x", packageName: null }],
      (dir) => Promise.resolve(dir === "b/x" ? "bx" : null),
    );
    assert.ok(asked.ok);
    assert.equal(asked.names.get("b/x"), "bx");
    const nameless = await nameProjects([{ dir: "日本", packageName: null }]);
    assert.deepEqual(nameless, { ok: false, error: "error: cannot name the project in 日本" });
  });

  test("ADOPT-042 EX-802 ui:test: the closure's source set covers the task's own patterns", () => {
    const sourceSet = entries("**", "!**/node_modules/**", "!.turbo/**", "!coverage/**", "!dist/**");
    const written = mergeInputs({
      projectRoot: "/packages/ui",
      contributions: [
        entries("src/**", "test/**", "package.json", "turbo.json{,/**}"),
        sourceSet,
        entries("/package.json", "/pnpm-lock.yaml", "/turbo.json"),
      ],
      foreignOutputs: NO_OUTPUTS,
    });
    assert.deepEqual(written, [
      "**",
      "!**/node_modules/**",
      "!.turbo/**",
      "!coverage/**",
      "!dist/**",
      "/package.json",
      "/pnpm-lock.yaml",
      "/turbo.json",
    ]);
  });

  test("ADOPT-042 an exclusion is kept only when every contribution meeting it has it", () => {
    const written = mergeInputs({
      projectRoot: "/app",
      contributions: [entries("src/**", "!src/gen/**"), entries("src/gen/**"), entries("/package.json")],
      foreignOutputs: NO_OUTPUTS,
    });
    assert.deepEqual(written, ["src/**", "src/gen/**", "/package.json"]);
  });

  test("ADOPT-046 outputs of tasks outside the closure that meet an inclusion are excluded", () => {
    const outputs = new PrefixIndex<
      { text: string; pattern: { written: string; canonical: string; isGlob: boolean }; prefix: string }
    >();
    const other = {
      text: "/lib/dist/**",
      pattern: { written: "/lib/dist/**", canonical: "/lib/dist/**", isGlob: true },
      prefix: "/lib/dist",
    };
    const apart = {
      text: "/web/dist/**",
      pattern: { written: "/web/dist/**", canonical: "/web/dist/**", isGlob: true },
      prefix: "/web/dist",
    };
    outputs.add(other.prefix, other);
    outputs.add(apart.prefix, apart);
    const written = mergeInputs({
      projectRoot: "/app",
      contributions: [entries("src/**"), entries("/lib/**")],
      foreignOutputs: {
        *candidates(prefixes) {
          for (const prefix of prefixes) yield* outputs.related(prefix);
        },
      },
    });
    assert.deepEqual(written, ["src/**", "/lib/**", "!/lib/dist/**"]);
  });

  test("ADOPT-050 / 101 environment entries and turbo's framework inference", () => {
    assert.deepEqual(mapEnvEntry("NEXT_PUBLIC_*"), { ok: true, name: "NEXT_PUBLIC_*" });
    assert.deepEqual(mapEnvEntry("API_URL"), { ok: true, name: "API_URL" });
    assert.equal(mapEnvEntry("!SECRET").ok, false);
    assert.equal(mapEnvEntry("*").ok, false);
    assert.equal(mapEnvEntry("A-B").ok, false);
    assert.deepEqual(inferredWildcards(["next", "react"]), ["NEXT_PUBLIC_*"]);
    assert.deepEqual(inferredWildcards(["vite"]), ["VITE_*"]);
    assert.deepEqual(inferredWildcards(["lodash"]), []);
  });
});
