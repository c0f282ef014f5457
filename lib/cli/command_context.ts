/**
 * What `cli.ts` hands to every command module of `lib/cli/`: the terminal, the environment and
 * the runtime adapters. Commands return their exit code; only `cli.ts` exits.
 *
 * @module
 */

import type { Sink } from "../exec/output/sink.ts";
import type { HostSignals, ProcessSpawner } from "../exec/process.ts";

/** Identity of the running haz, for `--version` and reports. */
export interface RuntimeInfo {
  readonly hazVersion: string;
  readonly runtime: "bun" | "deno" | "node";
  readonly runtimeVersion: string;
  readonly os: string;
  readonly arch: string;
}

/** Everything a command may touch. */
export interface CommandContext {
  /** Real path of the start directory (after `-C`). */
  readonly startDir: string;
  /** Host environment snapshot, taken once (CACHE-028). */
  readonly env: Readonly<Record<string, string>>;
  readonly stdout: Sink;
  readonly stderr: Sink;
  /** Colour decision (CLI-010), made once. */
  readonly color: boolean;
  readonly stdoutIsTerminal: boolean;
  readonly stdinIsTerminal: boolean;
  /** Terminal width, 80 when unknown. */
  readonly columns: () => number;
  readonly spawner: ProcessSpawner;
  readonly signals: HostSignals;
  readonly runtime: RuntimeInfo;
  /** The arguments after the program name, as given. */
  readonly argv: readonly string[];
  /** Run clock origin: `performance.now()` value at process start, in ms. */
  readonly startedAt: number;
  /** Wall-clock time of process start (ms since the epoch), for reports. */
  readonly startedAtUnixMs: number;
  /** Flushes what can be flushed and ends the process now (a signal before or after the work, CLI-030). */
  readonly exitNow: (code: number) => never;
}
