/**
 * The haz executable: answers help, version and usage errors at once, otherwise wires the runtime
 * adapter, the terminal and the signals into the CLI, then exits with its code after every pending
 * write has been flushed.
 *
 * @module
 */

import process from "node:process";
import { parseCommandLine } from "./lib/cli/parse_args.ts";
import { quickAnswer } from "./lib/cli/quick_answer.ts";
import { detectRuntime, runtimeVersion } from "./lib/runtime/detect_runtime.ts";
import { programArgs } from "./lib/runtime/program_args.ts";
import { HAZ_VERSION } from "./lib/version.ts";

const startedAt = performance.now();
const startedAtUnixMs = Date.now();
const argv = programArgs();
const runtimeName = detectRuntime();
const runtime = {
  hazVersion: HAZ_VERSION,
  runtime: runtimeName,
  runtimeVersion: runtimeVersion(runtimeName),
  os: process.platform,
  arch: process.arch,
};

const outcome = parseCommandLine(argv);
if (outcome.kind !== "command") {
  // Nothing else is loaded for these: `haz --version` costs the runtime's start-up and little more.
  // The console writes synchronously to files, pipes and terminals; "%s" keeps the text verbatim.
  const answer = quickAnswer(outcome, runtime);
  const text = answer.text.endsWith("\n") ? answer.text.slice(0, -1) : answer.text;
  if (answer.stream === "stdout") console.log("%s", text);
  else console.error("%s", text);
  process.exit(answer.code);
}

const [{ runCli }, { stdioFdSink }, { descriptorIsTerminal }, { spawnerFor }, { processSignals }] =
  await Promise.all([
    import("./lib/cli/main.ts"),
    import("./lib/cli/stdio_sink.ts"),
    import("./lib/cli/terminal_check.ts"),
    import("./lib/runtime/spawner_for.ts"),
    import("./lib/runtime/host_signals.ts"),
  ]);
// The runtime's stdio streams are created only when needed.
const stdout = stdioFdSink(1, () => process.stdout);
const stderr = stdioFdSink(2, () => process.stderr);

let code: number;
try {
  code = await runCli({
    argv,
    cwd: process.cwd(),
    env: { ...process.env } as Record<string, string>,
    stdout,
    stderr,
    get stdoutIsTerminal() {
      return descriptorIsTerminal(1, () => process.stdout.isTTY === true);
    },
    get stdinIsTerminal() {
      return descriptorIsTerminal(0, () => process.stdin.isTTY === true);
    },
    columns: () => process.stdout.columns || 80,
    spawner: spawnerFor(runtimeName),
    signals: processSignals,
    runtime,
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
