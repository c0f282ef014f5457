/**
 * Acceptance 2 of issue 16 (07-remote-cache.md): two copies of the 100-project bench workspace
 * stand for two machines. A fills the real `turborepo-remote-cache` server; on B, paired rounds
 * measure a fully remote-hit run (empty `.haz/cache`, no outputs) against a fully local-hit run
 * (cache present, no outputs, so both restore every output), and B's outputs are compared byte for
 * byte with a cold build's.
 *
 * Usage: `deno run -A bench/remote_cache.ts [--reps N] [--jobs N] [--haz CMD]` (default: `dist/haz`, built by
 * `./compile.sh`). Prints one Markdown table and exits 1 when the remote-hit median exceeds twice the
 * local-hit median or the outputs differ.
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startRemoteServer } from "../tests/support/remote_server.ts";
import { median } from "./statistics.ts";
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
  const run = (root: string, env: Record<string, string | undefined>, extra: string[] = []): number => {
    const started = performance.now();
    const result = spawnSync(haz[0], [
      ...haz.slice(1),
      "run",
      "--all",
      ...(jobs === undefined ? [] : ["-j", jobs]),
      ...extra,
    ], {
      cwd: root,
      env,
      encoding: "utf8",
    });
    const elapsed = performance.now() - started;
    if (result.status !== 0) throw new Error(`haz failed in ${root}:\n${result.stdout}\n${result.stderr}`);
    return elapsed;
  };
  const outputs = (workspace: typeof cold) =>
    workspace.projectDirs.map((dir) =>
      createHash("sha256").update(readFileSync(join(workspace.root, dir, "dist/y"))).digest("hex")
    );

  run(cold.root, local, ["--no-cache"]);
  const coldOutputs = outputs(cold);
  run(a.root, remote);
  const remoteHit: number[] = [];
  const localHit: number[] = [];
  let identical = true;
  for (let round = 0; round < reps; round++) {
    rmSync(join(b.root, ".haz/cache"), { recursive: true, force: true });
    await removeOutputs(b);
    remoteHit.push(run(b.root, remote));
    identical &&= JSON.stringify(outputs(b)) === JSON.stringify(coldOutputs);
    await removeOutputs(b);
    localHit.push(run(b.root, remote));
    identical &&= JSON.stringify(outputs(b)) === JSON.stringify(coldOutputs);
  }
  const ratio = median(remoteHit) / median(localHit);
  const format = (values: number[]) =>
    `${median(values).toFixed(0)} ms (${values.map((v) => v.toFixed(0)).join(", ")})`;
  process.stdout.write(
    [
      `### Remote cache, 100 tasks, machine B (outputs absent), -j ${jobs ?? "auto"}`,
      "",
      "| run | median wall (rounds) |",
      "|---|---|",
      `| fully remote-hit (empty local cache) | ${format(remoteHit)} |`,
      `| fully local-hit | ${format(localHit)} |`,
      "",
      `ratio remote/local: ${
        ratio.toFixed(2)
      } (limit 2.00); outputs byte-identical to a cold build: ${identical}`,
      "",
    ].join("\n"),
  );
  if (ratio > 2 || !identical) process.exitCode = 1;
} finally {
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
}
