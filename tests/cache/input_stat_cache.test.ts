import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { hashFile } from "../../lib/cache/file_hash.ts";
import { sha256 } from "../../lib/cache/hash_algorithm.ts";
import {
  type InputDigestMemo,
  inputStatCachePath,
  openInputStatCache,
} from "../../lib/cache/input_stat_cache.ts";
import { epochMsToNs, fileIdentity } from "../../lib/util/file_identity.ts";
import { withWorkspaceFixture } from "../support/workspace_fixture.ts";

/** The digest of `text` under sha256, computed without any cache. */
function truth(text: string): string {
  const hasher = sha256.create();
  hasher.update(new TextEncoder().encode(text));
  return hasher.digestHex();
}

/** A run that started now (the real 2-second rule). */
function openNow(root: string) {
  return openInputStatCache({
    workspaceRoot: root,
    hashLabel: "sha256",
    referenceNs: epochMsToNs(Date.now()),
  });
}

/** A run that starts 3 s from now: everything written so far counts as settled. */
function openLater(root: string) {
  return openInputStatCache({
    workspaceRoot: root,
    hashLabel: "sha256",
    referenceNs: epochMsToNs(Date.now() + 3_000),
  });
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe("input stat cache", () => {
  test("PERF-002 a remembered identity is not read again: its digest comes from the cache", async () => {
    await withWorkspaceFixture({ ".haz/workspace.yml": "", "src/x": "hello\n" }, async (fixture) => {
      const path = fixture.path("src/x");
      const offered: string[] = [];
      const recalling: InputDigestMemo = {
        recall: (hostPath, key) =>
          hostPath === path && key === fileIdentity(path).key ? "f".repeat(64) : undefined,
        remember: (_hostPath, _identity, digest) => void offered.push(digest),
      };
      assert.equal((await hashFile(path, sha256, recalling)).digest, "f".repeat(64));
      assert.deepEqual(offered, []);
      const forgetting: InputDigestMemo = { ...recalling, recall: () => undefined };
      assert.equal((await hashFile(path, sha256, forgetting)).digest, truth("hello\n"));
      assert.deepEqual(offered, [truth("hello\n")]);
    });
  });

  test("PERF-002 digests persist across runs in .haz/state; a corrupt file or another hash function is an empty cache", async () => {
    await withWorkspaceFixture({ ".haz/workspace.yml": "", "src/x": "hello\n" }, async (fixture) => {
      const path = fixture.path("src/x");
      await pause(15);
      const first = openLater(fixture.root);
      assert.equal((await hashFile(path, sha256, first)).digest, truth("hello\n"));
      first.save();
      const file = inputStatCachePath(fixture.root, "sha256");
      assert.ok(existsSync(file));
      const second = openLater(fixture.root);
      assert.equal(second.recall(path, fileIdentity(path).key), truth("hello\n"));
      const other = openInputStatCache({ workspaceRoot: fixture.root, hashLabel: "blake3", referenceNs: 0n });
      assert.equal(other.recall(path, fileIdentity(path).key), undefined);
      writeFileSync(file, readFileSync(file, "utf8").slice(0, 40));
      assert.equal(openLater(fixture.root).recall(path, fileIdentity(path).key), undefined);
    });
  });

  test("PERF-002 a file changed less than 2 s before the run is hashed, not remembered", async () => {
    await withWorkspaceFixture({ ".haz/workspace.yml": "", "src/x": "hello\n" }, async (fixture) => {
      const path = fixture.path("src/x");
      // A run starting 1 s after the file's last change (pinned, so a stalled machine changes nothing).
      const run = openInputStatCache({
        workspaceRoot: fixture.root,
        hashLabel: "sha256",
        referenceNs: epochMsToNs(statSync(path).ctimeMs + 1_000),
      });
      await hashFile(path, sha256, run);
      run.save();
      assert.equal(existsSync(inputStatCachePath(fixture.root, "sha256")), false);
    });
  });

  test("PERF-002 same-size edits inside one second, with mtime put back, never give a wrong digest", async () => {
    await withWorkspaceFixture({ ".haz/workspace.yml": "", "src/x": "version 0\n" }, async (fixture) => {
      const path = fixture.path("src/x");
      const old = new Date(Date.now() - 60_000);
      utimesSync(path, old, old);
      // Let ctime settle too, so the first run really remembers the file.
      await pause(2_100);
      const settled = openNow(fixture.root);
      assert.equal((await hashFile(path, sha256, settled)).digest, truth("version 0\n"));
      settled.save();
      assert.ok(existsSync(inputStatCachePath(fixture.root, "sha256")));
      for (let edit = 1; edit <= 8; edit++) {
        const before = statSync(path);
        const text = `version ${edit}\n`;
        writeFileSync(path, text);
        utimesSync(path, before.atime, before.mtime);
        assert.equal(statSync(path).size, before.size);
        const run = openNow(fixture.root);
        assert.equal((await hashFile(path, sha256, run)).digest, truth(text), `edit ${edit}`);
        run.save();
      }
    });
  });
});
