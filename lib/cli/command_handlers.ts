/**
 * The command modules, by command name.
 *
 * @module
 */

import { cacheCleanCommand, cacheClearCommand, cacheInfoCommand } from "./cache_command.ts";
import { checkCommand } from "./check_command.ts";
import type { CommandContext } from "./command_context.ts";
import { graphCommand } from "./graph_command.ts";
import { initCommand } from "./init_command.ts";
import type { ParsedCommandLine } from "./parse_args.ts";
import { queryCommand } from "./query_command.ts";
import { runCommand } from "./run_command.ts";
import { whyCommand } from "./why_command.ts";

/** Runs one parsed command and returns its exit code. */
export type CommandHandler = (context: CommandContext, parsed: ParsedCommandLine) => Promise<number>;

/** Every command that haz implements, by name (`cache clean` for subcommands). */
export const COMMAND_HANDLERS: Readonly<Record<string, CommandHandler>> = {
  run: runCommand,
  check: checkCommand,
  why: whyCommand,
  query: queryCommand,
  graph: graphCommand,
  "cache clear": cacheClearCommand,
  "cache info": cacheInfoCommand,
  "cache clean": cacheCleanCommand,
  init: initCommand,
};
