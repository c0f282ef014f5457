/**
 * The command modules, by command name.
 *
 * @module
 */

import type { CommandContext } from "./command_context.ts";
import type { ParsedCommandLine } from "./parse_args.ts";

/** Runs one parsed command and returns its exit code. */
export type CommandHandler = (context: CommandContext, parsed: ParsedCommandLine) => Promise<number>;

/** Every command that haz implements, by name (`cache clean` for subcommands). */
export const COMMAND_HANDLERS: Readonly<Record<string, CommandHandler>> = {};
