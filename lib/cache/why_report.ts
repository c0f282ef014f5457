/**
 * `haz why REF` (03-cache.md AUX-013..016): the cache state of one task, derived read-only, with the
 * predecessor walk of AUX-014.
 *
 * @module
 */

import { unkeyedServiceOf } from "../graph/service_tasks.ts";
import { isEnvWildcard, matchingEnvNames } from "../domain/env_pattern.ts";
import { coverageMatchesPath } from "../domain/glob.ts";
import { compareBytes, comparePrintedIds } from "../domain/task_id.ts";
import type { PathPattern, TaskDefinition, TaskGraph } from "../domain/workspace.ts";
import type { LoadedWorkspace } from "../graph/load_workspace.ts";
import { hardPredecessorClosure } from "../graph/traverse.ts";
import type { CacheHandle } from "./cache_handle.ts";
import { enumerateInputs } from "./file_walk.ts";
import type { HashAlgorithm } from "./hash_algorithm.ts";
import { buildCacheKey } from "./key.ts";

/** What `why` knows about one task of the walk. */
interface TaskState {
  /** The derived key; null when not cacheable or not derivable. */
  readonly key: string | null;
  /** The `cache:` line value. */
  readonly line: string;
  readonly cacheable: boolean;
  /** Stream digests when determined (aggregate or hit), else null. */
  readonly streams: { readonly stdout: string; readonly stderr: string } | null;
  /** A CACHE-029 derivation failure. */
  readonly failure: string | null;
}

/** The report and what `why` must say on stderr. */
export interface WhyReport {
  /** The stdout report (AUX-015). */
  readonly text: string;
  /** stderr lines when the key cannot be derived (AUX-014); empty when the report is complete. */
  readonly errors: readonly string[];
}

/** Collaborators of {@link whyReport}. */
export interface WhyOptions {
  readonly loaded: LoadedWorkspace;
  /** Printed id of the target. */
  readonly target: string;
  readonly cache: CacheHandle;
  readonly hash: HashAlgorithm;
  readonly hostEnv: ReadonlyMap<string, string>;
  readonly platform: { readonly os: string; readonly arch: string };
  /** The configured remote (REMOTE-095); null without one. */
  readonly remote: WhyRemote | null;
}

/** What `why` needs of a configured remote (REMOTE-095). */
export interface WhyRemote {
  /** The REMOTE-020 off reason, or null when the mode is not `off`. */
  readonly offReason: string | null;
  readonly writeOnly: boolean;
  /** `HEAD`s the id: `present`, `absent` or `error: <problem>`. */
  probe(key: string): Promise<string>;
}

/**
 * Builds the report of AUX-015. Read-only: derives keys and reads entries, never writes.
 *
 * @example
 * ```ts
 * const report = await whyReport({ loaded, target: "app:hello", cache, hash, hostEnv, platform });
 * report.text.split("\n")[0]; // "task: app:hello"
 * ```
 */
export async function whyReport(options: WhyOptions): Promise<WhyReport> {
  const { loaded, target, hash } = options;
  const graph = loaded.graph;
  const states = new Map<string, TaskState>();
  for (const id of topologicalOrder(graph, target)) {
    states.set(id, await stateOf(options, graph.tasks.get(id)!, states));
  }
  const task = graph.tasks.get(target)!;
  const state = states.get(target)!;
  const undetermined = state.cacheable && state.key === null;
  const lines = [
    `task: ${target}`,
    `action: ${actionText(task)}`,
    `workdir: ${task.projectRoot}`,
    `platform: ${options.platform.os} ${options.platform.arch}`,
    `hash: ${hash.label}`,
    `key: ${state.cacheable ? state.key ?? "undetermined" : "-"}`,
    `cache: ${state.line}`,
  ];
  if (options.remote !== null) lines.push(`remote: ${await remoteLine(options.remote, state)}`);
  section(lines, "inputs", await inputLines(options, task));
  section(lines, "outputs", task.outputs.map((output) => output.canonical).sort(compareBytes));
  section(
    lines,
    "deps",
    (graph.hardPredecessors.get(target) ?? []).map((id) =>
      `${id} (${annotation(states.get(id)!, graph.tasks.get(id)!)})`
    ),
  );
  section(lines, "weakDeps", [...(graph.softPredecessors.get(target) ?? [])]);
  if (task.mutex !== null) {
    const name = task.mutex.scope === "project" ? `~:${task.mutex.name}` : task.mutex.name;
    lines.push(`mutex: ${name} (${task.mutex.mode})`);
  }
  section(lines, "env.from_host", envLines(task, options));
  section(
    lines,
    "env.override",
    [...task.env.override].sort(([a], [b]) => compareBytes(a, b)).map(([name, value]) =>
      `${name}=${JSON.stringify(value)}`
    ),
  );
  return { text: `${lines.join("\n")}\n`, errors: undetermined ? keyErrors(target, states, graph) : [] };
}

async function stateOf(
  options: WhyOptions,
  task: TaskDefinition,
  states: Map<string, TaskState>,
): Promise<TaskState> {
  const notCacheable = (reason: string, streams: TaskState["streams"]): TaskState => ({
    key: null,
    line: `not cacheable: ${reason}`,
    cacheable: false,
    streams,
    failure: null,
  });
  if (task.service !== null) return notCacheable("service (never cached)", null);
  if (task.action === null) return notCacheable("aggregate task (no action)", emptyStreams(options.hash));
  if (task.inputs === null) return notCacheable("no inputs declared", null);
  if (!task.cache) return notCacheable("cache: false", null);
  const unkeyed = unkeyedServiceOf(options.loaded.graph, task.key);
  if (unkeyed !== null) return notCacheable(`depends on service ${unkeyed}, which declares no inputs`, null);
  const predecessors = options.loaded.graph.hardPredecessors.get(task.key) ?? [];
  const digests = new Map<string, { stdout: string; stderr: string }>();
  for (const id of predecessors) {
    const streams = states.get(id)!.streams;
    if (streams === null) {
      return { key: null, line: "undetermined", cacheable: true, streams: null, failure: null };
    }
    digests.set(id, streams);
  }
  const derived = await buildCacheKey({
    workspaceRoot: options.loaded.workspace.root,
    task,
    hostEnv: options.hostEnv,
    predecessors: digests,
    hardPredecessors: predecessors,
    hash: options.hash,
    platform: options.platform,
  });
  if (!derived.ok) {
    return { key: null, line: "undetermined", cacheable: true, streams: null, failure: derived.message };
  }
  const found = await options.cache.lookup(derived.key, task);
  if (found.kind === "hit") {
    const streams = { stdout: found.manifest.stdout.hash, stderr: found.manifest.stderr.hash };
    return { key: derived.key, line: "hit", cacheable: true, streams, failure: null };
  }
  return { key: derived.key, line: `miss: ${found.state}`, cacheable: true, streams: null, failure: null };
}

/** AUX-014: the target's transitive hard predecessors in topological order, ties by task id. */
function topologicalOrder(graph: TaskGraph, target: string): string[] {
  const members = [...hardPredecessorClosure(graph, [target])].sort(comparePrintedIds);
  const inside = new Set(members);
  const done = new Set<string>();
  const order: string[] = [];
  while (order.length < members.length) {
    const next = members.find((id) =>
      !done.has(id) &&
      (graph.hardPredecessors.get(id) ?? []).every((pred) => !inside.has(pred) || done.has(pred))
    )!;
    done.add(next);
    order.push(next);
  }
  return order;
}

function keyErrors(target: string, states: ReadonlyMap<string, TaskState>, graph: TaskGraph): string[] {
  const prefix = `error: cannot derive the cache key of ${target}`;
  const own = states.get(target)!;
  if (own.failure !== null) return [`${prefix}: ${own.failure}`];
  const undeterminedPredecessors = (id: string) =>
    (graph.hardPredecessors.get(id) ?? []).filter((pred) => states.get(pred)!.streams === null);
  const roots = new Set<string>();
  const visited = new Set<string>();
  const pending = undeterminedPredecessors(target);
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (visited.has(id)) continue;
    visited.add(id);
    const further = undeterminedPredecessors(id);
    if (further.length === 0) roots.add(id);
    pending.push(...further);
  }
  const lines = [...roots].sort(comparePrintedIds).map((id) => {
    const state = states.get(id)!;
    const detail = state.failure !== null ? `key undetermined: ${state.failure}` : state.line;
    return `${prefix}: hard predecessor ${id} has no recorded result (${detail})`;
  });
  return [...lines, `help: run 'haz run ${target}' once; afterwards its predecessors' results are cached`];
}

function annotation(state: TaskState, task: TaskDefinition): string {
  return task.action === null ? "aggregate task" : state.line;
}

function actionText(task: TaskDefinition): string {
  const action = task.action;
  if (action === null) return "none (aggregate task)";
  if (action.kind === "command") return `command ${JSON.stringify(action.argv)}`;
  return `shell ${action.shell} ${JSON.stringify(action.script)}`;
}

async function inputLines(options: WhyOptions, task: TaskDefinition): Promise<string[]> {
  if (task.inputs === null) return [];
  const root = options.loaded.workspace.root;
  const globs = task.inputs.filter((pattern) => pattern.isGlob);
  const entries = new Map<string, string>();
  const walked = await enumerateInputs(root, globs, task.inputExclusions);
  if (walked.ok) { for (const file of walked.files) entries.set(file.path, ""); }
  for (const literal of task.inputs.filter((pattern) => !pattern.isGlob)) {
    const checked = await enumerateInputs(root, [literal], task.inputExclusions);
    if (checked.ok) { for (const file of checked.files) entries.set(file.path, ""); }
    else entries.set(literal.canonical, " (missing)");
  }
  const producers = [...options.loaded.graph.tasks.values()];
  return [...entries].sort(([a], [b]) => compareBytes(a, b)).map(([path, missing]) => {
    const producedBy = producers.filter((producer) =>
      producer.outputs.some((output: PathPattern) => coverageMatchesPath(output, path))
    ).map((producer) => producer.key);
    return `${path}${missing}${producedBy.length > 0 ? ` (produced by ${producedBy.join(", ")})` : ""}`;
  });
}

function envLines(task: TaskDefinition, options: WhyOptions): string[] {
  // A `PREFIX*` entry (ADOPT-101) is listed, then each variable it matches.
  const names = task.env.fromHost.flatMap((entry) =>
    isEnvWildcard(entry) ? [entry, ...matchingEnvNames(entry, options.hostEnv)] : [entry]
  );
  return [...new Set(names)].sort(compareBytes).map((name) => {
    if (isEnvWildcard(name)) return `${name} (wildcard)`;
    if (task.env.override.has(name)) return `${name} (overridden)`;
    const value = options.hostEnv.get(name);
    if (value === undefined) return `${name} (absent)`;
    const hasher = options.hash.create();
    hasher.update(new TextEncoder().encode(value));
    return `${name} (set, fingerprint ${hasher.digestHex().slice(0, 12)})`;
  });
}

function section(lines: string[], title: string, entries: readonly string[]): void {
  if (entries.length === 0) return;
  lines.push(`${title}:`, ...entries.map((entry) => `  ${entry}`));
}

function emptyStreams(hash: HashAlgorithm): { stdout: string; stderr: string } {
  const empty = hash.create().digestHex();
  return { stdout: empty, stderr: empty };
}

/** REMOTE-095: the eighth line's value. */
function remoteLine(remote: WhyRemote, state: TaskState): Promise<string> | string {
  if (remote.offReason !== null) return `off: ${remote.offReason}`;
  if (remote.writeOnly) return "not checked (write-only)";
  if (state.line === "hit") return "not checked (local hit)";
  if (state.key === null) return `not checked (${state.line})`;
  return remote.probe(state.key);
}
