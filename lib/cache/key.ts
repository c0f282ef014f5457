/**
 * Cache key derivation (03-cache.md CACHE-001..009, CACHE-025..029): the framed byte stream of a
 * task's seven key sections, hashed with the active function.
 *
 * @module
 */

import { statSync } from "node:fs";
import process from "node:process";
import { isEnvWildcard, matchingEnvNames } from "../domain/env_pattern.ts";
import { coverageMatchesPath } from "../domain/glob.ts";
import { compareBytes, comparePrintedIds, parseTaskId } from "../domain/task_id.ts";
import type { TaskAction, TaskDefinition } from "../domain/workspace.ts";
import { enumerateInputs, enumerateLiteralInputs } from "./file_walk.ts";
import { type FileDigest, hashFileNow } from "./file_hash.ts";
import type { FileObservations } from "./file_observations.ts";
import type { HashAlgorithm } from "./hash_algorithm.ts";
import { type InputSection, sharedInputSection, sharedInputSectionNow } from "./input_entries.ts";
import { type HashedInput, hashInputs } from "./input_hashing.ts";
import type { InputDigestMemo } from "./input_stat_cache.ts";
import { errorMessage } from "./io_error.ts";
import { FrameWriter } from "./key_frame.ts";

export type { HashedInput } from "./input_hashing.ts";

/** The schema revision fed first (CACHE-003); the manifest's `schema` carries the same number. */
export const SCHEMA_REVISION = 1;

/** Everything a key is derived from. */
export interface KeyRequest {
  /** Real host path of the workspace root. */
  workspaceRoot: string;
  /** The task whose key is derived; without an action or declared `inputs` the result is `ok: false`. */
  task: TaskDefinition;
  /** The single host environment snapshot of the invocation (CACHE-028). */
  hostEnv: ReadonlyMap<string, string>;
  /** Stream digests of the task's direct hard predecessors, by printed id. */
  predecessors: ReadonlyMap<string, { stdout: string; stderr: string }>;
  /** Printed ids of the direct hard predecessors that are not services. */
  hardPredecessors: readonly string[];
  /**
   * Direct hard predecessors that are services or service aggregates, by printed id, with their start
   * keys (SVC-045): section `V` instead of `P`.
   */
  services?: ReadonlyMap<string, string>;
  /** The active hash function, for the prefix (CACHE-003), input contents and the key. */
  hash: HashAlgorithm;
  /** Defaults to `process.platform` / `process.arch` (CACHE-027). */
  platform?: { os: string; arch: string };
  /** The input stat cache (PERF-002); without it every input is read and hashed. */
  inputDigests?: InputDigestMemo;
  /** File-system answers shared by the tasks of one run; without it every read goes to the disk. */
  observations?: FileObservations;
}

/** The key, or the CACHE-029 reason why it cannot be derived. */
export type KeyResult = { ok: true; key: string; inputs: readonly HashedInput[] } | {
  ok: false;
  message: string;
};

/** The values of the seven key sections (CACHE-004); lists are sorted and de-duplicated on encoding. */
export interface KeyComponents {
  readonly action: TaskAction;
  /** Workspace-absolute project root (CACHE-025). */
  readonly workdir: string;
  /** Canonical output pattern texts (CACHE-026). */
  readonly outputs: readonly string[];
  /** Input files with their content digests, 64 hex (CACHE-006). */
  readonly inputs: readonly { readonly path: string; readonly digest: string }[];
  /** Direct hard predecessors with their stream digests, 64 hex (CACHE-007). */
  readonly predecessors: readonly {
    readonly project: string;
    readonly task: string;
    readonly stdout: string;
    readonly stderr: string;
  }[];
  /** Hashed variables; null is ABSENT (CACHE-008). */
  readonly env: readonly { readonly name: string; readonly value: string | null }[];
  readonly platform: { readonly os: string; readonly arch: string };
  /** Service predecessors with their start keys, 64 hex (SVC-045); section `V` only when non-empty. */
  readonly services?: readonly { readonly id: string; readonly startKey: string }[];
}

/**
 * Derives a task's cache key: enumerates and hashes its input files (streamed), then hashes the
 * framed components (CACHE-003..009). Failures are CACHE-029 values naming the path.
 *
 * @example
 * ```ts
 * const result = await buildCacheKey({
 *   workspaceRoot: "/work", task, hostEnv: new Map([["GREETING", "hi"]]),
 *   predecessors: new Map(), hardPredecessors: [], hash: sha256,
 * });
 * if (result.ok) result.key; // "db175af0…e142" for the worked example
 * ```
 */
export async function buildCacheKey(request: KeyRequest): Promise<KeyResult> {
  const predecessors = predecessorComponents(request);
  if (!Array.isArray(predecessors)) return predecessors;
  const { task, observations } = request;
  if (observations !== undefined) {
    const section = await sharedInputSection({ ...request, observations });
    if (section !== null) return finishKey(request, predecessors, section);
  }
  const enumeration = await enumerateInputs(
    request.workspaceRoot,
    task.inputs!,
    task.inputExclusions,
    request.observations,
  );
  if (!enumeration.ok) return { ok: false, message: enumeration.message };
  const hashed = await hashInputs(
    enumeration.files,
    request.hash,
    request.inputDigests,
    request.observations,
  );
  if (!hashed.ok) return hashed;
  return finishKey(request, predecessors, framedSection(hashed.inputs));
}

/**
 * {@link buildCacheKey} synchronously, for the common shape it can answer without waiting: literal
 * inputs only, each remembered by the stat cache or small enough for one read. Null otherwise (the
 * caller then uses {@link buildCacheKey}); the same key and failures when not null.
 *
 * @example
 * ```ts
 * const result = buildCacheKeyNow({
 *   workspaceRoot: "/work", task, hostEnv: new Map(), predecessors: new Map(), hardPredecessors: [], hash: sha256,
 * });
 * if (result?.ok) result.key; // the key buildCacheKey derives
 * ```
 */
export function buildCacheKeyNow(request: KeyRequest): KeyResult | null {
  const predecessors = predecessorComponents(request);
  if (!Array.isArray(predecessors)) return predecessors;
  const { task, observations } = request;
  if (observations !== undefined) {
    const section = sharedInputSectionNow({ ...request, observations });
    if (section !== null) return finishKey(request, predecessors, section);
  }
  const enumeration = enumerateLiteralInputs(request.workspaceRoot, task.inputs!, task.inputExclusions);
  if (enumeration === null) return null;
  if (!enumeration.ok) return { ok: false, message: enumeration.message };
  const inputs: HashedInput[] = [];
  for (const file of enumeration.files) {
    let content: FileDigest | null;
    try {
      const seen = file.stat ?? statSync(file.hostPath, { bigint: true });
      content = hashFileNow(file.hostPath, request.hash, request.inputDigests, seen);
    } catch (error) {
      return { ok: false, message: `cannot read input \`${file.path}\`: ${errorMessage(error)}` };
    }
    if (content === null) return null;
    inputs.push({ path: file.path, hostPath: file.hostPath, ...content });
  }
  return finishKey(request, predecessors, framedSection(inputs));
}

type PredecessorComponent = KeyComponents["predecessors"][number];

/** Section `P` of a cacheable task, or why the key cannot be derived. */
function predecessorComponents(request: KeyRequest): PredecessorComponent[] | { ok: false; message: string } {
  const { task } = request;
  if (task.action === null || task.inputs === null) {
    return { ok: false, message: `task ${task.key} is not cacheable` };
  }
  const predecessors: PredecessorComponent[] = [];
  for (const id of request.hardPredecessors) {
    const digests = request.predecessors.get(id);
    if (digests === undefined) {
      return { ok: false, message: `internal error: hard predecessor ${id} has no recorded stream digests` };
    }
    const { project, task: name } = parseTaskId(id);
    predecessors.push({ project, task: name, stdout: digests.stdout, stderr: digests.stderr });
  }
  return predecessors;
}

/** Section `I` of inputs in byte order of path, unique (as the enumeration gives them). */
function framedSection(inputs: readonly HashedInput[]): InputSection {
  const unique = uniqueSorted(inputs, (input) => input.path);
  return { inputs: unique, framed: [framedEntries(unique)] };
}

/** `str(path) digest(content)` of each input, in the given order. */
function framedEntries(inputs: readonly { readonly path: string; readonly digest: string }[]): Uint8Array {
  // A path of a few dozen bytes and its 32-byte digest per input.
  const out = new FrameWriter(96 * inputs.length);
  for (const input of inputs) {
    out.str(input.path);
    out.digest(input.digest);
  }
  return out.bytes();
}

/** Hashes the framed components once the inputs are hashed and framed. */
function finishKey(
  request: KeyRequest,
  predecessors: readonly PredecessorComponent[],
  section: InputSection,
): KeyResult {
  const { task } = request;
  const components: Omit<KeyComponents, "inputs"> = {
    action: task.action!,
    workdir: task.projectRoot,
    // Output exclusions enter with their `!` (ADOPT-100); without them the section is unchanged.
    outputs: [
      ...task.outputs.map((pattern) => pattern.canonical),
      ...(task.outputExclusions ?? []).map((pattern) => `!${pattern.canonical}`),
    ],
    predecessors,
    env: hashedEnvironment(task, request.hostEnv),
    platform: request.platform ?? { os: process.platform, arch: process.arch },
    services: [...(request.services ?? new Map()).entries()].map(([id, startKey]) => ({ id, startKey })),
  };
  const hasher = request.hash.create();
  KEY_WRITER.reset();
  writeKey(KEY_WRITER, components, request.hash, { count: section.inputs.length, framed: section.framed });
  hasher.update(KEY_WRITER.view());
  return { ok: true, key: hasher.digestHex(), inputs: section.inputs };
}

/** Reused by every key of the process: each is written and hashed synchronously, then let go. */
const KEY_WRITER = new FrameWriter(64 * 1024);

/**
 * The framed byte stream of CACHE-009 (prefix and seven sections, then `V` when there are services) for the given components. Lists
 * are put in byte order and de-duplicated here, so the stream is independent of declaration order.
 *
 * @example
 * ```ts
 * const bytes = encodeKeyComponents(components, sha256);
 * bytes.length; // 165 for `app:hello` of the worked example
 * ```
 */
export function encodeKeyComponents(components: KeyComponents, hash: HashAlgorithm): Uint8Array {
  const inputs = uniqueSorted(components.inputs, (input) => input.path);
  const framed = framedEntries(inputs);
  const out = new FrameWriter(1024 + framed.length);
  writeKey(out, components, hash, { count: inputs.length, framed: [framed] });
  return out.bytes();
}

/** Writes the stream of CACHE-009 with section `I` given framed: its count, then its entries. */
function writeKey(
  out: FrameWriter,
  components: Omit<KeyComponents, "inputs">,
  hash: HashAlgorithm,
  inputs: { readonly count: number; readonly framed: readonly Uint8Array[] },
): void {
  out.u8(SCHEMA_REVISION);
  out.u8(hash.id);

  out.u8(0x41);
  const { action } = components;
  if (action.kind === "command") {
    out.u8(0x01);
    out.list(action.argv, (arg) => out.str(arg));
  } else {
    out.u8(0x02);
    out.str(action.shell);
    out.str(action.script);
  }

  out.u8(0x57);
  out.str(components.workdir);

  out.u8(0x4f);
  out.list(uniqueSorted(components.outputs, (text) => text), (text) => out.str(text));

  out.u8(0x49);
  out.u32(inputs.count);
  for (const part of inputs.framed) out.framed(part);

  out.u8(0x50);
  const predecessors = uniqueSorted(
    components.predecessors,
    (p) => `${p.project}:${p.task}`,
    comparePrintedIds,
  );
  out.list(predecessors, (p) => {
    out.str(p.project);
    out.str(p.task);
    out.digest(p.stdout);
    out.digest(p.stderr);
  });

  out.u8(0x45);
  out.list(uniqueSorted(components.env, (variable) => variable.name), (variable) => {
    out.str(variable.name);
    if (variable.value === null) {
      out.u8(0x00);
    } else {
      out.u8(0x01);
      out.str(variable.value);
    }
  });

  out.u8(0x53);
  out.str(components.platform.os);
  out.str(components.platform.arch);

  const services = uniqueSorted(components.services ?? [], (service) => service.id);
  if (services.length > 0) {
    out.u8(0x56);
    out.list(services, (service) => {
      out.str(service.id);
      out.digest(service.startKey);
    });
  }
}

/** Reason of the CACHE-035 store warning. */
export const INPUTS_CHANGED_REASON = "inputs changed while the task ran";

/**
 * CACHE-035: true when every input still has the size, mtime and inode seen while hashing. Inputs
 * that the task's own declared outputs match are exempt (a formatter rewrites its inputs).
 *
 * @example
 * ```ts
 * if (!inputsUnchanged(task, key.inputs)) warn(INPUTS_CHANGED_REASON);
 * ```
 */
export function inputsUnchanged(
  task: TaskDefinition,
  inputs: readonly HashedInput[],
): boolean {
  const checked = inputs.filter((input) =>
    !task.outputs.some((output) => coverageMatchesPath(output, input.path))
  );
  // Synchronous stats: microseconds each, between a task's exit and its store.
  return checked.every((input) => {
    const now = statSync(input.hostPath, { bigint: true, throwIfNoEntry: false });
    return now !== undefined && Number(now.size) === input.size && now.mtimeNs === input.mtimeNs &&
      now.ino === input.ino;
  });
}

/**
 * CACHE-008: `from_host` and `override` names, each once, override values winning. A `PREFIX*` entry
 * (ADOPT-101) is recorded itself, as absent, followed by every host variable it matches; no variable
 * name contains `*`, so "no match" and "no wildcard" give different keys.
 */
function hashedEnvironment(
  task: TaskDefinition,
  hostEnv: ReadonlyMap<string, string>,
): { name: string; value: string | null }[] {
  if (task.env.fromHost.length === 0 && task.env.override.size === 0) return [];
  const names = new Set<string>(task.env.override.keys());
  const wildcards: string[] = [];
  for (const entry of task.env.fromHost) {
    if (isEnvWildcard(entry)) {
      wildcards.push(entry);
      for (const name of matchingEnvNames(entry, hostEnv)) names.add(name);
    } else {
      names.add(entry);
    }
  }
  return [
    ...wildcards.map((entry) => ({ name: entry, value: null })),
    ...[...names].map((name) => ({
      name,
      value: task.env.override.get(name) ?? hostEnv.get(name) ?? null,
    })),
  ];
}

/** Sorts by `keyOf` (byte order unless told) and keeps the first item of each key. */
function uniqueSorted<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  compare: (a: string, b: string) => number = compareBytes,
): readonly T[] {
  // Most sections hold zero or one item; a key is derived per task.
  if (items.length < 2) return items;
  // Inputs arrive sorted and unique from their enumeration: one pass confirms it.
  let ordered = true;
  for (let index = 1; ordered && index < items.length; index++) {
    ordered = compare(keyOf(items[index - 1]), keyOf(items[index])) < 0;
  }
  if (ordered) return items;
  const keyed = items.map((item) => ({ key: keyOf(item), item }));
  keyed.sort((a, b) => compare(a.key, b.key));
  return keyed.filter((entry, index) => index === 0 || keyed[index - 1].key !== entry.key).map((entry) =>
    entry.item
  );
}
