import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { after, test } from "node:test";
import { DirectorySyncBatch } from "../../../lib/cache/directory_sync_batch.ts";
import { sha256 } from "../../../lib/cache/hash_algorithm.ts";
import { type Manifest, serializeManifest } from "../../../lib/cache/manifest.ts";
import { writeArtifact } from "../../../lib/cache/remote/artifact_writer.ts";
import { ARTIFACT_FILE, importArtifact } from "../../../lib/cache/remote/artifact_import.ts";
import { artifactTag } from "../../../lib/cache/remote/signature.ts";
import { parseUstarHeader, ustarHeader } from "../../../lib/cache/remote/ustar.ts";
import type { TaskDefinition } from "../../../lib/domain/workspace.ts";

const W1_KEY = "db175af06e7ee466b8f5d44dd2150002e3c318297427850efe8c84a4bea0e142";
const EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const HELLO = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
const MANIFEST: Manifest = {
  schema: 1,
  hash: "sha256",
  key: W1_KEY,
  created_at_unix: 1767225600,
  duration_ms: 4,
  task: "app:hello",
  stdout: { size: 0, hash: EMPTY },
  stderr: { size: 0, hash: EMPTY },
  outputs: [{ path: "/app/out.txt", kind: "file", hash: HELLO, size: 6, mode: 420 }],
};

const scratch = mkdtempSync(join(tmpdir(), "haz-remote-artifact-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

function w1Entry(name: string): string {
  const entry = join(scratch, name);
  mkdirSync(join(entry, "outputs"), { recursive: true });
  writeFileSync(join(entry, "manifest.json"), serializeManifest(MANIFEST));
  writeFileSync(join(entry, "stdout"), "");
  writeFileSync(join(entry, "stderr"), "");
  writeFileSync(join(entry, "outputs", HELLO), "hello\n");
  return entry;
}

async function w1Artifact(name: string): Promise<Uint8Array> {
  const destination = join(scratch, `${name}.tgz`);
  const written = await writeArtifact({
    entryDir: w1Entry(name),
    key: W1_KEY,
    hash: sha256,
    destination,
    level: 0,
    maxEntrySize: 1 << 30,
  });
  assert.ok(written.ok);
  return readFileSync(destination);
}

const helloTask = {
  key: "app:hello",
  outputs: [{ written: "out.txt", canonical: "/app/out.txt", isGlob: false }],
} as unknown as TaskDefinition;

test("REMOTE-041 EX-702 W1's app:hello artifact at level 0 is byte for byte the test vector", async () => {
  const manifest = serializeManifest(MANIFEST);
  assert.equal(Buffer.byteLength(manifest), 618);
  assert.equal(
    sha(Buffer.from(manifest)),
    "40144ea6e084f503f4e2b840347270bbb874b9a7fb9de6317cf80795ee1a3942",
  );
  const artifact = await w1Artifact("ex702");
  const archive = gunzipSync(artifact);
  assert.equal(archive.length, 4608);
  assert.equal(sha(archive), "2499e8523d3389018477f32a802dad21ad40fd85efe981351bf0fdf7ea9159d4");
  const checksums = [0, 1536, 2048, 2560].map((offset) =>
    archive.subarray(offset + 148, offset + 156).toString("latin1")
  );
  assert.deepEqual(checksums, ["010445\0 ", "007200\0 ", "007161\0 ", "020334\0 "]);
  assert.equal(artifact.length, 4631);
  assert.equal(sha(artifact), "8af239350c5b9774acaecf20fdac0cc46d451b8581074261747231e87be95863");
});

test("REMOTE-050 EX-703 tags equal the vectors of turbo 2.11's scheme", () => {
  const subject = { key: "0123456789abcdef0123456789abcdef", id: W1_KEY, team: "haz" };
  assert.equal(artifactTag(subject, Buffer.from("hello")), "xj4gIpwxqi6HDiVidTu7rUnrGJUOBCh5ddqNd+8lY0Q=");
  assert.equal(
    artifactTag({ ...subject, team: "" }, new Uint8Array()),
    "B/MndyH8mCAT24yyJVVaT6tzDd99siByfAVZy5JqHPM=",
  );
});

test("REMOTE-050 EX-703 the tag of EX-702's archive as a body", async () => {
  const archive = gunzipSync(await w1Artifact("ex703"));
  const subject = { key: "0123456789abcdef0123456789abcdef", id: W1_KEY, team: "haz" };
  assert.equal(artifactTag(subject, archive), "5Xgjy++8RrKXjVNtaAbLwPULOxgmpm09pNNCPLunBjU=");
});

test("REMOTE-041 a header round-trips and a corrupted checksum is refused", () => {
  const header = ustarHeader("outputs/" + HELLO, 6);
  assert.deepEqual(parseUstarHeader(header), { name: "outputs/" + HELLO, size: 6 });
  header[0] ^= 1;
  assert.equal(parseUstarHeader(header), "header checksum mismatch");
});

/** A sync batch that also records what it was given. */
class RecordingSyncBatch extends DirectorySyncBatch {
  readonly added: string[] = [];

  override add(directory: string): void {
    this.added.push(directory);
    super.add(directory);
  }
}

/**
 * Imports `body` as the artifact of W1's app:hello into a fresh cache, from the `artifact` file or
 * (`inMemory`) as the download held it; returns the result kind/reason.
 */
async function importBody(
  name: string,
  body: Uint8Array,
  options: { maxEntrySize?: number; shardSyncs?: DirectorySyncBatch; inMemory?: boolean } = {},
) {
  const { maxEntrySize = 1 << 30, shardSyncs = new DirectorySyncBatch(), inMemory = false } = options;
  const root = join(scratch, name, "cache");
  const directory = join(root, "db", `.tmp-${W1_KEY}-0000000000000000`);
  mkdirSync(directory, { recursive: true });
  if (!inMemory) writeFileSync(join(directory, ARTIFACT_FILE), body);
  const result = await importArtifact({
    context: { root, workspaceRoot: join(scratch, name), hash: sha256 },
    directory,
    key: W1_KEY,
    task: helloTask,
    maxEntrySize,
    nowUnix: 1800000000,
    shardSyncs,
    body: inMemory ? body : null,
  });
  await shardSyncs.flush();
  return result;
}

test("REMOTE-064 an import leaves CACHE-017 step 6 (its shard directory) to the run's sync batch", async () => {
  const batch = new RecordingSyncBatch();
  const result = await importBody("import-batch", await w1Artifact("import-batch-src"), {
    shardSyncs: batch,
  });
  assert.deepEqual(result, { kind: "imported" });
  assert.deepEqual(batch.added, [join(scratch, "import-batch", "cache", "db")]);
  assert.ok(existsSync(join(scratch, "import-batch", "cache", "db", W1_KEY, "manifest.json")));
});

test("REMOTE-064 an artifact imports as a valid entry whose created_at_unix is the import time", async () => {
  const result = await importBody("import-ok", await w1Artifact("import-ok-src"));
  assert.deepEqual(result, { kind: "imported" });
  const entry = join(scratch, "import-ok", "cache", "db", W1_KEY);
  const manifest = JSON.parse(readFileSync(join(entry, "manifest.json"), "utf8"));
  assert.equal(manifest.created_at_unix, 1800000000);
  assert.equal(manifest.duration_ms, 4);
  assert.equal(readFileSync(join(entry, "outputs", HELLO), "utf8"), "hello\n");
});

test("REMOTE-044 damaged artifacts are rejected with the reason of the first failing step", async () => {
  const good = gunzipSync(await w1Artifact("reject-src"));
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ["garbage", gzipSync(Buffer.from("garbage")), /^not a haz artifact: /],
    ["not-gzip", Buffer.from("plain text"), /^not a haz artifact: /],
    ["truncated", gzipSync(good.subarray(0, 2000)), /^not a haz artifact: /],
    [
      "extra",
      gzipSync(Buffer.concat([good.subarray(0, 3584), ustarHeader("extra", 0), good.subarray(3584)])),
      /^not a haz artifact: unexpected member/,
    ],
  ];
  const pristine = gzipSync(good);
  // A tail after the gzip member: zeros, which zlib skips as padding, and a torn upload's tail.
  cases.push(["zero-tail", Buffer.concat([pristine, Buffer.alloc(5)]), /^not a haz artifact: 5 bytes after/]);
  cases.push(["torn", Buffer.concat([pristine, pristine.subarray(-5)]), /^not a haz artifact: /]);
  const flipped = Buffer.from(good);
  flipped[3072] ^= 1;
  cases.push(["blob", gzipSync(flipped), /^outputs\/5891b5b5.* does not match the manifest$/]);
  for (const inMemory of [false, true]) {
    for (const [name, body, reason] of cases) {
      const result = await importBody(`reject-${name}-${inMemory}`, body, { inMemory });
      assert.equal(result.kind, "rejected", name);
      assert.match((result as { reason: string }).reason, reason, name);
    }
    const small = await importBody(`reject-size-${inMemory}`, gzipSync(good), {
      maxEntrySize: 600,
      inMemory,
    });
    assert.deepEqual(small, {
      kind: "rejected",
      reason: "entry is larger than cache.remote.max_entry_size (600 B)",
    });
  }
});

test("REMOTE-043 a multi-chunk blob of random bytes round-trips through writer and importer", async () => {
  const blob = randomBytes(1024 * 1024 + 12345);
  const blobHash = sha(blob);
  const manifest: Manifest = {
    ...MANIFEST,
    outputs: [{ path: "/app/out.txt", kind: "file", hash: blobHash, size: blob.length, mode: 420 }],
  };
  const entry = join(scratch, "random-entry");
  mkdirSync(join(entry, "outputs"), { recursive: true });
  writeFileSync(join(entry, "manifest.json"), serializeManifest(manifest));
  writeFileSync(join(entry, "stdout"), "");
  writeFileSync(join(entry, "stderr"), "");
  writeFileSync(join(entry, "outputs", blobHash), blob);
  for (const level of [0, 1]) {
    const destination = join(scratch, `random-${level}.tgz`);
    const written = await writeArtifact({
      entryDir: entry,
      key: W1_KEY,
      hash: sha256,
      destination,
      level,
      maxEntrySize: 1 << 30,
    });
    assert.ok(written.ok);
    const withTail = Buffer.concat([readFileSync(destination), Buffer.alloc(3)]);
    assert.deepEqual(await importBody(`random-tail-${level}`, withTail), {
      kind: "rejected",
      reason: "not a haz artifact: 3 bytes after the end of the compressed data",
    });
    const result = await importBody(`random-import-${level}`, readFileSync(destination));
    assert.deepEqual(result, { kind: "imported" });
    const imported = join(scratch, `random-import-${level}`, "cache", "db", W1_KEY, "outputs", blobHash);
    assert.equal(sha(readFileSync(imported)), blobHash);
  }
});

test("REMOTE-064 a body held in memory imports without an artifact file, also when it inflates past one call", async () => {
  const imported = await importBody("memory-w1", await w1Artifact("memory-w1-src"), { inMemory: true });
  assert.deepEqual(imported, { kind: "imported" });
  const entry = join(scratch, "memory-w1", "cache", "db", W1_KEY);
  assert.equal(readFileSync(join(entry, "outputs", HELLO), "utf8"), "hello\n");
  assert.ok(!existsSync(join(entry, ARTIFACT_FILE)));
  // 6 MiB of zeros compress to a few KiB: decompressed by the stream path, not in one call.
  const blob = new Uint8Array(6 * 1024 * 1024);
  const blobHash = sha(blob);
  const manifest: Manifest = {
    ...MANIFEST,
    outputs: [{ path: "/app/out.txt", kind: "file", hash: blobHash, size: blob.length, mode: 420 }],
  };
  const source = join(scratch, "zeros-entry");
  mkdirSync(join(source, "outputs"), { recursive: true });
  writeFileSync(join(source, "manifest.json"), serializeManifest(manifest));
  writeFileSync(join(source, "stdout"), "");
  writeFileSync(join(source, "stderr"), "");
  writeFileSync(join(source, "outputs", blobHash), blob);
  const destination = join(scratch, "zeros.tgz");
  const written = await writeArtifact({
    entryDir: source,
    key: W1_KEY,
    hash: sha256,
    destination,
    level: 1,
    maxEntrySize: 1 << 30,
  });
  assert.ok(written.ok && written.bytes < 256 * 1024);
  assert.deepEqual(await importBody("memory-zeros", readFileSync(destination), { inMemory: true }), {
    kind: "imported",
  });
  const copy = join(scratch, "memory-zeros", "cache", "db", W1_KEY, "outputs", blobHash);
  assert.equal(sha(readFileSync(copy)), blobHash);
});
