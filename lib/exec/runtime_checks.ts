/**
 * The runtime graph checks (04-execution.md §8): EXEC-020 output overlap and EXEC-019 runtime cycle,
 * run on the materialised outputs of each succeeded task before its successors are released.
 *
 * @module
 */

import { compileGlobAlternatives, exclusionMatchesPath, patternMatches } from "../domain/glob.ts";
import { comparePrintedIds, parseTaskId } from "../domain/task_id.ts";
import type { PathPattern, TaskGraph } from "../domain/workspace.ts";
import type { RuntimeInvariantViolation } from "./records.ts";

/** One glob inclusion (by canonical text) and the run-set tasks declaring it. */
interface GlobInclusion {
  readonly pattern: PathPattern;
  readonly tasks: string[];
}

/**
 * The claim map, the input index and the union graph of one run.
 *
 * @example
 * ```ts
 * const checks = new RuntimeChecks(graph, runSet);
 * checks.check("p:a", ["/shared/x.txt"]); // []
 * checks.check("q:b", ["/shared/x.txt"]); // [{ kind: "output-overlap", first: p:a, second: q:b, … }]
 * ```
 */
export class RuntimeChecks {
  readonly #runSet: ReadonlySet<string>;
  readonly #tasks: TaskGraph["tasks"];
  /** Path → the first task that materialised it (EXEC-020). */
  readonly #claims = new Map<string, string>();
  /** Literal inclusion text → tasks declaring it. */
  readonly #literalInputs = new Map<string, string[]>();
  /** Canonical text of a glob inclusion → the tasks declaring it (an imported workspace repeats each). */
  readonly #globInclusions = new Map<string, GlobInclusion>();
  /** Static prefix of a glob alternative → the glob inclusions with that prefix. */
  readonly #globInputs = new Map<string, GlobInclusion[]>();
  /** `from\0to` for every static edge, any kind, and every runtime edge added so far. */
  readonly #edges = new Set<string>();
  readonly #successors = new Map<string, string[]>();
  readonly #predecessors = new Map<string, string[]>();
  /** Member lists of recorded cycles, so a component is reported once. */
  readonly #recordedCycles = new Set<string>();

  #indexed = false;
  readonly #graph: TaskGraph;

  constructor(graph: TaskGraph, runSet: ReadonlySet<string>) {
    this.#graph = graph;
    this.#runSet = runSet;
    this.#tasks = graph.tasks;
  }

  /** Builds the edge set and the input index on the first outputs to check (most runs have none). */
  #index(): void {
    if (this.#indexed) return;
    this.#indexed = true;
    const runSet = this.#runSet;
    for (const edge of this.#graph.edges) {
      this.#edges.add(edgeKey(edge.from, edge.to));
      if (edge.from !== edge.to && runSet.has(edge.from) && runSet.has(edge.to)) {
        this.#link(edge.from, edge.to);
      }
    }
    for (const id of runSet) {
      const task = this.#graph.tasks.get(id);
      for (const pattern of task?.inputs ?? []) this.#indexInput(id, pattern);
    }
  }

  /**
   * Checks the outputs of a succeeded task: overlaps first (one per path claimed by another task),
   * then the runtime producer edges and at most one new cycle through the task.
   */
  check(task: string, materialised: readonly string[]): RuntimeInvariantViolation[] {
    const violations: RuntimeInvariantViolation[] = [];
    if (materialised.length === 0) return violations;
    this.#index();
    for (const path of materialised) {
      const claimant = this.#claims.get(path);
      if (claimant === undefined) this.#claims.set(path, task);
      else if (claimant !== task) {
        violations.push({
          kind: "output-overlap",
          rule: "EXEC-020",
          first: parseTaskId(claimant),
          second: parseTaskId(task),
          path,
        });
      }
    }
    const added: { consumer: string; path: string }[] = [];
    for (const path of materialised) {
      for (const consumer of this.#consumersOf(path)) {
        if (consumer === task || this.#edges.has(edgeKey(task, consumer))) continue;
        this.#edges.add(edgeKey(task, consumer));
        this.#link(task, consumer);
        added.push({ consumer, path });
      }
    }
    if (added.length > 0) {
      const cycle = this.#newCycleThrough(task);
      if (cycle !== null) {
        const closing = added.find((edge) => cycle.has(edge.consumer));
        if (closing !== undefined) {
          violations.push({
            kind: "runtime-cycle",
            rule: "EXEC-019",
            nodes: [...cycle].sort(comparePrintedIds).map(parseTaskId),
            closingEdge: {
              producer: parseTaskId(task),
              consumer: parseTaskId(closing.consumer),
              path: closing.path,
            },
          });
        }
      }
    }
    return violations;
  }

  #indexInput(task: string, pattern: PathPattern): void {
    if (!pattern.isGlob) {
      append(this.#literalInputs, pattern.canonical, task);
      return;
    }
    let inclusion = this.#globInclusions.get(pattern.canonical);
    if (inclusion === undefined) {
      inclusion = { pattern, tasks: [] };
      this.#globInclusions.set(pattern.canonical, inclusion);
      for (const prefix of globPrefixes(pattern.canonical)) append(this.#globInputs, prefix, inclusion);
    }
    inclusion.tasks.push(task);
  }

  /** Run-set tasks whose inputs match `path` (PATH-021: an inclusion and no exclusion), canonical order. */
  #consumersOf(path: string): string[] {
    const candidates = new Set<string>(this.#literalInputs.get(path) ?? []);
    for (const prefix of ancestorsAndSelf(path)) {
      for (const { pattern, tasks } of this.#globInputs.get(prefix) ?? []) {
        if (!patternMatches(pattern, path)) continue;
        for (const task of tasks) candidates.add(task);
      }
    }
    const consumers: string[] = [];
    for (const task of candidates) {
      const exclusions = this.#tasks.get(task)?.inputExclusions ?? [];
      if (!exclusions.some((exclusion) => exclusionMatchesPath(exclusion, path))) consumers.push(task);
    }
    return consumers.sort(comparePrintedIds);
  }

  #link(from: string, to: string): void {
    append(this.#successors, from, to);
    append(this.#predecessors, to, from);
  }

  /** The strongly connected component of `task` in the union graph, when it is a cycle not yet reported. */
  #newCycleThrough(task: string): Set<string> | null {
    const forward = reach(task, this.#successors, null);
    const component = reach(task, this.#predecessors, forward);
    if (component.size < 2) return null;
    const signature = [...component].sort(comparePrintedIds).join("\n");
    if (this.#recordedCycles.has(signature)) return null;
    this.#recordedCycles.add(signature);
    return component;
  }
}

function reach(start: string, adjacency: ReadonlyMap<string, readonly string[]>, within: Set<string> | null) {
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length > 0) {
    for (const next of adjacency.get(stack.pop()!) ?? []) {
      if (seen.has(next) || (within !== null && !within.has(next))) continue;
      seen.add(next);
      stack.push(next);
    }
  }
  return seen;
}

/** The distinct static prefixes of a glob's alternatives, by canonical text. */
const prefixesOfGlob = new Map<string, readonly string[]>();

/**
 * Memoised: the same patterns recur in every run of a process (`haz watch`). Every path an
 * alternative matches lies at or below its literal prefix; the compiled alternatives are those the
 * run's keys were derived with.
 */
function globPrefixes(canonical: string): readonly string[] {
  let prefixes = prefixesOfGlob.get(canonical);
  if (prefixes === undefined) {
    prefixes = [
      ...new Set(compileGlobAlternatives(canonical).map((alternative) => alternative.literalPrefix)),
    ];
    prefixesOfGlob.set(canonical, prefixes);
  }
  return prefixes;
}

/** `/a/b/c` → `/`, `/a`, `/a/b`, `/a/b/c`: the keys a glob's static prefix can have for this path. */
function ancestorsAndSelf(path: string): string[] {
  const keys = ["/"];
  for (let slash = path.indexOf("/", 1); slash !== -1; slash = path.indexOf("/", slash + 1)) {
    keys.push(path.slice(0, slash));
  }
  if (path !== "/") keys.push(path);
  return keys;
}

function edgeKey(from: string, to: string): string {
  return `${from}\u0000${to}`;
}

function append<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
