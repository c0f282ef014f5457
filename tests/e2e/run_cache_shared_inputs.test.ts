import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
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
