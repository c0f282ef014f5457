import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { after, test } from "node:test";
import { createWorkspaceFixture } from "../support/workspace_fixture.ts";
import { baseEnv, runHaz } from "../support/run_haz.ts";
import { SLOW } from "./run_support.ts";

// `early` reads `src/**` as soon as the run starts; `gen` then writes into `src/` (an undeclared
// write, so no producer edge) and `late`, which waits for it, reads the same files. The tasks of a
// run share what they read of the disk, and a task that ran must make them read it again.
const fixture = await createWorkspaceFixture({
  ".haz/workspace.yml": "projects: [w]\n",
  "w/src/base.txt": "base\n",
  "w/haz.yml": [
    "tasks:",
    "  early:",
    "    shell: echo early",
    "    inputs: [src/**]",
    "  gen:",
    // Rewrites only a changed value: an unchanged file passes CACHE-035's check after the run.
    '    shell: sleep 1 && { [ "$(cat src/gen.txt 2>/dev/null)" = "$GEN" ] || echo "$GEN" > src/gen.txt; }',
    "    env: {from_host: [GEN]}",
    "  late:",
    "    shell: cat src/gen.txt",
    "    inputs: [src/**]",
    '    deps: ["~:gen"]',
    "",
  ].join("\n"),
});
after(async () => await fixture.remove());

test(
  "CACHE-006 a key derived after a task of the same run wrote an input reads the new bytes",
  SLOW,
  async () => {
    // With the start-of-run view, the third run's `late` would hit the entry the second stored for `a`.
    for (const value of ["a", "a", "b"]) {
      const result = await runHaz(["run", "early", "late", "-j", "2"], {
        cwd: fixture.root,
        env: { ...baseEnv(), GEN: value },
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(readFileSync(fixture.path("w/src/gen.txt"), "utf8"), `${value}\n`);
      assert.match(
        result.stdout,
        new RegExp(`^\\[w:late\\] ${value}$`, "m"),
        `late printed ${value}:\n${result.stdout}`,
      );
    }
  },
);

// `c` reads `/a` (without `a`'s outputs) before `a`'s outputs are restored; `b`, which waits for `a`
// (a producer edge alone orders nothing, DAG-013), reads them after.
const restoring = await createWorkspaceFixture({
  ".haz/workspace.yml": "projects: [a, b, c]\n",
  "a/src.txt": "a\n",
  "a/haz.yml": [
    "tasks:",
    "  build:",
    "    shell: mkdir -p dist && cp src.txt dist/a.txt",
    "    inputs: [src.txt]",
    "    outputs: [dist/**]",
    "",
  ].join("\n"),
  "b/haz.yml": [
    "tasks:",
    "  build:",
    "    shell: cat ../a/dist/a.txt",
    '    inputs: ["/a/**"]',
    '    deps: ["a:build"]',
    "",
  ].join("\n"),
  "c/haz.yml": [
    "tasks:",
    "  build:",
    "    shell: echo c",
    '    inputs: ["/a/**", "!/a/dist/**"]',
    "",
  ].join("\n"),
});
after(async () => await restoring.remove());

test("CACHE-020 after a restore, the tasks of the run read the restored outputs afresh", SLOW, async () => {
  const first = await runHaz(["run", "a:build", "b:build", "c:build", "-j", "2"], { cwd: restoring.root });
  assert.equal(first.code, 0, first.stdout + first.stderr);
  await rm(restoring.path("a/dist"), { recursive: true });
  const second = await runHaz(["run", "a:build", "b:build", "c:build", "-j", "2"], { cwd: restoring.root });
  assert.equal(second.code, 0, second.stderr);
  // `b`'s key sees `a/dist/a.txt` again, restored: the same key as the first run's, a hit.
  assert.match(second.stdout, /^◉ cached b:build/m, second.stdout);
  assert.match(second.stdout, /Tasks: 3 completed \(3 cached\)/, second.stdout);
});
