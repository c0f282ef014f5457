/**
 * `.haz/state/`: haz's own derived, disposable state (the workspace snapshot of PERF-001 and the input
 * stat cache of PERF-002). Files there are replaced atomically and carry a checksum, so a reader sees
 * a whole old file, a whole new one, or something it rejects; deleting the directory is always safe.
 *
 * @module
 */

import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

/** The state directory relative to the workspace root, as the README names it. */
export const STATE_DIR_DISPLAY = ".haz/state";

/**
 * Host path of the state directory of a workspace.
 *
 * @example
 * ```ts
 * stateDirOf("/work"); // "/work/.haz/state"
 * ```
 */
export function stateDirOf(workspaceRoot: string): string {
  return join(workspaceRoot, ".haz", "state");
}

/** Distinguishes temporary files of one process. */
let tempCounter = 0;

/**
 * Replaces `<root>/.haz/state/<name>` with `bytes` (temporary file in the same directory, then
 * rename), creating the directory with a `.gitignore` that keeps it out of version control. Best
 * effort: false when nothing was written, never throws.
 *
 * @example
 * ```ts
 * writeStateFile("/work", "workspace.snapshot", bytes); // true
 * ```
 */
export function writeStateFile(workspaceRoot: string, name: string, bytes: Uint8Array): boolean {
  const directory = stateDirOf(workspaceRoot);
  const temp = join(directory, `.${name}.${process.pid}.${Date.now()}.${tempCounter++}`);
  try {
    if (mkdirSync(directory, { recursive: true }) !== undefined) {
      writeFileSync(join(directory, ".gitignore"), "# haz's derived state, safe to delete\n*\n");
    }
    writeFileSync(temp, bytes, { flag: "wx" });
    renameSync(temp, join(directory, name));
    return true;
  } catch {
    try {
      rmSync(temp, { force: true });
    } catch {
      // Nothing was created (Bun reports a parent that is not a directory as EFAULT, even with force).
    }
    return false;
  }
}

/**
 * FNV-1a over the bytes taken as 32-bit words in the platform's byte order (the tail byte by byte), as an unsigned
 * 32-bit number: detects a torn or zero-filled file at a quarter of the steps of a bytewise hash.
 *
 * @example
 * ```ts
 * checksum32(new Uint8Array()); // 2166136261
 * ```
 */
export function checksum32(bytes: Uint8Array): number {
  // A copy is aligned (`Buffer#slice` would not copy).
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
  const words = new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.length >>> 2);
  let hash = 0x811c9dc5;
  for (let index = 0; index < words.length; index++) hash = Math.imul(hash ^ words[index], 0x01000193);
  for (let index = words.length * 4; index < aligned.length; index++) {
    hash = Math.imul(hash ^ aligned[index], 0x01000193);
  }
  return hash >>> 0;
}
