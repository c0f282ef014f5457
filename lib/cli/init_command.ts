/**
 * `haz init [--yes]` (05-cli.md §7, AUX-001..008): creates a workspace in the start directory,
 * either minimal and without questions (`--yes`) or by asking on the terminal.
 *
 * @module
 */

import type { CommandContext } from "./command_context.ts";
import { buildInitPlan, commitInitPlan, type InitPlan } from "./init_plan.ts";
import { type InitDialogOutcome, runInitDialog } from "./init_dialog.ts";
import { enclosingWorkspaceNote, inspectInitTarget, NO_TERMINAL, refusalMessage } from "./init_target.ts";
import { importCommand } from "./init_import_command.ts";
import { type ParsedCommandLine, usageError } from "./parse_args.ts";
import { openTerminalPrompt } from "./prompt_reader.ts";
import { writeText } from "./stdio_sink.ts";
import { reportUsageError } from "./usage_report.ts";

/** Exit code of `init` interrupted by Ctrl-C (128 + SIGINT). */
const INTERRUPTED = 130;

/**
 * Runs `haz init`. Refuses a `<dir>` that already has `.haz/workspace.yml` (exit 2); with `--yes`
 * writes `projects: []` without reading stdin; otherwise needs a terminal on stdin, asks, and
 * writes the confirmed plan. Declining exits 0, Ctrl-C at a prompt 130, a write failure 2.
 *
 * @example
 * ```ts
 * const code = await initCommand(context, parsed); // `haz init --yes` in an empty directory: 0
 * ```
 */
export async function initCommand(context: CommandContext, parsed: ParsedCommandLine): Promise<number> {
  if (parsed.positionals.length > 0) {
    return reportUsageError(context, usageError("init", `unexpected argument '${parsed.positionals[0]}'`));
  }
  if (parsed.options.get("import") === true) return await importCommand(context, parsed);
  for (const option of ["from", "force", "dry-run"]) {
    if (parsed.options.has(option)) {
      return reportUsageError(context, usageError("init", `--${option} requires --import`));
    }
  }
  const dir = context.startDir;
  const target = await inspectInitTarget(dir);
  if (target.kind === "has-workspace") {
    writeText(context.stderr, refusalMessage(dir));
    return 2;
  }
  const yes = parsed.options.get("yes") === true;
  if (!yes && !context.stdinIsTerminal) {
    writeText(context.stderr, NO_TERMINAL);
    return 2;
  }
  if (target.enclosingRoot !== null) {
    writeText(context.stderr, enclosingWorkspaceNote(dir, target.enclosingRoot));
  }
  if (yes) return await commit(context, buildInitPlan([]));

  const outcome = await askOnTerminal(context);
  switch (outcome.kind) {
    case "confirmed":
      return await commit(context, outcome.plan);
    case "declined":
      writeText(context.stderr, "nothing written\n");
      return 0;
    case "interrupted":
      return INTERRUPTED;
    case "failed":
      writeText(context.stderr, outcome.errorLines.map((line) => `${line}\n`).join(""));
      return 2;
  }
}

/** Runs the dialog on the terminal; SIGINT is subscribed only while it runs. */
async function askOnTerminal(context: CommandContext): Promise<InitDialogOutcome> {
  const prompt = openTerminalPrompt({ stderr: context.stderr, signals: context.signals });
  try {
    return await runInitDialog({ dir: context.startDir, prompt });
  } finally {
    prompt.close();
  }
}

/** Writes the plan, printing `created <path>` per file in writing order. */
async function commit(context: CommandContext, plan: InitPlan): Promise<number> {
  const result = await commitInitPlan(context.startDir, plan);
  writeText(context.stdout, result.written.map((path) => `created ${path}\n`).join(""));
  if (result.failure === null) return 0;
  writeText(context.stderr, `error: could not write ${result.failure.path}: ${result.failure.reason}\n`);
  return 2;
}
