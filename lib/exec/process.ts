/**
 * The process port (04-execution.md §1): what the core needs from a runtime to run a task.
 * Implemented by the adapters in `lib/runtime/` and by the fake spawner of the tests.
 *
 * @module
 */

/** Signals haz sends to a task's group. */
export type Signal = "SIGINT" | "SIGTERM" | "SIGKILL";

/** How a leader ended. Exactly one of `code` / `signal` is non-null. */
export interface ExitStatus {
  /** Exit code of a normal exit; null when a signal ended the leader. */
  readonly code: number | null;
  /** POSIX name of the signal that ended the leader (`SIGSEGV`, `SIGKILL`, …); null on a normal exit. */
  readonly signal: string | null;
}

/** Everything needed to start one task process. */
export interface SpawnPlan {
  /** argv[0] as written, or the shell name (PROC-003). */
  readonly program: string;
  /** The arguments after the program: argv[1..]. */
  readonly args: readonly string[];
  /** The complete child environment; nothing is inherited. */
  readonly env: Readonly<Record<string, string>>;
  /** Absolute host path of the working directory. */
  readonly cwd: string;
  /**
   * `"null"` (absent): the null device (PROC-002). `"held"`: a pipe haz keeps open and never writes to,
   * closed by `closeStdin()` (SVC-026, SVC-101).
   */
  readonly stdin?: "null" | "held";
}

/** A started process; `pid` is also its process group id (PROC-001). */
export interface SpawnedProcess {
  /** Process id of the leader, which is also its process group id (PROC-001). */
  readonly pid: number;
  /** The process's stdout pipe, separate from stderr (PROC-002). */
  readonly stdout: ReadableStream<Uint8Array>;
  /** The process's stderr pipe, separate from stdout (PROC-002). */
  readonly stderr: ReadableStream<Uint8Array>;
  /** Resolves when the leader exits. */
  readonly exited: Promise<ExitStatus>;
  /** Closes a held stdin (SVC-027); a no-op for the null device; idempotent. */
  closeStdin(): void;
}

/** Why a spawn failed. */
export type SpawnErrorReason = "not-found" | "permission-denied" | "bad-cwd" | "other";

/**
 * A process could not be started. Thrown synchronously by {@link ProcessSpawner.spawn}.
 *
 * @example
 * ```ts
 * const e = new SpawnError("not-found", "tsc", "program not found: tsc");
 * e.reason; // "not-found"
 * ```
 */
export class SpawnError extends Error {
  /** Why the process could not be started. */
  readonly reason: SpawnErrorReason;
  /** The program as in {@link SpawnPlan.program}. */
  readonly program: string;
  /** Creates the error; `message` is its one-line text, e.g. `program not found: tsc` (PROC-003). */
  constructor(reason: SpawnErrorReason, program: string, message: string) {
    super(message);
    this.name = "SpawnError";
    this.reason = reason;
    this.program = program;
  }
}

/**
 * The task error of a spawn that threw: its {@link SpawnError} reason, or `other` for anything else.
 *
 * @example
 * ```ts
 * spawnFailure(new SpawnError("not-found", "vite", "program not found: vite"), "vite");
 * // { kind: "spawn", reason: "not-found", program: "vite", message: "program not found: vite" }
 * ```
 */
export function spawnFailure(
  error: unknown,
  program: string,
): {
  readonly kind: "spawn";
  readonly reason: SpawnErrorReason;
  readonly program: string;
  readonly message: string;
} {
  if (error instanceof SpawnError) {
    return { kind: "spawn", reason: error.reason, program: error.program, message: error.message };
  }
  return {
    kind: "spawn",
    reason: "other",
    program,
    message: error instanceof Error ? error.message : String(error),
  };
}

/** Starts task processes and signals their groups. */
export interface ProcessSpawner {
  /** Starts the process or throws {@link SpawnError} synchronously. */
  spawn(plan: SpawnPlan): SpawnedProcess;
  /** Sends `sig` to every member of group `pgid`; false when the group is gone (ESRCH). Other failures throw. */
  signalGroup(pgid: number, sig: Signal): boolean;
}

/** Host signals the CLI reacts to. */
export type HostSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

/** Host signal subscription, used by the CLI only. */
export interface HostSignals {
  /** Subscribes; returns the unsubscribe function. */
  on(sig: HostSignal, handler: () => void): () => void;
}

/** Signal numbers for exit codes (128 + n). */
export const SIGNAL_NUMBERS: Readonly<Record<HostSignal | Signal, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGKILL: 9,
  SIGTERM: 15,
};
