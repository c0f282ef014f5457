/**
 * The hash function of `haz run`, `haz watch` and `haz why` (CACHE-001), loaded once per command.
 *
 * @module
 */

import { type HashAlgorithm, loadHashAlgorithm } from "../cache/hash_algorithm.ts";
import type { WorkspaceSettings } from "../domain/workspace.ts";
import { runtimeSha256 } from "../runtime/runtime_sha256.ts";
import type { CommandContext } from "./command_context.ts";
import { writeText } from "./stdio_sink.ts";

/**
 * Loads the workspace's hash function; when it cannot be loaded, says so on stderr and returns null
 * (the command exits 2).
 *
 * @example
 * ```ts
 * const hash = await loadRunHash(context, loaded.workspace.settings);
 * if (hash === null) return 2;
 * ```
 */
export async function loadRunHash(
  context: CommandContext,
  settings: WorkspaceSettings,
): Promise<HashAlgorithm | null> {
  try {
    return await loadHashAlgorithm(settings.hash, runtimeSha256(context.runtime.runtime));
  } catch (error) {
    writeText(
      context.stderr,
      `error: cannot load the ${settings.hash} hash function: ${(error as Error).message}\n`,
    );
    return null;
  }
}
