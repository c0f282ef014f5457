/**
 * The selection options shared by `run` and `graph` (05-cli.md §4, 02-graph.md SEL-002): references,
 * scope, git filter, and their forbidden combinations.
 *
 * @module
 */

import type { GitFilter } from "../vcs/git_changes.ts";
import { type ParsedCommandLine, type UsageError, usageError } from "./parse_args.ts";

/** What a command line selects, before the workspace is loaded. */
export interface SelectionOptions {
  readonly refs: readonly string[];
  readonly scope: "none" | "all" | "workspace";
  readonly git: GitFilter | null;
}

const GIT_FLAGS = ["git-changed", "git-staged", "git-changed-since"] as const;

/**
 * Reads the selection options and checks the combinations in the order of 05-cli.md §4's table.
 *
 * @example
 * ```ts
 * const selection = selectionOptions(parsed); // { refs: ["app:build"], scope: "none", git: null }
 * ```
 */
export function selectionOptions(parsed: ParsedCommandLine): SelectionOptions | UsageError {
  const command = parsed.command.name;
  const has = (name: string) => parsed.options.has(name);
  const refs = parsed.positionals;
  const scopeFlag = has("all") ? "--all" : has("workspace") ? "--workspace" : null;
  if (has("all") && has("workspace")) return usageError(command, "--all cannot be combined with --workspace");
  if (scopeFlag && refs.length > 0) {
    return usageError(command, `${scopeFlag} cannot be combined with task references`);
  }
  const gitFlags = GIT_FLAGS.filter(has);
  if (gitFlags.length > 1) {
    return usageError(command, `--${gitFlags[0]} cannot be combined with --${gitFlags[1]}`);
  }
  if (gitFlags.length === 1 && refs.length > 0) {
    return usageError(command, `--${gitFlags[0]} cannot be combined with task references`);
  }
  const scope = has("all") ? "all" : has("workspace") ? "workspace" : "none";
  let git: GitFilter | null = null;
  if (has("git-changed")) git = { kind: "changed" };
  if (has("git-staged")) git = { kind: "staged" };
  const since = parsed.options.get("git-changed-since");
  if (typeof since === "string") git = { kind: "changed-since", revision: since };
  return { refs, scope, git };
}

/**
 * Whether a value is a usage error (rather than a parsed result).
 *
 * @example
 * ```ts
 * const selection = selectionOptions(parsed);
 * if (isUsageError(selection)) return reportUsageError(context, selection);
 * ```
 */
export function isUsageError(value: unknown): value is UsageError {
  return typeof value === "object" && value !== null && "help" in value && "message" in value &&
    "command" in value;
}
