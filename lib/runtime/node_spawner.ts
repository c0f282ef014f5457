/**
 * The Node adapter of the process port, over `node:child_process` — used only by the `dist/haz.mjs`
 * bundle on Node (04-execution.md §1.3), never under Deno.
 *
 * @module
 */

import { type ExitStatus, type ProcessSpawner, SpawnError, type SpawnPlan } from "../exec/process.ts";
import { resolveProgram } from "./resolve_program.ts";
import { signalProcessGroup } from "./signal_group.ts";
import { nodeChildProcess, nodeStream } from "../util/builtin_modules.ts";

/**
 * Spawns detached children with exactly the plan's environment.
 *
 * @example
 * ```ts
 * const child = nodeSpawner.spawn({ program: "true", args: [], env: { PATH: "/usr/bin:/bin" }, cwd: "/" });
 * await child.exited; // { code: 0, signal: null }
 * ```
 */
export const nodeSpawner: ProcessSpawner = {
  spawn(plan: SpawnPlan) {
    const program = resolveProgram(plan);
    const child = nodeChildProcess().spawn(program, [...plan.args], {
      cwd: plan.cwd,
      env: { ...plan.env },
      detached: true,
      stdio: [plan.stdin === "held" ? "pipe" : "ignore", "pipe", "pipe"],
    });
    if (child.pid === undefined) {
      throw new SpawnError("other", plan.program, `cannot start ${plan.program}`);
    }
    const exited = new Promise<ExitStatus>((resolve, reject) => {
      child.once("error", reject);
      child.once(
        "exit",
        (code, signal) => resolve(signal ? { code: null, signal } : { code: code ?? 0, signal: null }),
      );
    });
    // A child that exits closes its end: the write side's EPIPE is expected, not an error.
    child.stdin?.on("error", () => {});
    const closeStdin = () => {
      if (child.stdin !== null && !child.stdin.destroyed) child.stdin.end();
    };
    const { Readable } = nodeStream();
    return {
      pid: child.pid,
      stdout: Readable.toWeb(child.stdout!) as ReadableStream<Uint8Array>,
      stderr: Readable.toWeb(child.stderr!) as ReadableStream<Uint8Array>,
      exited,
      closeStdin,
    };
  },
  signalGroup: signalProcessGroup,
};
