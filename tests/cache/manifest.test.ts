import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type Manifest,
  readManifestBytes,
  readManifestText,
  serializeManifest,
} from "../../lib/cache/manifest.ts";
import { isValidManifestPath } from "../../lib/cache/manifest_path.ts";
import { EMPTY_SHA256, W1_HELLO_KEY } from "../support/cache_fixtures.ts";

const BLOB = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

const EXAMPLE: Manifest = {
  schema: 1,
  hash: "sha256",
  key: W1_HELLO_KEY,
  created_at_unix: 1767225600,
  duration_ms: 4,
  task: "app:hello",
  stdout: { size: 0, hash: EMPTY_SHA256 },
  stderr: { size: 0, hash: EMPTY_SHA256 },
  outputs: [{ path: "/app/out.txt", kind: "file", hash: BLOB, size: 6, mode: 420 }],
};

/** The example manifest as a plain object, with `change` applied. */
function variant(change: (value: Record<string, any>) => void): string {
  const value = JSON.parse(JSON.stringify(EXAMPLE));
  change(value);
  return JSON.stringify(value);
}

function classify(text: string): string {
  return readManifestText(text, W1_HELLO_KEY).kind;
}

describe("CACHE-011 manifest writer", () => {
  test("CACHE-011 serializeManifest writes the table order, two-space indent and one newline", () => {
    const text = serializeManifest(EXAMPLE);
    assert.equal(text, JSON.stringify(JSON.parse(text), null, 2) + "\n");
    assert.deepEqual(Object.keys(JSON.parse(text)), [
      "schema",
      "hash",
      "key",
      "created_at_unix",
      "duration_ms",
      "task",
      "stdout",
      "stderr",
      "outputs",
    ]);
    assert.deepEqual(Object.keys(JSON.parse(text).outputs[0]), ["path", "kind", "hash", "size", "mode"]);
    assert.deepEqual(readManifestText(text, W1_HELLO_KEY), { kind: "valid", manifest: EXAMPLE });
  });

  test("CACHE-011 a symlink output has target instead of hash, size and mode", () => {
    const manifest: Manifest = {
      ...EXAMPLE,
      outputs: [...EXAMPLE.outputs, { path: "/app/zz-latest", kind: "symlink", target: "out.txt" }],
    };
    const text = serializeManifest(manifest);
    assert.deepEqual(JSON.parse(text).outputs[1], {
      path: "/app/zz-latest",
      kind: "symlink",
      target: "out.txt",
    });
    assert.equal(classify(text), "valid");
  });
});

describe("CACHE-030 strict reading", () => {
  test("CACHE-030 step 1: invalid JSON and invalid UTF-8 are corrupt (acceptance 27)", () => {
    assert.equal(classify("{"), "corrupt");
    assert.equal(classify(""), "corrupt");
    const bytes = new TextEncoder().encode(serializeManifest(EXAMPLE));
    assert.equal(readManifestBytes(bytes, W1_HELLO_KEY).kind, "valid");
    const broken = Uint8Array.from([...bytes.subarray(0, 20), 0xff, ...bytes.subarray(20)]);
    assert.deepEqual(readManifestBytes(broken, W1_HELLO_KEY), { kind: "corrupt", reason: "not valid UTF-8" });
    const bom = Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes]);
    assert.equal(readManifestBytes(bom, W1_HELLO_KEY).kind, "corrupt");
  });

  test("CACHE-030 step 2: not an object or no integer schema is corrupt", () => {
    for (
      const text of ["[]", "null", "1", '"x"', "{}", '{"schema": "1"}', '{"schema": 1.5}', '{"schema": -1}']
    ) {
      assert.equal(classify(text), "corrupt", text);
    }
  });

  test("CACHE-030 step 3: another schema is a mismatch, nothing else examined (acceptance 28)", () => {
    assert.equal(classify('{"schema": 2}'), "schema-mismatch");
    assert.equal(classify('{"schema": 0, "anything": null}'), "schema-mismatch");
    assert.equal(classify(variant((m) => m.schema = 2)), "schema-mismatch");
  });

  test("CACHE-030 step 4: member set, types and constraints (acceptance 27)", () => {
    const corrupt: [string, (m: Record<string, any>) => void][] = [
      ["unknown member", (m) => m.extra = 1],
      ["missing member", (m) => delete m.duration_ms],
      ["null member", (m) => m.task = null],
      ["md5 label", (m) => m.hash = "md5"],
      ["uppercase key", (m) => m.key = m.key.toUpperCase()],
      ["key of another entry", (m) => m.key = "0".repeat(64)],
      ["negative created_at_unix", (m) => m.created_at_unix = -1],
      ["fractional duration", (m) => m.duration_ms = 1.5],
      ["unsafe integer", (m) => m.created_at_unix = 2 ** 53],
      ["task not an id", (m) => m.task = "hello"],
      ["stream extra member", (m) => m.stdout.extra = 1],
      ["stream uppercase hash", (m) => m.stderr.hash = m.stderr.hash.toUpperCase()],
      ["stream negative size", (m) => m.stdout.size = -1],
      ["outputs not an array", (m) => m.outputs = {}],
      ["output unknown kind", (m) => m.outputs[0].kind = "dir"],
      ["file output with target", (m) => m.outputs[0].target = "x"],
      ["mode 512", (m) => m.outputs[0].mode = 512],
      ["mode as string", (m) => m.outputs[0].mode = "420"],
      ["blob hash short", (m) => m.outputs[0].hash = "abc"],
      ["symlink with empty target", (m) => m.outputs[0] = { path: "/app/l", kind: "symlink", target: "" }],
      ["symlink with NUL", (m) => m.outputs[0] = { path: "/app/l", kind: "symlink", target: "a\u0000b" }],
      [
        "symlink too long",
        (m) => m.outputs[0] = { path: "/app/l", kind: "symlink", target: "x".repeat(4097) },
      ],
      ["symlink with size", (m) => m.outputs[0] = { path: "/app/l", kind: "symlink", target: "x", size: 1 }],
      [
        "unsorted outputs",
        (m) => m.outputs = [{ ...m.outputs[0], path: "/app/z" }, { ...m.outputs[0], path: "/app/a" }],
      ],
      ["duplicate outputs", (m) => m.outputs = [m.outputs[0], m.outputs[0]]],
      [
        "ancestor outputs",
        (m) => m.outputs = [{ ...m.outputs[0], path: "/app" }, { ...m.outputs[0], path: "/app/x" }],
      ],
    ];
    for (const [name, change] of corrupt) assert.equal(classify(variant(change)), "corrupt", name);
    assert.equal(classify(variant((m) => m.outputs[0] = { ...m.outputs[0], mode: 511 })), "valid");
    assert.equal(
      classify(variant((m) => m.outputs[0] = { path: "/app/l", kind: "symlink", target: "x".repeat(4096) })),
      "valid",
    );
    const reading = readManifestText(variant((m) => m.extra = 1), W1_HELLO_KEY);
    assert.deepEqual(reading, { kind: "corrupt", reason: "unknown member `extra`" });
  });

  test("CACHE-030 path validity: traversal, .haz, .git and bad segments are corrupt (acceptance 29)", () => {
    const invalid = [
      "/app/../../etc/x",
      "/.haz/x",
      "/app/.git/config",
      "/.git",
      "app/out.txt",
      "/",
      "/app//x",
      "/app/./x",
      "/app/x/",
      "/app/\u0007",
      "/app/\u200b",
      "/app/\ud800",
      "/app/\u2028",
    ];
    for (const path of invalid) {
      assert.equal(isValidManifestPath(path), false, JSON.stringify(path));
      assert.equal(classify(variant((m) => m.outputs[0].path = path)), "corrupt", JSON.stringify(path));
    }
    for (const path of ["/app/out.txt", "/a/.hazx", "/app/.haz/x", "/日本/ü.txt", "/app/😀"]) {
      assert.equal(isValidManifestPath(path), true, path);
    }
  });
});
