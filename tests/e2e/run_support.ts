/**
 * Helpers shared by the `haz run` end-to-end tests: masking varying durations, marker logs that
 * record when tasks start and end, spawn counting, and waiting for marker files and processes.
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

/**
 * Options for every `haz run` end-to-end test: Bun's default of 5 s per test is too short for a few
 * haz invocations, and the compiled and bundled variants run slower than the source.
 *
 * @example
 * ```ts
 * test("EXEC-010 …", SLOW, async () => {});
 * ```
 */
export const SLOW = { timeout: 60_000 } as const;

/** A duration in the grammar of 04-execution.md §9.5 (`0ms`, `7s 5ms`, `1m 23s`, `1h 2m`). */
export const DURATION = String.raw`\d+(?:ms|s(?: \d+ms)?|m(?: \d+s)?|h(?: \d+m)?)`;

const statusDuration = new RegExp(String.raw` \(${DURATION}\)`, "g");
const timeLine = new RegExp(String.raw`^ Time: ${DURATION}$`, "gm");

/**
 * Replaces the durations of status lines with `(T)` and the epilogue's time with `T`.
 *
 * @example
 * ```ts
 * maskDurations("✓ done p:a (12ms)\n Time: 1s 3ms\n"); // "✓ done p:a (T)\n Time: T\n"
 * ```
 */
export function maskDurations(text: string): string {
  return text.replace(statusDuration, " (T)").replace(timeLine, " Time: T");
}

/**
 * Runs the calls one after another and resolves with their results in order: haz processes running
 * the same tasks of one workspace wait for each other (04-execution.md XPROC-002), so runs whose
 * output a test compares must not overlap.
 *
 * @example
 * ```ts
 * const [plain, colored] = await oneAfterAnother([() => runHaz(["run"]), () => runHaz(["run", "--color", "always"])]);
 * ```
 */
export async function oneAfterAnother<T>(calls: readonly (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  for (const call of calls) results.push(await call());
  return results;
}

/** Options of {@link markerScript}. */
export interface MarkerOptions {
  /** Seconds between the start and the end line. */
  readonly seconds: number;
  /**
   * Tasks whose start line this one waits for (at most 5 s) before sleeping: when haz may run them
   * together they then overlap however loaded the machine is; when it may not, the wait runs out.
   */
  readonly partners?: readonly string[];
}

/**
 * A shell script that appends `s <id>` to the file named by `$LOG`, waits for its partners, sleeps,
 * then appends `e <id>`. Tasks using it list `LOG` in `env.from_host`.
 *
 * @example
 * ```ts
 * `shell: ${JSON.stringify(markerScript("p:a", { seconds: 0.3, partners: ["q:b"] }))}`;
 * ```
 */
export function markerScript(id: string, options: MarkerOptions): string {
  const waits = (options.partners ?? []).map((partner) =>
    `i=0; until grep -qx 's ${partner}' "$LOG" || [ $i -ge 100 ]; do sleep 0.05; i=$((i+1)); done; `
  ).join("");
  return `echo "s ${id}" >> "$LOG"; ${waits}sleep ${options.seconds}; echo "e ${id}" >> "$LOG"`;
}

/** Start and end positions of one task in a marker log. */
export interface Interval {
  readonly start: number;
  readonly end: number;
}

/**
 * Reads a marker log (see {@link markerScript}) into the start/end line index of every task.
 *
 * @example
 * ```ts
 * const spans = readIntervals("/tmp/log"); // Map { "p:a" => { start: 0, end: 1 } }
 * ```
 */
export function readIntervals(logPath: string): Map<string, Interval> {
  const spans = new Map<string, { start: number; end: number }>();
  readLines(logPath).forEach((line, index) => {
    const [kind, id] = line.split(" ");
    const span = spans.get(id) ?? { start: -1, end: -1 };
    if (kind === "s") span.start = index;
    else span.end = index;
    spans.set(id, span);
  });
  return spans;
}

/**
 * Whether two marker intervals overlap: each started before the other ended.
 *
 * @example
 * ```ts
 * overlaps({ start: 0, end: 2 }, { start: 1, end: 3 }); // true
 * ```
 */
export function overlaps(first: Interval, second: Interval): boolean {
  return first.start < second.end && second.start < first.end;
}

/**
 * The lines of a text file (no trailing empty line); `[]` when the file does not exist.
 *
 * @example
 * ```ts
 * readLines("/tmp/spawns.log"); // ["hello", "hello"]
 * ```
 */
export function readLines(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8").split("\n").filter((line) => line !== "");
}

/**
 * How many lines of a log equal `name` (tasks append their name to count their spawns).
 *
 * @example
 * ```ts
 * countSpawns("/tmp/spawns.log", "hello"); // 2
 * ```
 */
export function countSpawns(logPath: string, name: string): number {
  return readLines(logPath).filter((line) => line === name).length;
}

/**
 * Polls until `path` exists (tasks touch marker files to say they started); fails after `timeoutMs`.
 *
 * @example
 * ```ts
 * await waitForFile(fixture.path("started"));
 * ```
 */
export async function waitForFile(path: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${path}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Whether a process is alive; a zombie (state `Z`) counts as dead. Uses `/proc` on Linux and
 * `ps` elsewhere.
 *
 * @example
 * ```ts
 * isAlive(12345); // false once the process was killed and reaped
 * ```
 */
export function isAlive(pid: number): boolean {
  if (existsSync("/proc/self/stat")) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      return false;
    }
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  }
  const ps = spawnSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" });
  const state = ps.status === 0 ? ps.stdout.trim() : "";
  return state !== "" && !state.startsWith("Z");
}

/**
 * Whether `pid` is still alive after waiting up to `timeoutMs` for it to die: a process killed with
 * SIGKILL dies only once the kernel schedules it, which on a loaded machine can be after haz exits.
 *
 * @example
 * ```ts
 * assert.equal(await aliveAfter(12345, 2000), false);
 * ```
 */
export async function aliveAfter(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}
