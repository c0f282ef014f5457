/**
 * Acceptance 2 of issue 16 (07-remote-cache.md): two copies of the 100-project bench workspace
 * stand for two machines. A fills the real `turborepo-remote-cache` server; on B, paired rounds
 * measure a fully remote-hit run (empty `.haz/cache`, no outputs) against a fully local-hit run
 * (cache present, no outputs, so both restore every output), alternating which of the two goes first,
 * and B's outputs are compared byte for byte with a cold build's. CPU time (user + sys of haz, from
 * GNU time when present) is reported beside the wall time.
 *
 * Usage: `deno run -A bench/remote_cache.ts [--reps N] [--jobs N] [--haz CMD]` (default: `dist/haz`, built by
 * `./compile.sh`). Prints one Markdown table and exits 1 when the median of the paired ratios
 * remote/local exceeds 2 or the outputs differ.
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startRemoteServer } from "../tests/support/remote_server.ts";
import { GNU_TIME } from "./measure_command.ts";
import { median, pairedRatio } from "./statistics.ts";
import { writeSyntheticWorkspace } from "./synthetic_workspace.ts";
import { removeOutputs } from "./workspace_setup.ts";

const repoRoot = fileURLToPath(new URL("../", import.meta.url));
const argv = process.argv.slice(2);
const option = (name: string) => {
  const index = argv.indexOf(name);
  return index === -1 ? undefined : argv[index + 1];
};
const reps = Number(option("--reps") ?? 5);
const haz = (option("--haz") ?? join(repoRoot, "dist/haz")).split(" ");
const jobs = option("--jobs");

const scratch = mkdtempSync(join(tmpdir(), "haz-bench-remote-"));
const server = await startRemoteServer();
try {
  const make = (name: string) =>
    writeSyntheticWorkspace({ root: join(scratch, name), count: 100, packageManager: "npm@10.0.0" });
  const [cold, a, b] = [await make("cold"), await make("a"), await make("b")];
  const remote = {
    ...process.env,
    HAZ_REMOTE_CACHE_URL: server.url,
    HAZ_REMOTE_CACHE_TOKEN: server.token,
    HAZ_REMOTE_CACHE_TEAM: "bench",
  };
  const local = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("HAZ_REMOTE")),
  );
  const timeReport = join(scratch, "time.txt");
  const timed = existsSync(GNU_TIME);
  /** Wall and CPU (user + sys, NaN without GNU time) milliseconds of one `haz run --all`. */
  const run = (
    root: string,
    env: Record<string, string | undefined>,
    extra: string[] = [],
  ): { wall: number; cpu: number } => {
    const argv = [...haz, "run", "--all", ...(jobs === undefined ? [] : ["-j", jobs]), ...extra];
    const command = timed ? [GNU_TIME, "-f", "%U %S", "-o", timeReport, ...argv] : argv;
    const started = performance.now();
    const result = spawnSync(command[0], command.slice(1), { cwd: root, env, encoding: "utf8" });
    const wall = performance.now() - started;
    if (result.status !== 0) throw new Error(`haz failed in ${root}:\n${result.stdout}\n${result.stderr}`);
    const [user, sys] = timed ? readFileSync(timeReport, "utf8").trim().split(/\s+/).map(Number) : [NaN, NaN];
    return { wall, cpu: (user + sys) * 1000 };
  };
  const outputs = (workspace: typeof cold) =>
    workspace.projectDirs.map((dir) =>
      createHash("sha256").update(readFileSync(join(workspace.root, dir, "dist/y"))).digest("hex")
    );

  run(cold.root, local, ["--no-cache"]);
  const coldOutputs = outputs(cold);
  run(a.root, remote);
  const remoteHit: Array<{ wall: number; cpu: number }> = [];
  const localHit: Array<{ wall: number; cpu: number }> = [];
  let identical = true;
  const remoteRun = async () => {
    rmSync(join(b.root, ".haz/cache"), { recursive: true, force: true });
    await removeOutputs(b);
    remoteHit.push(run(b.root, remote));
    identical &&= JSON.stringify(outputs(b)) === JSON.stringify(coldOutputs);
  };
  const localRun = async () => {
    await removeOutputs(b);
    localHit.push(run(b.root, remote));
    identical &&= JSON.stringify(outputs(b)) === JSON.stringify(coldOutputs);
  };
  for (let round = 0; round < reps; round++) {
    // Interleaved: odd rounds measure the local hit first, on the cache the previous round imported.
    if (round % 2 === 0) {
      await remoteRun();
      await localRun();
    } else {
      await localRun();
      await remoteRun();
    }
  }
  const wall = (runs: Array<{ wall: number }>) => runs.map((r) => r.wall);
  const cpu = (runs: Array<{ cpu: number }>) => runs.map((r) => r.cpu);
  const wallRatio = pairedRatio(wall(remoteHit), wall(localHit));
  const cpuRatio = pairedRatio(cpu(remoteHit), cpu(localHit));
  const format = (values: number[]) =>
    Number.isNaN(median(values))
      ? "n/a"
      : `${median(values).toFixed(0)} ms (${values.map((v) => v.toFixed(0)).join(", ")})`;
  process.stdout.write(
    [
      `### Remote cache, 100 tasks, machine B (outputs absent), -j ${jobs ?? "auto"}`,
      "",
      "| run | median wall (rounds) | median CPU, user + sys (rounds) |",
      "|---|---|---|",
      `| fully remote-hit (empty local cache) | ${format(wall(remoteHit))} | ${format(cpu(remoteHit))} |`,
      `| fully local-hit | ${format(wall(localHit))} | ${format(cpu(localHit))} |`,
      "",
      `median paired ratio remote/local: wall ${wallRatio.toFixed(2)} (limit 2.00), CPU ${
        cpuRatio.toFixed(2)
      }; outputs byte-identical to a cold build: ${identical}`,
      "",
    ].join("\n"),
  );
  if (wallRatio > 2 || !identical) process.exitCode = 1;
} finally {
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
}
