/**
 * `deno task bench`: haz side by side with turbo, nx and moon on generated workspaces (06-architecture.md
 * §5). Builds `dist/haz`, installs the peers into a scratch folder, generates workspaces of 100 and
 * 1000 projects, measures start-up, cold runs, fully cached runs (outputs present and deleted), load and
 * validation, peak RSS, the scheduler overhead and the memory of a 1 GiB stream, checks the budgets,
 * prints the tables and writes `docs/benchmarks.md`; with 1000 projects and turbo it also runs
 * `bench/import_speed.ts` (the import and the imported workspace's cached run against turbo).
 *
 * Usage: `deno task bench [--quick] [--reps N] [--sizes 100,1000,10000] [--jobs N] [--no-peers]
 * [--peers-dir DIR] [--out FILE] [--no-compile]`. `--quick` runs 100 projects only, 3 rounds, a 256 MiB
 * stream (a few minutes); the full run (100 and 1000 projects) takes about 35 minutes on 2 cores. At
 * 10,000 projects haz runs alone (a peer's first run over 10,000 tasks would take hours) and cold runs
 * are left out; `haz check` and the fully cached runs are measured with their peak RSS.
 *
 * @module
 */

import { availableParallelism, cpus, release, tmpdir, totalmem } from "node:os";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { detectRuntime } from "../lib/runtime/detect_runtime.ts";
import { spawnerFor } from "../lib/runtime/spawner_for.ts";
import { GNU_TIME, measureCommand, type Measurement } from "./measure_command.ts";
import { type Contender, hazContender, setUpPeers } from "./peers.ts";
import {
  type BenchReport,
  type BudgetVerdict,
  formatMs,
  renderReport,
  renderTable,
  type ScenarioTable,
  type SeriesRow,
} from "./report.ts";
import { pairedRatio, summarize } from "./statistics.ts";
import { type SyntheticWorkspace, writeSyntheticWorkspace } from "./synthetic_workspace.ts";
import {
  initGitRepository,
  linkNodeModules,
  plainLoopArgv,
  removeOutputs,
  writeLoopCommands,
} from "./workspace_setup.ts";

const REPO = dirname(dirname(new URL(import.meta.url).pathname));
const HAZ_BINARY = join(REPO, "dist", "haz");
/** Largest workspace whose cold runs include the peers (turbo runs every task through `npm run`). */
const PEER_COLD_MAX_PROJECTS = 100;
/** Largest workspace the peers run at all (their first, cache-filling run takes hours beyond it). */
const PEER_MAX_PROJECTS = 1000;
/** Largest workspace with cold runs (beyond it a cold run of haz and of the loop takes minutes each). */
const COLD_MAX_PROJECTS = 1000;
/** Everything after this line of `docs/benchmarks.md` is hand-written and kept by a re-run. */
const KEEP_MARKER =
  "<!-- Hand-written analysis below; bench/run_bench.ts keeps it when it rewrites the results above. -->";

const { values: flags } = parseArgs({
  args: process.argv.slice(2),
  options: {
    quick: { type: "boolean", default: false },
    reps: { type: "string" },
    sizes: { type: "string" },
    jobs: { type: "string" },
    "no-peers": { type: "boolean", default: false },
    "peers-dir": { type: "string" },
    out: { type: "string" },
    "no-compile": { type: "boolean", default: false },
  },
});

const quick = flags.quick ?? false;
const reps = Number(flags.reps ?? (quick ? 3 : 5));
const sizes = (flags.sizes ?? (quick ? "100" : "100,1000")).split(",").map(Number);
const jobs = Number(flags.jobs ?? availableParallelism());
const startupReps = quick ? 11 : 21;
const streamMiB = quick ? 256 : 1024;
const outFile = flags.out ?? join(REPO, "docs", "benchmarks.md");
const spawner = spawnerFor(detectRuntime());
const scratch = await realpath(await mkdtemp(join(tmpdir(), "haz-bench-")));
const baseEnv = pickEnv(["PATH", "HOME", "USER", "LANG", "TMPDIR", "TERM"]);
const notes: string[] = [];
const loadBefore = loadAverage();

function log(line: string): void {
  console.error(`bench: ${line}`);
}

function pickEnv(names: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    names.flatMap((name) => process.env[name] === undefined ? [] : [[name, process.env[name]!]]),
  );
}

function loadAverage(): string {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

function newRow(name: string): SeriesRow {
  return { name, wallMs: [], rssKiB: [], failures: 0, failureTail: null };
}

function record(row: SeriesRow, measurement: Measurement): void {
  if (measurement.exitCode === 0) {
    row.wallMs.push(measurement.wallMs);
    row.rssKiB.push(measurement.peakRssKiB);
    return;
  }
  row.wallMs.push(Number.NaN);
  row.rssKiB.push(null);
  row.failures++;
  row.failureTail ??= `exit ${measurement.exitCode}\n${measurement.outputTail}`;
}

/** Invocations per start-up sample (see {@link startupLoopArgv}). */
const STARTUP_BATCH = 10;

/** `argv` run {@link STARTUP_BATCH} times in a row by one `sh` loop, which stops at the first failure. */
function startupLoopArgv(argv: readonly string[]): string[] {
  const loop =
    `i=0; while [ "$i" -lt ${STARTUP_BATCH} ]; do "$@" >/dev/null 2>&1 || exit $?; i=$((i + 1)); done`;
  return ["sh", "-c", loop, "sh", ...argv];
}

function run(argv: readonly string[], cwd: string, env: Readonly<Record<string, string>>, rss = true) {
  return measureCommand(spawner, { argv, cwd, env, rss, scratch });
}

/** Rotates the order each round so no tool always runs right after the same neighbour. */
function rotated<T>(items: readonly T[], round: number): T[] {
  const shift = round % Math.max(1, items.length);
  return [...items.slice(shift), ...items.slice(0, shift)];
}

async function runScript(script: string, args: readonly string[]): Promise<string> {
  const runtimeArgs = detectRuntime() === "deno" ? ["run", "-A"] : [];
  const result = await run([process.execPath, ...runtimeArgs, join(REPO, "bench", script), ...args], REPO, {
    ...baseEnv,
  }, false);
  const text = result.outputTail.trim();
  return result.exitCode === 0 ? text : `${text}\n(exit ${result.exitCode})`;
}

// 1. Build the binary (what users run) and read its version.
if (!(flags["no-compile"] ?? false)) {
  log("building dist/haz with ./compile.sh");
  const built = await run(["bash", join(REPO, "compile.sh")], REPO, baseEnv, false);
  if (built.exitCode !== 0) throw new Error(`compile.sh failed:\n${built.outputTail}`);
}
if (!existsSync(HAZ_BINARY)) throw new Error(`${HAZ_BINARY} is missing; run ./compile.sh`);
const hazVersion = (await run([HAZ_BINARY, "--version"], REPO, baseEnv, false)).outputTail.trim();
const npmVersion = await toolVersion(["npm", "--version"]);
const nodeVersion = await toolVersion(["node", "--version"]);

/**
 * The hand-written analysis below {@link KEEP_MARKER} in the existing report (profile findings,
 * what was tried), carried over unchanged so a re-run refreshes only the measurements.
 */
async function handWrittenPart(path: string): Promise<string> {
  try {
    const existing = await readFile(path, "utf8");
    const at = existing.indexOf(KEEP_MARKER);
    return at < 0 ? `\n${KEEP_MARKER}\n` : `\n${existing.slice(at)}`;
  } catch {
    return `\n${KEEP_MARKER}\n`;
  }
}

/** The first line a `--version` prints, or `?` when the tool is missing. */
async function toolVersion(argv: readonly string[]): Promise<string> {
  try {
    const result = await run(argv, REPO, baseEnv, false);
    return result.exitCode === 0 ? result.outputTail.trim().split("\n")[0] : "?";
  } catch {
    return "?";
  }
}
const haz = hazContender(HAZ_BINARY, hazVersion, baseEnv);

// 2. The peers, in a scratch folder that is kept between runs.
const peersDir = flags["peers-dir"] ?? join(tmpdir(), "haz-bench-peers");
await mkdir(peersDir, { recursive: true });
const peers = flags["no-peers"]
  ? { contenders: [] as Contender[], problems: ["peers skipped (--no-peers)"], nodeModules: "" }
  : await setUpPeers({ spawner, dir: peersDir, baseEnv, scratch, log });
notes.push(...peers.problems);
const contenders = [haz, ...peers.contenders];
const turboPresent = peers.contenders.some((contender) => contender.name === "turbo");

const tables: ScenarioTable[] = [];
const extras: { title: string; text: string }[] = [];

// 3. Start-up: `--version`, a Bun-compiled hello world (what any `bun build --compile` binary costs)
// and the floor of the measurement itself.
{
  log(`start-up: --version x ${startupReps}`);
  const hello = join(scratch, "hello");
  await writeFile(`${hello}.ts`, 'console.log("hello");\n');
  const bun = join(REPO, "node_modules", ".bin", "bun");
  const helloBuilt = await run(
    [
      bun,
      "build",
      `${hello}.ts`,
      "--compile",
      "--minify",
      "--bytecode",
      "--no-compile-autoload-dotenv",
      "--no-compile-autoload-bunfig",
      "--outfile",
      hello,
    ],
    scratch,
    baseEnv,
    false,
  );
  const floors: { name: string; argv: string[] }[] = [
    ...(helloBuilt.exitCode === 0 ? [{ name: "Bun-compiled hello world", argv: [hello] }] : []),
    { name: "/bin/true (floor)", argv: ["/bin/true"] },
  ];
  const startupTools = contenders.filter((contender) => contender.name !== "nx (daemon)");
  const rows = [...startupTools, ...floors].map((tool) => newRow(tool.name));
  for (let round = 0; round < startupReps; round++) {
    for (const index of rotated([...rows.keys()], round)) {
      const tool = startupTools[index];
      const argv = tool === undefined ? floors[index - startupTools.length].argv : [...tool.versionArgv];
      const batch = await run(startupLoopArgv(argv), REPO, tool?.env ?? baseEnv, false);
      record(rows[index], { ...batch, wallMs: batch.wallMs / STARTUP_BATCH });
    }
  }
  tables.push({
    title: "Start-up: `--version`",
    description:
      `Wall time per invocation of \`<tool> --version\`: each sample is a batch of ${STARTUP_BATCH} ` +
      `invocations in one \`sh\` loop divided by ${STARTUP_BATCH}, so the harness's own spawn (several ` +
      `milliseconds) is not counted; ${startupReps} interleaved rounds (nx runs on Node). The floor rows ` +
      "are a one-line program compiled like `dist/haz` (`bun build --compile --minify --bytecode`, no autoloading) and " +
      "`/bin/true`, measured the same way.",
    rows,
    reference: "haz",
  });
}

const budgetsMeasured: Record<string, ScenarioTable> = {};
let largestRoot: string | null = null;

for (const size of sizes) {
  log(`workspace of ${size} projects`);
  const root = join(scratch, `ws-${size}`);
  const workspace: SyntheticWorkspace = await writeSyntheticWorkspace({
    root,
    count: size,
    packageManager: `npm@${npmVersion === "?" ? "10.0.0" : npmVersion}`,
  });
  if (peers.nodeModules !== "") await linkNodeModules(root, peers.nodeModules);
  if (!await initGitRepository({ spawner, root, env: baseEnv, scratch })) {
    notes.push(`git was not usable for the ${size}-project workspace; turbo and moon hashed without it`);
  }
  const loopFile = await writeLoopCommands(workspace, join(scratch, `loop-${size}.txt`));

  // Load and validate (haz check), without the workspace snapshot (removed before each run) and with it.
  {
    const stateDir = join(root, ".haz", "state");
    const fresh = newRow("haz check, no snapshot");
    const snapshot = newRow("haz check, snapshot");
    // The snapshot trusts only files older than 2 s (PERF-001).
    await new Promise((done) => setTimeout(done, 2_100));
    for (let round = 0; round < reps; round++) {
      await rm(stateDir, { recursive: true, force: true });
      record(fresh, await run([HAZ_BINARY, "check"], root, baseEnv));
      record(snapshot, await run([HAZ_BINARY, "check"], root, baseEnv));
    }
    const table: ScenarioTable = {
      title: `Load and validate, ${size} projects (\`haz check\`)`,
      description:
        "Discovery, reading and validating every file, overlay merge and graph checks; nothing runs. Without a " +
        "snapshot: `.haz/state` removed before the run (which then writes the snapshot); with: the next run.",
      rows: [fresh, snapshot],
      reference: "haz check, no snapshot",
    };
    tables.push(table);
    budgetsMeasured[`check-${size}`] = table;
  }

  // Cold runs: no cache, no outputs.
  if (size <= COLD_MAX_PROJECTS) {
    const coldTools = contenders.filter((contender) =>
      contender.measuresCold && (contender.name === "haz" || size <= PEER_COLD_MAX_PROJECTS)
    );
    const rows = [...coldTools.map((contender) => newRow(contender.name)), newRow("plain loop (xargs -P)")];
    for (let round = 0; round < reps; round++) {
      for (const index of rotated([...rows.keys()], round)) {
        log(`cold ${size}: round ${round + 1}/${reps}, ${rows[index].name}`);
        await removeOutputs(workspace);
        const tool = coldTools[index];
        if (tool === undefined) {
          record(rows[index], await run(plainLoopArgv(loopFile, jobs), root, baseEnv));
        } else {
          await tool.forget(root);
          record(rows[index], await run(tool.buildArgv(jobs), root, tool.env));
        }
      }
    }
    const table: ScenarioTable = {
      title: `Cold run, ${size} tasks`,
      description:
        `No cache and no outputs before each run; concurrency ${jobs} for every tool and for the plain loop ` +
        `(\`xargs -P ${jobs}\` over the same \`cd <dir> && ${"mkdir -p dist && cp src/x dist/y"}\` commands, in dependency order).` +
        (size > PEER_COLD_MAX_PROJECTS
          ? " Peers are left out at this size: turbo runs every task through `npm run`, a single cold run takes minutes."
          : ""),
      rows,
      reference: "haz",
    };
    tables.push(table);
    budgetsMeasured[`cold-${size}`] = table;
  }

  // Populate every cache once (not measured): the peers' first run at sizes without cold runs, and
  // nx's daemon start.
  const sizeContenders = size <= PEER_MAX_PROJECTS ? contenders : [haz];
  if (size > PEER_MAX_PROJECTS) {
    notes.push(
      `${size} projects: haz alone (a peer's first, cache-filling run over ${size} tasks takes hours)`,
    );
  }
  for (const tool of sizeContenders) {
    log(`populating the cache of ${tool.name} (${size})`);
    // turbo's first run over 1000 tasks goes through `npm run` for each: allow it an hour.
    const warm = await measureCommand(spawner, {
      argv: tool.buildArgv(jobs),
      cwd: root,
      env: tool.env,
      rss: false,
      scratch,
      timeoutMs: 60 * 60 * 1000,
    });
    const took = `${(warm.wallMs / 1000).toFixed(0)} s`;
    notes.push(
      warm.exitCode === 0
        ? `${tool.name}: the unmeasured run that filled its cache at ${size} projects took ${took}`
        : `${tool.name}: the unmeasured run that should fill its cache at ${size} projects failed after ${took} ` +
          `(exit ${warm.exitCode}); its first cached round may include fresh runs`,
    );
  }

  for (const outputs of ["present", "deleted"] as const) {
    const rows = sizeContenders.map((contender) => newRow(contender.name));
    for (let round = 0; round < reps; round++) {
      for (const index of rotated([...rows.keys()], round)) {
        log(`cached ${size} (outputs ${outputs}): round ${round + 1}/${reps}, ${rows[index].name}`);
        if (outputs === "deleted") await removeOutputs(workspace);
        const tool = sizeContenders[index];
        record(rows[index], await run(tool.buildArgv(jobs), root, tool.env));
      }
    }
    const table: ScenarioTable = {
      title: `Fully cached run, ${size} tasks, outputs ${outputs}`,
      description: outputs === "present"
        ? "Every task is a cache hit and its outputs are already in place."
        : "Every task is a cache hit; every `dist/` was deleted before the run, so each tool restores the outputs.",
      rows,
      reference: "haz",
    };
    tables.push(table);
    budgetsMeasured[`cached-${outputs}-${size}`] = table;
  }

  for (const tool of peers.contenders) {
    if (tool.name.startsWith("nx")) await tool.forget(root);
  }
  if (largestRoot !== null) await rm(largestRoot, { recursive: true, force: true });
  largestRoot = root;
}

// 4. In-process figures.
if (largestRoot !== null) {
  log("load_workspace.ts");
  extras.push({
    title: "Load and validate in process (`bench/load_workspace.ts`)",
    text: await runScript("load_workspace.ts", [largestRoot]),
  });
}
log("scheduler_overhead.ts");
const schedulerText = await runScript("scheduler_overhead.ts", []);
extras.push({
  title: "Scheduler overhead, fake spawner (`bench/scheduler_overhead.ts`)",
  text: schedulerText,
});
log(`cache_memory.ts ${streamMiB}`);
const memoryText = await runScript("cache_memory.ts", [String(streamMiB)]);
extras.push({
  title: `A ${streamMiB} MiB stdout through the cache (\`bench/cache_memory.ts\`)`,
  text: memoryText,
});
if (largestRoot !== null) await rm(largestRoot, { recursive: true, force: true });
await rm(scratch, { recursive: true, force: true });

// 5. Adoption (08-adoption.md acceptance 4): the import of 1000 turbo packages and the imported
// workspace's cached run against turbo's own. The script writes its own section below the
// hand-written marker, which the report below keeps.
if (sizes.includes(1000) && turboPresent) {
  log("import_speed.ts");
  const adoption = await runScript("import_speed.ts", [
    "--haz",
    HAZ_BINARY,
    "--peers-dir",
    peersDir,
    "--jobs",
    String(jobs),
    "--reps",
    String(reps),
    "--out",
    outFile,
  ]);
  if (/\(exit \d+\)$/.test(adoption)) {
    notes.push(`bench/import_speed.ts failed: ${adoption.split("\n").pop()}`);
  }
}

// 5. Budgets.
function medianOf(table: ScenarioTable | undefined, name: string): number {
  const row = table?.rows.find((candidate) => candidate.name === name);
  return row === undefined ? Number.NaN : summarize(row.wallMs).median;
}

function versusTurbo(key: string, label: string, factor: number): BudgetVerdict {
  const table = budgetsMeasured[key];
  const hazMs = medianOf(table, "haz");
  const turboMs = medianOf(table, "turbo");
  const hazRow = table?.rows.find((row) => row.name === "haz");
  const turboRow = table?.rows.find((row) => row.name === "turbo");
  const ratio = hazRow && turboRow ? pairedRatio(hazRow.wallMs, turboRow.wallMs) : Number.NaN;
  const measured = Number.isFinite(turboMs)
    ? `haz ${formatMs(hazMs)}, turbo ${formatMs(turboMs)} (paired ratio ${ratio.toFixed(2)})`
    : "turbo not measured";
  return {
    figure: label,
    budget: `≤ ${factor} × turbo's time in the same run`,
    measured,
    pass: Number.isFinite(ratio) ? ratio <= factor : null,
  };
}

function versusLoop(size: number): BudgetVerdict {
  const table = budgetsMeasured[`cold-${size}`];
  const hazRow = table?.rows.find((row) => row.name === "haz");
  const loopRow = table?.rows.find((row) => row.name === "plain loop (xargs -P)");
  const ratio = hazRow && loopRow ? pairedRatio(hazRow.wallMs, loopRow.wallMs) : Number.NaN;
  return {
    figure: `cold run, ${size} tasks`,
    budget: "≤ 1.2 × a plain loop at the same concurrency",
    measured: Number.isFinite(ratio)
      ? `haz ${formatMs(medianOf(table, "haz"))}, loop ${
        formatMs(medianOf(table, "plain loop (xargs -P)"))
      } ` +
        `(paired ratio ${ratio.toFixed(2)})`
      : "not measured",
    pass: Number.isFinite(ratio) ? ratio <= 1.2 : null,
  };
}

function checkBudget(size: number, row: string, limitMs: number): BudgetVerdict {
  const ms = medianOf(budgetsMeasured[`check-${size}`], row);
  return {
    figure: `\`haz check\`, ${size} projects, ${
      row.endsWith("no snapshot") ? "no snapshot" : "with the snapshot"
    }`,
    budget: `≤ ${limitMs} ms`,
    measured: Number.isFinite(ms) ? formatMs(ms) : "not measured",
    pass: Number.isFinite(ms) ? ms <= limitMs : null,
  };
}

function rssBudget(size: number, limitMb: number): BudgetVerdict {
  const row = budgetsMeasured[`cached-present-${size}`]?.rows.find((candidate) => candidate.name === "haz");
  const kib = row === undefined
    ? Number.NaN
    : summarize(row.rssKiB.filter((value): value is number => value !== null)).median;
  return {
    figure: `peak RSS, ${size}-task cached run`,
    budget: `≤ ${limitMb} MB`,
    measured: Number.isFinite(kib)
      ? `${(kib * 1024 / 1e6).toFixed(0)} MB (${(kib / 1024).toFixed(1)} MiB), median of the runs`
      : "not measured",
    pass: Number.isFinite(kib) ? kib * 1024 <= limitMb * 1e6 : null,
  };
}

const startupTable = tables[0];
const versionMs = medianOf(startupTable, "haz");
const floorMs = medianOf(startupTable, "/bin/true (floor)");
const helloMs = medianOf(startupTable, "Bun-compiled hello world");
const perTask = /10000 tasks:.*?([\d.]+) ms cpu\/task/.exec(schedulerText);
const growth = /growth ([\d.]+) MB/.exec(memoryText);
const exact = /replay byte-exact: yes/.test(memoryText);
const turboBudgets = turboPresent
  ? sizes.filter((size) => size <= PEER_MAX_PROJECTS).flatMap((size) => [
    versusTurbo(
      `cached-present-${size}`,
      `fully cached run, ${size} tasks, outputs present`,
      size >= 1000 ? 0.5 : 0.6,
    ),
    versusTurbo(`cached-deleted-${size}`, `fully cached run, ${size} tasks, outputs deleted`, 0.8),
  ])
  : [];
const budgets: BudgetVerdict[] = [
  {
    figure: "`dist/haz --version`",
    budget: "within 1.5 ms of a Bun-compiled hello world, same run",
    measured: `${formatMs(versionMs)} (Bun-compiled hello world: ${formatMs(helloMs)}; \`/bin/true\`: ${
      formatMs(floorMs)
    })`,
    pass: Number.isFinite(versionMs - helloMs) ? versionMs - helloMs <= 1.5 : null,
  },
  ...(sizes.includes(1000)
    ? [checkBudget(1000, "haz check, snapshot", 150), checkBudget(1000, "haz check, no snapshot", 300)]
    : []),
  ...(sizes.includes(10000) ? [checkBudget(10000, "haz check, no snapshot", 1500)] : []),
  ...turboBudgets,
  ...sizes.filter((size) => size <= COLD_MAX_PROJECTS).map(versusLoop),
  {
    figure: "scheduler overhead per task (fake spawner, 10 000 tasks)",
    budget: "≤ 0.1 ms",
    measured: perTask === null ? "not measured" : `${perTask[1]} ms CPU per task`,
    pass: perTask === null ? null : Number(perTask[1]) <= 0.1,
  },
  ...(sizes.includes(1000) ? [rssBudget(1000, 150)] : []),
  ...(sizes.includes(10000) ? [rssBudget(10000, 400)] : []),
  {
    figure: `one task printing ${streamMiB === 1024 ? "1 GiB" : `${streamMiB} MiB`} to stdout`,
    budget: "RSS grows ≤ 64 MB; stored and replayed byte-exact",
    measured: growth === null
      ? "not measured"
      : `growth ${growth[1]} MB, byte-exact: ${exact ? "yes" : "no"}`,
    pass: growth === null ? null : Number(growth[1]) <= 64 && exact,
  },
];

// 6. Report.
const cpuList = cpus();
const report: BenchReport = {
  date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC",
  mode: quick ? "quick (`--quick`)" : "full",
  machine: [
    `${cpuList.length} × ${cpuList[0]?.model.trim() ?? "unknown CPU"}, ${
      (totalmem() / 2 ** 30).toFixed(0)
    } GiB, Linux ${release()}`,
    `load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAverage()}`,
    `harness: ${detectRuntime()} ${process.versions.deno ?? process.versions.bun ?? process.version}`,
  ],
  tools: [
    `haz: ${hazVersion} — \`dist/haz\` built by \`compile.sh\``,
    ...peers.contenders.filter((tool) => tool.name !== "nx (daemon)").map((tool) =>
      `${tool.name} ${tool.version} (npm registry, installed with \`npm install --prefix ${peersDir}\`)`
    ),
    `node ${nodeVersion} (runs nx, and npm, through which turbo runs each task's script)`,
  ],
  method: [
    `Workspaces: ${sizes.join(" and ")} projects under \`packages/\`, one \`build\` task each ` +
    "(`mkdir -p dist && cp src/x dist/y`, input `src/x`, output `dist`), hard dependencies on three earlier " +
    "projects (seeded, the same graph for every tool), committed to git. haz: `haz.yml` per project; turbo: npm " +
    "workspaces + `turbo.json` (`dependsOn: [^build]`, the script in each `package.json`); nx: `nx.json` target " +
    "defaults + `project.json` (`nx:run-commands`, the same command in the project directory), dependencies from " +
    "`package.json`; moon: `.moon/workspace.yml` + `moon.yml` (`script`, `deps: [^:build]`).",
    `Every tool runs at concurrency ${jobs} (\`-j\`, \`--concurrency\`, \`--parallel\`), with telemetry off ` +
    "(`TURBO_TELEMETRY_DISABLED`, `DO_NOT_TRACK`, `NX_NO_CLOUD`, `MOON_TELEMETRY=false`) and stdout/stderr piped to the harness.",
    `Rounds: ${reps} per scenario (${startupReps} for start-up); in each round every tool runs once, in a rotated ` +
    "order, so all tools share the machine's state of that moment. Figures are medians; `haz / tool` is the " +
    "median of the per-round ratios.",
    "Wall time: from spawn to the exit of the measured process, through haz's own process port.",
    existsSync(GNU_TIME)
      ? "Peak RSS: GNU time `%M`, the largest peak RSS among the measured process and the descendants it waited " +
        "for (not the sum over the tree); nx's daemon is a separate process and is not included."
      : "Peak RSS: GNU time is not installed (`apt-get install time`), so `VmHWM` of the measured process is " +
        "sampled from `/proc` every 10 ms (its children are not included).",
    "Cold: the tool's cache and every `dist/` removed before each run (nx: `nx reset`). Cached: each tool's " +
    "cache populated by an unmeasured run first; outputs present, or every `dist/` deleted before each run.",
    "nx runs with `NX_DAEMON=false` (`nx`) and `NX_DAEMON=true` (`nx (daemon)`, cached scenarios only; its " +
    "daemon is started by the unmeasured populating run).",
  ],
  tables,
  budgets,
  extras,
  notes: [
    ...notes,
    "The machine is shared (other builds and tests run on the same 2 cores while this runs): the spread " +
    "column shows how noisy each series was; compare the paired ratios rather than absolute times.",
  ],
};
await mkdir(dirname(outFile), { recursive: true });
await writeFile(outFile, renderReport(report) + await handWrittenPart(outFile));
console.log(
  [
    "## Budgets",
    "",
    ...budgets.map((budget) =>
      `${
        budget.pass === null ? "?   " : budget.pass ? "pass" : "FAIL"
      }  ${budget.figure}: ${budget.measured} (budget ${budget.budget})`
    ),
    "",
    ...tables.flatMap((table) => [renderTable(table), ""]),
    `written to ${outFile}`,
  ].join("\n"),
);
