/**
 * The Bun adapter of the process port, over `Bun.spawn` (04-execution.md §1.3).
 *
 * @module
 */

import { type ExitStatus, type ProcessSpawner, SpawnError, type SpawnPlan } from "../exec/process.ts";
import { resolveProgram } from "./resolve_program.ts";
import { signalProcessGroup } from "./signal_group.ts";

/** The part of Bun's API this adapter uses. */
interface BunSubprocess {
  readonly pid: number;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  readonly exited: Promise<number>;
  readonly signalCode: string | null;
  /** A `FileSink` when stdin is `"pipe"`. */
  readonly stdin: { end(): unknown } | number | null | undefined;
}
interface BunSpawnApi {
  spawn(argv: string[], options: {
    cwd: string;
    env: Record<string, string>;
    stdin: "ignore" | "pipe";
    stdout: "pipe";
    stderr: "pipe";
    detached: boolean;
  }): BunSubprocess;
}

/**
 * Spawns detached children with exactly the plan's environment (Bun's `env` replaces, never merges).
 *
 * @example
 * ```ts
 * const child = bunSpawner.spawn({ program: "true", args: [], env: { PATH: "/usr/bin:/bin" }, cwd: "/" });
 * await child.exited; // { code: 0, signal: null }
 * ```
 */
export const bunSpawner: ProcessSpawner = {
  spawn(plan: SpawnPlan) {
    const program = resolveProgram(plan);
    const bun = (globalThis as unknown as { Bun: BunSpawnApi }).Bun;
    let child: BunSubprocess;
    try {
      child = bun.spawn([program, ...plan.args], {
        cwd: plan.cwd,
        env: { ...plan.env },
        stdin: plan.stdin === "held" ? "pipe" : "ignore",
        stdout: "pipe",
        stderr: "pipe",
        detached: true,
      });
    } catch (error) {
      throw spawnErrorOf(error, plan.program);
    }
    const exited: Promise<ExitStatus> = child.exited.then((code) =>
      child.signalCode ? { code: null, signal: child.signalCode } : { code, signal: null }
    );
    let stdinOpen = plan.stdin === "held";
    const closeStdin = () => {
      if (!stdinOpen) return;
      stdinOpen = false;
      const sink = child.stdin;
      if (sink !== null && typeof sink === "object") {
        try {
          sink.end();
        } catch {
          // The child already closed its end: nothing is left to close.
        }
      }
    };
    return { pid: child.pid, stdout: child.stdout, stderr: child.stderr, exited, closeStdin };
  },
  signalGroup: signalProcessGroup,
};

function spawnErrorOf(error: unknown, program: string): SpawnError {
  const code = (error as { code?: string }).code;
  if (code === "ENOENT") return new SpawnError("not-found", program, `program not found: ${program}`);
  if (code === "EACCES") return new SpawnError("permission-denied", program, `permission denied: ${program}`);
  const message = error instanceof Error ? error.message : String(error);
  return new SpawnError("other", program, `cannot start ${program}: ${message}`);
}
