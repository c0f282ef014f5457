/**
 * End-to-end tests of the cache's robustness guarantees at CLI level (03-cache.md §8, §10, §12;
 * acceptance examples 26–33): damaged entries are silent misses that get re-stored, SIGKILLed runs
 * never lead to a false hit, orphans are ignored and reclaimed, and concurrent stores of one key end
 * with one valid entry.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, truncate, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { compareBytes } from "../../lib/domain/task_id.ts";
import { baseEnv, hazCommand, type HazResult, runHaz } from "../support/run_haz.ts";

import { createWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";
import { assertExit, lines, sha256Hex, SLOW, statusVerbs } from "./cache_support.ts";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Output lines with durations replaced, sorted (concurrent tasks interleave freely). */
function normalisedLines(text: string): string[] {
  return text
    .replace(/\(\d+(h|ms|m|s)( \d+(m|s|ms))?\)/g, "(T)")
    .replace(/^ Time: .*$/gm, " Time: T")
    .split("\n")
    .sort(compareBytes);
}

/** Runs `tasks` with at most `limit` of them in flight. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Parsed manifests of every entry in the cache, by the task that stored them. */
async function entriesByTask(workspaceRoot: string): Promise<Map<string, string>> {
  const byTask = new Map<string, string>();
  const root = join(workspaceRoot, ".haz/cache");
  for (const shard of await readdir(root)) {
    if (!/^[0-9a-f]{2}$/.test(shard)) continue;
    for (const entry of await readdir(join(root, shard))) {
      if (entry.startsWith(".tmp-")) continue;
      const manifest = JSON.parse(await readFile(join(root, shard, entry, "manifest.json"), "utf8"));
      byTask.set(manifest.task, join(root, shard, entry));
    }
  }
  return byTask;
}

function infoText(counts: {
  total: number;
  valid: number;
  mismatch: number;
  corrupt: number;
  byHash: string;
  orphans: string;
}): RegExp {
  const escape = (text: string) => text.replace(/[()]/g, "\\$&");
  return new RegExp(
    "^cache root: \\.haz/cache\\nactive hash: sha256\\n" +
      escape(
        `entries: ${counts.total} (${counts.valid} valid, ${counts.mismatch} schema mismatch, ${counts.corrupt} corrupt)`,
      ) +
      `\\nvalid by hash: ${counts.byHash}\\norphan dirs: ${counts.orphans}\\ntotal size: \\d+ bytes \\(.+\\)\\n$`,
  );
}

// ---------------------------------------------------------------------------------------------------
// 26–30: every kind of damaged entry, one task each.

/** How each task's entry is damaged, and what `haz why` must then say. */
interface Damage {
  readonly task: string;
  readonly example: string;
  readonly why: string;
  /** Classification by `haz cache info`. */
  readonly info: "valid" | "schema mismatch" | "corrupt";
  apply(entryDir: string, manifest: Record<string, any>, workspaceRoot: string): Promise<void>;
}

async function writeManifest(entryDir: string, manifest: unknown): Promise<void> {
  await writeFile(join(entryDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}

function withFirstPath(path: string): Damage["apply"] {
  return (entryDir, manifest) => {
    manifest.outputs[0].path = path;
    return writeManifest(entryDir, manifest);
  };
}

/** The path that `/app/../../etc/x` would reach on the host. */
function escapeTarget(workspaceRoot: string): string {
  return join(dirname(workspaceRoot), "etc", "x");
}

const DAMAGES: readonly Damage[] = [
  {
    task: "deleted_manifest",
    example: "26",
    why: "miss: no entry",
    info: "corrupt",
    apply: (entryDir) => unlink(join(entryDir, "manifest.json")),
  },
  {
    task: "invalid_json",
    example: "27",
    why: "miss: corrupt entry",
    info: "corrupt",
    apply: (entryDir) => writeFile(join(entryDir, "manifest.json"), '{ "schema": 1, '),
  },
  {
    task: "unknown_member",
    example: "27",
    why: "miss: corrupt entry",
    info: "corrupt",
    apply: (entryDir, manifest) => writeManifest(entryDir, { ...manifest, extra: true }),
  },
  {
    task: "md5_label",
    example: "27",
    why: "miss: corrupt entry",
    info: "corrupt",
    apply: (entryDir, manifest) => writeManifest(entryDir, { ...manifest, hash: "md5" }),
  },
  {
    task: "uppercase_hex",
    example: "27",
    why: "miss: corrupt entry",
    info: "corrupt",
    apply: (entryDir, manifest) => {
      manifest.stdout.hash = manifest.stdout.hash.toUpperCase();
      return writeManifest(entryDir, manifest);
    },
  },
  {
    task: "unsorted_outputs",
    example: "27",
    why: "miss: corrupt entry",
    info: "corrupt",
    apply: (entryDir, manifest) =>
      writeManifest(entryDir, { ...manifest, outputs: manifest.outputs.toReversed() }),
  },
  {
    task: "truncated_blob",
    example: "27",
    why: "miss: corrupt entry",
    info: "corrupt",
    apply: (entryDir, manifest) => truncate(join(entryDir, "outputs", manifest.outputs[1].hash), 3),
  },
  {
    task: "truncated_stderr",
    example: "27",
    why: "miss: corrupt entry",
    info: "corrupt",
    apply: (entryDir) => truncate(join(entryDir, "stderr"), 3),
  },
  {
    task: "schema_two",
    example: "28",
    why: "miss: schema mismatch",
    info: "schema mismatch",
    apply: (entryDir, manifest) => writeManifest(entryDir, { ...manifest, schema: 2 }),
  },
  {
    task: "blake3_label",
    example: "CACHE-016",
    why: "miss: schema mismatch",
    info: "valid",
    apply: (entryDir, manifest) => writeManifest(entryDir, { ...manifest, hash: "blake3" }),
  },
  {
    task: "escape_path",
    example: "29",
    why: "miss: corrupt entry",
    info: "corrupt",
    apply: withFirstPath("/app/../../etc/x"),
  },
  {
    task: "haz_path",
    example: "29",
    why: "miss: corrupt entry",
    info: "corrupt",
    apply: withFirstPath("/.haz/x"),
  },
  {
    task: "undeclared_path",
    example: "29",
    why: "miss: corrupt entry",
    info: "valid",
    apply: withFirstPath("/app/other.txt"),
  },
  {
    task: "altered_blob",
    example: "30",
    why: "hit",
    info: "valid",
    apply: async (entryDir, manifest, workspaceRoot) => {
      const blob = join(entryDir, "outputs", manifest.outputs[1].hash);
      await writeFile(blob, (await readFile(blob, "utf8")).toUpperCase());
      // The workspace copy must go, or the identical output would never be staged (CACHE-037).
      await unlink(join(workspaceRoot, "app", `${manifest.task.slice(4)}.txt`));
    },
  },
];

/** Each task writes two outputs, one line to each stream, and logs its spawn outside its outputs. */
function damageWorkspace(): Record<string, string> {
  const tasks = DAMAGES.map(({ task }) =>
    [
      `  ${task}:`,
      `    shell: "echo ${task} >> spawns.log; printf '${task} b\\\\n' > ${task}-b.txt; ` +
      `printf '${task}\\\\n' > ${task}.txt; echo out ${task}; echo err ${task} >&2"`,
      "    inputs: []",
      `    outputs: [${task}.txt, ${task}-b.txt]`,
    ].join("\n")
  );
  return { ".haz/workspace.yml": "projects: [app]\n", "app/haz.yml": `tasks:\n${tasks.join("\n")}\n` };
}

describe("03 §14 ex 26–30: damaged entries are silent misses, re-run and re-stored", () => {
  let ws: WorkspaceFixture;
  let firstRun: HazResult;
  const haz = (...args: string[]) => runHaz(args, { cwd: ws.root });
  const spawnCounts = async () => {
    const counts: Record<string, number> = {};
    for (const name of (await readFile(ws.path("app/spawns.log"), "utf8")).split("\n").filter(Boolean)) {
      counts[name] = (counts[name] ?? 0) + 1;
    }
    return counts;
  };
  const everyTask = (value: number | string) =>
    Object.fromEntries(DAMAGES.map(({ task }) => [`app:${task}`, value]));

  before(async () => {
    ws = await createWorkspaceFixture(damageWorkspace());
  });
  after(async () => {
    await ws.remove();
  });

  test("setup: every task runs fresh and stores an entry", SLOW, async () => {
    firstRun = await haz("run", "--workspace");
    assertExit(firstRun, 0);
    assert.deepEqual(statusVerbs(firstRun.stdout), everyTask("done"));
    assert.equal((await entriesByTask(ws.root)).size, DAMAGES.length);
  });

  test(
    "03 §14 ex 26–30 / CACHE-016 why names each damaged entry's state; info classifies them",
    SLOW,
    async () => {
      const entries = await entriesByTask(ws.root);
      for (const damage of DAMAGES) {
        const entryDir = entries.get(`app:${damage.task}`)!;
        const manifest = JSON.parse(await readFile(join(entryDir, "manifest.json"), "utf8"));
        await damage.apply(entryDir, manifest, ws.root);
      }
      const before = await readdir(ws.path("app"));
      const whys = await mapLimited(DAMAGES, 4, (damage) => haz("why", `app:${damage.task}`));
      whys.forEach((result, index) => {
        const damage = DAMAGES[index];
        assertExit(result, 0);
        assert.equal(
          /^cache: (.*)$/m.exec(result.stdout)?.[1],
          damage.why,
          `ex ${damage.example}: ${damage.task}`,
        );
      });
      const count = (state: Damage["info"]) => DAMAGES.filter((damage) => damage.info === state).length;
      const info = await haz("cache", "info");
      assertExit(info, 0);
      assert.match(
        info.stdout,
        infoText({
          total: DAMAGES.length,
          valid: count("valid"),
          mismatch: count("schema mismatch"),
          corrupt: count("corrupt"),
          byHash: "blake3 1, sha256 2",
          orphans: "0 store, 0 restore",
        }),
      );
      assert.deepEqual(await readdir(ws.path("app")), before, "why and info write nothing");
    },
  );

  test(
    "03 §14 ex 26–30 / CACHE-016/038 haz run re-runs every task silently; nothing is written at bad paths",
    SLOW,
    async () => {
      const result = await haz("run", "--workspace");
      assertExit(result, 0);
      assert.deepEqual(statusVerbs(result.stdout), everyTask("done"));
      assert.deepEqual(normalisedLines(result.stdout), normalisedLines(firstRun.stdout));
      assert.deepEqual(
        normalisedLines(result.stderr),
        normalisedLines(firstRun.stderr),
        "no error or warning",
      );
      assert.deepEqual(await spawnCounts(), Object.fromEntries(DAMAGES.map(({ task }) => [task, 2])));
      assert.equal(existsSync(escapeTarget(ws.root)), false, "ex 29: nothing outside the workspace");
      assert.equal(existsSync(ws.path(".haz/x")), false, "ex 29: nothing under .haz");
      assert.equal(existsSync(ws.path("app/other.txt")), false, "ex 29: nothing at an undeclared path");
      assert.equal(await readFile(ws.path("app/altered_blob.txt"), "utf8"), "altered_blob\n", "ex 30");
    },
  );

  test(
    "03 §14 ex 26–29 / CACHE-034 the re-stored entries are valid and the next run hits them",
    SLOW,
    async () => {
      const info = await haz("cache", "info");
      assertExit(info, 0);
      assert.match(
        info.stdout,
        infoText({
          total: DAMAGES.length,
          valid: DAMAGES.length,
          mismatch: 0,
          corrupt: 0,
          byHash: `sha256 ${DAMAGES.length}`,
          orphans: "0 store, 0 restore",
        }),
      );
      const others = DAMAGES.filter(({ task }) => task !== "altered_blob").map(({ task }) => `app:${task}`);
      const result = await haz("run", ...others);
      assertExit(result, 0);
      assert.deepEqual(statusVerbs(result.stdout), Object.fromEntries(others.map((id) => [id, "cached"])));
      assert.deepEqual(
        result.stderr.split("\n").filter(Boolean).sort(compareBytes),
        others.map((id) => `[${id}] err ${id.slice(4)}`).sort(compareBytes),
        "the replayed stderr lines, nothing else",
      );
      const counts = await spawnCounts();
      for (const id of others) assert.equal(counts[id.slice(4)], 2, id);
    },
  );

  test("03 §14 ex 30 / CACHE-038 a late miss re-stores the entry, so the next run hits", SLOW, async () => {
    const altered = (await entriesByTask(ws.root)).get("app:altered_blob")!;
    const manifest = JSON.parse(await readFile(join(altered, "manifest.json"), "utf8"));
    assert.equal(
      await readFile(join(altered, "outputs", manifest.outputs[1].hash), "utf8"),
      "altered_blob\n",
    );
    await unlink(ws.path("app/altered_blob.txt"));
    const result = await haz("run", "app:altered_blob");
    assertExit(result, 0);
    assert.deepEqual(statusVerbs(result.stdout), { "app:altered_blob": "cached" });
    assert.equal((await spawnCounts()).altered_blob, 2);
    assert.equal(await readFile(ws.path("app/altered_blob.txt"), "utf8"), "altered_blob\n");
  });
});

// ---------------------------------------------------------------------------------------------------
// 32 and 33: orphans, and two processes storing one key.

describe("03 §14 ex 32–33: orphans and concurrent stores", () => {
  let ws: WorkspaceFixture;
  const haz = (...args: string[]) => runHaz(args, { cwd: ws.root });

  before(async () => {
    ws = await createWorkspaceFixture({
      ".haz/workspace.yml": "projects: [app]\n",
      "app/haz.yml": lines(
        "tasks:",
        "  solo:",
        '    shell: "echo solo >> solo.log; echo solo > solo.txt"',
        "    inputs: []",
        "    outputs: [solo.txt]",
        // Two tasks with one key (a task's name is not part of it): two processes running one each
        // store one key at once. (One task in two processes runs once: XPROC-001/002.) Each spawn
        // waits (up to 5 s) until both have spawned, so both miss and both store.
        ...["race", "race_twin"].flatMap((name) => [
          `  ${name}:`,
          '    shell: "echo race >> race.log; i=0; while [ $(wc -l < race.log) -lt 2 ] && [ $i -lt 100 ]; ' +
          'do sleep 0.05; i=$((i+1)); done; echo raced > race.txt"',
          "    inputs: []",
        ]),
      ),
    });
  });
  after(async () => {
    await ws.remove();
  });

  test(
    "03 §14 ex 32 / CACHE-022 leftover .tmp-<key>-x and .restore-<key>-x: lookup misses, info counts, clean --soft removes",
    SLOW,
    async () => {
      assertExit(await haz("run", "app:solo"), 0);
      const entryDir = (await entriesByTask(ws.root)).get("app:solo")!;
      const key = entryDir.slice(-64);
      const shard = key.slice(0, 2);
      const storeOrphan = `.haz/cache/${shard}/.tmp-${key}-x`;
      const restoreOrphan = `.haz/cache/.restore-${key}-x`;
      await rename(entryDir, ws.path(storeOrphan));
      await mkdir(ws.path(restoreOrphan));
      await writeFile(ws.path(`${restoreOrphan}/solo.txt`), "solo\n");

      const [why, info] = await Promise.all([haz("why", "app:solo"), haz("cache", "info")]);
      assertExit(why, 0);
      assert.match(why.stdout, /\ncache: miss: no entry\n/);
      assertExit(info, 0);
      assert.match(
        info.stdout,
        infoText({
          total: 0,
          valid: 0,
          mismatch: 0,
          corrupt: 0,
          byHash: "none",
          orphans: "1 store, 1 restore",
        }),
      );

      const rerun = await haz("run", "app:solo");
      assertExit(rerun, 0);
      assert.deepEqual(statusVerbs(rerun.stdout), { "app:solo": "done" });
      assert.equal(rerun.stderr, "");
      assert.equal(await readFile(ws.path("app/solo.log"), "utf8"), "solo\nsolo\n");

      const clean = await haz("cache", "clean", "--soft");
      assertExit(clean, 0);
      assert.match(
        clean.stdout,
        new RegExp(
          "^modes: soft\\n" +
            `removed \\.haz/cache/\\.restore-${key}-x \\(soft: orphan restore dir, 5 bytes\\)\\n` +
            `removed \\.haz/cache/${shard}/\\.tmp-${key}-x \\(soft: orphan store dir, \\d+ bytes\\)\\n` +
            "inspected: 1 entry\\nevicted: 0 entries \\(soft 0, max-age 0, max-size 0\\)\\n" +
            "orphan dirs removed: 1 store, 1 restore\\nreclaimed: \\d+ bytes \\(.+\\)\\n$",
        ),
      );
      assert.equal(existsSync(ws.path(storeOrphan)), false);
      assert.equal(existsSync(ws.path(restoreOrphan)), false);
      const hit = await haz("run", "app:solo");
      assert.deepEqual(statusVerbs(hit.stdout), { "app:solo": "cached" });
    },
  );

  test(
    "03 §14 ex 33 / CACHE-039 #5 two haz run processes storing one key: both exit 0, one valid entry",
    SLOW,
    async () => {
      const results = await Promise.all([haz("run", "app:race"), haz("run", "app:race_twin")]);
      for (const [index, result] of results.entries()) {
        assertExit(result, 0);
        assert.deepEqual(statusVerbs(result.stdout), {
          [index === 0 ? "app:race" : "app:race_twin"]: "done",
        });
        assert.equal(result.stderr, "", "no task fails and nothing is reported because of the race");
      }
      assert.equal(
        await readFile(ws.path("app/race.log"), "utf8"),
        "race\nrace\n",
        "both spawned and stored",
      );
      // The manifest names the task whose store won the rename.
      const entries = await entriesByTask(ws.root);
      const entryDir = (entries.get("app:race") ?? entries.get("app:race_twin"))!;
      assert.deepEqual(
        await readdir(dirname(entryDir)),
        [entryDir.slice(-64)],
        "one entry, no .tmp-* left behind",
      );
      const info = await haz("cache", "info");
      assert.match(info.stdout, /\norphan dirs: 0 store, 0 restore\n/);
      assert.match(info.stdout, /\nentries: 2 \(2 valid, 0 schema mismatch, 0 corrupt\)\n/);
      const hit = await haz("run", "app:race");
      assert.deepEqual(statusVerbs(hit.stdout), { "app:race": "cached" });
      assert.equal(await readFile(ws.path("app/race.txt"), "utf8"), "raced\n");
    },
  );
});

// ---------------------------------------------------------------------------------------------------
// 31: SIGKILL the real haz process at random moments of runs that store or restore.

/** Whether some process's command line still contains `marker` (Linux /proc; elsewhere a short wait). */
async function waitForProcessesGone(marker: string): Promise<void> {
  if (!existsSync("/proc/self/cmdline")) {
    await sleep(300);
    return;
  }
  for (let attempt = 0; attempt < 200; attempt++) {
    let alive = false;
    for (const pid of await readdir("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
      if (cmdline.includes(marker)) {
        alive = true;
        break;
      }
    }
    if (!alive) return;
    await sleep(25);
  }
  assert.fail(`task processes marked ${marker} did not exit`);
}

/** When to SIGKILL a run: `delayMs` after spawning, or after its stdout first shows `afterLine`. */
interface KillTrigger {
  readonly afterLine: string | null;
  readonly delayMs: number;
}

/** How one `haz run app:gen` ended, with the time from spawn (and from the trigger line) to its end. */
interface KillOutcome {
  readonly killed: boolean;
  readonly durationMs: number;
  readonly afterLineMs: number | null;
}

/** Starts `haz run app:gen` and SIGKILLs it as `trigger` says if it is still running then. */
function runAndKill(cwd: string, trigger: KillTrigger): Promise<KillOutcome> {
  const [program, ...prefix] = hazCommand();
  const startedAt = Date.now();
  const child = spawn(program, [...prefix, "run", "app:gen"], {
    cwd,
    env: baseEnv() as Record<string, string>,
    stdio: ["ignore", "pipe", "ignore"],
  });
  return new Promise((resolve, reject) => {
    let killed = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lineSeenAt: number | null = null;
    let seen = "";
    const arm = () => {
      timer = setTimeout(() => {
        killed = child.kill("SIGKILL");
      }, trigger.delayMs);
    };
    if (trigger.afterLine === null) arm();
    child.stdout!.on("data", (chunk: Buffer) => {
      if (trigger.afterLine === null || lineSeenAt !== null) return;
      seen += chunk.toString("utf8");
      if (!seen.includes(trigger.afterLine)) return;
      lineSeenAt = Date.now();
      arm();
    });
    child.on("error", reject);
    child.on("close", (_code, signal) => {
      clearTimeout(timer);
      const endedAt = Date.now();
      resolve({
        killed: killed && signal === "SIGKILL",
        durationMs: endedAt - startedAt,
        afterLineMs: lineSeenAt === null ? null : endedAt - lineSeenAt,
      });
    });
  });
}

/** Entry directories (shard/key) currently in the cache. */
async function entryDirs(workspaceRoot: string): Promise<string[]> {
  const root = join(workspaceRoot, ".haz/cache");
  if (!existsSync(root)) return [];
  const found: string[] = [];
  for (const shard of await readdir(root)) {
    if (!/^[0-9a-f]{2}$/.test(shard)) continue;
    for (const name of await readdir(join(root, shard))) {
      if (/^[0-9a-f]{64}$/.test(name)) found.push(join(shard, name));
    }
  }
  return found;
}

const OUTPUT_FILES = 4;
const OUTPUT_BYTES = 1_000_000;

/** Name and digest of every file under `app/out`. */
async function outputDigests(root: string): Promise<string[]> {
  const dir = join(root, "app/out");
  const names = (await readdir(dir)).sort(compareBytes);
  return await Promise.all(
    names.map(async (name) => `${name} ${sha256Hex(await readFile(join(dir, name)))}`),
  );
}

/** What a fresh run of `app:gen` writes for `seed`: `yes "<seed> <i>" | head -c OUTPUT_BYTES`. */
function expectedDigests(seed: string): string[] {
  return Array.from({ length: OUTPUT_FILES }, (_, index) => {
    const line = `${seed} ${index + 1}\n`;
    const content = line.repeat(Math.ceil(OUTPUT_BYTES / line.length)).slice(0, OUTPUT_BYTES);
    return `f${index + 1}.bin ${sha256Hex(content)}`;
  });
}

/** The task's own stdout lines of a run (live mode prefixes them). */
function taskLines(result: HazResult): string[] {
  return result.stdout.split("\n").filter((line) => line.startsWith("[app:gen]"));
}

function expectedTaskLines(seed: string): string[] {
  return [
    `[app:gen] begin ${seed}`,
    ...Array.from({ length: OUTPUT_FILES }, (_, index) => `[app:gen] wrote ${index + 1}`),
  ];
}

describe("03 §14 ex 31 / CACHE-039 #1–3: SIGKILL at random moments never yields a false hit", () => {
  const marker = `haz-kill-${randomBytes(6).toString("hex")}`;
  const seeds = ["alpha", "beta", "gamma"];
  let ws: WorkspaceFixture;
  const haz = (...args: string[]) => runHaz(args, { cwd: ws.root });

  before(async () => {
    ws = await createWorkspaceFixture({
      ".haz/workspace.yml": "projects: [app]\n",
      "app/haz.yml": lines(
        "tasks:",
        "  gen:",
        // Four 1 MB outputs keep the store busy for a while; an echo between them ends an orphaned
        // task by SIGPIPE soon after haz is gone.
        `    shell: ": ${marker}; s=$(cat seed.txt); echo begin $s; mkdir -p out; ` +
          `for i in $(seq ${OUTPUT_FILES}); do yes \\"$s $i\\" | head -c ${OUTPUT_BYTES} > out/f$i.bin; echo wrote $i; done; ` +
          `echo end $s >&2"`,
        "    inputs: [seed.txt]",
        '    outputs: ["out/**"]',
      ),
      "app/seed.txt": "alpha\n",
    });
  });
  after(async () => {
    await waitForProcessesGone(marker);
    await ws.remove();
  });

  test("a fresh run writes what the test expects", SLOW, async () => {
    const fresh = await haz("run", "app:gen", "--no-cache");
    assertExit(fresh, 0);
    assert.deepEqual(await outputDigests(ws.root), expectedDigests("alpha"));
    assert.deepEqual(taskLines(fresh), expectedTaskLines("alpha"));
    assert.equal(fresh.stderr, "[app:gen] end alpha\n");
    assert.equal(existsSync(ws.path(".haz/cache")), false, "CACHE-040: --no-cache creates no cache");
  });

  test(
    "≥ 20 kills during runs that store or restore; afterwards no run differs from a fresh one",
    SLOW,
    async () => {
      const lastLine = `[app:gen] wrote ${OUTPUT_FILES}`;
      // One uninterrupted store per seed: the entry of each seed, and the shortest lengths of a whole
      // run and of its store (from the task's last line to haz's exit).
      const entryOf = new Map<string, string>();
      let runMs = Infinity;
      let storeMs = Infinity;
      for (const seed of seeds) {
        await writeFile(ws.path("app/seed.txt"), `${seed}\n`);
        const before = await entryDirs(ws.root);
        const outcome = await runAndKill(ws.root, { afterLine: lastLine, delayMs: 60_000 });
        entryOf.set(seed, (await entryDirs(ws.root)).find((entry) => !before.includes(entry))!);
        runMs = Math.min(runMs, outcome.durationMs);
        storeMs = Math.min(storeMs, outcome.afterLineMs ?? 0);
      }
      assert.equal(new Set(entryOf.values()).size, seeds.length, "one entry per seed");
      let kills = 0;
      const plan: string[] = [];
      for (let iteration = 0; kills < 20 && iteration < 60; iteration++) {
        const seed = seeds[Math.floor(Math.random() * seeds.length)];
        await writeFile(ws.path("app/seed.txt"), `${seed}\n`);
        const roll = Math.random();
        let trigger: KillTrigger;
        if (roll < 0.6) {
          // A run that stores: its entry goes first; the kill lands mostly after the task's last line.
          await rm(ws.path(`.haz/cache/${entryOf.get(seed)}`), { recursive: true, force: true });
          trigger = roll < 0.45
            ? { afterLine: lastLine, delayMs: Math.round(Math.random() * storeMs * 1.2) }
            : { afterLine: null, delayMs: Math.round(Math.random() * runMs) };
        } else {
          // A run that restores, if the entry survived: the outputs must be written again.
          await rm(ws.path("app/out"), { recursive: true, force: true });
          trigger = { afterLine: null, delayMs: Math.round(Math.random() * runMs) };
        }
        const outcome = await runAndKill(ws.root, trigger);
        if (outcome.killed) kills++;
        const when = trigger.afterLine === null ? "" : " after the task";
        plan.push(`${seed}@${trigger.delayMs}ms${when}${outcome.killed ? "" : " (finished)"}`);
        await waitForProcessesGone(marker);
      }
      assert.ok(kills >= 20, `only ${kills} kills landed: ${plan.join(", ")}`);

      // Every seed twice: the first run hits whatever the kills left (or stores afresh), the second
      // certainly restores; both must equal a fresh run.
      for (const seed of seeds) {
        await writeFile(ws.path("app/seed.txt"), `${seed}\n`);
        for (const round of ["first", "second"]) {
          await rm(ws.path("app/out"), { recursive: true, force: true });
          const result = await haz("run", "app:gen");
          assertExit(result, 0);
          const verb = statusVerbs(result.stdout)["app:gen"];
          const context = `${seed}, ${round} run (${verb}) after ${plan.join(", ")}`;
          if (round === "second") assert.equal(verb, "cached", context);
          assert.deepEqual(await outputDigests(ws.root), expectedDigests(seed), context);
          assert.deepEqual(taskLines(result), expectedTaskLines(seed), context);
          assert.equal(result.stderr, `[app:gen] end ${seed}\n`, context);
        }
      }

      const cacheRoot = ws.path(".haz/cache");
      for (const name of await readdir(cacheRoot)) {
        if (name.startsWith(".restore-")) continue;
        assert.match(name, /^[0-9a-f]{2}$/, "only shards and orphan restore dirs at the root");
        for (const inner of await readdir(join(cacheRoot, name))) {
          assert.match(
            inner,
            /^([0-9a-f]{64}|\.tmp-.+)$/,
            "CACHE-039 #2: only entries and .tmp-* in a shard",
          );
        }
      }
      const entries =
        `\nentries: ${seeds.length} \\(${seeds.length} valid, 0 schema mismatch, 0 corrupt\\)\n`;
      const info = await haz("cache", "info");
      assertExit(info, 0);
      assert.match(info.stdout, new RegExp(entries));
      assertExit(await haz("cache", "clean", "--soft"), 0);
      const cleaned = await haz("cache", "info");
      assert.match(cleaned.stdout, new RegExp(`${entries}.*\norphan dirs: 0 store, 0 restore\n`));
    },
  );
});
