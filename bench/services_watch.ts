/**
 * `deno run -A bench/services_watch.ts [--quick] [--binary dist/haz]`: the budgets of
 * 09-services-and-watch.md §13 on the compiled binary — `haz watch` start-up with 10 000 watched
 * directories, one saved file to its cycle header, idle CPU, the extra RSS of 10 000 watched
 * directories against 10, and a service's ready line to its consumer's spawn. Prints a Markdown table
 * (paste it into docs/benchmarks.md). `--quick` uses fewer rounds and a 15 s idle window.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { summarize } from "./statistics.ts";

const REPO = dirname(dirname(new URL(import.meta.url).pathname));
const { values: flags } = parseArgs({
  args: process.argv.slice(2),
  options: { quick: { type: "boolean", default: false }, binary: { type: "string" } },
});
const quick = flags.quick ?? false;
const binary = flags.binary ?? join(REPO, "dist", "haz");
const startRounds = quick ? 3 : 5;
const reactionRounds = 20;
const readyRounds = quick ? 10 : 20;
const idleSeconds = quick ? 15 : 60;
const TICKS_PER_SECOND = 100;

function log(line: string): void {
  console.error(`bench: ${line}`);
}

/** A workspace whose task `p:build` watches `src/**` with `dirs` directories below `src`. */
async function watchWorkspace(root: string, dirs: number): Promise<void> {
  await mkdir(join(root, ".haz"), { recursive: true });
  await writeFile(join(root, ".haz", "workspace.yml"), "projects: [p]\n");
  await mkdir(join(root, "p", "src"), { recursive: true });
  await writeFile(
    join(root, "p", "haz.yml"),
    'tasks:\n  build:\n    command: [true]\n    inputs: ["src/**"]\n',
  );
  const width = Math.ceil(Math.sqrt(dirs));
  let made = 0;
  for (let outer = 0; outer < width && made < dirs; outer++) {
    made += 1;
    for (let inner = 0; inner < width - 1 && made < dirs; inner++, made++) {
      await mkdir(join(root, "p", "src", `d${outer}`, `e${inner}`), { recursive: true });
    }
    await mkdir(join(root, "p", "src", `d${outer}`), { recursive: true });
  }
  await writeFile(join(root, "p", "src", "a.txt"), "a\n");
}

/** A running `haz watch` with its lines. */
interface Watching {
  readonly child: ChildProcess;
  readonly lines: { stdout: string[]; stderr: string[] };
  /** Resolves (with `performance.now()`) once a line from index `from` on matches. */
  waitFor(stream: "stdout" | "stderr", pattern: RegExp, from?: number): Promise<number>;
  stop(): Promise<void>;
}

function startHaz(args: string[], cwd: string): Watching {
  const child = spawn(binary, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  const lines = { stdout: [] as string[], stderr: [] as string[] };
  const waiters = new Set<() => void>();
  for (const stream of ["stdout", "stderr"] as const) {
    let partial = "";
    child[stream]!.on("data", (chunk: Buffer) => {
      const parts = (partial + chunk.toString("utf8")).split("\n");
      partial = parts.pop()!;
      lines[stream].push(...parts);
      for (const waiter of [...waiters]) waiter();
    });
  }
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  return {
    child,
    lines,
    waitFor(stream, pattern, from = 0) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${pattern} on ${stream}`)), 30_000);
        const check = () => {
          if (!lines[stream].slice(from).some((line) => pattern.test(line))) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(performance.now());
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      child.kill("SIGINT");
      await exited;
    },
  };
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run ./compile.sh first`);
  const scratch = await realpath(await mkdtemp(join(tmpdir(), "haz-bench-watch-")));
  const rows: [string, string, string][] = [];
  try {
    const big = join(scratch, "big");
    const small = join(scratch, "small");
    log("generating 10 000 directories");
    await watchWorkspace(big, 10_000);
    await watchWorkspace(small, 10);

    const starts: number[] = [];
    let bigRss = NaN;
    for (let round = 0; round < startRounds; round++) {
      const began = performance.now();
      const haz = startHaz(["watch", "p:build"], big);
      const at = await haz.waitFor("stderr", /^haz watch: watching \d+ directories/);
      starts.push(at - began);
      await haz.waitFor("stderr", /waiting for changes/);
      if (round === 0) log(haz.lines.stderr[0]);
      bigRss = rssKiB(haz.child.pid!);
      await haz.stop();
    }
    const start = summarize(starts);
    rows.push([
      "`haz watch` start to the notice, 10 000 directories",
      `${start.median.toFixed(0)} ms (${start.min.toFixed(0)}–${start.max.toFixed(0)})`,
      "≤ 2000 ms",
    ]);

    const smallHaz = startHaz(["watch", "p:build"], small);
    await smallHaz.waitFor("stderr", /waiting for changes/);
    const smallRss = rssKiB(smallHaz.child.pid!);
    const reactions: number[] = [];
    for (let round = 0; round < reactionRounds; round++) {
      await sleep(300);
      const waited = smallHaz.lines.stderr.length;
      const wrote = performance.now();
      await writeFile(join(small, "p", "src", "a.txt"), `round ${round}\n`);
      const at = await smallHaz.waitFor("stdout", new RegExp(`^── cycle ${round + 2}: `));
      reactions.push(at - wrote);
      await smallHaz.waitFor("stderr", /waiting for changes/, waited);
    }
    const reaction = summarize(reactions);
    rows.push([
      "one saved file to its cycle header (debounce 200 ms), median of 20",
      `${reaction.median.toFixed(0)} ms (${reaction.min.toFixed(0)}–${reaction.max.toFixed(0)})`,
      "≤ 500 ms",
    ]);
    await smallHaz.stop();

    const idle = startHaz(["watch", "p:build"], big);
    await idle.waitFor("stderr", /waiting for changes/);
    const before = cpuTicks(idle.child.pid!);
    await sleep(idleSeconds * 1000);
    const used = (cpuTicks(idle.child.pid!) - before) / TICKS_PER_SECOND;
    await idle.stop();
    rows.push([
      `idle watch loop CPU over ${idleSeconds} s (10 000 directories)`,
      `${(used / idleSeconds * 100).toFixed(2)} %`,
      "< 1 %",
    ]);
    rows.push([
      "extra RSS, 10 000 watched directories vs 10",
      `${((bigRss - smallRss) / 1024).toFixed(1)} MB (${(bigRss / 1024).toFixed(0)} vs ${
        (smallRss / 1024).toFixed(0)
      } MB)`,
      "≤ 64 MB",
    ]);

    const service = join(scratch, "service");
    await mkdir(join(service, ".haz"), { recursive: true });
    await mkdir(join(service, "s"), { recursive: true });
    await writeFile(join(service, ".haz", "workspace.yml"), "projects: [s]\n");
    await writeFile(
      join(service, "s", "haz.yml"),
      [
        "tasks:",
        "  api:",
        '    shell: "sleep 0.3; date +%s%N > line.ns; echo ready; sleep 30"',
        "    service: {ready: {line: ready}}",
        "  e2e:",
        '    shell: "date +%s%N > spawn.ns"',
        '    deps: ["~:api"]',
        "",
      ].join("\n"),
    );
    const latencies: number[] = [];
    for (let round = 0; round < readyRounds; round++) {
      const haz = startHaz(["run", "s:e2e"], service);
      await new Promise((resolve) => haz.child.on("close", resolve));
      const line = BigInt(readFileSync(join(service, "s", "line.ns"), "utf8").trim());
      const spawned = BigInt(readFileSync(join(service, "s", "spawn.ns"), "utf8").trim());
      latencies.push(Number(spawned - line) / 1e6);
    }
    const ready = summarize(latencies);
    rows.push([
      "`haz run`: a service's ready line to its consumer's spawn, median",
      `${ready.median.toFixed(1)} ms (${ready.min.toFixed(1)}–${ready.max.toFixed(1)})`,
      "≤ 100 ms",
    ]);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  console.log("| figure | measured | budget |\n|---|---|---|");
  for (const [figure, measured, budget] of rows) console.log(`| ${figure} | ${measured} | ${budget} |`);
}

await main();
