/**
 * Building the source graph's nodes and edges from per-source rules (08-adoption.md ADOPT-021..023),
 * and finding a dependency cycle (ADOPT-004).
 *
 * @module
 */

import type { SourceAction, SourceDefinition, SourceNode, SourcePackage } from "./source_model.ts";

/** A configured (package, task) pair with its effective definition. */
export interface NodeSpec {
  readonly pkg: SourcePackage;
  readonly name: string;
  readonly definition: SourceDefinition;
}

/** Finds or creates the node of a (package, task) pair; null when it is not configured. */
export type NodeLookup = (
  pkg: SourcePackage,
  task: string,
  definition: SourceDefinition | null,
) => SourceNode | null;

/** The rules of one source kind. */
export interface GraphRules {
  readonly specs: readonly NodeSpec[];
  readonly idOf: (pkg: SourcePackage, task: string) => string;
  readonly actionOf: (pkg: SourcePackage, task: string, definition: SourceDefinition) => SourceAction | null;
  readonly aggregateOf?: (pkg: SourcePackage, task: string, definition: SourceDefinition) => boolean;
  readonly predecessorsOf: (node: SourceNode, lookup: NodeLookup) => SourceNode[];
}

/** The graph, and the first cycle found (ids, first repeated at the end) or null. */
export interface BuiltGraph {
  readonly nodes: SourceNode[];
  readonly cycle: readonly string[] | null;
}

/**
 * Creates a node per spec, then the edges of every node (nodes reached only through edges are
 * created on the way), then looks for a cycle.
 *
 * @example
 * ```ts
 * const { nodes, cycle } = buildNodes(rules);
 * cycle; // null, or ["a#x", "b#x", "a#x"]
 * ```
 */
export function buildNodes(rules: GraphRules): BuiltGraph {
  const nodes: SourceNode[] = [];
  const byKey = new Map<string, SourceNode>();
  const pending: SourceNode[] = [];
  const lookup: NodeLookup = (pkg, task, definition) => {
    const key = `${pkg.dir}\0${task}`;
    const existing = byKey.get(key);
    if (existing !== undefined) return existing;
    if (definition === null) return null;
    const node: SourceNode = {
      id: rules.idOf(pkg, task),
      pkg,
      name: task,
      action: rules.actionOf(pkg, task, definition),
      aggregate: rules.aggregateOf?.(pkg, task, definition) ?? false,
      definition,
      preds: [],
    };
    byKey.set(key, node);
    nodes.push(node);
    pending.push(node);
    return node;
  };
  for (const spec of rules.specs) lookup(spec.pkg, spec.name, spec.definition);
  while (pending.length > 0) {
    const node = pending.shift()!;
    const preds = rules.predecessorsOf(node, lookup);
    for (const pred of preds) if (!node.preds.includes(pred)) node.preds.push(pred);
  }
  return { nodes, cycle: findCycle(nodes) };
}

/**
 * Whether a node has something to run or is imported as an aggregate.
 *
 * @example
 * ```ts
 * isReal(node); // true for a package script
 * ```
 */
export function isReal(node: SourceNode): boolean {
  return node.action !== null || node.aggregate;
}

/** Depth-first search along predecessors; the first back edge gives the cycle. */
function findCycle(nodes: readonly SourceNode[]): string[] | null {
  const state = new Map<SourceNode, 1 | 2>();
  const stack: SourceNode[] = [];
  const visit = (node: SourceNode): string[] | null => {
    state.set(node, 1);
    stack.push(node);
    for (const pred of node.preds) {
      const seen = state.get(pred);
      if (seen === 1) {
        const start = stack.indexOf(pred);
        return [...stack.slice(start), pred].map((item) => item.id);
      }
      if (seen === undefined) {
        const found = visit(pred);
        if (found !== null) return found;
      }
    }
    stack.pop();
    state.set(node, 2);
    return null;
  };
  for (const node of nodes) {
    if (state.has(node)) continue;
    const found = visit(node);
    if (found !== null) return found;
  }
  return null;
}
