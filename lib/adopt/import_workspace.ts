/**
 * `haz init --import` without the terminal (08-adoption.md): choose and read the source, map it, render
 * the files and load them in memory. The CLI asks, prints and writes.
 *
 * @module
 */

import type { ImportedWorkspace } from "./imported_model.ts";
import { mapWorkspace } from "./map_workspace.ts";
import { readDenoSource } from "./deno_source.ts";
import { packageManagerLabel, readPackageJsonSource } from "./package_json_source.ts";
import type { NameQuestion } from "./project_names.ts";
import { type GeneratedFile, projectFilePath, renderFiles } from "./render_files.ts";
import { asObject, readSourceFile, sourceFileExists } from "./source_files.ts";
import { type AdoptWarning, type SourceKind, warningLine } from "./source_model.ts";
import { readTurboSource, type SourceOutcome } from "./turbo_source.ts";
import { verifyImport } from "./verify_import.ts";

/** `--from` (ADOPT-002). */
export type ImportFrom = "auto" | SourceKind;

/** What to import. */
export interface ImportRequest {
  /** Host path of the start directory `<dir>`. */
  readonly dir: string;
  readonly from: ImportFrom;
  /** Asks for a project name that cannot be derived; absent with `--yes`. */
  readonly ask?: NameQuestion;
  /** Shows the warning lines before the first name question (ADOPT-080). */
  readonly beforeQuestions?: (lines: readonly string[]) => void;
}

/** The import's counts, for the plan and the summary line. */
export interface ImportSummary {
  readonly kind: SourceKind;
  /** `npm`, `pnpm`, `yarn`, `bun` or `deno`. */
  readonly pm: string;
  readonly projects: number;
  readonly tasks: number;
  readonly cached: number;
  readonly warnings: number;
  /** Tasks per file path. */
  readonly tasksPerFile: ReadonlyMap<string, number>;
}

/** The outcome: files to write, or the error lines (exit 2), or a name question left unanswered. */
export type ImportOutcome =
  | {
    readonly kind: "imported";
    readonly files: readonly GeneratedFile[];
    /** `warning: …` lines, then `note: …` lines (ADOPT-060). */
    readonly messages: readonly string[];
    readonly summary: ImportSummary;
    readonly workspace: ImportedWorkspace;
  }
  | { readonly kind: "failed"; readonly errors: readonly string[] }
  | { readonly kind: "unanswered" };

/**
 * Runs the import up to the files, including the in-memory load (ADOPT-084).
 *
 * @example
 * ```ts
 * const outcome = await importWorkspace({ dir: "/repo", from: "auto" });
 * if (outcome.kind === "imported") outcome.files.map((file) => file.path);
 * ```
 */
export async function importWorkspace(request: ImportRequest): Promise<ImportOutcome> {
  const read = await readSource(request.dir, request.from);
  if (!read.ok) return { kind: "failed", errors: read.errors };
  const mapped = await mapWorkspace(read.source, {
    ...(request.ask === undefined ? {} : { ask: request.ask }),
    beforeFirst: (warnings) => request.beforeQuestions?.(warnings.map(warningLine)),
  });
  if (!mapped.ok) {
    return mapped.error === null ? { kind: "unanswered" } : { kind: "failed", errors: [mapped.error] };
  }
  const workspace = mapped.workspace;
  const files = renderFiles(workspace);
  const verified = await verifyImport(files, workspace.expectations);
  if (verified.problems.length > 0) {
    return {
      kind: "failed",
      errors: [
        "error: internal error: the imported files do not load cleanly (ADOPT-084):",
        ...verified.problems.map((problem) => `  ${problem}`),
      ],
    };
  }
  const tasksPerFile = new Map<string, number>();
  let tasks = 0;
  let cached = 0;
  for (const project of workspace.projects) {
    const count = project.tasks.filter((task) => !task.dropped).length;
    tasks += count;
    cached += project.tasks.filter((task) => !task.dropped && task.inputs !== null).length;
    tasksPerFile.set(projectFilePath(project.dir), count);
  }
  return {
    kind: "imported",
    files,
    messages: workspace.warnings.map(warningLine),
    summary: {
      kind: workspace.kind,
      pm: packageManagerLabel(workspace.pm),
      projects: workspace.projects.length,
      tasks,
      cached,
      warnings: workspace.warnings.filter((warning: AdoptWarning) => warning.level === "warning").length,
      tasksPerFile,
    },
    workspace,
  };
}

/** ADOPT-002: the source at `<dir>` for `--from`. */
async function readSource(dir: string, from: ImportFrom): Promise<SourceOutcome> {
  const turboFile = ["turbo.json", "turbo.jsonc"].find((name) => sourceFileExists(dir, name));
  const denoFile = ["deno.json", "deno.jsonc"].find((name) => sourceFileExists(dir, name));
  const hasPackageJson = sourceFileExists(dir, "package.json");
  const missing = (kind: SourceKind, file: string): SourceOutcome => ({
    ok: false,
    errors: [`error: --from ${kind}: ${file} not found in ${dir}`],
  });
  let kind: SourceKind | null = from === "auto" ? null : from;
  if (kind === null) {
    if (turboFile !== undefined) kind = "turbo";
    else if (denoFile !== undefined && denoHasTasksOrWorkspace(dir, denoFile)) kind = "deno";
    else if (hasPackageJson) kind = "package-json";
    else {
      return {
        ok: false,
        errors: [`error: nothing to import in ${dir}: no turbo.json, deno.json or package.json`],
      };
    }
  }
  switch (kind) {
    case "turbo":
      if (turboFile === undefined) return missing("turbo", "turbo.json");
      if (!hasPackageJson) return missing("turbo", "package.json");
      return await readTurboSource(dir, turboFile);
    case "deno":
      if (denoFile === undefined) return missing("deno", "deno.json");
      return await readDenoSource(dir, denoFile);
    case "package-json":
      if (!hasPackageJson) return missing("package-json", "package.json");
      return await readPackageJsonSource(dir);
  }
}

function denoHasTasksOrWorkspace(dir: string, file: string): boolean {
  const read = readSourceFile(dir, file);
  if (!read.ok) return true;
  const json = asObject(read.value);
  return "workspace" in json || "tasks" in json;
}
