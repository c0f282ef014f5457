/**
 * Producer-matching edges (02-graph.md DAG-013): A → B when A's output coverage intersects one of B's
 * inclusion inputs, unless one of B's exclusions discounts that output. Decided on patterns alone.
 *
 * @module
 */

import { compareBytes } from "../domain/task_id.ts";
import type { PathPattern, TaskDefinition } from "../domain/workspace.ts";
import { coverageIntersects, exclusionDiscounts } from "./pattern_intersection.ts";
import type { LocatedEdge } from "./declared_edges.ts";

/**
 * Every producer edge between the given tasks, self edges included, each with its `via` pair (the first
 * intersecting (output, input) by canonical bytes) and the input's declaration as location.
 *
 * @example
 * ```ts
 * producerEdges(tasks);
 * // [{ from: "core:build", to: "web:build", kind: "producer",
 * //    via: { output: "/libs/core/dist", input: "/libs/core/dist/index.js" }, location: … }]
 * ```
 */
export function producerEdges(tasks: Iterable<TaskDefinition>): LocatedEdge[] {
  const all = [...tasks];
  const inputs = new InputIndex(all);
  const found = new Map<string, { from: string; to: string; output: PathPattern; input: PathPattern }>();
  for (const producer of all) {
    for (const output of producer.outputs) {
      for (const { consumer, input } of inputs.candidates(literalPrefix(output))) {
        if (!coverageIntersects(output, input) || isDiscounted(consumer, output)) continue;
        const pairKey = `${producer.key}\n${consumer.key}`;
        const known = found.get(pairKey);
        if (known === undefined || isEarlierPair(output, input, known.output, known.input)) {
          found.set(pairKey, { from: producer.key, to: consumer.key, output, input });
        }
      }
    }
  }
  return [...found.values()].map(({ from, to, output, input }) => ({
    from,
    to,
    kind: "producer",
    via: { output: output.canonical, input: input.canonical },
    location: input.location,
  }));
}

/** The text before the first glob character: every path a pattern (or its coverage) matches starts with it. */
function literalPrefix(pattern: PathPattern): string {
  if (!pattern.isGlob) return pattern.canonical;
  const match = /[*?[{\\]/.exec(pattern.canonical);
  return match === null ? pattern.canonical : pattern.canonical.slice(0, match.index);
}

function isDiscounted(consumer: TaskDefinition, output: PathPattern): boolean {
  return consumer.inputExclusions.some((exclusion) => exclusionDiscounts(exclusion, output));
}

function isEarlierPair(
  output: PathPattern,
  input: PathPattern,
  knownOutput: PathPattern,
  knownInput: PathPattern,
) {
  return (compareBytes(output.canonical, knownOutput.canonical) ||
    compareBytes(input.canonical, knownInput.canonical)) < 0;
}

interface IndexedInput {
  readonly consumer: TaskDefinition;
  readonly input: PathPattern;
  readonly prefix: string;
}

/**
 * Inclusion inputs by literal prefix. Two patterns can only share a path when one prefix starts with the
 * other, so a lookup visits the inputs whose prefix extends the output's (a sorted range) and those whose
 * prefix is a proper prefix of it (exact lookups) instead of every input of the workspace. Only the
 * distinct prefixes are sorted (an imported workspace repeats each across a thousand tasks), and by
 * UTF-16 code units: any lexicographic order keeps the strings sharing a prefix contiguous.
 */
class InputIndex {
  readonly #byPrefix = new Map<string, IndexedInput[]>();
  readonly #sorted: string[];
  /** The distinct prefix lengths, ascending: only these can name a shorter prefix worth looking up. */
  readonly #lengths: number[];

  constructor(tasks: readonly TaskDefinition[]) {
    const lengths = new Set<number>();
    for (const consumer of tasks) {
      for (const input of consumer.inputs ?? []) {
        const prefix = literalPrefix(input);
        const entry = { consumer, input, prefix };
        const same = this.#byPrefix.get(prefix);
        if (same) same.push(entry);
        else {
          this.#byPrefix.set(prefix, [entry]);
          lengths.add(prefix.length);
        }
      }
    }
    this.#sorted = [...this.#byPrefix.keys()].sort();
    this.#lengths = [...lengths].sort((a, b) => a - b);
  }

  *candidates(prefix: string): Generator<IndexedInput> {
    for (const length of this.#lengths) {
      if (length >= prefix.length) break;
      yield* this.#byPrefix.get(prefix.slice(0, length)) ?? [];
    }
    for (let at = this.#lowerBound(prefix); at < this.#sorted.length; at++) {
      const extending = this.#sorted[at];
      if (!extending.startsWith(prefix)) break;
      yield* this.#byPrefix.get(extending)!;
    }
  }

  #lowerBound(prefix: string): number {
    let low = 0;
    let high = this.#sorted.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.#sorted[middle] < prefix) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
