/**
 * Test helpers for the cache engine: task definitions built directly (no YAML loader), the worked
 * example W1 of 03-cache.md §5, capture-and-store in one call, a workspace with a mixed cache, and
 * ways to make a path fail to change even for root.
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import { chmod, lstat, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import process from "node:process";
import { resolvePattern } from "../../lib/domain/path_pattern.ts";
import type { TaskAction, TaskDefinition } from "../../lib/domain/workspace.ts";
import type { CacheHandle } from "../../lib/cache/cache_handle.ts";
import type { FileObservations } from "../../lib/cache/file_observations.ts";
import type { KeyRequest } from "../../lib/cache/key.ts";
import { type HashAlgorithm, loadHashAlgorithm, sha256 } from "../../lib/cache/hash_algorithm.ts";
import { openCache } from "../../lib/cache/local_cache.ts";
import { systemClock } from "../../lib/util/system_clock.ts";
import { type FixtureEntry, withWorkspaceFixture, type WorkspaceFixture } from "./workspace_fixture.ts";

/** What {@link cacheTask} needs; everything else gets a neutral default. */
export interface CacheTaskSpec {
  readonly project?: string;
  readonly name?: string;
  /** Workspace-absolute project root; defaults to `/<project>`. */
  readonly projectRoot?: string;
  readonly action?: TaskAction | null;
  /** As written in `inputs` (a leading `!` makes an exclusion); null = not declared. */
  readonly inputs?: readonly string[] | null;
  readonly outputs?: readonly string[];
  readonly fromHost?: readonly string[];
  readonly override?: Readonly<Record<string, string>>;
}

/**
 * Builds a {@link TaskDefinition} with resolved patterns.
 *
 * @example
 * ```ts
 * const task = cacheTask({ project: "app", name: "hello", inputs: ["msg.txt"], outputs: ["out.txt"] });
 * task.outputs[0].canonical; // "/app/out.txt"
 * ```
 */
export function cacheTask(spec: CacheTaskSpec): TaskDefinition {
  const project = spec.project ?? "app";
  const name = spec.name ?? "task";
  const projectRoot = spec.projectRoot ?? `/${project}`;
  const resolve = (text: string) => resolvePattern({ text, exclude: false }, projectRoot);
  const inputs = spec.inputs === undefined ? [] : spec.inputs;
  const env = {
    fromHost: spec.fromHost ?? [],
    override: new Map(Object.entries(spec.override ?? {})),
  };
  const action = spec.action === undefined ? { kind: "command" as const, argv: ["true"] } : spec.action;
  const outputs = (spec.outputs ?? []).map(resolve);
  return {
    id: { project, task: name },
    key: `${project}:${name}`,
    projectRoot,
    tags: [],
    action,
    inputs: inputs === null ? null : inputs.filter((text) => !text.startsWith("!")).map(resolve),
    inputExclusions: (inputs ?? []).filter((text) => text.startsWith("!")).map((text) =>
      resolve(text.slice(1))
    ),
    outputs,
    deps: [],
    weakDeps: [],
    mutex: null,
    env,
    description: null,
    cache: true,
    timeoutMs: null,
    service: null,
    body: {
      name,
      action,
      inputs: inputs === null
        ? null
        : inputs.map((text) => ({ text: text.replace(/^!/, ""), exclude: text.startsWith("!") })),
      outputs: (spec.outputs ?? []).map((text) => ({ text, exclude: false })),
      deps: [],
      weakDeps: [],
      mutex: null,
      env,
      description: null,
      cache: true,
      timeoutMs: null,
      service: null,
      file: `${projectRoot === "/" ? "" : projectRoot}/haz.yml`,
      overlay: null,
    },
  };
}

/** The files of W1 (03-cache.md §5). */
export const W1_FILES: Readonly<Record<string, FixtureEntry>> = {
  ".haz/workspace.yml": "projects: [app]\n",
  "app/haz.yml": "tasks: {}\n",
  "app/msg.txt": "hello\n",
};

/** `app:hello` of W1. */
export const W1_HELLO: TaskDefinition = cacheTask({
  project: "app",
  name: "hello",
  action: { kind: "command", argv: ["cp", "msg.txt", "out.txt"] },
  inputs: ["msg.txt"],
  outputs: ["out.txt"],
  fromHost: ["GREETING"],
});

/** `app:build` of W1. */
export const W1_BUILD: TaskDefinition = cacheTask({
  project: "app",
  name: "build",
  action: { kind: "shell", shell: "sh", script: "echo built" },
  inputs: [],
});

/** The key of `app:hello` in W1 (acceptance 1). */
export const W1_HELLO_KEY = "db175af06e7ee466b8f5d44dd2150002e3c318297427850efe8c84a4bea0e142";

/** The sha256 of the empty byte string. */
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** Digest and length of bytes under a hash function. */
export function streamDigest(hash: HashAlgorithm, bytes: Uint8Array): { hash: string; bytes: number } {
  const hasher = hash.create();
  hasher.update(bytes);
  return { hash: hasher.digestHex(), bytes: bytes.length };
}

/**
 * The key request of `task` in a workspace with no predecessors and no host variables, under SHA-256,
 * through the run's shared `observations` when given.
 */
export function keyRequestFor(
  workspaceRoot: string,
  task: TaskDefinition,
  observations?: FileObservations,
): KeyRequest {
  return {
    workspaceRoot,
    task,
    hostEnv: new Map(),
    predecessors: new Map(),
    hardPredecessors: [],
    hash: sha256,
    ...(observations === undefined ? {} : { observations }),
  };
}

/** What {@link captureAndStore} records. */
export interface StoreSpec {
  readonly task: TaskDefinition;
  readonly key: string;
  readonly stdout?: Uint8Array;
  readonly stderr?: Uint8Array;
  /** Workspace-absolute materialised outputs. */
  readonly outputs?: readonly string[];
  readonly createdAtUnix?: number;
}

/**
 * Runs the executor's store sequence: `beginCapture`, stream writes, `store`.
 *
 * @example
 * ```ts
 * const result = await captureAndStore(cache, { task, key, stdout: bytes("hi\n"), outputs: ["/app/out.txt"] });
 * ```
 */
export async function captureAndStore(
  cache: CacheHandle,
  spec: StoreSpec,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const capture = await cache.beginCapture(spec.key);
  if (capture === null) return { ok: false, reason: "capture could not be created" };
  const stdout = spec.stdout ?? new Uint8Array();
  const stderr = spec.stderr ?? new Uint8Array();
  if (stdout.length > 0) await capture.write("stdout", stdout);
  if (stderr.length > 0) await capture.write("stderr", stderr);
  return await cache.store(capture, {
    task: spec.task,
    key: spec.key,
    outputs: spec.outputs ?? [],
    stdout: streamDigest(cache.hash, stdout),
    stderr: streamDigest(cache.hash, stderr),
    createdAtUnix: spec.createdAtUnix ?? 1767225600,
    durationMs: 4,
  });
}

/** UTF-8 bytes of a text. */
export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** A key made of one repeated hex character pair, for tests that need several distinct keys. */
export function fakeKey(prefix: string): string {
  return prefix.padEnd(64, "0");
}

/** Every path under a directory (relative, `/`-separated, sorted), links not followed. */
export async function listTree(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const dirent of await readdir(dir, { withFileTypes: true })) {
      const relative = prefix === "" ? dirent.name : `${prefix}/${dirent.name}`;
      found.push(relative);
      if (dirent.isDirectory()) await walk(join(dir, dirent.name), relative);
    }
  };
  await walk(root, "");
  return found.sort();
}

/** A way to make a path impossible to remove or write into, and to undo it. */
export interface Lock {
  release(): Promise<void>;
}

/**
 * Makes `path` (a file or directory) impossible to delete and, for a directory, to create names
 * in: `chmod` of the directory for ordinary users, `chattr +i` for root. Null when neither works
 * here (the test then skips).
 *
 * @example
 * ```ts
 * const lock = await lockPath(entryDir);
 * try { … } finally { await lock?.release(); }
 * ```
 */
export async function lockPath(path: string, options: { directory: boolean }): Promise<Lock | null> {
  if (process.getuid?.() !== 0) {
    const target = options.directory ? path : dirname(path);
    await chmod(target, 0o555);
    return { release: () => chmod(target, 0o755) };
  }
  const locked = spawnSync("chattr", ["+i", path], { stdio: "ignore" });
  if (locked.error !== undefined || locked.status !== 0) return null;
  return {
    release: () => {
      spawnSync("chattr", ["-i", path], { stdio: "ignore" });
      return Promise.resolve();
    },
  };
}

/** Whether this process can be denied read access by `chmod` (not root). */
export function canDenyReads(): boolean {
  return process.getuid?.() !== 0;
}

/** Keys the crash-test worker (tests/support/cache_store_worker.ts) stores, round robin. */
export const WORKER_KEYS: readonly string[] = ["a1", "b2", "c3", "d4"].map(fakeKey);

/** The task the worker stores for: outputs `out-<i>.bin` of project `app`. */
export const WORKER_TASK: TaskDefinition = cacheTask({ name: "crash", inputs: [], outputs: ["out-*.bin"] });

/** Deterministic bytes: `length` bytes derived from `seed`. */
export function patternBytes(seed: number, length: number): Uint8Array {
  return new Uint8Array(length).map((_, index) => (index * 31 + seed * 17 + (index >> 8)) % 256);
}

/** The stdout the worker records for key `index`. */
export function workerStdout(index: number): Uint8Array {
  return patternBytes(index, 128 * 1024 + index);
}

/** The materialised outputs for key `index`. */
export function workerOutputs(index: number): string[] {
  return [`/app/out-${index}.bin`];
}

/** The workspace files the worker's outputs read: `app/out-<i>.bin`, 256 KiB each. */
export function workerFiles(): Record<string, FixtureEntry> {
  const files: Record<string, FixtureEntry> = { ".haz/workspace.yml": "projects: [app]\n" };
  WORKER_KEYS.forEach((_, index) => files[`app/out-${index}.bin`] = patternBytes(100 + index, 256 * 1024));
  return files;
}

/** The argv to run a TypeScript file with the current runtime (`deno run -A` or `bun`). */
export function scriptArgs(script: string, args: readonly string[]): string[] {
  return "Deno" in globalThis ? ["run", "-A", script, ...args] : [script, ...args];
}

/** Keys and paths of the mixed cache built by {@link buildMixedCache}. */
export const MIXED = {
  /** Valid sha256 entries, created at 1000 and 2000. */
  sha256Keys: [fakeKey("11"), fakeKey("12")],
  /** A valid blake3 entry, created at 3000. */
  blake3Key: fakeKey("21"),
  /** A sha256 entry whose stdout was deleted. */
  corruptKey: fakeKey("31"),
  /** An entry with `"schema": 2`. */
  mismatchKey: fakeKey("41"),
  orphanStore: `.haz/cache/11/.tmp-${fakeKey("11")}-0123456789abcdef`,
  orphanRestore: `.haz/cache/.restore-${fakeKey("12")}-fedcba9876543210`,
  foreign: ".haz/cache/README",
} as const;

/** The task every mixed-cache entry was stored for. */
export const MIXED_TASK: TaskDefinition = cacheTask({ name: "mixed", inputs: [], outputs: ["out.txt"] });

/** Workspace files for {@link buildMixedCache}. */
export const MIXED_FILES: Readonly<Record<string, FixtureEntry>> = {
  ".haz/workspace.yml": "projects: [app]\n",
  "app/out.txt": "output\n",
};

/**
 * Fills `.haz/cache` of a workspace holding {@link MIXED_FILES} with valid entries of both
 * hashes, one corrupt and one schema-mismatched entry, one orphan of each kind and a foreign file.
 *
 * @example
 * ```ts
 * await buildMixedCache(fixture.root, sha256, blake3);
 * ```
 */
export async function buildMixedCache(
  workspaceRoot: string,
  caches: { sha256: CacheHandle; blake3: CacheHandle },
): Promise<void> {
  const store = async (cache: CacheHandle, key: string, createdAtUnix: number) => {
    const result = await captureAndStore(cache, {
      task: MIXED_TASK,
      key,
      stdout: bytes(`stdout of ${key.slice(0, 2)}\n`),
      outputs: ["/app/out.txt"],
      createdAtUnix,
    });
    if (!result.ok) throw new Error(result.reason);
  };
  await store(caches.sha256, MIXED.sha256Keys[0], 1000);
  await store(caches.sha256, MIXED.sha256Keys[1], 2000);
  await store(caches.blake3, MIXED.blake3Key, 3000);
  await store(caches.sha256, MIXED.corruptKey, 500);
  await store(caches.sha256, MIXED.mismatchKey, 600);
  const cacheDir = join(workspaceRoot, ".haz", "cache");
  await rm(join(cacheDir, "31", MIXED.corruptKey, "stdout"));
  const mismatchManifest = join(cacheDir, "41", MIXED.mismatchKey, "manifest.json");
  const manifest = JSON.parse(await readFile(mismatchManifest, "utf8"));
  await writeFile(mismatchManifest, JSON.stringify({ ...manifest, schema: 2 }, null, 2) + "\n");
  await mkdir(join(workspaceRoot, MIXED.orphanStore));
  await writeFile(join(workspaceRoot, MIXED.orphanStore, "stdout"), "partial");
  await mkdir(join(workspaceRoot, MIXED.orphanRestore));
  await writeFile(join(workspaceRoot, MIXED.orphanRestore, "0"), "staged!");
  await writeFile(join(workspaceRoot, MIXED.foreign), "not ours");
}

/**
 * Runs `body` on a fresh workspace of {@link MIXED_FILES} whose cache {@link buildMixedCache} has
 * filled (entries written with the system clock); the workspace is removed afterwards.
 *
 * @example
 * ```ts
 * await withMixedCache(async (fixture) => {
 *   (await cacheInfo(fixture.root, "sha256")).ok; // true
 * });
 * ```
 */
export async function withMixedCache(body: (fixture: WorkspaceFixture) => Promise<void>): Promise<void> {
  const blake3 = await loadHashAlgorithm("blake3");
  await withWorkspaceFixture(MIXED_FILES, async (fixture) => {
    const clock = systemClock(0);
    await buildMixedCache(fixture.root, {
      sha256: openCache({ workspaceRoot: fixture.root, hash: sha256, clock }),
      blake3: openCache({ workspaceRoot: fixture.root, hash: blake3, clock }),
    });
    await body(fixture);
  });
}

/** Sum of the sizes of the regular files at or under a path (links not followed). */
export async function regularFileBytes(path: string): Promise<number> {
  const stat = await lstat(path);
  if (stat.isFile()) return stat.size;
  if (!stat.isDirectory()) return 0;
  let total = 0;
  for (const name of await readdir(path)) total += await regularFileBytes(join(path, name));
  return total;
}

/** Every path under a directory with its size and mtime, for "the tree is unchanged" checks. */
export async function treeSnapshot(root: string): Promise<[string, number, number][]> {
  const paths = await listTree(root);
  return await Promise.all(paths.map(async (path): Promise<[string, number, number]> => {
    const stat = await lstat(join(root, path));
    return [path, stat.size, stat.mtimeMs];
  }));
}
