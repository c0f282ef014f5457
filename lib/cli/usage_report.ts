/**
 * Printing a usage error from a command module (CLI-020).
 *
 * @module
 */

import type { CommandContext } from "./command_context.ts";
import { usageErrorText } from "./help_text.ts";
import type { UsageError } from "./parse_args.ts";
import { writeText } from "./stdio_sink.ts";

/**
 * Writes the usage error to stderr and returns exit code 2.
 *
 * @example
 * ```ts
 * return reportUsageError(context, usageError("check", "unexpected argument 'x'"));
 * ```
 */
export function reportUsageError(context: CommandContext, error: UsageError): number {
  writeText(context.stderr, usageErrorText(error));
  return 2;
}
