/**
 * The Deno adapter of the process port, over `Deno.Command` (04-execution.md §1.3).
 *
 * @module
 */

import { type ExitStatus, type ProcessSpawner, SpawnError, type SpawnPlan } from "../exec/process.ts";
import { resolveProgram } from "./resolve_program.ts";
import { signalProcessGroup } from "./signal_group.ts";

/**
 * Spawns detached children with exactly the plan's environment.
 *
 * @example
 * ```ts
 * const child = denoSpawner.spawn({ program: "true", args: [], env: { PATH: "/usr/bin:/bin" }, cwd: "/" });
 * await child.exited; // { code: 0, signal: null }
 * ```
 */
export const denoSpawner: ProcessSpawner = {
  spawn(plan: SpawnPlan) {
    const program = resolveProgram(plan);
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(program, {
        args: [...plan.args],
        cwd: plan.cwd,
        env: { ...plan.env },
        clearEnv: true,
        stdin: plan.stdin === "held" ? "piped" : "null",
        stdout: "piped",
        stderr: "piped",
        detached: true,
      }).spawn();
    } catch (error) {
      throw spawnErrorOf(error, plan.program);
    }
    const exited: Promise<ExitStatus> = child.status.then((status) =>
      status.signal !== null
        ? { code: null, signal: String(status.signal) }
        : { code: status.code, signal: null }
    );
    // The writer is kept open and never written to (SVC-026).
    const writer = plan.stdin === "held" ? child.stdin.getWriter() : null;
    let stdinOpen = writer !== null;
    const closeStdin = () => {
      if (!stdinOpen || writer === null) return;
      stdinOpen = false;
      writer.close().catch(() => {});
    };
    return { pid: child.pid, stdout: child.stdout, stderr: child.stderr, exited, closeStdin };
  },
  signalGroup: signalProcessGroup,
};

function spawnErrorOf(error: unknown, program: string): SpawnError {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Deno.errors.NotFound) {
    return new SpawnError("not-found", program, `program not found: ${program}`);
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new SpawnError("permission-denied", program, `permission denied: ${program}`);
  }
  return new SpawnError("other", program, `cannot start ${program}: ${message}`);
}
