import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { describe, test } from "node:test";
import { surveyCache } from "../../lib/cache/classify.ts";
import { sha256 } from "../../lib/cache/hash_algorithm.ts";
import { cacheRootOf, shardOf } from "../../lib/cache/layout.ts";
import { openCache } from "../../lib/cache/local_cache.ts";
import { systemClock } from "../../lib/util/system_clock.ts";
import {
  patternBytes,
  scriptArgs,
  WORKER_KEYS,
  WORKER_TASK,
  workerFiles,
  workerOutputs,
  workerStdout,
} from "../support/cache_fixtures.ts";
import { withWorkspaceFixture } from "../support/workspace_fixture.ts";

const WORKER = join(import.meta.dirname ?? ".", "..", "support", "cache_store_worker.ts");
const KILLS = 200;
const LANES = 4;

function startWorker(args: string[]): ChildProcess {
  return spawn(process.execPath, scriptArgs(WORKER, args), { stdio: ["ignore", "pipe", "inherit"] });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      return resolve({ code: child.exitCode, signal: child.signalCode });
    }
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
}

/** Resolves with everything the child printed once `marker` appears (or the child exits). */
function printed(child: ChildProcess, marker: string): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    child.stdout?.on("data", (chunk) => {
      text += String(chunk);
      if (text.includes(marker)) resolve(text);
    });
    child.once("exit", () => resolve(text));
  });
}

/** Every entry must be a miss or a hit whose restore and replay give exactly what was stored. */
async function assertEntriesSound(workspaceRoot: string): Promise<number> {
  const cache = openCache({ workspaceRoot, hash: sha256, clock: systemClock(0) });
  let hits = 0;
  for (const [index, key] of WORKER_KEYS.entries()) {
    const found = await cache.lookup(key, WORKER_TASK);
    if (found.kind === "miss") continue;
    hits++;
    assert.deepEqual(await cache.restore(found.manifest, WORKER_TASK), {
      kind: "restored",
      materialised: workerOutputs(index),
    });
    const chunks: number[] = [];
    await cache.replay(found.manifest, "stdout", (chunk) => chunks.push(...chunk));
    assert.deepEqual(Uint8Array.from(chunks), workerStdout(index));
    const output = await readFile(join(workspaceRoot, "app", `out-${index}.bin`));
    assert.deepEqual(new Uint8Array(output), patternBytes(100 + index, 256 * 1024));
  }
  return hits;
}

describe("CACHE-039 crash and concurrency guarantees", () => {
  test(`CACHE-039 ${KILLS} SIGKILLs at random moments of stores leave no partial entry (acceptance 31)`, {
    timeout: 120_000,
  }, async () => {
    await withWorkspaceFixture(workerFiles(), async (fixture) => {
      const lane = async (kills: number): Promise<void> => {
        for (let round = 0; round < kills; round++) {
          const child = startWorker([fixture.root, "loop"]);
          const ready = await printed(child, "storing");
          assert.ok(ready.includes("storing"), "the worker started storing");
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 150));
          child.kill("SIGKILL");
          const status = await exited(child);
          assert.equal(status.signal, "SIGKILL");
        }
      };
      await Promise.all(Array.from({ length: LANES }, () => lane(KILLS / LANES)));
      const surveyed = await surveyCache(fixture.root);
      assert.ok(surveyed.ok);
      if (!surveyed.ok) return;
      const { survey } = surveyed;
      assert.deepEqual(
        survey.entries.filter((entry) => entry.state !== "valid").map((entry) => entry.path),
        [],
      );
      assert.ok(
        survey.orphans.every((orphan) => orphan.kind === "orphan_store"),
        "only .tmp-* directories remain",
      );
      assert.deepEqual(survey.foreign, []);
      // Kills did land inside stores (leftovers exist), and entries published before a kill survive.
      assert.ok(survey.orphans.length > 0, "some kills interrupted a store");
      const hits = await assertEntriesSound(fixture.root);
      assert.equal(hits, survey.entries.length);
    });
  });

  test("CACHE-039 four processes storing one key at once end with one valid entry (acceptance 33)", {
    timeout: 60_000,
  }, async () => {
    await withWorkspaceFixture(workerFiles(), async (fixture) => {
      const startAt = String(Date.now() + 1500);
      const children = Array.from({ length: 4 }, () => startWorker([fixture.root, "once", startAt]));
      const outputs = await Promise.all(children.map((child) => printed(child, "\n")));
      const statuses = await Promise.all(children.map(exited));
      assert.deepEqual(statuses.map((status) => status.code), [0, 0, 0, 0], outputs.join(""));
      for (const output of outputs) assert.deepEqual(JSON.parse(output), { ok: true });
      const key = WORKER_KEYS[0];
      assert.deepEqual(await readdir(join(cacheRootOf(fixture.root), shardOf(key))), [key]);
      assert.equal(await assertEntriesSound(fixture.root), 1);
    });
  });
});
