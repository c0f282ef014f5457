import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { deserialize } from "node:v8";
import { detectRuntime } from "../../lib/runtime/detect_runtime.ts";
import { structuredSerializer } from "../../lib/runtime/structured_serializer.ts";

describe("structured serializer", () => {
  test("PERF-001 what the runtime's serializer writes, node:v8 deserialize reads back, sharing included", () => {
    const shared = { name: "build", list: [1, "two", null, undefined], big: 10n };
    const value = { tasks: new Map([["a", shared], ["b", shared]]), tags: new Set(["lib"]), empty: {} };
    for (const runtime of [detectRuntime(), "node" as const]) {
      const back = deserialize(structuredSerializer(runtime)(value)) as typeof value;
      assert.deepEqual(back, value, runtime);
      assert.equal(back.tasks.get("a"), back.tasks.get("b"), runtime);
    }
  });
});
