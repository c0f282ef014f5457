import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { codeFingerprint } from "../../lib/cli/code_fingerprint.ts";

const RUNTIME = {
  hazVersion: "9.9.9",
  runtime: "bun",
  runtimeVersion: "1.0.0",
  os: "linux",
  arch: "x64",
} as const;

describe("code fingerprint", () => {
  test("PERF-001 a snapshot's version names haz, the runtime and the user, and is stable within a build", () => {
    const first = codeFingerprint(RUNTIME);
    assert.equal(codeFingerprint(RUNTIME), first);
    assert.ok(first.startsWith("haz 9.9.9 bun 1.0.0 uid "), first);
    assert.notEqual(codeFingerprint({ ...RUNTIME, runtime: "deno" }), first);
    assert.notEqual(codeFingerprint({ ...RUNTIME, hazVersion: "9.9.10" }), first);
  });
});
