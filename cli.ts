/**
 * The haz executable: wires the runtime adapter, the terminal and the signals into the CLI, then
 * exits with its code after every pending write has been flushed.
 *
 * @module
 */

import process from "node:process";
import { runCli } from "./lib/cli/main.ts";
import { stdioFdSink } from "./lib/cli/stdio_sink.ts";
import { detectRuntime, runtimeVersion, spawnerFor } from "./lib/runtime/detect_runtime.ts";
import { processSignals } from "./lib/runtime/host_signals.ts";
import { programArgs } from "./lib/runtime/program_args.ts";
import { HAZ_VERSION } from "./lib/version.ts";

const startedAt = performance.now();
const startedAtUnixMs = Date.now();
const runtime = detectRuntime();
// The runtime's stdio streams are created only when needed: `--version` and `--help` never touch them.
const stdout = stdioFdSink(1, () => process.stdout);
const stderr = stdioFdSink(2, () => process.stderr);

let code: number;
try {
  code = await runCli({
    argv: programArgs(),
    cwd: process.cwd(),
    env: { ...process.env } as Record<string, string>,
    stdout,
    stderr,
    get stdoutIsTerminal() {
      return process.stdout.isTTY === true;
    },
    get stdinIsTerminal() {
      return process.stdin.isTTY === true;
    },
    columns: () => process.stdout.columns || 80,
    spawner: spawnerFor(runtime),
    signals: processSignals,
    runtime: {
      hazVersion: HAZ_VERSION,
      runtime,
      runtimeVersion: runtimeVersion(runtime),
      os: process.platform,
      arch: process.arch,
    },
    startedAt,
    startedAtUnixMs,
    exitNow(exitCode: number): never {
      process.exit(exitCode);
    },
  });
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(
    new TextEncoder().encode(
      `haz: internal error: ${message}\nhelp: this is a bug in haz; please report it together with the output of 'haz --version'\n`,
    ),
  );
  code = 2;
}
await Promise.all([stdout.flush(), stderr.flush()]);
process.exit(code);
