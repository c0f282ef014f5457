import assert from "node:assert/strict";
import { test } from "node:test";
import type { LookupResult, RemoteCachePort, RemoteFetchResult } from "../../lib/cache/cache_handle.ts";
import { sha256 } from "../../lib/cache/hash_algorithm.ts";
import { parseTaskId } from "../../lib/domain/task_id.ts";
import type { TaskDefinition } from "../../lib/domain/workspace.ts";
import type { CompletedRecord } from "../../lib/exec/records.ts";
import { runGraph } from "../../lib/exec/run_graph.ts";
import { runTask } from "../../lib/exec/run_task.ts";
import { createHarness, outcomeOf } from "../support/graph_builder.ts";
import { MemoryCache } from "../support/memory_cache.ts";

const SPEC = { tasks: [{ id: "p:t", inputs: [] }] };
const PROGRAMS = { "fake p:t": { steps: [{ out: "hi\n" }, { sleep: 10 }] } };

/** A remote in memory: `fetch` answers with `answer(key)`, and every call is recorded. */
class FakeRemote implements RemoteCachePort {
  readonly fetches: string[] = [];
  readonly completions: Array<{ key: string; task: string; stored: boolean }> = [];
  constructor(readonly answer: (key: string) => RemoteFetchResult) {}
  fetch(request: { key: string; task: { key: string }; signal: AbortSignal }): Promise<RemoteFetchResult> {
    this.fetches.push(request.key);
    return Promise.resolve(this.answer(request.key));
  }
  freshRunSucceeded(request: { key: string; task: { key: string }; stored: boolean }): void {
    this.completions.push({ key: request.key, task: request.task.key, stored: request.stored });
  }
}

async function runOnce(cache: MemoryCache): Promise<CompletedRecord> {
  const harness = createHarness(SPEC, { cache, programs: PROGRAMS });
  const record = await runTask(harness.ctx, parseTaskId("p:t"), new Map());
  assert.ok("source" in record, JSON.stringify(record));
  return record;
}

test("REMOTE-060 a local miss asks the remote once; a fresh success is handed over for upload", async () => {
  const machineA = new MemoryCache({ hash: sha256 });
  const remote = new FakeRemote(() => "miss");
  machineA.remote = remote;
  const fresh = await runOnce(machineA);
  assert.equal(fresh.source, "fresh-run");
  assert.equal(fresh.hitFrom, null);
  assert.deepEqual(remote.fetches, [fresh.key]);
  assert.deepEqual(remote.completions, [{ key: fresh.key, task: "p:t", stored: true }]);
  assert.deepEqual(fresh.timing.phases.map((phase) => phase.phase), [
    "lookup",
    "download",
    "exec",
    "drain",
    "store",
  ]);

  const local = await runOnce(machineA);
  assert.equal(local.hitFrom, "local");
  assert.equal(remote.fetches.length, 1, "REMOTE-061 a local hit asks nothing");
  assert.equal(remote.completions.length, 1, "REMOTE-070 a hit is never uploaded");
});

test("REMOTE-066 an imported entry is restored like a local hit, with hitFrom remote", async () => {
  const machineA = new MemoryCache({ hash: sha256 });
  const fresh = await runOnce(machineA);
  const machineB = new MemoryCache({ hash: sha256 });
  machineB.remote = new FakeRemote((key) => {
    const entry = machineA.entries.get(key);
    if (entry === undefined) return "miss";
    machineB.entries.set(key, entry);
    return "imported";
  });
  const hit = await runOnce(machineB);
  assert.equal(hit.source, "cache-hit");
  assert.equal(hit.hitFrom, "remote");
  assert.deepEqual(hit.stdout, fresh.stdout);
  assert.deepEqual(hit.timing.phases.map((phase) => phase.phase), ["lookup", "download", "restore"]);
});

/** A {@link MemoryCache} that also answers lookups synchronously, as the local cache does. */
class SyncMemoryCache extends MemoryCache {
  lookupNow(key: string, task: TaskDefinition): LookupResult {
    this.lookups.push({ key, task: task.key });
    const entry = this.entries.get(key);
    return entry === undefined
      ? { kind: "miss", state: "no entry" }
      : { kind: "hit", manifest: entry.manifest };
  }
}

test("REMOTE-060 a remote hit in a run looks the key up locally once before the download and once after", async () => {
  const machineA = new MemoryCache({ hash: sha256 });
  await runOnce(machineA);
  const machineB = new SyncMemoryCache({ hash: sha256 });
  const remote = new FakeRemote((key) => {
    const entry = machineA.entries.get(key);
    if (entry === undefined) return "miss";
    machineB.entries.set(key, entry);
    return "imported";
  });
  machineB.remote = remote;
  const harness = createHarness(SPEC, { cache: machineB, programs: PROGRAMS });
  const outcome = outcomeOf(await runGraph(harness.ctx), "p:t");
  assert.equal(outcome.kind, "completed");
  const record = outcome.record as CompletedRecord;
  assert.equal(record.hitFrom, "remote");
  assert.equal(remote.fetches.length, 1);
  // The local miss is not looked up (and its key not derived) a second time before the download.
  assert.deepEqual(machineB.lookups.map((lookup) => lookup.key), [record.key, record.key]);
  assert.deepEqual(record.timing.phases.map((phase) => phase.phase), ["lookup", "download", "restore"]);
});
