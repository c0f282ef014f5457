/**
 * Help pages and usage-error text (05-cli.md CLI-006, CLI-020).
 *
 * @module
 */

import {
  COMMANDS,
  type CommandSpec,
  GLOBAL_OPTIONS,
  type OptionSpec,
  TOP_LEVEL_USAGE,
} from "./command_specs.ts";
import type { UsageError } from "./parse_args.ts";

const ENTRY_WIDTH = 24;

/**
 * The help page of a command, or the top-level page for null.
 *
 * @example
 * ```ts
 * helpPage(null).startsWith("haz — run the tasks of a workspace"); // true
 * ```
 */
export function helpPage(command: CommandSpec | null): string {
  if (command === null) return topLevelHelp();
  const lines = [`haz ${command.name} — ${command.summary}`, "", ...command.usage, ""];
  if (command.arguments.length > 0) {
    lines.push("arguments:");
    for (const argument of command.arguments) lines.push(entry(`  ${argument.name}`, argument.description));
  }
  if (command.options.length > 0) {
    lines.push("options:");
    for (const option of command.options) lines.push(optionEntry(option));
  }
  lines.push("global options:");
  for (const option of GLOBAL_OPTIONS) lines.push(optionEntry(option));
  return `${lines.join("\n")}\n`;
}

/**
 * The stderr text of a usage error: message, help line, blank line, usage block.
 *
 * @example
 * ```ts
 * usageErrorText({ command: null, message: "no command given", help: "run 'haz --help' to list the commands" });
 * ```
 */
export function usageErrorText(error: UsageError): string {
  const prefix = error.command ? `haz ${error.command.name}` : "haz";
  const usage = error.command ? error.command.usage : TOP_LEVEL_USAGE;
  return `${prefix}: error: ${error.message}\nhelp: ${error.help}\n\n${usage.join("\n")}\n`;
}

function topLevelHelp(): string {
  const commands = COMMANDS.map((command) => `  ${command.name.padEnd(11)}${command.summary}`);
  return [
    "haz — run the tasks of a workspace as one graph, with a local content-addressed cache",
    "",
    ...TOP_LEVEL_USAGE,
    "",
    "commands:",
    ...commands,
    "",
    "global options:",
    ...GLOBAL_OPTIONS.map(optionEntry),
    "",
    "Run 'haz <command> --help' for the options of a command.",
    "",
  ].join("\n");
}

function optionEntry(option: OptionSpec): string {
  const short = option.short ? `-${option.short}, ` : "    ";
  const long = `--${option.long}${option.value ? ` ${option.value}` : ""}`;
  const description = option.defaultText
    ? `${option.description} (default: ${option.defaultText})`
    : option.description;
  return entry(`  ${short}${long}`, description);
}

function entry(head: string, description: string): string {
  return head.length < ENTRY_WIDTH ? `${head.padEnd(ENTRY_WIDTH)}${description}` : `${head}  ${description}`;
}
