import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { runHaz } from "../support/run_haz.ts";
import { createWorkspaceFixture } from "../support/workspace_fixture.ts";

const TWIN = '{command: [sh, -c, "echo run >> ../spawns.log; echo same"], inputs: []}';

test(
  "03 §14 ex 9 CACHE-001 two identical tasks ordered by weakDeps: the second hits the first's entry in the same run",
  {
    timeout: 60_000,
  },
  async () => {
    const fixture = await createWorkspaceFixture({
      ".haz/workspace.yml": "projects: [p]\n",
      "p/haz.yml": `tasks:\n  a: ${TWIN}\n  b: ${
        TWIN.replace("inputs: []", 'inputs: [], weakDeps: ["~:a"]')
      }\n`,
    });
    try {
      const result = await runHaz(["run", "--workspace"], { cwd: fixture.root });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^✓ done p:a \(/m);
      assert.match(result.stdout, /^\[p:b\] same\n◉ cached p:b \(/m);
      assert.match(result.stdout, /^Tasks: 2 completed \(1 cached\)$/m);
      assert.equal(await readFile(fixture.path("spawns.log"), "utf8"), "run\n");
    } finally {
      await fixture.remove();
    }
  },
);
