/**
 * Runs one command and measures it: wall time from spawn to the leader's exit, and the peak resident
 * set size. The command runs through haz's own process port (detached, its own process group, exactly
 * the given environment), so the harness adds the same small overhead to every tool.
 *
 * Peak RSS comes from GNU time (`/usr/bin/time -f %M`): the largest peak RSS of the measured process
 * and of the descendants it waited for (getrusage), not the sum over the tree. Without GNU time the
 * harness samples `VmHWM` of the leader in `/proc` every 10 ms instead.
 *
 * @module
 */

import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import type { ProcessSpawner } from "../lib/exec/process.ts";

/** Where GNU time lives on Debian (package `time`). */
export const GNU_TIME = "/usr/bin/time";

/** One measured run. */
export interface Measurement {
  readonly wallMs: number;
  /** Peak RSS in KiB, or null when it could not be read. */
  readonly peakRssKiB: number | null;
  /** User + system CPU time of the process and the children it waited for (GNU time), or null. */
  readonly cpuMs: number | null;
  readonly exitCode: number | null;
  /** The last bytes of stdout and stderr, for failure reports. */
  readonly outputTail: string;
}

/** What to run. */
export interface CommandRequest {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Measure peak RSS (wraps the command in GNU time when present). */
  readonly rss: boolean;
  /** A scratch directory for the RSS report file. */
  readonly scratch: string;
  /** The process group is killed after this long (default 20 minutes); the run counts as failed. */
  readonly timeoutMs?: number;
}

const TAIL_BYTES = 4096;

/** How long the pipes may stay open after the leader exited (a daemon may have inherited them). */
const DRAIN_GRACE_MS = 200;

let reportCounter = 0;

/**
 * Spawns the command, waits for its exit and returns the measurement.
 *
 * @example
 * ```ts
 * const m = await measureCommand(spawner, { argv: ["dist/haz", "--version"], cwd: ".", env, rss: false, scratch });
 * m.wallMs; // e.g. 9.8
 * ```
 */
export async function measureCommand(spawner: ProcessSpawner, request: CommandRequest): Promise<Measurement> {
  const useTime = request.rss && existsSync(GNU_TIME);
  const report = join(request.scratch, `rss-${process.pid}-${++reportCounter}.txt`);
  const argv = useTime ? [GNU_TIME, "-f", "%U %S %M", "-o", report, ...request.argv] : [...request.argv];
  const started = performance.now();
  const child = spawner.spawn({ program: argv[0], args: argv.slice(1), env: request.env, cwd: request.cwd });
  const tail = new OutputTail();
  const readers = [drain(child.stdout, tail), drain(child.stderr, tail)];
  let peakFromProc: number | null = null;
  let exited = false;
  const sampler = request.rss && !useTime
    ? (async () => {
      while (!exited) {
        peakFromProc = Math.max(peakFromProc ?? 0, await vmHighWaterMark(child.pid) ?? 0);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })()
    : Promise.resolve();
  const timer = setTimeout(() => {
    try {
      spawner.signalGroup(child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }, request.timeoutMs ?? 20 * 60 * 1000);
  const status = await child.exited.finally(() => clearTimeout(timer));
  const wallMs = performance.now() - started;
  exited = true;
  await Promise.race([Promise.all(readers), new Promise((resolve) => setTimeout(resolve, DRAIN_GRACE_MS))]);
  await Promise.all([child.stdout.cancel().catch(() => {}), child.stderr.cancel().catch(() => {}), sampler]);
  let peakRssKiB: number | null = peakFromProc;
  let cpuMs: number | null = null;
  if (useTime) {
    ({ peakRssKiB, cpuMs } = await readTimeReport(report));
    await rm(report, { force: true });
  }
  return { wallMs, peakRssKiB, cpuMs, exitCode: status.code, outputTail: tail.text() };
}

/** Keeps the last bytes written to either stream. */
class OutputTail {
  #chunks: Uint8Array[] = [];
  #bytes = 0;

  add(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    while (this.#chunks.length > 1 && this.#bytes - this.#chunks[0].length >= TAIL_BYTES) {
      this.#bytes -= this.#chunks.shift()!.length;
    }
  }

  text(): string {
    const all = new Uint8Array(this.#bytes);
    let offset = 0;
    for (const chunk of this.#chunks) {
      all.set(chunk, offset);
      offset += chunk.length;
    }
    return new TextDecoder().decode(all.subarray(Math.max(0, all.length - TAIL_BYTES)));
  }
}

async function drain(stream: ReadableStream<Uint8Array>, tail: OutputTail): Promise<void> {
  try {
    for await (const chunk of stream) tail.add(chunk);
  } catch {
    // Cancelled after the grace period: what was read is enough.
  }
}

/**
 * GNU time writes `%U %S %M` (seconds, seconds, KiB) on the last line; a killed child adds a line
 * before it.
 */
async function readTimeReport(path: string): Promise<{ peakRssKiB: number | null; cpuMs: number | null }> {
  try {
    const lines = (await readFile(path, "utf8")).trim().split("\n");
    const [user, system, rss] = lines[lines.length - 1].trim().split(/\s+/).map(Number);
    return {
      peakRssKiB: Number.isFinite(rss) ? rss : null,
      cpuMs: Number.isFinite(user) && Number.isFinite(system) ? (user + system) * 1000 : null,
    };
  } catch {
    return { peakRssKiB: null, cpuMs: null };
  }
}

async function vmHighWaterMark(pid: number): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    return match === null ? null : Number(match[1]);
  } catch {
    return null;
  }
}
