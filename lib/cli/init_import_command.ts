/**
 * `haz init --import` (08-adoption.md ADOPT-001..003, 080..086): imports the existing workspace and
 * task definitions through `lib/adopt`, shows the plan, asks (unless `--yes`), and writes the files
 * in the order of AUX-006 — or prints them (`--dry-run`).
 *
 * @module
 */

import { lstatSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { type ImportFrom, type ImportSummary, importWorkspace } from "../adopt/import_workspace.ts";
import type { GeneratedFile } from "../adopt/render_files.ts";
import { hostPath } from "../util/directory_walk.ts";
import { mapLimited } from "../util/map_limited.ts";
import type { CommandContext } from "./command_context.ts";
import { askName, CONFIRMATION_PROMPT, type DialogStop } from "./init_dialog.ts";
import { createFileDurably, ensureDirectoryDurably, replaceFileDurably } from "./init_atomic_write.ts";
import { enclosingWorkspaceNote, inspectInitTarget, NO_TERMINAL } from "./init_target.ts";
import type { ParsedCommandLine } from "./parse_args.ts";
import { askOnNewLine, openTerminalPrompt, type PromptPort } from "./prompt_reader.ts";
import { writeText } from "./stdio_sink.ts";

/** How many `haz.yml` files are written at once (each durably, with its own fsyncs). */
const WRITE_CONCURRENCY = 16;

/** Exit code of an interrupted import (128 + SIGINT). */
const INTERRUPTED = 130;

/** How the import's questions ended. */
type Answer = "yes" | "no" | "interrupted";

/**
 * Runs `haz init --import`. Exit 0 when written, declined or dry run; 2 on errors and refusal; 130
 * when interrupted.
 *
 * @example
 * ```ts
 * const code = await importCommand(context, parsed); // `haz init --import --yes` in a turbo repo: 0
 * ```
 */
export async function importCommand(context: CommandContext, parsed: ParsedCommandLine): Promise<number> {
  const dir = context.startDir;
  const yes = parsed.options.get("yes") === true;
  const force = parsed.options.get("force") === true;
  const dryRun = parsed.options.get("dry-run") === true;
  const from = (parsed.options.get("from") ?? "auto") as ImportFrom;
  const interactive = !yes && !dryRun;
  if (interactive && !context.stdinIsTerminal) {
    writeText(context.stderr, NO_TERMINAL);
    return 2;
  }
  const target = await inspectInitTarget(dir);
  if (target.kind === "free" && target.enclosingRoot !== null) {
    writeText(context.stderr, enclosingWorkspaceNote(dir, target.enclosingRoot));
  }
  const prompt = interactive
    ? openTerminalPrompt({ stderr: context.stderr, signals: context.signals })
    : null;
  try {
    let warned = false;
    let stop: DialogStop = { kind: "interrupted" };
    const ask = prompt === null ? undefined : async (path: string, taken: ReadonlySet<string>) => {
      const answer = await askName(prompt, path, taken);
      if (typeof answer === "string") return answer;
      stop = answer;
      return null;
    };
    const outcome = await importWorkspace({
      dir,
      from,
      ...(ask === undefined ? {} : { ask }),
      beforeQuestions: (lines) => {
        writeText(context.stderr, lines.map((line) => `${line}\n`).join(""));
        warned = true;
      },
    });
    if (outcome.kind === "unanswered") return stop.kind === "interrupted" ? INTERRUPTED : declined(context);
    if (outcome.kind === "failed") {
      writeText(context.stderr, outcome.errors.map((line) => `${line}\n`).join(""));
      return 2;
    }
    const messages = warned ? "" : outcome.messages.map((line) => `${line}\n`).join("");
    if (dryRun) {
      // EX-805: the warnings, then the plan, on stderr; the files on stdout.
      writeText(context.stderr, messages + describeImport(outcome.summary, outcome.files));
      writeText(
        context.stdout,
        outcome.files.map((file) => `==> ${file.path} <==\n${file.content}\n`).join(""),
      );
      return 0;
    }
    const existing = await existingFiles(dir, outcome.files);
    if (!force && existing.length > 0) {
      writeText(
        context.stderr,
        `error: ${dir} already has haz files:\n${existing.map((path) => `  ${path}\n`).join("")}` +
          "help: run 'haz init --import --force' to replace them\n",
      );
      return 2;
    }
    writeText(context.stderr, messages + describeImport(outcome.summary, outcome.files));
    if (prompt !== null) {
      const answer = await confirm(prompt);
      if (answer === "interrupted") return INTERRUPTED;
      if (answer === "no") return declined(context);
    }
    return await commit(context, outcome.files, outcome.summary);
  } finally {
    prompt?.close();
  }
}

/**
 * The plan of ADOPT-080: the counts, then one line per file in writing order.
 *
 * @example
 * ```ts
 * describeImport(summary, files);
 * // "Importing from turbo (pnpm): 3 projects, 7 tasks (3 cached), 1 warning.\nWill write:\n  …"
 * ```
 */
export function describeImport(summary: ImportSummary, files: readonly GeneratedFile[]): string {
  const lines = [
    `Importing from ${summary.kind} (${summary.pm}): ${count(summary.projects, "project")}, ${
      count(summary.tasks, "task")
    } (${summary.cached} cached), ${count(summary.warnings, "warning")}.`,
    "Will write:",
    ...files.map((file) => {
      const tasks = summary.tasksPerFile.get(file.path);
      return tasks === undefined
        ? `  ${file.path} (${count(summary.projects, "project")})`
        : `  ${file.path} (${count(tasks, "task")})`;
    }),
  ];
  return `${lines.join("\n")}\n`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** The files of the plan that already exist, in bytewise path order (ADOPT-003). */
async function existingFiles(dir: string, files: readonly GeneratedFile[]): Promise<string[]> {
  const found: string[] = [];
  for (const file of files) {
    if ((await currentBytes(hostPath(dir, file.path))) !== null) found.push(file.path);
  }
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function currentBytes(path: string): Promise<string | null> {
  try {
    // A fresh import finds no file at all: asking first spares a thrown error per file.
    if (lstatSync(path, { throwIfNoEntry: false }) === undefined) return null;
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return code === "ENOENT" || code === "ENOTDIR" ? null : "";
  }
}

/**
 * ADOPT-081: every `haz.yml`, then `.haz/workspace.yml`; unchanged files are not rewritten. The
 * `haz.yml` files are written several at a time (each one durably); the workspace file only after
 * all of them, so it never lists a project whose file is missing.
 */
async function commit(
  context: CommandContext,
  files: readonly GeneratedFile[],
  summary: ImportSummary,
): Promise<number> {
  const dir = context.startDir;
  const projectFiles = files.filter((file) => !file.path.startsWith(".haz/"));
  const workspaceFiles = files.filter((file) => file.path.startsWith(".haz/"));
  const written = await mapLimited(projectFiles, WRITE_CONCURRENCY, (file) => writeOne(dir, file));
  const lines: string[] = [];
  for (const [index, outcome] of written.entries()) {
    if (typeof outcome !== "string") {
      writeText(context.stdout, lines.join(""));
      return writeFailure(context, projectFiles[index].path, outcome.reason);
    }
    lines.push(`${outcome} ${projectFiles[index].path}\n`);
  }
  writeText(context.stdout, lines.join(""));
  const hazDirectory = await ensureDirectoryDurably(hostPath(dir, ".haz"));
  if (!hazDirectory.ok) return writeFailure(context, ".haz/", hazDirectory.reason);
  for (const file of workspaceFiles) {
    const outcome = await writeOne(dir, file);
    if (typeof outcome !== "string") return writeFailure(context, file.path, outcome.reason);
    writeText(context.stdout, `${outcome} ${file.path}\n`);
  }
  writeText(
    context.stdout,
    `imported ${count(summary.tasks, "task")} into ${
      count(summary.projects, "project")
    } from ${summary.kind} (${summary.pm})\n`,
  );
  return 0;
}

/** Writes one file unless its bytes are already there: `created`, `replaced`, `unchanged` or the failure. */
async function writeOne(dir: string, file: GeneratedFile): Promise<string | { readonly reason: string }> {
  const path = hostPath(dir, file.path);
  const current = await currentBytes(path);
  if (current === file.content) return "unchanged";
  const outcome = current === null
    ? await createFileDurably(path, file.content)
    : await replaceFileDurably(path, file.content);
  if (!outcome.ok) return { reason: outcome.reason };
  return current === null ? "created" : "replaced";
}

/** `n` or end of input at any question (ADOPT-080). */
function declined(context: CommandContext): number {
  writeText(context.stderr, "nothing written\n");
  return 0;
}

function writeFailure(context: CommandContext, path: string, reason: string): number {
  writeText(context.stderr, `error: could not write ${path}: ${reason}\n`);
  return 2;
}

/** `Write these files? [Y/n]` until the answer is clear; end of input declines. */
async function confirm(prompt: PromptPort): Promise<Answer> {
  for (;;) {
    const answer = await askOnNewLine(prompt, CONFIRMATION_PROMPT);
    if (answer.kind === "interrupted") return "interrupted";
    if (answer.kind === "end") return "no";
    const text = answer.text.trim().toLowerCase();
    if (text === "" || text === "y" || text === "yes") return "yes";
    if (text === "n" || text === "no") return "no";
  }
}
