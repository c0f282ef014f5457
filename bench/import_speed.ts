/**
 * `deno run -A bench/import_speed.ts`: 08-adoption.md acceptance 4 on the synthetic turbo repository of
 * the benchmarks (1,000 packages, one `build` each, three `^build` dependencies):
 *
 * 1. the import: `haz init --import --yes` on fresh copies (turbo's files only), wall and CPU time
 *    (budget: under 5 s);
 * 2. the imported workspace's fully cached run, `haz run build -j N` against turbo's own
 *    `turbo run build --concurrency=N` on the same repository (committed to git, as turbo expects),
 *    paired and interleaved (the order alternates each round), outputs present and then deleted
 *    before each run (budget: haz no slower than turbo).
 *
 * turbo comes from the npm registry into a scratch folder (`--peers-dir`, shared with
 * `bench/run_bench.ts`), never as a dependency of haz. The repository's `packageManager` is Bun by
 * default (`--pm npm` for npm): both tools run every script through it, and npm's 0.8 s start per
 * script would make each tool's unmeasured, cache-filling run take a quarter of an hour on two cores;
 * a cached run never starts it. The results replace this file's section of `docs/benchmarks.md` (below
 * the hand-written marker, so `deno task bench` keeps them); `deno task bench` runs this file too.
 *
 * Usage: `deno run -A bench/import_speed.ts [--count 1000] [--reps 5] [--pairs 7] [--jobs N]
 * [--haz dist/haz] [--pm bun|npm] [--peers-dir DIR] [--out FILE] [--no-write]`.
 *
 * @module
 */

import { existsSync, readFileSync, realpathSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { detectRuntime } from "../lib/runtime/detect_runtime.ts";
import { spawnerFor } from "../lib/runtime/spawner_for.ts";
import { measureCommand, type Measurement } from "./measure_command.ts";
import { formatMs } from "./report.ts";
import { median, pairedRatio } from "./statistics.ts";
import { type SyntheticWorkspace, writeSyntheticWorkspace } from "./synthetic_workspace.ts";
import { initGitRepository, removeOutputs } from "./workspace_setup.ts";

const IMPORT_BUDGET_MS = 5_000;
const REPO = dirname(dirname(new URL(import.meta.url).pathname));
const TURBO_ENTRY = "@turbo/linux-64/bin/turbo";
/** `docs/benchmarks.md` keeps everything below this line when `deno task bench` rewrites it. */
const KEEP_MARKER =
  "<!-- Hand-written analysis below; bench/run_bench.ts keeps it when it rewrites the results above. -->";
const BEGIN = "<!-- bench/import_speed.ts: begin (generated, replaced by each run) -->";
const END = "<!-- bench/import_speed.ts: end -->";

const { values: flags } = parseArgs({
  args: process.argv.slice(2),
  options: {
    count: { type: "string" },
    reps: { type: "string" },
    pairs: { type: "string" },
    jobs: { type: "string" },
    haz: { type: "string" },
    pm: { type: "string" },
    "peers-dir": { type: "string" },
    out: { type: "string" },
    "no-write": { type: "boolean", default: false },
  },
});
const count = Number(flags.count ?? 1000);
const reps = Number(flags.reps ?? 5);
const pairs = Number(flags.pairs ?? 7);
const jobs = Number(flags.jobs ?? availableParallelism());
const pm = flags.pm ?? "bun";
if (pm !== "bun" && pm !== "npm") throw new Error(`--pm must be bun or npm, not ${pm}`);
const haz = flags.haz === undefined
  ? join(REPO, "dist", "haz")
  : flags.haz.startsWith("/")
  ? flags.haz
  : join(REPO, flags.haz);
if (!existsSync(haz)) throw new Error(`${haz} is missing; run ./compile.sh`);
const peersDir = flags["peers-dir"] ?? join(tmpdir(), "haz-bench-peers");
const outFile = flags.out ?? join(REPO, "docs", "benchmarks.md");
const spawner = spawnerFor(detectRuntime());
const scratch = await realpath(await mkdtemp(join(tmpdir(), "haz-bench-import-")));
const loadBefore = loadAverage();

function log(line: string): void {
  console.error(`import_speed: ${line}`);
}

function loadAverage(): string {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

function run(argv: readonly string[], cwd: string, env: Readonly<Record<string, string>>) {
  return measureCommand(spawner, { argv, cwd, env, rss: true, scratch });
}

function succeeded(what: string, measured: Measurement): Measurement {
  if (measured.exitCode !== 0) {
    throw new Error(`${what} failed (exit ${measured.exitCode}):\n${measured.outputTail}`);
  }
  return measured;
}

/** The `bun` that runs the scripts: the one the project installs, alone in a directory for `PATH`. */
async function toolPath(): Promise<{ path: string; packageManager: string }> {
  const bin = join(scratch, "bin");
  await mkdir(bin);
  if (pm === "npm") {
    const version = (await run(["npm", "--version"], scratch, baseEnv)).outputTail.trim();
    return { path: baseEnv.PATH, packageManager: `npm@${version}` };
  }
  const bun = realpathSync(join(REPO, "node_modules", ".bin", "bun"));
  await symlink(bun, join(bin, "bun"));
  const version = (await run([bun, "--version"], scratch, baseEnv)).outputTail.trim();
  return { path: `${bin}:${baseEnv.PATH}`, packageManager: `bun@${version}` };
}

/** turbo from the npm registry into the shared peers folder, unless it is there already. */
async function installTurbo(): Promise<string> {
  const turbo = join(peersDir, "node_modules", TURBO_ENTRY);
  if (existsSync(turbo)) return turbo;
  log(`installing turbo into ${peersDir} (npm install --prefix)`);
  await mkdir(peersDir, { recursive: true });
  if (!existsSync(join(peersDir, "package.json"))) await writeFile(join(peersDir, "package.json"), "{}\n");
  succeeded(
    "npm install turbo",
    await run(
      ["npm", "install", "--prefix", peersDir, "--no-audit", "--no-fund", "turbo"],
      peersDir,
      baseEnv,
    ),
  );
  return turbo;
}

/** The synthetic repository with turbo's files only (the generator also writes haz's). */
async function turboRepository(root: string, packageManager: string): Promise<SyntheticWorkspace> {
  const workspace = await writeSyntheticWorkspace({ root, count, packageManager });
  await rm(join(root, ".haz"), { recursive: true });
  await Promise.all(workspace.projectDirs.map((dir) => rm(join(root, dir, "haz.yml"))));
  return workspace;
}

interface Series {
  readonly name: string;
  readonly wallMs: number[];
  readonly cpuMs: number[];
  readonly rssKiB: number[];
}

function series(name: string): Series {
  return { name, wallMs: [], cpuMs: [], rssKiB: [] };
}

function record(row: Series, measured: Measurement): void {
  row.wallMs.push(measured.wallMs);
  row.cpuMs.push(measured.cpuMs ?? Number.NaN);
  row.rssKiB.push(measured.peakRssKiB ?? Number.NaN);
}

function finite(values: readonly number[]): number[] {
  return values.filter(Number.isFinite);
}

function row(entry: Series, reference: Series | null): string {
  const wall = finite(entry.wallMs);
  const cpu = finite(entry.cpuMs);
  const rss = finite(entry.rssKiB);
  const ratio = reference === null || reference === entry ? "–" : pairedRatio(reference.wallMs, entry.wallMs)
    .toFixed(2);
  const cpuRatio = reference === null || reference === entry
    ? "–"
    : pairedRatio(reference.cpuMs, entry.cpuMs).toFixed(2);
  return `| ${entry.name} | ${wall.length} | ${formatMs(median(wall))} | ${formatMs(Math.min(...wall))} – ${
    formatMs(Math.max(...wall))
  } | ${formatMs(median(cpu))} | ${
    rss.length === 0 ? "–" : `${(median(rss) / 1024).toFixed(1)} MiB`
  } | ${ratio} | ${cpuRatio} |`;
}

const TABLE_HEAD = [
  "| tool | runs | wall median | wall min – max | CPU median (user + sys) | peak RSS | haz / tool, wall (paired) | haz / tool, CPU (paired) |",
  "|---|---:|---:|---:|---:|---:|---:|---:|",
];

const baseEnv: Record<string, string> = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: process.env.HOME ?? scratch,
  ...(process.env.LANG === undefined ? {} : { LANG: process.env.LANG }),
};

try {
  const tools = await toolPath();
  const env = {
    ...baseEnv,
    PATH: tools.path,
    TURBO_TELEMETRY_DISABLED: "1",
    DO_NOT_TRACK: "1",
  };
  const hazVersion = (await run([haz, "--version"], scratch, env)).outputTail.trim();

  // 1. The import, on fresh copies of one generated repository.
  const pristine = join(scratch, "pristine");
  const workspace = await turboRepository(pristine, tools.packageManager);
  const imports = series("haz init --import --yes");
  for (let round = 0; round < reps; round++) {
    const copy = join(scratch, `import-${round}`);
    await cp(pristine, copy, { recursive: true });
    log(`import ${round + 1}/${reps}`);
    record(imports, succeeded("haz init --import", await run([haz, "init", "--import", "--yes"], copy, env)));
    await rm(copy, { recursive: true, force: true });
  }

  // 2. The fully cached run of the imported workspace against turbo's own, on one committed copy.
  const turbo = await installTurbo();
  const turboVersion = (await run([turbo, "--version"], scratch, env)).outputTail.trim();
  const root = join(scratch, "cached");
  await cp(pristine, root, { recursive: true });
  succeeded("haz init --import", await run([haz, "init", "--import", "--yes"], root, env));
  if (!await initGitRepository({ spawner, root, env, scratch })) throw new Error("git init failed");
  // The workspace snapshot trusts only files older than 2 s (PERF-001).
  await new Promise((done) => setTimeout(done, 2_100));
  const contenders = [
    { name: "haz", argv: [haz, "run", "build", "-j", String(jobs)] },
    { name: "turbo", argv: [turbo, "run", "build", `--concurrency=${jobs}`] },
  ];
  const fills: string[] = [];
  for (const tool of contenders) {
    log(`${tool.name}: filling its cache (unmeasured)`);
    const filled = succeeded(`${tool.name} (filling run)`, await run(tool.argv, root, env));
    fills.push(`${tool.name} ${formatMs(filled.wallMs)} wall, ${formatMs(filled.cpuMs ?? Number.NaN)} CPU`);
    succeeded(`${tool.name} (settling run)`, await run(tool.argv, root, env));
  }
  const tables: string[] = [];
  for (const outputs of ["present", "deleted"] as const) {
    const rows = contenders.map((tool) => series(tool.name));
    const loadAt = loadAverage();
    for (let round = 0; round < pairs; round++) {
      for (const index of round % 2 === 0 ? [0, 1] : [1, 0]) {
        log(`cached run, outputs ${outputs}: pair ${round + 1}/${pairs}, ${contenders[index].name}`);
        if (outputs === "deleted") await removeOutputs({ ...workspace, root });
        record(rows[index], succeeded(contenders[index].name, await run(contenders[index].argv, root, env)));
      }
    }
    tables.push(
      `### The imported workspace's fully cached run, ${count} tasks, outputs ${outputs}`,
      "",
      outputs === "present"
        ? "Every task is a cache hit and its outputs are in place."
        : "Every task is a cache hit; every `dist/` was deleted before the run, so each tool restores it.",
      `Load average (1, 5, 15 min) when the pairs started: ${loadAt}.`,
      "",
      ...TABLE_HEAD,
      ...rows.map((entry) => row(entry, rows[0])),
      "",
    );
  }

  const importMedian = median(finite(imports.wallMs));
  const section = [
    BEGIN,
    "",
    `## Adoption (08-adoption.md acceptance 4), \`bench/import_speed.ts\``,
    "",
    `Date: ${
      new Date().toISOString().slice(0, 16).replace("T", " ")
    } UTC. ${hazVersion} (\`dist/haz\`), turbo ` +
    `${turboVersion} (npm registry, \`${peersDir}\`). Synthetic turbo repository of ${count} packages ` +
    `(\`bench/synthetic_workspace.ts\`: npm workspaces, \`turbo.json\` with \`build\`: \`dependsOn: ["^build"]\`, ` +
    `\`inputs: ["src/x"]\`, \`outputs: ["dist/**"]\`), \`packageManager: ${tools.packageManager}\`, concurrency ` +
    `${jobs}. Load average before: ${loadBefore}; after: ${loadAverage()}. The machine is shared: compare ` +
    "the paired ratios (median of the per-round ratios) rather than absolute times.",
    "",
    `### \`haz init --import --yes\`, ${count} packages`,
    "",
    `${reps} imports of fresh copies (turbo's files only). Budget: under ${IMPORT_BUDGET_MS / 1000} s: ` +
    `${importMedian < IMPORT_BUDGET_MS ? "**pass**" : "**fail**"}.`,
    "",
    ...TABLE_HEAD,
    row(imports, null),
    "",
    `The cache-filling runs (unmeasured, each followed by one more unmeasured run): ${fills.join("; ")}.`,
    "",
    ...tables,
    END,
  ].join("\n");
  console.log(section);
  if (!(flags["no-write"] ?? false)) {
    await writeSection(outFile, section);
    log(`written to ${outFile}`);
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}

/** Replaces this file's section below the hand-written marker (appended when absent). */
async function writeSection(path: string, section: string): Promise<void> {
  let text = await readFile(path, "utf8").catch(() => "");
  if (!text.includes(KEEP_MARKER)) text = `${text.trimEnd()}\n\n${KEEP_MARKER}\n`;
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin >= 0 && end > begin) text = text.slice(0, begin) + section + text.slice(end + END.length);
  else text = `${text.trimEnd()}\n\n${section}\n`;
  await writeFile(path, text);
}
