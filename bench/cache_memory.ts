/**
 * Memory budget of the cache for huge streams (06-architecture.md §5, 03-cache.md acceptance 21):
 * captures a generated 1 GiB stdout through `beginCapture`/`store`, replays it from the entry, and
 * prints the growth of the resident set size (budget: ≤ 64 MB).
 *
 * Run: `deno run -A bench/cache_memory.ts` or `bun bench/cache_memory.ts` (optional argument: MiB).
 *
 * @module
 */

import { mkdir, mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { sha256 } from "../lib/cache/hash_algorithm.ts";
import { openCache } from "../lib/cache/local_cache.ts";
import type { TaskDefinition } from "../lib/domain/workspace.ts";
import { systemClock } from "../lib/util/system_clock.ts";

const MIB = 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
const totalBytes = Number(process.argv[2] ?? 1024) * MIB;

const task: TaskDefinition = {
  id: { project: "bench", task: "print" },
  key: "bench:print",
  projectRoot: "/bench",
  tags: [],
  action: { kind: "command", argv: ["print-a-lot"] },
  inputs: [],
  inputExclusions: [],
  outputs: [],
  deps: [],
  weakDeps: [],
  mutex: null,
  env: { fromHost: [], override: new Map() },
  description: null,
  cache: true,
  timeoutMs: null,
  service: null,
  body: {
    name: "print",
    action: { kind: "command", argv: ["print-a-lot"] },
    inputs: [],
    outputs: [],
    deps: [],
    weakDeps: [],
    mutex: null,
    env: { fromHost: [], override: new Map() },
    description: null,
    cache: true,
    timeoutMs: null,
    service: null,
    file: "/bench/haz.yml",
    overlay: null,
  },
};

/** Resident set size in MB, and the peak seen so far. */
let peakRss = 0;
function sampleRss(): number {
  const rss = process.memoryUsage().rss / MIB;
  peakRss = Math.max(peakRss, rss);
  return rss;
}

const workspaceRoot = await realpath(await mkdtemp(join(tmpdir(), "haz-bench-cache-")));
try {
  await mkdir(join(workspaceRoot, ".haz"));
  const cache = openCache({ workspaceRoot, hash: sha256, clock: systemClock(performance.now()) });
  const key = "be".padEnd(64, "0");
  const pattern = new Uint8Array(CHUNK_BYTES).map((_, index) => 32 + (index % 95));
  const baseline = sampleRss();

  const captureStart = performance.now();
  const capture = await cache.beginCapture(key);
  if (capture === null) throw new Error("could not create the store directory");
  const hasher = sha256.create();
  for (let written = 0, chunkIndex = 0; written < totalBytes; written += CHUNK_BYTES, chunkIndex++) {
    // A fresh chunk per write, as a process pipe delivers them.
    const chunk = pattern.slice(0, Math.min(CHUNK_BYTES, totalBytes - written));
    chunk[0] = chunkIndex % 256;
    hasher.update(chunk);
    await capture.write("stdout", chunk);
    if (chunkIndex % 256 === 0) sampleRss();
  }
  const digest = hasher.digestHex();
  const stored = await cache.store(capture, {
    task,
    key,
    outputs: [],
    stdout: { hash: digest, bytes: totalBytes },
    stderr: { hash: sha256.create().digestHex(), bytes: 0 },
    createdAtUnix: Math.floor(Date.now() / 1000),
    durationMs: performance.now() - captureStart,
  });
  if (!stored.ok) throw new Error(`store failed: ${stored.reason}`);
  const captureSeconds = (performance.now() - captureStart) / 1000;

  const replayStart = performance.now();
  const found = await cache.lookup(key, task);
  if (found.kind !== "hit") throw new Error(`expected a hit, got ${found.state}`);
  const replayHasher = sha256.create();
  let replayed = 0;
  let chunks = 0;
  await cache.replay(found.manifest, "stdout", (chunk) => {
    replayHasher.update(chunk);
    replayed += chunk.length;
    if (++chunks % 256 === 0) sampleRss();
  });
  const replaySeconds = (performance.now() - replayStart) / 1000;
  sampleRss();
  const exact = replayed === totalBytes && replayHasher.digestHex() === digest;

  console.log(`runtime: ${"Deno" in globalThis ? "deno" : "bun"}`);
  console.log(
    `stream: ${totalBytes} bytes captured in ${captureSeconds.toFixed(1)} s, replayed in ${
      replaySeconds.toFixed(1)
    } s`,
  );
  console.log(`replay byte-exact: ${exact ? "yes" : "NO"}`);
  console.log(
    `rss: baseline ${baseline.toFixed(1)} MB, peak ${peakRss.toFixed(1)} MB, growth ${
      (peakRss - baseline).toFixed(1)
    } MB (budget 64 MB)`,
  );
  if (!exact || peakRss - baseline > 64) process.exitCode = 1;
} finally {
  await rm(workspaceRoot, { recursive: true, force: true });
}
