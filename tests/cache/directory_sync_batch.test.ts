import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { DirectorySyncBatch } from "../../lib/cache/directory_sync_batch.ts";

const scratch = mkdtempSync(join(tmpdir(), "haz-sync-batch-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

test("CACHE-017 step 6 in rounds: flush waits for directories added while a round is under way", async () => {
  const batch = new DirectorySyncBatch();
  const directories = ["a", "b", "c"].map((name) => join(scratch, name));
  for (const directory of directories) mkdirSync(directory);
  batch.add(directories[0]);
  const flushing = batch.flush();
  batch.add(directories[1]);
  batch.add(directories[2]);
  await assert.doesNotReject(flushing);
  await assert.doesNotReject(batch.flush());
});

test("CACHE-017 step 6 in rounds: a directory that cannot be synced does not fail the batch", async () => {
  const batch = new DirectorySyncBatch();
  batch.add(join(scratch, "missing"));
  await assert.doesNotReject(batch.flush());
  mkdirSync(join(scratch, "later"));
  batch.add(join(scratch, "later"));
  await assert.doesNotReject(batch.flush());
});
