/**
 * The command modules, by command name. Each module is imported on first use, so `--version`,
 * `--help` and usage errors evaluate none of them (06-architecture.md §5: start-up budget).
 *
 * @module
 */

import type { CommandContext } from "./command_context.ts";
import type { ParsedCommandLine } from "./parse_args.ts";

/** Runs one parsed command and returns its exit code. */
export type CommandHandler = (context: CommandContext, parsed: ParsedCommandLine) => Promise<number>;

/** Every command that haz implements, by name (`cache clean` for subcommands). */
export const COMMAND_HANDLERS: Readonly<Record<string, CommandHandler>> = {
  run: async (context, parsed) => (await import("./run_command.ts")).runCommand(context, parsed),
  watch: async (context, parsed) => (await import("./watch_command.ts")).watchCommand(context, parsed),
  check: async (context, parsed) => (await import("./check_command.ts")).checkCommand(context, parsed),
  why: async (context, parsed) => (await import("./why_command.ts")).whyCommand(context, parsed),
  query: async (context, parsed) => (await import("./query_command.ts")).queryCommand(context, parsed),
  graph: async (context, parsed) => (await import("./graph_command.ts")).graphCommand(context, parsed),
  "cache clear": async (context, parsed) =>
    (await import("./cache_command.ts")).cacheClearCommand(context, parsed),
  "cache info": async (context, parsed) =>
    (await import("./cache_command.ts")).cacheInfoCommand(context, parsed),
  "cache clean": async (context, parsed) =>
    (await import("./cache_command.ts")).cacheCleanCommand(context, parsed),
  init: async (context, parsed) => (await import("./init_command.ts")).initCommand(context, parsed),
};
