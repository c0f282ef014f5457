/**
 * Starts the real haz CLI as a child process that a test can signal while it runs and whose output it
 * can watch line by line (cancellation end-to-end tests, 04-execution.md §7, 05-cli.md §4.3).
 *
 * @module
 */

import { type HazProcessOptions, type HazResult, hazResult, spawnHazProcess } from "./run_haz.ts";

/** Signals a test may send to haz. */
export type TestSignal = "SIGINT" | "SIGTERM" | "SIGHUP" | "SIGKILL";

/** What a finished haz child left, plus when it ended. */
export interface SpawnedHazResult extends HazResult {
  /** `performance.now()` when the child's exit was observed. */
  readonly exitedAt: number;
}

/** Options of {@link spawnHaz}: where, with which environment, and whether on a pseudo-terminal. */
export type SpawnHazOptions = Omit<HazProcessOptions, "stdin">;

/** A running haz child. */
export interface HazChild {
  readonly pid: number;
  /** `performance.now()` right after the spawn. */
  readonly startedAt: number;
  /** Sends `signal` to haz and returns `performance.now()` at that moment. */
  signal(signal: TestSignal): number;
  /**
   * Resolves with the first complete line of `stream` (without its `\n`) that matches `pattern`
   * (a substring or a regular expression), including lines seen before the call. Rejects when haz
   * exits or `timeoutMs` passes first.
   */
  waitForLine(stream: "stdout" | "stderr", pattern: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Complete lines seen so far. */
  lines(stream: "stdout" | "stderr"): readonly string[];
  /** Settles when the child has exited and both pipes are closed. */
  readonly exited: Promise<SpawnedHazResult>;
}

interface StreamWatch {
  readonly chunks: Buffer[];
  readonly lines: string[];
  partial: string;
  readonly waiters: Set<() => void>;
}

/**
 * Starts `haz <args>` (the command of `HAZ_E2E_CMD`, else the current runtime on `cli.ts`) with
 * stdin on the null device and both output streams piped.
 *
 * @example
 * ```ts
 * const haz = spawnHaz(["run", "p:long"], { cwd: fixture.root });
 * await haz.waitForLine("stdout", "[p:long] started");
 * const sentAt = haz.signal("SIGINT");
 * const result = await haz.exited;
 * result.code; // 130
 * result.exitedAt - sentAt; // well below the grace period plus one second
 * ```
 */
export function spawnHaz(args: readonly string[], options: SpawnHazOptions = {}): HazChild {
  const child = spawnHazProcess(args, options);
  const startedAt = performance.now();
  const watches = { stdout: newWatch(), stderr: newWatch() };
  let ended = false;
  const notifyAll = () => {
    for (const watch of Object.values(watches)) for (const waiter of [...watch.waiters]) waiter();
  };
  const follow = (name: "stdout" | "stderr") => (chunk: Buffer) => {
    const watch = watches[name];
    watch.chunks.push(chunk);
    const parts = (watch.partial + chunk.toString("utf8")).split("\n");
    watch.partial = parts.pop()!;
    watch.lines.push(...parts);
    if (parts.length > 0) { for (const waiter of [...watch.waiters]) waiter(); }
  };
  child.stdout!.on("data", follow("stdout"));
  child.stderr!.on("data", follow("stderr"));
  let exitedAt = 0;
  child.on("exit", () => {
    exitedAt = performance.now();
  });
  const exited = new Promise<SpawnedHazResult>((resolve, reject) => {
    child.on("error", (error) => {
      ended = true;
      notifyAll();
      reject(error);
    });
    child.on("close", (code, signal) => {
      ended = true;
      if (exitedAt === 0) exitedAt = performance.now();
      notifyAll();
      resolve({ ...hazResult(code, signal, watches.stdout.chunks, watches.stderr.chunks), exitedAt });
    });
  });
  // A test that fails before awaiting `exited` must not also leave an unhandled rejection behind.
  exited.catch(() => {});
  return {
    pid: child.pid!,
    startedAt,
    signal(signal) {
      const at = performance.now();
      // Not `child.kill`: Deno's node:child_process then reports the signal it sent as the exit
      // status, even when the child handled it and exited with a code.
      process.kill(child.pid!, signal);
      return at;
    },
    lines: (stream) => [...watches[stream].lines],
    waitForLine(stream, pattern, timeoutMs = 20_000) {
      const watch = watches[stream];
      const matches = (line: string) =>
        typeof pattern === "string" ? line.includes(pattern) : pattern.test(line);
      return new Promise<string>((resolve, reject) => {
        let checked = 0;
        const timer = setTimeout(
          () => finish(new Error(`no ${stream} line matching ${pattern} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        const check = () => {
          for (; checked < watch.lines.length; checked++) {
            if (matches(watch.lines[checked])) return finish(null, watch.lines[checked]);
          }
          if (ended) finish(new Error(`haz exited without a ${stream} line matching ${pattern}`));
        };
        const finish = (error: Error | null, line?: string) => {
          clearTimeout(timer);
          watch.waiters.delete(check);
          if (error === null) resolve(line!);
          else reject(error);
        };
        watch.waiters.add(check);
        check();
      });
    },
    exited,
  };
}

function newWatch(): StreamWatch {
  return { chunks: [], lines: [], partial: "", waiters: new Set() };
}
