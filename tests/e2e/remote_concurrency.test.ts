import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { randomTeam } from "../support/remote_server.ts";
import { hazCommand, runHaz } from "../support/run_haz.ts";
import type { WorkspaceFixture } from "../support/workspace_fixture.ts";
import { SLOW } from "./run_support.ts";
import { exits, hazRemote, remoteEnv, remoteSuite, type RemoteTarget, warnings } from "./remote_support.ts";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const suite = remoteSuite({ server: { bodyLimit: 400 * 1024 * 1024 } });
const { fresh } = suite;

function via(team = randomTeam()): RemoteTarget {
  return suite.via(suite.server.url, team);
}

/**
 * What a cache holds besides published entries (with their manifest) and orphan `.tmp-*` store and
 * `.restore-*` staging directories: each such path is a partly written state a kill must not leave.
 */
function unexpectedState(workspace: WorkspaceFixture): string[] {
  const root = workspace.path(".haz/cache");
  if (!existsSync(root)) return [];
  const found: string[] = [];
  for (const name of readdirSync(root)) {
    if (name.startsWith(".restore-")) continue;
    if (!/^[0-9a-f]{2}$/.test(name)) {
      found.push(name);
      continue;
    }
    for (const child of readdirSync(join(root, name))) {
      if (child.startsWith(".tmp-")) continue;
      if (!/^[0-9a-f]{64}$/.test(child) || !existsSync(join(root, name, child, "manifest.json"))) {
        found.push(`${name}/${child}`);
      }
    }
  }
  return found;
}

// The reference server stores a PUT in place (fs-blob-store: open with O_TRUNC, one write at offset 0),
// so two PUTs of one id at the same instant can leave the shorter body followed by the tail of the
// longer one (the two artifacts differ: their manifests hold each machine's `created_at_unix` and
// `duration_ms`). The compiled executable starts fast enough for both machines' PUTs to coincide.
// Both uploads still succeed (REMOTE-110 item 5); a torn artifact is a class-C rejection whose fresh
// run uploads a whole one in its place (REMOTE-084), and a valid artifact is fetched after that.
test(
  "REMOTE-110 scenario 22: two workspaces uploading one id at once both succeed; a third never accepts a torn artifact and the next fetches both",
  SLOW,
  async () => {
    const target = via();
    const secrets = [suite.server.token];
    const [a, b, c, d] = [await fresh(), await fresh(), await fresh(), await fresh()];
    const runs = await Promise.all(
      [a, b].map((workspace) =>
        hazRemote(workspace, ["run", "app:build", "--remote-cache", "write"], {
          env: remoteEnv(target),
          secrets,
        })
      ),
    );
    for (const run of runs) {
      exits(run, 0);
      assert.deepEqual(warnings(run), []);
      assert.equal(run.summary!.remoteCache!.uploads.uploaded, 2);
    }
    const third = await hazRemote(c, ["run", "app:build"], { env: remoteEnv(target), secrets });
    exits(third, 0);
    const rejected = warnings(third);
    for (const line of rejected) {
      assert.match(line, /^warning: app:(hello|build): remote artifact rejected: not a haz artifact: /);
    }
    const lookups = third.summary!.remoteCache!.lookups;
    assert.equal(lookups.hits + lookups.rejected, 2, third.stderr);
    assert.equal(lookups.rejected, rejected.length);
    assert.equal(third.summary!.remoteCache!.uploads.uploaded, lookups.rejected);
    assert.equal(readFileSync(c.path("app/out.txt"), "utf8"), "hello\n");
    const fourth = await hazRemote(d, ["run", "app:build"], { env: remoteEnv(target), secrets });
    exits(fourth, 0);
    assert.deepEqual(warnings(fourth), []);
    assert.match(fourth.stdout, /2 remote hits/);
    assert.equal(readFileSync(d.path("app/out.txt"), "utf8"), "hello\n");
  },
);

test(
  "REMOTE-110 scenario 21: SIGKILL during downloads, imports and uploads leaves only .tmp- dirs; the next run is right",
  {
    timeout: 240_000,
  },
  async () => {
    const target = via();
    const secrets = [suite.server.token];
    const tasks = Array.from(
      { length: 6 },
      (_, i) =>
        `  t${i}:\n    shell: "head -c 300000 /dev/zero | tr '\\\\0' ${i} > out${i}.txt"\n    inputs: []\n    outputs: [out${i}.txt]\n`,
    );
    const files = { ".haz/workspace.yml": "projects: [app]\n", "app/haz.yml": `tasks:\n${tasks.join("")}` };
    const seed = await fresh(files);
    exits(await hazRemote(seed, ["run", "--all"], { env: remoteEnv(target), secrets }), 0);
    const [command, ...prefix] = hazCommand();
    for (let round = 0; round < 8; round++) {
      const victim = await fresh(files);
      const child = spawn(command, [...prefix, "run", "--all"], {
        cwd: victim.root,
        env: remoteEnv(round % 2 === 0 ? target : via()) as Record<string, string>,
        stdio: "ignore",
      });
      const exited = new Promise((resolve) => child.once("exit", resolve));
      await new Promise((resolve) => setTimeout(resolve, 150 + (round * 37) % 600));
      child.kill("SIGKILL");
      await exited;
      // Downloads, imports and uploads leave `.tmp-*` store dirs; a kill during the restore that follows
      // an import leaves the local cache's `.restore-*` staging dir (CACHE-039), equally an orphan.
      assert.deepEqual(unexpectedState(victim), [], `round ${round}`);
      const next = await runHaz(["run", "--all"], { cwd: victim.root, env: remoteEnv(null) });
      assert.equal(next.code, 0, next.stderr);
      for (let i = 0; i < 6; i++) {
        assert.equal(
          readFileSync(victim.path(`app/out${i}.txt`), "utf8"),
          String(i).repeat(300000),
          `round ${round}`,
        );
      }
    }
  },
);

test("REMOTE-110 scenario 23: a 300 MiB output is uploaded and downloaded with bounded memory", {
  timeout: 240_000,
}, async () => {
  const target = via();
  const files = {
    ".haz/workspace.yml": "projects: [app]\ncache:\n  remote:\n    max_artifact_size: 400MiB\n",
    "app/haz.yml":
      'tasks:\n  big:\n    shell: "head -c 314572800 /dev/zero > big.bin"\n    inputs: []\n    outputs: [big.bin]\n',
  };
  const peak = async (workspace: WorkspaceFixture, args: readonly string[]): Promise<number> => {
    const [command, ...prefix] = hazCommand();
    const child = spawn(command, [...prefix, "run", ...args], {
      cwd: workspace.root,
      env: remoteEnv(target) as Record<string, string>,
      stdio: "ignore",
    });
    let high = 0;
    const timer = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
        high = Math.max(high, Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024);
      } catch {
        // The process has exited.
      }
    }, 20);
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    clearInterval(timer);
    assert.equal(code, 0);
    return high;
  };
  // The baseline is the same fresh run and local store without the remote: the growth measured is
  // what downloading, importing and uploading add.
  const local = await fresh(files);
  const baseline = await peak(local, ["app:big", "--remote-cache", "off"]);
  const a = await fresh(files);
  const upload = await peak(a, ["app:big"]);
  const b = await fresh(files);
  const download = await peak(b, ["app:big"]);
  assert.equal(readFileSync(b.path("app/big.bin")).length, 314572800);
  const limit = 64 * 1024 * 1024;
  assert.ok(upload - baseline <= limit, `upload RSS growth ${(upload - baseline) >> 20} MiB`);
  assert.ok(download - baseline <= limit, `download RSS growth ${(download - baseline) >> 20} MiB`);
});

test("REMOTE-040 scenario 5: artifacts written under Deno are read under Bun and back", SLOW, async () => {
  const runtimes = {
    deno: [join(repoRoot, "node_modules/.bin/deno"), "run", "-A", join(repoRoot, "cli.ts")],
    bun: [join(repoRoot, "node_modules/.bin/bun"), "--no-env-file", join(repoRoot, "cli.ts")],
    ...(existsSync(join(repoRoot, "dist/haz")) ? { binary: [join(repoRoot, "dist/haz")] } : {}),
  };
  const run = (argv: string[], cwd: string, env: Record<string, string | undefined>) =>
    new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(argv[0], [...argv.slice(1), "run", "app:build"], {
        cwd,
        env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<
          string,
          string
        >,
        stdio: ["ignore", "pipe", "ignore"],
      });
      let stdout = "";
      child.stdout!.on("data", (chunk: Buffer) => stdout += chunk.toString());
      child.once("close", (code) => resolve({ code, stdout }));
    });
  for (const [writer, writeArgv] of Object.entries(runtimes)) {
    const target = via();
    const source = await fresh();
    assert.equal((await run(writeArgv, source.root, remoteEnv(target))).code, 0);
    for (const [reader, readArgv] of Object.entries(runtimes)) {
      if (reader === writer) continue;
      const copy = await fresh();
      const result = await run(readArgv, copy.root, remoteEnv(target, { HAZ_REMOTE_CACHE: "read" }));
      assert.equal(result.code, 0);
      assert.match(result.stdout, /2 remote hits/, `${writer} → ${reader}`);
    }
  }
});
