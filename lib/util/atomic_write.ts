/**
 * Atomic file replacement: a temp file in the target's directory, fsync, rename, fsync the directory.
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import { nodeCrypto, nodeFsPromises } from "./builtin_modules.ts";
import { syncDirectory } from "./fsync_path.ts";

/**
 * Writes `data` to `path` so that readers see the old file or the complete new one, never a mix.
 * Rejects (leaving `path` untouched) when the directory does not exist or cannot be written.
 *
 * @example
 * ```ts
 * await writeFileAtomic("/tmp/summary.json", JSON.stringify(summary, null, 2) + "\n");
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const directory = dirname(path);
  const temp = join(directory, `.${basename(path)}.haz-${nodeCrypto().randomBytes(8).toString("hex")}`);
  const handle = await nodeFsPromises().open(temp, "wx", mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await nodeFsPromises().rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await nodeFsPromises().rename(temp, path);
  } catch (error) {
    await nodeFsPromises().rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(directory);
}
