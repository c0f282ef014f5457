/**
 * Mapping a source workspace to haz projects and tasks (08-adoption.md ADOPT-011, 013, 030..036,
 * 040..046, 050, 051, 060..063).
 *
 * @module
 */

import { compareBytes } from "../domain/task_id.ts";
import { inferredWildcards } from "./frameworks.ts";
import type { ImportedProject, ImportedTask, ImportedWorkspace, RunExpectation } from "./imported_model.ts";
import {
  type Contribution,
  type ForeignOutput,
  type InputEntry,
  mergeInputs,
  PrefixIndex,
  prefixOf,
} from "./input_sets.ts";
import { resolvePattern } from "../domain/path_pattern.ts";
import { mapSourcePattern } from "./map_patterns.ts";
import { basenameOf, nameProjects, type NameQuestion } from "./project_names.ts";
import { isReal } from "./source_graph.ts";
import type { AdoptWarning, SourceNode, SourcePackage, SourceWorkspace } from "./source_model.ts";
import { mapTaskNames } from "./task_names.ts";

/** The mapped workspace, or why mapping stopped (`error: null`: a name question went unanswered). */
export type MapOutcome =
  | { readonly ok: true; readonly workspace: ImportedWorkspace }
  | { readonly ok: false; readonly error: string | null };

/** A haz task reference target: project and task names. */
interface HazTaskId {
  readonly project: string;
  readonly task: string;
}

/** One output of a cached task, mapped. */
interface MappedOutputs {
  readonly positives: string[];
  readonly written: string[];
}

/**
 * Maps the source; `questions` ask for project names that cannot be derived (interactive import).
 *
 * @example
 * ```ts
 * const outcome = await mapWorkspace(source);
 * if (outcome.ok) outcome.workspace.projects.map((project) => project.name); // ["root", "web", "ui"]
 * ```
 */
export async function mapWorkspace(source: SourceWorkspace, questions?: NameQuestions): Promise<MapOutcome> {
  return await new WorkspaceMapping(source).run(questions);
}

/** How an interactive import asks for project names. */
export interface NameQuestions {
  readonly ask?: NameQuestion;
  /** Called once, before the first question, with every warning found (ADOPT-080 prints them first). */
  readonly beforeFirst?: (warnings: readonly AdoptWarning[]) => void;
}

class WorkspaceMapping {
  readonly #source: SourceWorkspace;
  readonly #warnings: AdoptWarning[];
  readonly #turbo: boolean;
  readonly #taskNames = new Map<SourcePackage, Map<string, string | null>>();
  readonly #frontiers = new Map<SourceNode, SourceNode[]>();
  readonly #hazDeps = new Map<SourceNode, SourceNode[]>();
  readonly #hazClosures = new Map<SourceNode, Set<SourceNode>>();
  readonly #closures = new Map<SourceNode, Set<SourceNode>>();
  readonly #outputs = new Map<SourceNode, MappedOutputs>();
  readonly #inputSets = new Map<SourceNode, string[]>();
  readonly #contributions = new Map<SourceNode, Contribution[]>();
  readonly #absolute = new Map<SourceNode, Contribution[]>();
  #order: Map<SourceNode, number> | null = null;
  #outputIndex: PrefixIndex<{ node: SourceNode; output: ForeignOutput }> | null = null;
  /** {@linkcode #allOutputs} related to an inclusion prefix; every closure shares most prefixes. */
  readonly #outputsNear = new Map<string, readonly { node: SourceNode; output: ForeignOutput }[]>();
  #projectNames: ReadonlyMap<string, string> = new Map();

  constructor(source: SourceWorkspace) {
    this.#source = source;
    this.#warnings = [...source.warnings];
    this.#turbo = source.kind === "turbo";
  }

  async run(questions?: NameQuestions): Promise<MapOutcome> {
    const source = this.#source;
    const nodesByPackage = new Map<SourcePackage, SourceNode[]>();
    for (const node of source.nodes) {
      if (!isReal(node)) continue;
      const list = nodesByPackage.get(node.pkg) ?? [];
      list.push(node);
      nodesByPackage.set(node.pkg, list);
    }
    const aggregates = this.#turbo ? this.#rootAggregates() : new Map<string, SourceNode[]>();
    const root = source.packages[0];
    for (const pkg of source.packages) {
      const names = (nodesByPackage.get(pkg) ?? []).map((node) => node.name);
      if (pkg === root) names.push(...aggregates.keys());
      this.#taskNames.set(pkg, mapTaskNames(names));
    }
    for (const nodes of nodesByPackage.values()) {
      for (const node of nodes) {
        if (this.#hazName(node) !== null) continue;
        this.#warn({
          file: node.definition.origins[0].file,
          path: node.definition.origins[0].path,
          text: `task "${node.name}" has no valid haz name; not imported`,
          origin: node.definition.origins[0],
        });
      }
    }
    const projectPackages = source.packages.filter((pkg) =>
      (nodesByPackage.get(pkg) ?? []).some((node) => this.#imported(node)) ||
      (pkg === root && (this.#turbo || aggregates.size > 0))
    );
    for (const node of source.nodes) if (this.#cached(node)) this.#outputs.set(node, this.#mapOutputs(node));
    // Every warning exists before any task is written (so each task gets all of its comments) and
    // before any name is asked for (ADOPT-080: the warnings come first).
    for (const node of source.nodes) {
      if (!this.#imported(node)) continue;
      this.#deps(node);
      if (this.#cached(node)) this.#inputSets.set(node, this.#inputs(node));
    }
    const tags = new Map(projectPackages.map((pkg) => [pkg, this.#tags(pkg)]));
    let announced = false;
    const naming = await nameProjects(
      projectPackages.map((pkg) => ({ dir: pkg.dir, packageName: pkg.name })),
      questions?.ask === undefined ? undefined : (dir, taken) => {
        if (!announced) questions.beforeFirst?.(orderWarnings(this.#warnings));
        announced = true;
        return questions.ask!(dir, taken);
      },
    );
    if (!naming.ok) return naming;
    this.#projectNames = naming.names;

    const projects: ImportedProject[] = [];
    for (const pkg of projectPackages) {
      const tasks: ImportedTask[] = [];
      const sources = new Set<string>();
      for (const node of nodesByPackage.get(pkg) ?? []) {
        tasks.push(this.#task(node));
        if (!this.#imported(node)) continue;
        for (const origin of node.definition.origins) sources.add(origin.file);
        if (node.action?.kind === "script") sources.add(pkg.manifest);
        if (node.action?.kind === "deno" || node.aggregate) sources.add(pkg.manifest);
      }
      if (pkg === root) {
        for (const [name, starts] of aggregates) {
          tasks.push(this.#aggregate(name, starts));
          sources.add(source.rootConfig!);
        }
      }
      tasks.sort((a, b) => compareBytes(a.name, b.name));
      const name = this.#projectNames.get(pkg.dir)!;
      projects.push({
        dir: pkg.dir,
        name,
        writeName: pkg.isRoot || name !== basenameOf(pkg.dir),
        tags: tags.get(pkg)!,
        tasks,
        sources: [...sources].sort(compareBytes),
      });
    }
    const passThrough = new Set(source.globalPassThroughEnv);
    for (const node of source.nodes) {
      if (!this.#imported(node) || node.action === null) continue;
      for (const name of node.definition.passThroughEnv) if (validEnv(name)) passThrough.add(name);
    }
    const workspaceSources = new Set(source.workspaceFiles);
    if (source.concurrency !== null || passThrough.size > 0) workspaceSources.add(source.rootConfig ?? "");
    workspaceSources.delete("");
    const ordered = orderWarnings(this.#warnings);
    return {
      ok: true,
      workspace: {
        kind: source.kind,
        pm: source.pm,
        projects: projects.sort((a, b) => compareBytes(a.dir, b.dir)),
        workspaceSources: [...workspaceSources].sort(compareBytes),
        workspaceComments: ordered
          .filter((warning) =>
            warning.level === "warning" && warning.origin === null && warning.nodeId === null
          )
          .map((warning) => warning.text),
        concurrency: source.concurrency,
        passThrough: [...passThrough].sort(compareBytes),
        warnings: ordered,
        expectations: this.#expectations(aggregates),
      },
    };
  }

  /**
   * ADOPT-085 2–3 for every imported task (its run set is itself plus the real tasks of its closure)
   * and 1 for every source task name (the run set of all its tasks, the root aggregate included).
   */
  #expectations(aggregates: ReadonlyMap<string, SourceNode[]>): RunExpectation[] {
    const id = (node: SourceNode) => {
      const hazId = this.#hazId(node);
      return `${hazId.project}:${hazId.task}`;
    };
    const acting = (nodes: readonly SourceNode[]) =>
      [...new Set(nodes.filter((node) => this.#imported(node) && node.action !== null).map(id))].sort(
        compareBytes,
      );
    const expectations: RunExpectation[] = [];
    const byName = new Map<string, SourceNode[]>();
    for (const node of this.#source.nodes) {
      const list = byName.get(node.name) ?? [];
      list.push(node);
      byName.set(node.name, list);
      if (!this.#imported(node)) continue;
      expectations.push({ label: node.id, starts: [id(node)], expected: acting(this.#runSet([node])) });
    }
    const root = this.#source.packages[0];
    for (const [name, nodes] of byName) {
      const starts = nodes.filter((node) => this.#imported(node)).map(id);
      const aggregate = aggregates.has(name)
        ? `${this.#projectNames.get(".")}:${this.#taskNames.get(root)!.get(name)}`
        : null;
      if (aggregate !== null) starts.push(aggregate);
      if (starts.length === 0) continue;
      expectations.push({ label: `${name} everywhere`, starts, expected: acting(this.#runSet(nodes)) });
    }
    return expectations;
  }

  #warn(warning: Omit<AdoptWarning, "level" | "nodeId" | "origin"> & Partial<AdoptWarning>): void {
    const full: AdoptWarning = { level: "warning", origin: null, nodeId: null, ...warning };
    const exists = this.#warnings.some((other) =>
      other.file === full.file && other.path === full.path && other.text === full.text
    );
    if (!exists) this.#warnings.push(full);
  }

  #dropped(node: SourceNode): boolean {
    return node.definition.interactive;
  }

  #imported(node: SourceNode): boolean {
    return isReal(node) && !this.#dropped(node) && this.#hazName(node) !== null;
  }

  #importable(node: SourceNode): boolean {
    return isReal(node) && !this.#dropped(node);
  }

  #hazName(node: SourceNode): string | null {
    return this.#taskNames.get(node.pkg)?.get(node.name) ?? null;
  }

  #hazId(node: SourceNode): HazTaskId {
    return { project: this.#projectNames.get(node.pkg.dir)!, task: this.#hazName(node)! };
  }

  #cached(node: SourceNode): boolean {
    if (!this.#imported(node) || node.action === null) return false;
    if (this.#source.kind === "package-json") return false;
    return node.definition.cache && !node.definition.persistent;
  }

  /** ADOPT-034: the imported tasks reached through no-op nodes only (dropped ones end the walk). */
  #frontier(node: SourceNode): SourceNode[] {
    const known = this.#frontiers.get(node);
    if (known !== undefined) return known;
    const found: SourceNode[] = [];
    this.#frontiers.set(node, found);
    for (const pred of node.preds) {
      if (this.#imported(pred)) found.push(pred);
      else if (!isReal(pred)) found.push(...this.#frontier(pred));
    }
    return found;
  }

  #deps(node: SourceNode): SourceNode[] {
    const known = this.#hazDeps.get(node);
    if (known !== undefined) return known;
    const deps = [...new Set(this.#frontier(node))];
    this.#hazDeps.set(node, deps);
    for (const dropped of this.#droppedPreds(node, new Set())) {
      const origin = node.definition.dependsOnOrigin ?? node.definition.origins[0];
      this.#warn({
        file: origin.file,
        path: `${origin.path}.dependsOn`,
        text: `dependency on ${dropped.id} dropped: that task is not imported`,
        nodeId: node.id,
      });
    }
    return deps;
  }

  #droppedPreds(node: SourceNode, seen: Set<SourceNode>): SourceNode[] {
    const found: SourceNode[] = [];
    for (const pred of node.preds) {
      if (seen.has(pred)) continue;
      seen.add(pred);
      if (isReal(pred) && !this.#imported(pred)) found.push(pred);
      else if (!isReal(pred)) found.push(...this.#droppedPreds(pred, seen));
    }
    return found;
  }

  /** Transitive hard predecessors in the generated workspace. */
  #hazClosure(node: SourceNode): Set<SourceNode> {
    const known = this.#hazClosures.get(node);
    if (known !== undefined) return known;
    const closure = new Set<SourceNode>();
    this.#hazClosures.set(node, closure);
    for (const dep of this.#deps(node)) {
      closure.add(dep);
      for (const item of this.#hazClosure(dep)) closure.add(item);
    }
    return closure;
  }

  /** ADOPT-042: every source task reachable along predecessors, no-op ones included. */
  #closure(node: SourceNode): Set<SourceNode> {
    const known = this.#closures.get(node);
    if (known !== undefined) return known;
    const closure = new Set<SourceNode>();
    this.#closures.set(node, closure);
    for (const pred of node.preds) {
      closure.add(pred);
      for (const item of this.#closure(pred)) closure.add(item);
    }
    return closure;
  }

  /** ADOPT-035: root aggregates by source task name, with the nodes `turbo run <t>` starts from. */
  #rootAggregates(): Map<string, SourceNode[]> {
    const byName = new Map<string, SourceNode[]>();
    for (const node of this.#source.nodes) {
      const list = byName.get(node.name) ?? [];
      list.push(node);
      byName.set(node.name, list);
    }
    const aggregates = new Map<string, SourceNode[]>();
    for (const [name, starts] of [...byName].sort(([a], [b]) => compareBytes(a, b))) {
      if (this.#runSet(starts).length === 0) continue;
      const rootTask = starts.find((node) => node.pkg.isRoot && isReal(node) && !this.#dropped(node));
      if (rootTask !== undefined) {
        if (starts.some((node) => !node.pkg.isRoot && isReal(node) && !this.#dropped(node))) {
          const origin = rootTask.definition.origins[0];
          this.#warnings.push({
            level: "note",
            file: origin.file,
            path: origin.path,
            text:
              `at the root, "haz run ${name}" runs only root:${name}; "haz run '^:${name}'" runs ${name} in every project`,
            origin: null,
            nodeId: null,
          });
        }
        continue;
      }
      aggregates.set(name, starts);
    }
    return aggregates;
  }

  /** The imported tasks `turbo run` runs from these nodes (never through a dropped task). */
  #runSet(starts: readonly SourceNode[]): SourceNode[] {
    const seen = new Set<SourceNode>();
    const found: SourceNode[] = [];
    const stack = [...starts];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (seen.has(node)) continue;
      seen.add(node);
      if (isReal(node) && this.#dropped(node)) continue;
      if (this.#importable(node)) found.push(node);
      stack.push(...node.preds);
    }
    return found;
  }

  #aggregate(name: string, starts: readonly SourceNode[]): ImportedTask {
    const root = this.#source.packages[0];
    const hazName = this.#taskNames.get(root)!.get(name)!;
    const runSet = this.#runSet(starts).filter((node) => this.#imported(node));
    const named = runSet.filter((node) => node.name === name);
    const covered = new Set<SourceNode>();
    for (const node of named) for (const pred of this.#hazClosure(node)) covered.add(pred);
    const candidates = runSet.filter((node) => node.name !== name && !covered.has(node));
    const candidateCovered = new Set<SourceNode>();
    for (const node of candidates) for (const pred of this.#hazClosure(node)) candidateCovered.add(pred);
    const listed = candidates.filter((node) => !candidateCovered.has(node));
    const deps = [
      ...(named.length > 0 ? [`^~:${hazName}`] : []),
      ...this.#references(listed, this.#projectNames.get(".")!),
    ];
    return {
      name: hazName,
      renamedFrom: hazName === name ? null : name,
      comments: [],
      dropped: false,
      description: `runs what turbo run ${name} runs`,
      command: null,
      deps,
      inputs: null,
      outputs: [],
      fromHost: [],
      cacheFalse: false,
    };
  }

  /** References in canonical order (DAG-018), `~:` within the project. */
  #references(nodes: readonly SourceNode[], project: string): string[] {
    const ids = [...new Map(nodes.map((node) => {
      const id = this.#hazId(node);
      return [`${id.project}:${id.task}`, id];
    })).values()];
    ids.sort((a, b) => compareBytes(a.project, b.project) || compareBytes(a.task, b.task));
    return ids.map((id) => id.project === project ? `~:${id.task}` : `${id.project}:${id.task}`);
  }

  #task(node: SourceNode): ImportedTask {
    const name = this.#hazName(node) ?? node.name;
    const comments = this.#warnings
      .filter((warning) =>
        warning.level === "warning" &&
        (warning.nodeId === node.id ||
          (warning.origin !== null && node.definition.origins.some((origin) =>
            origin.file === warning.origin!.file && origin.key === warning.origin!.key
          )))
      );
    const base = {
      name,
      renamedFrom: name === node.name ? null : node.name,
      description: null,
      command: null,
      deps: [],
      inputs: null,
      outputs: [],
      fromHost: [],
      cacheFalse: false,
    };
    if (!this.#imported(node)) {
      return { ...base, comments: orderWarnings(comments).map((warning) => warning.text), dropped: true };
    }
    const project = this.#projectNames.get(node.pkg.dir)!;
    const deps = this.#references(this.#deps(node), project);
    const cached = this.#cached(node);
    const inputs = cached ? this.#inputSets.get(node)! : null;
    const outputs = cached ? this.#outputs.get(node)!.written : [];
    const fromHost = node.action === null ? [] : this.#fromHost(node);
    const cacheFalse = this.#turbo && node.action !== null &&
      (!node.definition.cache || node.definition.persistent);
    return {
      ...base,
      comments: orderWarnings(comments).map((warning) => warning.text),
      dropped: false,
      description: node.definition.description,
      command: this.#command(node),
      deps,
      inputs,
      outputs,
      fromHost,
      cacheFalse,
    };
  }

  #command(node: SourceNode): readonly string[] | null {
    const action = node.action;
    if (action === null) return null;
    if (action.kind === "argv") return action.argv;
    if (action.kind === "deno") return ["deno", "task", "--quiet", "--eval", action.command];
    switch (this.#source.pm) {
      case "yarn-berry":
        return ["yarn", "run", action.script];
      case "yarn-classic":
        return ["yarn", "run", "--silent", action.script];
      default:
        return [this.#source.pm, "run", "--silent", action.script];
    }
  }

  #fromHost(node: SourceNode): string[] {
    const names = new Set<string>();
    for (const entry of node.definition.env) if (validEnv(entry)) names.add(entry);
    if (this.#turbo) {
      for (const entry of this.#source.globalEnv) names.add(entry);
      for (const wildcard of inferredWildcards(node.pkg.dependencyNames)) names.add(wildcard);
    }
    return [...names].sort(compareBytes);
  }

  #tags(pkg: SourcePackage): string[] {
    const tags: string[] = [];
    for (const tag of this.#source.tags.get(pkg.dir) ?? []) {
      if (/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(tag) && tag.length <= 64) {
        if (!tags.includes(tag)) tags.push(tag);
      } else {
        this.#warn({
          file: `${pkg.dir}/turbo.json`,
          path: "tags",
          text: `tag "${tag}" is not a valid haz tag; ignored`,
        });
      }
    }
    return tags;
  }

  /** ADOPT-045: outputs as written, exclusions included; invalid ones are W-PATTERN. */
  #mapOutputs(node: SourceNode): MappedOutputs {
    const positives: string[] = [];
    const written: string[] = [];
    for (const entry of node.definition.outputs) {
      const mapped = mapSourcePattern(entry, node.pkg.dir);
      if (mapped.kind === "pattern") {
        const text = `${mapped.exclude ? "!" : ""}${mapped.text}`;
        if (!written.includes(text)) written.push(text);
        if (!mapped.exclude && !positives.includes(mapped.text)) positives.push(mapped.text);
      } else {
        this.#patternWarning(
          node,
          "outputs",
          entry,
          mapped.kind === "invalid" ? mapped.reason : "",
          "output not cached",
        );
      }
    }
    if (positives.length === 0) return { positives: [], written: [] };
    return { positives, written };
  }

  #patternWarning(node: SourceNode, field: string, entry: string, reason: string, effect: string): void {
    const origin = node.definition.origins[node.definition.origins.length - 1];
    this.#warn({
      file: origin.file,
      path: `${origin.path}.${field}`,
      text: `pattern "${entry}" cannot be expressed in haz (${reason}); ${effect}`,
      origin,
    });
  }

  /** ADOPT-041: the source set of a package, relative to it. */
  #sourceSet(pkg: SourcePackage): InputEntry[] {
    const exclusions = new Set<string>(["**/node_modules/**"]);
    if (this.#turbo) exclusions.add(".turbo/**");
    for (const [node, outputs] of this.#outputs) {
      if (node.pkg === pkg) {
        for (const text of outputs.positives) exclusions.add(relativeTo(text, pkg.dir, pkg.dir));
      } else if (pkg.isRoot) {
        for (const text of outputs.positives) exclusions.add(relativeTo(text, node.pkg.dir, ".").slice(1));
      }
    }
    return [
      { text: "**", exclude: false },
      ...[...exclusions].sort(compareBytes).map((text) => ({ text, exclude: true })),
    ];
  }

  /** Nodes by package directory, then task name (bytewise): the order of closure contributions. */
  #nodeOrder(): Map<SourceNode, number> {
    if (this.#order === null) {
      const sorted = [...this.#source.nodes].sort((a, b) =>
        compareBytes(a.pkg.dir, b.pkg.dir) || compareBytes(a.name, b.name)
      );
      this.#order = new Map(sorted.map((node, index) => [node, index]));
    }
    return this.#order;
  }

  /** {@linkcode #definitionContributions} written workspace-absolute, for tasks of other packages. */
  #absoluteContributions(node: SourceNode): Contribution[] {
    let found = this.#absolute.get(node);
    if (found === undefined) {
      found = this.#definitionContributions(node).map((contribution) =>
        contribution.map((entry) => ({ text: absoluteIn(entry.text, node.pkg.dir), exclude: entry.exclude }))
      );
      this.#absolute.set(node, found);
    }
    return found;
  }

  /** The contributions of one task's definition (ADOPT-042, 043), relative to its package. */
  #definitionContributions(node: SourceNode): Contribution[] {
    const known = this.#contributions.get(node);
    if (known !== undefined) return known;
    const found = this.#computeContributions(node);
    this.#contributions.set(node, found);
    return found;
  }

  #computeContributions(node: SourceNode): Contribution[] {
    const inputs = node.definition.inputs;
    if (inputs === null) return [this.#sourceSet(node.pkg)];
    const explicit: InputEntry[] = [];
    let withDefault = false;
    let invalid = false;
    for (const entry of inputs) {
      const mapped = mapSourcePattern(entry, node.pkg.dir);
      if (mapped.kind === "default") withDefault = true;
      else if (mapped.kind === "pattern") explicit.push({ text: mapped.text, exclude: mapped.exclude });
      else {
        invalid = true;
        if (this.#imported(node)) {
          this.#patternWarning(
            node,
            "inputs",
            entry,
            mapped.reason,
            "the task uses its project's source set instead",
          );
        }
      }
    }
    if (this.#turbo) {
      explicit.push({ text: "package.json", exclude: false }, { text: "turbo.json{,/**}", exclude: false });
    } else explicit.push({ text: basenameOf(node.pkg.manifest), exclude: false });
    if (!withDefault && !invalid) return [explicit];
    const extended = [...this.#sourceSet(node.pkg), ...explicit.filter((entry) => entry.exclude)];
    return withDefault ? [extended, explicit] : [explicit, extended];
  }

  #inputs(node: SourceNode): string[] {
    const closure = this.#closure(node);
    const ownDir = node.pkg.dir;
    const contributions: Contribution[] = [...this.#definitionContributions(node)];
    const order = this.#nodeOrder();
    const others = [...closure].filter((item) => item !== node).sort((a, b) => {
      const aOwn = a.pkg === node.pkg ? 0 : 1;
      const bOwn = b.pkg === node.pkg ? 0 : 1;
      return aOwn - bOwn || order.get(a)! - order.get(b)!;
    });
    for (const item of others) {
      contributions.push(
        ...(item.pkg === node.pkg ? this.#definitionContributions(item) : this.#absoluteContributions(item)),
      );
    }
    contributions.push(this.#globalInputs());
    const outputsNear = (prefix: string) => this.#outputsNearPrefix(prefix);
    const foreignOutputs = {
      *candidates(inclusionPrefixes: ReadonlySet<string>): Iterable<ForeignOutput> {
        const found = new Set<{ node: SourceNode; output: ForeignOutput }>();
        for (const prefix of inclusionPrefixes) {
          for (const item of outputsNear(prefix)) found.add(item);
        }
        for (const { node: other, output } of found) {
          if (other === node || closure.has(other)) continue;
          yield { ...output, text: relativeTo(output.text, other.pkg.dir, ownDir) };
        }
      },
    };
    return mergeInputs({ projectRoot: projectRoot(ownDir), contributions, foreignOutputs });
  }

  #outputsNearPrefix(prefix: string): readonly { node: SourceNode; output: ForeignOutput }[] {
    let near = this.#outputsNear.get(prefix);
    if (near === undefined) {
      near = this.#allOutputs().related(prefix);
      this.#outputsNear.set(prefix, near);
    }
    return near;
  }

  /** A task's outputs with their canonical patterns, `text` relative to its own project. */
  #allOutputs(): PrefixIndex<{ node: SourceNode; output: ForeignOutput }> {
    if (this.#outputIndex !== null) return this.#outputIndex;
    const index = new PrefixIndex<{ node: SourceNode; output: ForeignOutput }>();
    for (const [node, outputs] of this.#outputs) {
      for (const text of outputs.positives) {
        const pattern = resolvePattern({ text, exclude: false }, projectRoot(node.pkg.dir));
        const output = { text, pattern, prefix: prefixOf(pattern) };
        index.add(output.prefix, { node, output });
      }
    }
    this.#outputIndex = index;
    return index;
  }

  /** ADOPT-044, written workspace-absolute. */
  #globalInputs(): Contribution {
    const source = this.#source;
    const entries: InputEntry[] = [];
    const manifest = source.kind === "deno" ? source.rootConfig! : "package.json";
    entries.push({ text: `/${manifest}`, exclude: false });
    if (source.lockfile !== null) entries.push({ text: `/${source.lockfile}`, exclude: false });
    if (source.kind === "turbo") entries.push({ text: `/${source.rootConfig}`, exclude: false });
    for (const entry of source.globalDependencies) {
      const mapped = mapSourcePattern(entry, ".");
      if (mapped.kind !== "pattern") continue;
      entries.push({
        text: mapped.text.startsWith("/") ? mapped.text : `/${mapped.text}`,
        exclude: mapped.exclude,
      });
    }
    return entries;
  }
}

function validEnv(name: string): boolean {
  const base = name.endsWith("*") ? name.slice(0, -1) : name;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(base) && base.length <= 256;
}

/** Workspace-absolute project root of a directory. */
function projectRoot(dir: string): string {
  return dir === "." ? "/" : `/${dir}`;
}

/** A pattern written in package `fromDir` as it is written in package `toDir`'s file. */
function relativeTo(text: string, fromDir: string, toDir: string): string {
  return fromDir === toDir ? text : absoluteIn(text, fromDir);
}

/** A pattern written in package `dir`, made workspace-absolute. */
function absoluteIn(text: string, dir: string): string {
  if (text.startsWith("/")) return text;
  return dir === "." ? `/${text}` : `/${dir}/${text}`;
}

/** Warnings first, then notes; each group by file, then path (bytewise), stable otherwise. */
function orderWarnings(warnings: readonly AdoptWarning[]): AdoptWarning[] {
  return warnings
    .map((warning, index) => ({ warning, index }))
    .sort((a, b) =>
      (a.warning.level === b.warning.level ? 0 : a.warning.level === "warning" ? -1 : 1) ||
      compareBytes(a.warning.file, b.warning.file) || compareBytes(a.warning.path, b.warning.path) ||
      a.index - b.index
    )
    .map((item) => item.warning);
}
