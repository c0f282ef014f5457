/**
 * The questions of interactive `haz init` (05-cli.md §7.1): candidates, names, selection, plan and
 * confirmation. It talks through a {@link PromptPort}, so it runs the same against the terminal and
 * against scripted answers, and it writes nothing: the caller commits the confirmed plan.
 *
 * @module
 */

import {
  DENO_JSON_SOURCE,
  discoverCandidates,
  PACKAGE_JSON_SOURCE,
  sourceSummary,
} from "./init_candidates.ts";
import { nameAnswerProblem, nameCandidates, type NamedCandidate } from "./init_names.ts";
import { buildInitPlan, describePlan, type InitPlan, type PlannedProject } from "./init_plan.ts";
import {
  applySelectionCommand,
  parseSelectionCommand,
  renderCandidateList,
  SELECTION_INSTRUCTION,
  selectionHeading,
} from "./init_selection.ts";
import { askOnNewLine, type PromptAnswer, type PromptPort } from "./prompt_reader.ts";

/** The confirmation question (AUX-005). */
export const CONFIRMATION_PROMPT = "Write these files? [Y/n] ";

/** ADOPT-089: printed before the selection when a workspace definition declared the candidates. */
export const IMPORT_HINT = "note: run 'haz init --import' to import their scripts and tasks as well\n";

const DECLARED_SOURCES = [PACKAGE_JSON_SOURCE, DENO_JSON_SOURCE];

/** Shown instead of the selection prompt when discovery finds nothing. */
export const NO_CANDIDATES = "No candidate projects found.\n";

/** How the questions ended. */
export type InitDialogOutcome =
  | { readonly kind: "confirmed"; readonly plan: InitPlan }
  | { readonly kind: "declined" }
  | { readonly kind: "interrupted" }
  | { readonly kind: "failed"; readonly errorLines: readonly string[] };

/** The dialog's inputs. */
export interface InitDialog {
  /** Host path of `<dir>`. */
  readonly dir: string;
  readonly prompt: PromptPort;
}

/** How an answer ends the dialog early: end of input declines, Ctrl-C interrupts. */
export type DialogStop = Extract<InitDialogOutcome, { kind: "declined" | "interrupted" }>;

/**
 * Runs the questions and returns the confirmed plan, or how they ended otherwise. End of input at any
 * question declines; Ctrl-C at any question interrupts.
 *
 * @example
 * ```ts
 * const outcome = await runInitDialog({ dir: "/repo", prompt });
 * if (outcome.kind === "confirmed") await commitInitPlan("/repo", outcome.plan);
 * ```
 */
export async function runInitDialog(dialog: InitDialog): Promise<InitDialogOutcome> {
  const { prompt } = dialog;
  const discovery = await discoverCandidates(dialog.dir);
  for (const warning of discovery.warnings) prompt.say(`${warning}\n`);
  if (discovery.candidates.some((candidate) => DECLARED_SOURCES.includes(candidate.source))) {
    prompt.say(IMPORT_HINT);
  }
  const naming = await nameCandidates(dialog.dir, discovery.candidates);
  if (!naming.ok) return { kind: "failed", errorLines: naming.errorLines };
  const projects = await completeNames(prompt, naming.candidates);
  if (!Array.isArray(projects)) return projects;
  const selected = await selectProjects(prompt, projects, sourceSummary(naming.candidates));
  if (!Array.isArray(selected)) return selected;
  const plan = buildInitPlan(selected);
  prompt.say(describePlan(plan));
  for (;;) {
    const answer = await askOnNewLine(prompt, CONFIRMATION_PROMPT);
    const stop = stopFor(answer);
    if (stop !== null) return stop;
    const text = answerText(answer).trim().toLowerCase();
    if (text === "" || text === "y" || text === "yes") return { kind: "confirmed", plan };
    if (text === "n" || text === "no") return { kind: "declined" };
  }
}

/** Gives every candidate its name, asking for the ones naming left open, in path order. */
async function completeNames(
  prompt: PromptPort,
  candidates: readonly NamedCandidate[],
): Promise<PlannedProject[] | DialogStop> {
  const used = new Set(candidates.flatMap((candidate) => candidate.name ?? []));
  const projects: PlannedProject[] = [];
  for (const candidate of candidates) {
    let name = candidate.name;
    if (name === null) {
      const asked = await askName(prompt, candidate.path, used);
      if (typeof asked !== "string") return asked;
      used.add(asked);
      name = asked;
    }
    projects.push({
      path: candidate.path,
      name,
      basename: candidate.basename,
      hasHazYml: candidate.hasHazYml,
    });
  }
  return projects;
}

/** The selection prompt: every candidate starts selected; Enter ends it. */
async function selectProjects(
  prompt: PromptPort,
  projects: readonly PlannedProject[],
  sources: string,
): Promise<PlannedProject[] | DialogStop> {
  if (projects.length === 0) {
    prompt.say(NO_CANDIDATES);
    return [];
  }
  let selected = projects.map(() => true);
  prompt.say(`${selectionHeading(projects.length, sources)}\n\n${renderCandidateList(projects, selected)}\n`);
  for (;;) {
    const answer = await askOnNewLine(prompt, SELECTION_INSTRUCTION);
    const stop = stopFor(answer);
    if (stop !== null) return stop;
    const command = parseSelectionCommand(answerText(answer), projects.length);
    if (command.kind === "done") return projects.filter((_, index) => selected[index]);
    if (command.kind === "invalid") continue;
    selected = applySelectionCommand(selected, command);
    prompt.say(`${renderCandidateList(projects, selected)}\n`);
  }
}

/**
 * Asks `name for <path>: ` until the answer is a valid identifier not in `used` (05-cli.md §7.1;
 * the import asks the same, ADOPT-011).
 *
 * @example
 * ```ts
 * const name = await askName(prompt, "packages/ui", new Set(["web"])); // "ui", or a DialogStop
 * ```
 */
export async function askName(
  prompt: PromptPort,
  path: string,
  used: ReadonlySet<string>,
): Promise<string | DialogStop> {
  for (;;) {
    const answer = await askOnNewLine(prompt, `name for ${path}: `);
    const stop = stopFor(answer);
    if (stop !== null) return stop;
    const name = answerText(answer).trim();
    const problem = nameAnswerProblem(name, used);
    if (problem === null) return name;
    prompt.say(`${problem}\n`);
  }
}

/** The early end an answer means, or null to go on. */
function stopFor(answer: PromptAnswer): DialogStop | null {
  if (answer.kind === "end") return { kind: "declined" };
  if (answer.kind === "interrupted") return { kind: "interrupted" };
  return null;
}

function answerText(answer: PromptAnswer): string {
  return answer.kind === "line" ? answer.text : "";
}
