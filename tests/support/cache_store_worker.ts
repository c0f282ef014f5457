/**
 * Child process for the crash and concurrency tests of the cache (CACHE-039): stores entries into
 * the workspace given as first argument.
 *
 * - `loop`: stores the {@link WORKER_KEYS} entries round robin until killed; prints `storing` once the
 *   first store has begun.
 * - `once <unixMs>`: waits until that wall-clock instant, stores the first key once, prints the
 *   result as JSON and exits 0 when it succeeded.
 *
 * Run as `deno run -A cache_store_worker.ts …` or `bun cache_store_worker.ts …`.
 *
 * @module
 */

import process from "node:process";
import { sha256 } from "../../lib/cache/hash_algorithm.ts";
import { openCache } from "../../lib/cache/local_cache.ts";
import { systemClock } from "../../lib/util/system_clock.ts";
import { captureAndStore, WORKER_KEYS, WORKER_TASK, workerOutputs, workerStdout } from "./cache_fixtures.ts";

const [workspaceRoot, mode, startAt] = process.argv.slice(2);
const cache = openCache({ workspaceRoot, hash: sha256, clock: systemClock(performance.now()) });

if (mode === "once") {
  while (Date.now() < Number(startAt)) await new Promise((resolve) => setTimeout(resolve, 1));
  const result = await captureAndStore(cache, {
    task: WORKER_TASK,
    key: WORKER_KEYS[0],
    stdout: workerStdout(0),
    outputs: workerOutputs(0),
  });
  console.log(JSON.stringify(result));
  process.exitCode = result.ok ? 0 : 1;
} else {
  for (let round = 0;; round++) {
    const index = round % WORKER_KEYS.length;
    const pending = captureAndStore(cache, {
      task: WORKER_TASK,
      key: WORKER_KEYS[index],
      stdout: workerStdout(index),
      outputs: workerOutputs(index),
    });
    if (round === 0) console.log("storing");
    await pending;
  }
}
