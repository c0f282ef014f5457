/**
 * Durable file creation for `haz init` (05-cli.md AUX-006): a temp file in the target directory,
 * fsync, rename, fsync of the directory; never replacing an existing file.
 *
 * @module
 */

import { lstat, mkdir, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { syncDirectory } from "../util/fsync_path.ts";
import { ioFailureReason } from "../util/io_failure_reason.ts";
import { pathExists } from "../util/path_exists.ts";

/** A write that succeeded, or the reason it did not, in a few words. */
export type WriteOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Creates `path` with `content`: writes and fsyncs a temp file next to it, renames it into place and
 * fsyncs the directory. An existing `path` (of any file type) is left alone and reported as
 * `file already exists`; the temp file is removed on every failure.
 *
 * @example
 * ```ts
 * await createFileDurably("/repo/packages/a/haz.yml", "tasks: {}\n"); // { ok: true }
 * ```
 */
export function createFileDurably(path: string, content: string): Promise<WriteOutcome> {
  return writeThroughTemp(path, content, { replace: false });
}

/**
 * Writes `path` with `content` whether or not it exists (`haz init --import --force`, ADOPT-081): a
 * temp file next to it, fsync, rename over it, fsync of the directory. Readers see the old bytes or
 * the new ones, never a mix.
 *
 * @example
 * ```ts
 * await replaceFileDurably("/repo/haz.yml", "tasks: {}\n"); // { ok: true }
 * ```
 */
export function replaceFileDurably(path: string, content: string): Promise<WriteOutcome> {
  return writeThroughTemp(path, content, { replace: true });
}

/** Both durable writes: temp file, fsync, rename into place, fsync of the directory. */
async function writeThroughTemp(
  path: string,
  content: string,
  options: { readonly replace: boolean },
): Promise<WriteOutcome> {
  const directory = dirname(path);
  const temp = join(directory, `.${basename(path)}.${crypto.randomUUID()}.tmp`);
  let created = false;
  try {
    const handle = await open(temp, "wx", 0o666);
    created = true;
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // rename replaces silently, so the check for an existing file comes right before it.
    if (!options.replace && await pathExists(path)) return await failWithCleanup(temp, "file already exists");
    await rename(temp, path);
    created = false;
    await syncDirectory(directory);
    return { ok: true };
  } catch (error) {
    if (created) await unlink(temp).catch(() => undefined);
    return { ok: false, reason: ioFailureReason(error) };
  }
}

/**
 * Makes sure `path` is a directory, creating it (and fsyncing its parent) when it is missing.
 *
 * @example
 * ```ts
 * await ensureDirectoryDurably("/repo/.haz"); // { ok: true }
 * ```
 */
export async function ensureDirectoryDurably(path: string): Promise<WriteOutcome> {
  try {
    await mkdir(path);
    await syncDirectory(dirname(path));
    return { ok: true };
  } catch (error) {
    if ((error as { code?: unknown }).code !== "EEXIST") return { ok: false, reason: ioFailureReason(error) };
  }
  try {
    return (await lstat(path)).isDirectory() ? { ok: true } : { ok: false, reason: "not a directory" };
  } catch (error) {
    return { ok: false, reason: ioFailureReason(error) };
  }
}

async function failWithCleanup(temp: string, reason: string): Promise<WriteOutcome> {
  await unlink(temp).catch(() => undefined);
  return { ok: false, reason };
}
