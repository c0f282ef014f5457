/**
 * Command-line parsing (05-cli.md CLI-001..003, CLI-020): global options anywhere, `--`, inline and
 * separate values, help and version short-circuits, usage errors with did-you-mean.
 *
 * @module
 */

import { closestWithin } from "../util/did_you_mean.ts";
import {
  CACHE_SUBCOMMANDS,
  COMMANDS,
  type CommandSpec,
  commandSpec,
  GLOBAL_OPTIONS,
  type OptionSpec,
} from "./command_specs.ts";

/** A usage error (CLI-020); `command` is the spec named in line 1, null for the top level. */
export interface UsageError {
  readonly command: CommandSpec | null;
  readonly message: string;
  /** The text of the `help:` line, after `help: `. */
  readonly help: string;
}

/** A command line that parsed. */
export interface ParsedCommandLine {
  readonly command: CommandSpec;
  /** Value of `-C`/`--cwd`, as given. */
  readonly cwd: string | null;
  readonly color: "auto" | "always" | "never";
  /** Options by long name: the (last) value, or true for booleans. */
  readonly options: ReadonlyMap<string, string | true>;
  readonly positionals: readonly string[];
}

/** What the command line asks for. */
export type ParseOutcome =
  | { readonly kind: "help"; readonly command: CommandSpec | null }
  | { readonly kind: "version" }
  | { readonly kind: "command"; readonly parsed: ParsedCommandLine }
  | { readonly kind: "usage-error"; readonly error: UsageError };

/**
 * Parses `argv` (the arguments after the program name).
 *
 * @example
 * ```ts
 * const outcome = parseCommandLine(["run", "-j4", "app:build"]);
 * outcome.kind === "command" && outcome.parsed.options.get("concurrency"); // "4"
 * ```
 */
export function parseCommandLine(argv: readonly string[]): ParseOutcome {
  let command: CommandSpec | null = null;
  let unknownCommand: string | null = null;
  let helpFor: { command: CommandSpec | null } | null = null;
  let version = false;
  let firstError: UsageError | null = null;
  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  const fail = (message: string, help?: string) => {
    firstError ??= { command, message, help: help ?? seeEveryOption(command) };
  };

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    const isLong = token.startsWith("--");
    if (isLong || (token.startsWith("-") && token.length > 1)) {
      const equals = token.indexOf("=");
      const name = isLong ? token.slice(2, equals === -1 ? undefined : equals) : token.slice(1, 2);
      const known = [...GLOBAL_OPTIONS, ...(command?.options ?? [])];
      const spec = known.find((option) => (isLong ? option.long === name : option.short === name));
      const inline = isLong ? (equals === -1 ? null : token.slice(equals + 1)) : token.slice(2) || null;
      if (!spec || (!isLong && !spec.value && inline !== null)) {
        const candidates = known.map((option) => `--${option.long}`);
        const suggestion = isLong ? closestWithin(token.split("=")[0], candidates, 2) : null;
        fail(
          `unknown option ${isLong ? token.split("=")[0] : token}`,
          suggestion ? didYouMean(suggestion) : undefined,
        );
        continue;
      }
      if (spec.long === "help") {
        if (unknownCommand === null) helpFor ??= { command };
        continue;
      }
      if (spec.long === "version") {
        version = true;
        continue;
      }
      if (!spec.value) {
        if (inline !== null) fail(`--${spec.long} does not take a value`);
        else options.set(spec.long, true);
        continue;
      }
      let value = inline;
      if (value === null) {
        if (i + 1 >= argv.length) {
          fail(`missing value for ${optionName(spec, isLong)}`);
          continue;
        }
        value = argv[++i];
      }
      if (spec.choices && !spec.choices.includes(value)) {
        const suggestion = closestWithin(value, spec.choices, 2);
        fail(
          `invalid value for --${spec.long}: ${JSON.stringify(value)} (expected ${
            listChoices(spec.choices)
          })`,
          suggestion ? didYouMean(suggestion) : undefined,
        );
        continue;
      }
      options.set(spec.long, value);
      continue;
    }
    if (command === null && unknownCommand === null) {
      const found = COMMANDS.find((spec) => spec.name === token);
      if (found) {
        command = found;
      } else {
        unknownCommand = token;
        const suggestion = closestWithin(token, COMMANDS.map((spec) => spec.name), 2);
        firstError = {
          command: null,
          message: `unknown command '${token}'`,
          help: suggestion ? didYouMean(suggestion) : seeEveryOption(null),
        };
      }
      continue;
    }
    if (command?.subcommands && command.name === "cache") {
      const sub = CACHE_SUBCOMMANDS.find((spec) => spec.name === `cache ${token}`);
      if (sub) {
        command = sub;
      } else {
        const suggestion = closestWithin(token, command.subcommands, 2);
        fail(`unknown subcommand '${token}'`, suggestion ? didYouMean(suggestion) : undefined);
      }
      continue;
    }
    positionals.push(token);
  }

  if (helpFor !== null) return { kind: "help", command: helpFor.command };
  if (unknownCommand !== null) return { kind: "usage-error", error: firstError! };
  if (version) return { kind: "version" };
  if (firstError) return { kind: "usage-error", error: firstError };
  if (command === null) {
    return {
      kind: "usage-error",
      error: { command: null, message: "no command given", help: "run 'haz --help' to list the commands" },
    };
  }
  if (command.name === "cache") {
    return {
      kind: "usage-error",
      error: { command, message: "missing subcommand (clear, info or clean)", help: seeEveryOption(command) },
    };
  }
  const color = (options.get("color") ?? "auto") as ParsedCommandLine["color"];
  const cwd = options.get("cwd");
  options.delete("color");
  options.delete("cwd");
  return {
    kind: "command",
    parsed: { command, cwd: typeof cwd === "string" ? cwd : null, color, options, positionals },
  };
}

/**
 * The `help:` text pointing at a command's help page.
 *
 * @example
 * ```ts
 * seeEveryOption(commandSpec("run") ?? null); // "run 'haz run --help' to see every option"
 * ```
 */
export function seeEveryOption(command: CommandSpec | null): string {
  return command
    ? `run 'haz ${command.name} --help' to see every option`
    : "run 'haz --help' to see every option";
}

/**
 * A usage error for a command, with the default help line.
 *
 * @example
 * ```ts
 * usageError("run", "--all cannot be combined with --workspace").help; // "run 'haz run --help' …"
 * ```
 */
export function usageError(commandName: string, message: string, help?: string): UsageError {
  const command = commandSpec(commandName) ?? null;
  return { command, message, help: help ?? seeEveryOption(command) };
}

function didYouMean(candidate: string): string {
  return `did you mean '${candidate}'?`;
}

function optionName(spec: OptionSpec, isLong: boolean): string {
  return isLong || !spec.short ? `--${spec.long}` : `-${spec.short}`;
}

function listChoices(choices: readonly string[]): string {
  return choices.length === 2
    ? choices.join(" or ")
    : `${choices.slice(0, -1).join(", ")} or ${choices.at(-1)}`;
}
