/**
 * Hashing a task's input files for its key (CACHE-006): bounded concurrency, digests a run already
 * knows taken without a round trip.
 *
 * @module
 */

import type { InputFile } from "./file_walk.ts";
import { hashFile } from "./file_hash.ts";
import type { FileObservations } from "./file_observations.ts";
import type { HashAlgorithm } from "./hash_algorithm.ts";
import type { InputDigestMemo } from "./input_stat_cache.ts";
import { errorMessage } from "./io_error.ts";

/** One input file as hashed for the key, with the metadata CACHE-035 compares before a store. */
export interface HashedInput {
  path: string;
  hostPath: string;
  digest: string;
  size: number;
  mtimeNs: bigint;
  ino: bigint;
}

/** How many input files are hashed at once. */
const HASH_CONCURRENCY = 8;

/**
 * Hashes input files with bounded concurrency; the result keeps the order of `files`. A file that
 * cannot be read fails the whole with the CACHE-029 message naming it.
 *
 * @example
 * ```ts
 * const hashed = await hashInputs([{ path: "/app/msg.txt", hostPath: "/work/app/msg.txt" }], sha256);
 * if (hashed.ok) hashed.inputs[0].digest; // "5891b5b5…"
 * ```
 */
export async function hashInputs(
  files: readonly InputFile[],
  hash: HashAlgorithm,
  memo?: InputDigestMemo,
  observations?: FileObservations,
): Promise<{ ok: true; inputs: HashedInput[] } | { ok: false; message: string }> {
  if (files.length === 1 && observations === undefined) {
    // One input (a common shape): no workers.
    const [file] = files;
    try {
      const content = await hashFile(file.hostPath, hash, memo, file.stat);
      return { ok: true, inputs: [{ path: file.path, hostPath: file.hostPath, ...content }] };
    } catch (error) {
      return { ok: false, message: `cannot read input \`${file.path}\`: ${errorMessage(error)}` };
    }
  }
  const inputs: HashedInput[] = new Array(files.length);
  // Digests this run already knows are taken without a round trip; the others are hashed.
  const pending: number[] = [];
  for (const [index, file] of files.entries()) {
    const known = observations?.knownDigest(file.hostPath);
    if (known === undefined) pending.push(index);
    else inputs[index] = { path: file.path, hostPath: file.hostPath, ...known };
  }
  let failure: string | null = null;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (failure === null && next < pending.length) {
      const index = pending[next++];
      const file = files[index];
      try {
        const content = observations === undefined
          ? await hashFile(file.hostPath, hash, memo, file.stat)
          : await observations.digest(file.hostPath, () => hashFile(file.hostPath, hash, memo, file.stat));
        inputs[index] = { path: file.path, hostPath: file.hostPath, ...content };
      } catch (error) {
        failure ??= `cannot read input \`${file.path}\`: ${errorMessage(error)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(HASH_CONCURRENCY, pending.length) }, worker));
  return failure === null ? { ok: true, inputs } : { ok: false, message: failure };
}
