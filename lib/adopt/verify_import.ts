/**
 * ADOPT-084: the generated files load as `haz check --workspace` would load them, before anything is
 * written. They are loaded from a scratch mirror of the workspace's project directories, so the real
 * tree is never touched.
 *
 * @module
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Diagnostic } from "../domain/diagnostic.ts";
import { loadWorkspace } from "../graph/load_workspace.ts";
import type { GeneratedFile } from "./render_files.ts";
import type { RunExpectation } from "./imported_model.ts";
import type { TaskGraph } from "../domain/workspace.ts";

/** Every diagnostic line (errors and warnings) the generated files raise; empty when they load clean. */
export interface VerifyResult {
  readonly problems: readonly string[];
  /** Tasks in the loaded workspace. */
  readonly taskCount: number;
}

/**
 * Loads the generated files in a scratch directory and reports every diagnostic.
 *
 * @example
 * ```ts
 * const { problems } = await verifyImport(files);
 * problems.length; // 0
 * ```
 */
export async function verifyImport(
  files: readonly GeneratedFile[],
  expectations: readonly RunExpectation[],
): Promise<VerifyResult> {
  const scratch = await mkdtemp(join(tmpdir(), "haz-import-check-"));
  try {
    // Synchronous: a thousand small files cost more in promise round trips than in the writes.
    for (const file of files) {
      const path = join(scratch, ...file.path.split("/"));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.content);
    }
    const result = await loadWorkspace(scratch, { collectAll: true });
    if (!result.ok) return { problems: result.diagnostics.map(renderDiagnosticLine), taskCount: 0 };
    const problems = result.loaded.warnings.map(renderDiagnosticLine);
    problems.push(...runSetProblems(result.loaded.graph, expectations));
    return { problems, taskCount: result.loaded.graph.tasks.size };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function renderDiagnosticLine(diagnostic: Diagnostic): string {
  const where = diagnostic.location === undefined
    ? ""
    : ` (${diagnostic.location.path}${
      diagnostic.location.line === undefined ? "" : `:${diagnostic.location.line}`
    })`;
  return `${diagnostic.severity}[${diagnostic.rule}]: ${diagnostic.message}${where}`;
}

/** ADOPT-085: each expectation's starts, with their transitive hard predecessors, run exactly its tasks. */
function runSetProblems(graph: TaskGraph, expectations: readonly RunExpectation[]): string[] {
  const closures = new Map<string, ReadonlySet<string>>();
  const closureOf = (id: string): ReadonlySet<string> => {
    const known = closures.get(id);
    if (known !== undefined) return known;
    const found = new Set<string>([id]);
    closures.set(id, found);
    for (const pred of graph.hardPredecessors.get(id) ?? []) {
      for (const item of closureOf(pred)) found.add(item);
    }
    return found;
  };
  const problems: string[] = [];
  for (const expectation of expectations) {
    const ran = new Set<string>();
    for (const start of expectation.starts) for (const id of closureOf(start)) ran.add(id);
    const acting = [...ran].filter((id) => graph.tasks.get(id)?.action != null).sort();
    const expected = [...expectation.expected].sort();
    if (acting.join("\n") !== expected.join("\n")) {
      problems.push(
        `${expectation.label}: haz runs [${acting.join(", ")}], the source runs [${expected.join(", ")}]`,
      );
    }
  }
  return problems;
}
