import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ioFailureReason } from "../../lib/util/io_failure_reason.ts";

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

test("a real failure of node:fs is described in a few words, without the path it used", () => {
  const dir = mkdtempSync(join(tmpdir(), "haz-io-reason-"));
  try {
    const missing = join(dir, "gone", "file.txt");
    const reason = ioFailureReason(thrownBy(() => readFileSync(missing)));
    assert.equal(reason, "no such file or directory");
    assert.equal(ioFailureReason(thrownBy(() => readFileSync(dir))), "is a directory");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an unlisted code is reported as the code; a value without a code by its one-line message", () => {
  assert.equal(
    ioFailureReason(Object.assign(new Error("EBUSY: busy, open '/x'"), { code: "EBUSY" })),
    "EBUSY",
  );
  assert.equal(ioFailureReason(new Error("first\n  second")), "first second");
  assert.equal(ioFailureReason("plain"), "plain");
});
