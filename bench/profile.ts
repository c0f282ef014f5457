/**
 * `deno task profile`: unminified CPU profiles of haz on a generated workspace of 1000 projects (one
 * `build` task each, three hard deps, as in `bench/`), taken with Bun (the runtime of `dist/haz`)
 * running the TypeScript sources, so function names and lines are the real ones:
 *
 * - `check-fresh.cpuprofile`: `haz check` without a workspace snapshot (full load, snapshot written);
 * - `check-snapshot.cpuprofile`: `haz check` with a valid snapshot;
 * - `run-cached.cpuprofile`: `haz run --workspace -j 2` with every task a cache hit, outputs present.
 *
 * Each profile has a `.md` summary next to it (Bun's `--cpu-prof-md`). Open a `.cpuprofile` in Chrome
 * DevTools (Performance panel, "Load profile") or speedscope.
 *
 * Usage: `deno task profile [--out DIR] [--root DIR] [--projects N]`. Without `--root` the workspace is
 * generated in a temporary directory and removed afterwards; `--out` defaults to `dist/profiles`.
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { writeSyntheticWorkspace } from "./synthetic_workspace.ts";

const REPO = dirname(dirname(new URL(import.meta.url).pathname));
const BUN = join(REPO, "node_modules", ".bin", "bun");
const CLI = join(REPO, "cli.ts");

const { values: flags } = parseArgs({
  args: process.argv.slice(2),
  options: {
    out: { type: "string", default: join(REPO, "dist", "profiles") },
    root: { type: "string" },
    projects: { type: "string", default: "1000" },
  },
});

/** Runs haz from source under Bun, writing `<name>.cpuprofile` (and `.md`) when `name` is given. */
function haz(root: string, out: string, name: string | null, args: readonly string[]): number {
  const profiling = name === null
    ? []
    : ["--cpu-prof", "--cpu-prof-md", `--cpu-prof-dir=${out}`, `--cpu-prof-name=${name}`];
  const started = performance.now();
  const child = spawnSync(BUN, [...profiling, "--no-env-file", CLI, "-C", root, ...args], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const ms = performance.now() - started;
  if (child.status !== 0) throw new Error(`haz ${args.join(" ")} exited ${child.status}`);
  return ms;
}

const out = resolve(flags.out);
await mkdir(out, { recursive: true });
const root = flags.root === undefined
  ? await realpath(await mkdtemp(join(tmpdir(), "haz-profile-")))
  : resolve(flags.root);
try {
  if (flags.root === undefined) {
    await writeSyntheticWorkspace({ root, count: Number(flags.projects), packageManager: "npm@10.0.0" });
    // The snapshot and the stat cache trust only files older than 2 s.
    await new Promise((done) => setTimeout(done, 2_100));
  }
  await rm(join(root, ".haz", "state"), { recursive: true, force: true });
  const fresh = haz(root, out, "check-fresh", ["check"]);
  if (!existsSync(join(root, ".haz", "state", "workspace.snapshot"))) {
    process.stderr.write("note: no snapshot was written (files changed less than 2 s ago?)\n");
  }
  const snapshot = haz(root, out, "check-snapshot", ["check"]);
  haz(root, out, null, ["run", "--workspace", "-j", "2"]);
  const cached = haz(root, out, "run-cached", ["run", "--workspace", "-j", "2"]);
  console.log(
    `profiles in ${out} (wall time with the profiler on: check without snapshot ${fresh.toFixed(0)} ms, ` +
      `with snapshot ${snapshot.toFixed(0)} ms, cached run ${cached.toFixed(0)} ms)`,
  );
} finally {
  if (flags.root === undefined) await rm(root, { recursive: true, force: true });
}
