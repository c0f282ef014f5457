/**
 * Runs the CLI in-process with memory sinks and the real runtime adapter: cheaper than a child
 * process for tests of argument handling and reports.
 *
 * @module
 */

import { runCli } from "../../lib/cli/main.ts";
import { detectRuntime, runtimeVersion } from "../../lib/runtime/detect_runtime.ts";
import { spawnerFor } from "../../lib/runtime/spawner_for.ts";
import { HAZ_VERSION } from "../../lib/version.ts";
import { MemorySink } from "./memory_sink.ts";

/** The result of an in-process run. */
export interface InProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Thrown by the harness's `exitNow` to end the command at once. */
class ExitNow extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/**
 * Runs `argv` as the CLI would, from `cwd`, with `env` as the host environment.
 *
 * @example
 * ```ts
 * const result = await runCliInProcess(["check"], { cwd: fixture.root });
 * result.stdout; // "3 tasks validated.\n"
 * ```
 */
export async function runCliInProcess(
  argv: readonly string[],
  options: { cwd: string; env?: Record<string, string>; platform?: string },
): Promise<InProcessResult> {
  const stdout = new MemorySink();
  const stderr = new MemorySink();
  const runtime = detectRuntime();
  let code: number;
  try {
    code = await runCli({
      argv,
      cwd: options.cwd,
      env: options.env ?? { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      stdout,
      stderr,
      stdoutIsTerminal: false,
      stdinIsTerminal: false,
      columns: () => 80,
      spawner: spawnerFor(runtime),
      signals: { on: () => () => {} },
      runtime: {
        hazVersion: HAZ_VERSION,
        runtime,
        runtimeVersion: runtimeVersion(runtime),
        os: options.platform ?? process.platform,
        arch: process.arch,
      },
      startedAt: performance.now(),
      startedAtUnixMs: Date.now(),
      exitNow(exitCode: number): never {
        throw new ExitNow(exitCode);
      },
    });
  } catch (error) {
    if (!(error instanceof ExitNow)) throw error;
    code = error.code;
  }
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
