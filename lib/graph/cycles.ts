/**
 * DAG-014: the union of hard, soft and producer edges, self edges aside, must be acyclic. Each strongly
 * connected component of two or more tasks is one error, explained by a shortest cycle.
 *
 * @module
 */

import { errorDiagnostic } from "../domain/diagnostic.ts";
import type { Diagnostic, DiagnosticLocation } from "../domain/diagnostic.ts";
import type { EdgeKind } from "../domain/workspace.ts";
import { indexByKey } from "./assemble_graph.ts";
import type { LocatedEdge } from "./declared_edges.ts";

/** Parallel edges are explained by the first kind in this order (DAG-014). */
const KIND_RANK: Readonly<Record<EdgeKind, number>> = { hard: 0, soft: 1, producer: 2 };

interface Step {
  readonly to: number;
  readonly kind: EdgeKind;
  readonly location?: DiagnosticLocation;
}

/**
 * One DAG-014 error per cycle component, in the order of their smallest id.
 *
 * @example
 * ```ts
 * cycleDiagnostics(["p:a", "p:b"], edges)[0].message; // "dependency cycle between 2 tasks: p:a, p:b"
 * ```
 */
export function cycleDiagnostics(order: readonly string[], edges: readonly LocatedEdge[]): Diagnostic[] {
  const position = indexByKey(order);
  if (isAcyclic(order.length, position, edges)) return [];
  const steps = successorSteps(position, order, edges);
  return stronglyConnectedComponents(steps)
    .filter((component) => component.length > 1)
    .map((component) => component.sort((a, b) => a - b))
    .sort((a, b) => a[0] - b[0])
    .map((component) => cycleDiagnostic(order, steps, component));
}

/** Per node index, successors in canonical order, each with the first kind of its parallel edges. */
function successorSteps(
  position: ReadonlyMap<string, number>,
  order: readonly string[],
  edges: readonly LocatedEdge[],
): Step[][] {
  const ranked: { from: number; to: number; kind: number; edge: LocatedEdge }[] = [];
  for (const edge of edges) {
    const from = position.get(edge.from);
    const to = position.get(edge.to);
    if (from === undefined || to === undefined || from === to) continue;
    ranked.push({ from, to, kind: KIND_RANK[edge.kind], edge });
  }
  // Stable: among parallel edges of the best kind, the first given explains the step.
  ranked.sort((a, b) => a.from - b.from || a.to - b.to || a.kind - b.kind);
  const steps: Step[][] = order.map(() => []);
  for (let index = 0; index < ranked.length; index++) {
    const { from, to, edge } = ranked[index];
    const previous = ranked[index - 1];
    if (previous !== undefined && previous.from === from && previous.to === to) continue;
    steps[from].push({ to, kind: edge.kind, location: edge.location });
  }
  return steps;
}

/**
 * Whether the edges between distinct known tasks form no cycle (Kahn's algorithm over typed arrays):
 * the usual answer, found without building the explained steps that a diagnostic needs.
 */
function isAcyclic(
  count: number,
  position: ReadonlyMap<string, number>,
  edges: readonly LocatedEdge[],
): boolean {
  const from = new Int32Array(edges.length);
  const to = new Int32Array(edges.length);
  const outDegree = new Int32Array(count + 1);
  const inDegree = new Int32Array(count);
  let kept = 0;
  for (const edge of edges) {
    const source = position.get(edge.from);
    const target = position.get(edge.to);
    if (source === undefined || target === undefined || source === target) continue;
    from[kept] = source;
    to[kept] = target;
    outDegree[source + 1]++;
    inDegree[target]++;
    kept++;
  }
  // Successors of node n are targets[start[n] .. start[n + 1]).
  const start = outDegree;
  for (let node = 0; node < count; node++) start[node + 1] += start[node];
  const fill = start.slice(0, count);
  const targets = new Int32Array(kept);
  for (let index = 0; index < kept; index++) targets[fill[from[index]]++] = to[index];
  const ready: number[] = [];
  for (let node = 0; node < count; node++) if (inDegree[node] === 0) ready.push(node);
  let done = 0;
  while (ready.length > 0) {
    const node = ready.pop()!;
    done++;
    for (let index = start[node]; index < start[node + 1]; index++) {
      if (--inDegree[targets[index]] === 0) ready.push(targets[index]);
    }
  }
  return done === count;
}

/** Tarjan's algorithm, iterative so that long chains cannot overflow the stack. */
function stronglyConnectedComponents(steps: readonly Step[][]): number[][] {
  const count = steps.length;
  const indexOf = new Int32Array(count).fill(-1);
  const lowLink = new Int32Array(count);
  const onStack = new Uint8Array(count);
  const stack: number[] = [];
  const components: number[][] = [];
  let nextIndex = 0;
  for (let root = 0; root < count; root++) {
    if (indexOf[root] !== -1) continue;
    const work: { node: number; next: number }[] = [{ node: root, next: 0 }];
    indexOf[root] = lowLink[root] = nextIndex++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const successors = steps[frame.node];
      if (frame.next < successors.length) {
        const to = successors[frame.next++].to;
        if (indexOf[to] === -1) {
          indexOf[to] = lowLink[to] = nextIndex++;
          stack.push(to);
          onStack[to] = 1;
          work.push({ node: to, next: 0 });
        } else if (onStack[to]) {
          lowLink[frame.node] = Math.min(lowLink[frame.node], indexOf[to]);
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        lowLink[parent] = Math.min(lowLink[parent], lowLink[frame.node]);
      }
      if (lowLink[frame.node] === indexOf[frame.node]) {
        const component: number[] = [];
        let member: number;
        do {
          member = stack.pop()!;
          onStack[member] = 0;
          component.push(member);
        } while (member !== frame.node);
        components.push(component);
      }
    }
  }
  return components;
}

function cycleDiagnostic(
  order: readonly string[],
  steps: readonly Step[][],
  component: number[],
): Diagnostic {
  const cycle = shortestCycle(steps, component);
  const ids = component.map((index) => order[index]);
  const rendered = cycle.map((step) => ` -[${step.kind}]-> ${order[step.to]}`).join("");
  return errorDiagnostic("DAG-014", `dependency cycle between ${ids.length} tasks: ${ids.join(", ")}`, {
    phase: 4,
    location: cycle[0].location,
    notes: [`cycle: ${order[component[0]]}${rendered}`],
  });
}

/** Breadth-first search from the smallest member back to itself, successors in canonical order. */
function shortestCycle(steps: readonly Step[][], component: readonly number[]): Step[] {
  const start = component[0];
  const members = new Set(component);
  const reachedBy = new Map<number, { from: number; step: Step }>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head];
    for (const step of steps[node]) {
      if (!members.has(step.to)) continue;
      if (step.to === start) return [...pathTo(reachedBy, node), step];
      if (reachedBy.has(step.to)) continue;
      reachedBy.set(step.to, { from: node, step });
      queue.push(step.to);
    }
  }
  return [];
}

function pathTo(reachedBy: ReadonlyMap<number, { from: number; step: Step }>, node: number): Step[] {
  const path: Step[] = [];
  for (let at = reachedBy.get(node); at !== undefined; at = reachedBy.get(at.from)) path.unshift(at.step);
  return path;
}
