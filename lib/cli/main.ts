/**
 * The command-line program: parse, short-circuit help and version, pick the command, return its
 * exit code. `cli.ts` wires the real terminal and runtime into it and owns `process.exit`.
 *
 * @module
 */

import { realpathSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { HostSignals, ProcessSpawner } from "../exec/process.ts";
import type { CommandContext, RuntimeInfo } from "./command_context.ts";
import type { Sink } from "../exec/output/sink.ts";
import { commandSpec } from "./command_specs.ts";
import { quickAnswer } from "./quick_answer.ts";
import { COMMAND_HANDLERS } from "./command_handlers.ts";
import { helpPage, usageErrorText } from "./help_text.ts";
import { parseCommandLine, type ParsedCommandLine, usageError } from "./parse_args.ts";
import { writeText } from "./stdio_sink.ts";

/** The host as the CLI sees it. */
export interface CliHost {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly stdout: Sink;
  readonly stderr: Sink;
  readonly stdoutIsTerminal: boolean;
  readonly stdinIsTerminal: boolean;
  readonly columns: () => number;
  readonly spawner: ProcessSpawner;
  readonly signals: HostSignals;
  readonly runtime: RuntimeInfo;
  readonly startedAt: number;
  readonly startedAtUnixMs: number;
  readonly exitNow: (code: number) => never;
}

/**
 * Runs one command line and returns the exit code.
 *
 * @example
 * ```ts
 * const code = await runCli(host); // 0 for `haz --version`
 * ```
 */
export async function runCli(host: CliHost): Promise<number> {
  const outcome = parseCommandLine(host.argv);
  if (outcome.kind !== "command") {
    const answer = quickAnswer(outcome, host.runtime);
    writeText(answer.stream === "stdout" ? host.stdout : host.stderr, answer.text);
    return answer.code;
  }
  const parsed = outcome.parsed;
  if (parsed.command.name === "help") return helpCommand(host, parsed);
  const startDir = resolveStartDir(host.cwd, parsed.cwd);
  if (startDir === null) {
    writeText(
      host.stderr,
      usageErrorText(usageError(parsed.command.name, `-C: not a directory: ${parsed.cwd}`)),
    );
    return 2;
  }
  const context: CommandContext = {
    startDir,
    env: host.env,
    stdout: host.stdout,
    stderr: host.stderr,
    color: decideColor(parsed.color, host.env, host.stdoutIsTerminal),
    stdoutIsTerminal: host.stdoutIsTerminal,
    // Read on demand: only `init` asks, and looking creates the runtime's stdin stream.
    get stdinIsTerminal() {
      return host.stdinIsTerminal;
    },
    columns: host.columns,
    spawner: host.spawner,
    signals: host.signals,
    runtime: host.runtime,
    argv: host.argv,
    startedAt: host.startedAt,
    startedAtUnixMs: host.startedAtUnixMs,
    exitNow: host.exitNow,
  };
  return await COMMAND_HANDLERS[parsed.command.name](context, parsed);
}

/**
 * CLI-010: `always`/`never` decide; `auto` is on iff FORCE_COLOR is set and not `0`, or stdout is a
 * terminal and NO_COLOR is unset or empty.
 *
 * @example
 * ```ts
 * decideColor("auto", { FORCE_COLOR: "1" }, false); // true
 * ```
 */
export function decideColor(
  when: "auto" | "always" | "never",
  env: Readonly<Record<string, string>>,
  stdoutIsTerminal: boolean,
): boolean {
  if (when !== "auto") return when === "always";
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "" && force !== "0") return true;
  return stdoutIsTerminal && (env.NO_COLOR ?? "") === "";
}

function helpCommand(host: CliHost, parsed: ParsedCommandLine): number {
  const [name, sub, ...extra] = parsed.positionals;
  const target = name === undefined ? null : commandSpec(sub === undefined ? name : `${name} ${sub}`);
  if (
    name !== undefined &&
    (target === undefined || extra.length > 0 || (sub !== undefined && name !== "cache"))
  ) {
    const shown = extra.length > 0 ? parsed.positionals.join(" ") : [name, sub].filter(Boolean).join(" ");
    writeText(
      host.stderr,
      usageErrorText({
        command: null,
        message: `unknown command '${shown}'`,
        help: "run 'haz --help' to list the commands",
      }),
    );
    return 2;
  }
  writeText(host.stdout, helpPage(target ?? null));
  return 0;
}

/** Synchronous, so that start-up needs no `node:fs/promises`. */
function resolveStartDir(processCwd: string, cwdOption: string | null): string | null {
  const wanted = resolve(processCwd, cwdOption ?? ".");
  try {
    if (!statSync(wanted).isDirectory()) return null;
    return realpathSync(wanted);
  } catch {
    return null;
  }
}
