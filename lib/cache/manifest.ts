/**
 * The entry manifest (03-cache.md CACHE-011) and its strict reading (CACHE-030).
 *
 * @module
 */

import { compareBytes } from "../domain/task_id.ts";
import { DIGEST_HEX } from "./hex.ts";
import { isValidManifestPath } from "./manifest_path.ts";

/** Byte length and digest of a captured stream. */
export interface StreamRecord {
  readonly size: number;
  readonly hash: string;
}

/** A recorded regular-file output; its content is the blob `outputs/<hash>`. */
export interface FileOutput {
  readonly path: string;
  readonly kind: "file";
  readonly hash: string;
  readonly size: number;
  /** Permission bits, `st_mode & 0o777`. */
  readonly mode: number;
}

/** A recorded symlink output: its link text. */
export interface SymlinkOutput {
  readonly path: string;
  readonly kind: "symlink";
  readonly target: string;
}

/** One recorded output. */
export type ManifestOutput = FileOutput | SymlinkOutput;

/** `manifest.json`, members named and ordered as in the CACHE-011 table. */
export interface Manifest {
  readonly schema: 1;
  readonly hash: "sha256" | "blake3";
  readonly key: string;
  readonly created_at_unix: number;
  readonly duration_ms: number;
  /** `project:task` of the storing task (informational). */
  readonly task: string;
  readonly stdout: StreamRecord;
  readonly stderr: StreamRecord;
  /** Strictly ascending in byte order of `path`. */
  readonly outputs: readonly ManifestOutput[];
}

/** The classification of a manifest text (CACHE-030). */
export type ManifestReading =
  | { kind: "valid"; manifest: Manifest }
  | { kind: "schema-mismatch" }
  | { kind: "corrupt"; reason: string };

const MEMBERS = [
  "schema",
  "hash",
  "key",
  "created_at_unix",
  "duration_ms",
  "task",
  "stdout",
  "stderr",
  "outputs",
];
const HASH_LABELS = new Set(["sha256", "blake3"]);
const TASK_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}:[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const MAX_LINK_TEXT_BYTES = 4096;

/**
 * Reads manifest bytes: text that is not valid UTF-8 is corrupt (CACHE-030 step 1), the rest as
 * {@link readManifestText}.
 *
 * @example
 * ```ts
 * readManifestBytes(await readFile(path), "db175af0…e142").kind; // "valid"
 * ```
 */
export function readManifestBytes(bytes: Uint8Array, entryName: string): ManifestReading {
  let text: string;
  try {
    // A byte order mark is kept, so JSON.parse rejects it: writers never emit one.
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { kind: "corrupt", reason: "not valid UTF-8" };
  }
  return readManifestText(text, entryName);
}

/**
 * CACHE-030 steps 1–4 on a manifest's text, for the entry directory `entryName`: JSON, an integer
 * `schema`, `schema` 1, then every CACHE-011 constraint including path validity and `key` equal to
 * the entry name. The declared-outputs match is the lookup's (it depends on the task).
 *
 * @example
 * ```ts
 * readManifestText('{"schema": 2}', "db175af0…e142"); // { kind: "schema-mismatch" }
 * readManifestText("[]", "db175af0…e142").kind; // "corrupt"
 * ```
 */
export function readManifestText(text: string, entryName: string): ManifestReading {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return corrupt("not valid JSON");
  }
  if (!isPlainObject(value)) return corrupt("the top level is not an object");
  if (!isNonNegativeInteger(value.schema)) return corrupt("`schema` is missing or not an integer");
  if (value.schema !== 1) return { kind: "schema-mismatch" };
  const problem = manifestProblem(value, entryName);
  return problem === null ? { kind: "valid", manifest: value as unknown as Manifest } : corrupt(problem);
}

/**
 * The writer format: `JSON.stringify(manifest, null, 2)` and one newline, members in table order.
 *
 * @example
 * ```ts
 * serializeManifest(manifest).endsWith("}\n"); // true
 * ```
 */
export function serializeManifest(manifest: Manifest): string {
  const ordered = {
    schema: manifest.schema,
    hash: manifest.hash,
    key: manifest.key,
    created_at_unix: manifest.created_at_unix,
    duration_ms: manifest.duration_ms,
    task: manifest.task,
    stdout: { size: manifest.stdout.size, hash: manifest.stdout.hash },
    stderr: { size: manifest.stderr.size, hash: manifest.stderr.hash },
    outputs: manifest.outputs.map((output) =>
      output.kind === "file"
        ? { path: output.path, kind: output.kind, hash: output.hash, size: output.size, mode: output.mode }
        : { path: output.path, kind: output.kind, target: output.target }
    ),
  };
  return JSON.stringify(ordered, null, 2) + "\n";
}

function corrupt(reason: string): ManifestReading {
  return { kind: "corrupt", reason };
}

/** CACHE-030 step 4: the first violated CACHE-011 constraint, or null. */
function manifestProblem(value: Record<string, unknown>, entryName: string): string | null {
  const shape = memberProblem(value, MEMBERS);
  if (shape !== null) return shape;
  if (typeof value.hash !== "string" || !HASH_LABELS.has(value.hash)) {
    return "`hash` is not a registered label";
  }
  if (!isDigest(value.key)) return "`key` is not 64 lowercase hex";
  if (value.key !== entryName) return "`key` does not equal the entry directory's name";
  if (!isNonNegativeInteger(value.created_at_unix)) return "`created_at_unix` is not an integer ≥ 0";
  if (!isNonNegativeInteger(value.duration_ms)) return "`duration_ms` is not an integer ≥ 0";
  if (typeof value.task !== "string" || !TASK_ID.test(value.task)) return "`task` is not a task id";
  for (const stream of ["stdout", "stderr"] as const) {
    const record = value[stream];
    if (!isPlainObject(record)) return `\`${stream}\` is not an object`;
    const problem = memberProblem(record, ["size", "hash"]);
    if (problem !== null) return `\`${stream}\`: ${problem}`;
    if (!isNonNegativeInteger(record.size)) return `\`${stream}.size\` is not an integer ≥ 0`;
    if (!isDigest(record.hash)) return `\`${stream}.hash\` is not 64 lowercase hex`;
  }
  if (!Array.isArray(value.outputs)) return "`outputs` is not an array";
  return outputsProblem(value.outputs);
}

function outputsProblem(outputs: unknown[]): string | null {
  const paths = new Set<string>();
  let previous: string | null = null;
  for (const output of outputs) {
    if (!isPlainObject(output)) return "an output is not an object";
    const problem = outputProblem(output);
    if (problem !== null) return problem;
    const path = output.path as string;
    if (previous !== null && compareBytes(previous, path) >= 0) {
      return `outputs are not strictly ascending at \`${path}\``;
    }
    previous = path;
    paths.add(path);
  }
  for (const path of paths) {
    for (let slash = path.lastIndexOf("/"); slash > 0; slash = path.lastIndexOf("/", slash - 1)) {
      if (paths.has(path.slice(0, slash))) {
        return `output \`${path.slice(0, slash)}\` is an ancestor of \`${path}\``;
      }
    }
  }
  return null;
}

function outputProblem(output: Record<string, unknown>): string | null {
  if (output.kind === "file") {
    const shape = memberProblem(output, ["path", "kind", "hash", "size", "mode"]);
    if (shape !== null) return `output: ${shape}`;
  } else if (output.kind === "symlink") {
    const shape = memberProblem(output, ["path", "kind", "target"]);
    if (shape !== null) return `output: ${shape}`;
  } else {
    return 'an output\'s `kind` is neither "file" nor "symlink"';
  }
  if (typeof output.path !== "string" || !isValidManifestPath(output.path)) {
    return `invalid output path ${JSON.stringify(output.path)}`;
  }
  if (output.kind === "file") {
    if (!isDigest(output.hash)) return `output \`${output.path}\`: \`hash\` is not 64 lowercase hex`;
    if (!isNonNegativeInteger(output.size)) {
      return `output \`${output.path}\`: \`size\` is not an integer ≥ 0`;
    }
    if (!isNonNegativeInteger(output.mode) || output.mode > 0o777) {
      return `output \`${output.path}\`: \`mode\` is not an integer 0–511`;
    }
    return null;
  }
  return isLinkText(output.target) ? null : `output \`${output.path}\`: invalid \`target\``;
}

/** Exactly the given members, none null. */
function memberProblem(value: Record<string, unknown>, members: readonly string[]): string | null {
  for (const name of Object.keys(value)) {
    if (!members.includes(name)) return `unknown member \`${name}\``;
  }
  for (const name of members) {
    if (!Object.hasOwn(value, name)) return `missing member \`${name}\``;
    if (value[name] === null) return `member \`${name}\` is null`;
  }
  return null;
}

/** Non-empty link text without NUL or lone surrogates, at most 4096 UTF-8 bytes. */
function isLinkText(value: unknown): boolean {
  if (typeof value !== "string" || value === "" || value.includes("\0")) return false;
  if (/\p{Cs}/u.test(value)) return false;
  return new TextEncoder().encode(value).length <= MAX_LINK_TEXT_BYTES;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function isDigest(value: unknown): value is string {
  return typeof value === "string" && DIGEST_HEX.test(value);
}
