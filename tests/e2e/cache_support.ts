/**
 * Helpers shared by the cache end-to-end tests (`haz why`, the cache commands, cache robustness): the
 * worked example W1 of 03-cache.md §5, expected-text building, exit assertions and tree snapshots.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { lstat, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { compareBytes } from "../../lib/domain/task_id.ts";
import type { HazResult } from "../support/run_haz.ts";

/**
 * Options for every cache end-to-end test: haz is slow to start on a loaded machine, and Bun's
 * default of 5 s per test is too short.
 *
 * @example
 * ```ts
 * test("AUX-015 …", SLOW, async () => {});
 * ```
 */
export const SLOW = { timeout: 120_000 };

/**
 * Whether this is linux/x64, the platform the §5 key vectors hold for (the platform is part of the key).
 *
 * @example
 * ```ts
 * test("…", { ...SLOW, skip: ON_REFERENCE_PLATFORM ? false : "linux/x64 only" }, async () => {});
 * ```
 */
export const ON_REFERENCE_PLATFORM = process.platform === "linux" && process.arch === "x64";

/**
 * Concatenates `text`, each item followed by a newline.
 *
 * @example
 * ```ts
 * lines("a", "b"); // "a\nb\n"
 * ```
 */
export function lines(...text: string[]): string {
  return text.map((line) => `${line}\n`).join("");
}

/**
 * The files of W1 of 03-cache.md §5, byte for byte, keyed by workspace-relative path.
 *
 * @example
 * ```ts
 * const w1 = await createWorkspaceFixture(CACHE_W1_FILES);
 * ```
 */
export const CACHE_W1_FILES: Readonly<Record<string, string>> = {
  ".haz/workspace.yml": "projects: [app]\n",
  "app/haz.yml": lines(
    "tasks:",
    "  hello:",
    "    command: [cp, msg.txt, out.txt]",
    "    inputs: [msg.txt]",
    "    outputs: [out.txt]",
    "    env:",
    "      from_host: [GREETING]",
    "  build:",
    '    shell: "echo built"',
    "    inputs: []",
    '    deps: ["~:hello"]',
  ),
  "app/msg.txt": "hello\n",
};

/**
 * Asserts haz's exit code; on a mismatch the message shows both streams.
 *
 * @example
 * ```ts
 * assertExit(await runHaz(["why", "app:hello"]), 0);
 * ```
 */
export function assertExit(result: HazResult, code: number): void {
  assert.equal(
    result.code,
    code,
    `exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`,
  );
}

/**
 * The lowercase hex SHA-256 of `data`.
 *
 * @example
 * ```ts
 * sha256Hex(""); // "e3b0c442…b855"
 * ```
 */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * The status verb of every task in a run's stdout (`done`, `cached`, …).
 *
 * @example
 * ```ts
 * statusVerbs("✓ done app:hello (3ms)\n"); // { "app:hello": "done" }
 * ```
 */
export function statusVerbs(stdout: string): Record<string, string> {
  const verbs: Record<string, string> = {};
  for (const match of stdout.matchAll(/^\S+ (done|cached|failed|errored) (\S+) \(/gm)) {
    verbs[match[2]] = match[1];
  }
  return verbs;
}

/**
 * Every path under `root` with its mode, size, mtime and content digest; links are not followed.
 * Equal snapshots before and after a command show that it wrote nothing.
 *
 * @example
 * ```ts
 * const before = await snapshotTree(w1.path(".haz"));
 * ```
 */
export async function snapshotTree(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort(compareBytes)) {
      const path = join(dir, name);
      const relative = `${prefix}${name}`;
      const info = await lstat(path, { bigint: true });
      const content = info.isFile() ? sha256Hex(await readFile(path)) : "-";
      found.push(`${relative} ${info.mode} ${info.size} ${info.mtimeNs} ${content}`);
      if (info.isDirectory()) await walk(path, `${relative}/`);
    }
  };
  await walk(root, "");
  return found;
}
