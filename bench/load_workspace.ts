/**
 * Loading and validating a generated workspace of 1000 projects (one task each, three hard deps),
 * in process: discovery, reading and validating every file, overlay merge and graph checks
 * (`loadWorkspace`, 01-workspace.md DISC-011). The first load runs on cold code, as `haz` does on
 * every invocation; the later ones show the warmed-up cost.
 *
 * Run: `deno run -A bench/load_workspace.ts [ROOT]` or `bun bench/load_workspace.ts [ROOT]`; without
 * ROOT a workspace of 1000 projects is generated in a temporary directory and removed afterwards.
 *
 * @module
 */

import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { loadWorkspace } from "../lib/graph/load_workspace.ts";
import { median } from "./statistics.ts";
import { writeSyntheticWorkspace } from "./synthetic_workspace.ts";

const given = process.argv[2];
const root = given ?? await realpath(await mkdtemp(join(tmpdir(), "haz-bench-load-")));
try {
  if (given === undefined) await writeSyntheticWorkspace({ root, count: 1000, packageManager: "npm@10.0.0" });
  const times: number[] = [];
  let tasks = 0;
  for (let round = 0; round < 6; round++) {
    const started = performance.now();
    const result = await loadWorkspace(root);
    times.push(performance.now() - started);
    if (!result.ok) throw new Error(`the workspace did not load: ${result.diagnostics[0]?.message}`);
    tasks = result.loaded.graph.tasks.size;
  }
  const runtime = "Deno" in globalThis ? "deno" : "bun";
  console.log(
    `load+validate ${tasks} tasks (${runtime}): first ${times[0].toFixed(0)} ms, ` +
      `then median ${median(times.slice(1)).toFixed(0)} ms over ${times.length - 1} loads`,
  );
} finally {
  if (given === undefined) await rm(root, { recursive: true, force: true });
}
