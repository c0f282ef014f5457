/**
 * `deno run -A bench/import_speed.ts [--count 1000] [--reps 3] [--haz dist/haz]`: how long
 * `haz init --import --yes` takes on the synthetic turbo repository of the benchmarks (08-adoption.md
 * acceptance 4: 1,000 packages in under 5 s). Each round imports a fresh copy without haz files and
 * reports the wall time; the median is compared with the budget.
 *
 * @module
 */

import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { detectRuntime } from "../lib/runtime/detect_runtime.ts";
import { spawnerFor } from "../lib/runtime/spawner_for.ts";
import { measureCommand } from "./measure_command.ts";
import { writeSyntheticWorkspace } from "./synthetic_workspace.ts";

const BUDGET_MS = 5_000;
const REPO = new URL("..", import.meta.url).pathname;

const { values: flags } = parseArgs({
  args: process.argv.slice(2),
  options: { count: { type: "string" }, reps: { type: "string" }, haz: { type: "string" } },
});
const count = Number(flags.count ?? 1000);
const reps = Number(flags.reps ?? 3);
const haz = flags.haz === undefined
  ? [process.execPath, "run", "-A", join(REPO, "cli.ts")]
  : [flags.haz.startsWith("/") ? flags.haz : join(REPO, flags.haz)];
const spawner = spawnerFor(detectRuntime());
const times: number[] = [];
for (let round = 0; round < reps; round++) {
  const root = await realpath(await mkdtemp(join(tmpdir(), "haz-bench-import-")));
  try {
    const workspace = await writeSyntheticWorkspace({ root, count, packageManager: "npm@11.2.0" });
    // The generator also writes haz's own files; the import starts from turbo's alone.
    await rm(join(root, ".haz"), { recursive: true });
    await Promise.all(workspace.projectDirs.map((dir) => rm(join(root, dir, "haz.yml"))));
    const measured = await measureCommand(spawner, {
      argv: [...haz, "init", "--import", "--yes"],
      cwd: root,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
      rss: true,
      scratch: root,
    });
    if (measured.exitCode !== 0) throw new Error(`import failed with exit code ${measured.exitCode}`);
    times.push(measured.wallMs);
    console.log(`round ${round + 1}: ${Math.round(measured.wallMs)} ms, peak RSS ${measured.peakRssKiB} KiB`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
console.log(
  `import of ${count} packages: median ${Math.round(median)} ms (budget ${BUDGET_MS} ms) ${
    median < BUDGET_MS ? "ok" : "OVER BUDGET"
  }`,
);
