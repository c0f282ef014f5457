import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { decodeCompact, encodeCompact } from "../../lib/util/compact_codec.ts";

describe("compact codec", () => {
  test("PERF-001 every supported kind of value comes back equal, sharing kept", () => {
    const shared = { path: "/a/haz.yml", line: 3 };
    const value = {
      text: 'x\n"y"',
      numbers: [0, -1, 1.5, NaN, Infinity, -Infinity, -0, 2 ** 53],
      flags: [true, false, null, undefined],
      big: 12345678901234567890n,
      map: new Map<unknown, unknown>([["k", { a: 1 }], [2, [shared]]]),
      set: new Set(["s", 3]),
      pattern: /^up\s+(\d+)$/gu,
      first: shared,
      second: shared,
      same: [{ a: 1, b: 2 }, { a: 3, b: 4 }, { b: 5, a: 6 }],
      nested: { empty: {}, list: [] },
      absent: { present: undefined },
    };
    const decoded = decodeCompact(encodeCompact(value)) as typeof value;
    assert.deepEqual(decoded, value);
    assert.ok(Object.is(decoded.numbers[6], -0));
    assert.equal(decoded.first, decoded.second);
    assert.ok("present" in decoded.absent);
    assert.deepEqual(Object.keys(decoded.same[2]), ["b", "a"]);
  });

  test("PERF-001 an own __proto__ key stays a key", () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}}');
    const decoded = decodeCompact(encodeCompact(value)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(decoded), ["__proto__"]);
    assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test("PERF-001 values it cannot hold are refused, corrupt text is rejected", () => {
    assert.throws(() => encodeCompact(new Date(0)), TypeError);
    assert.throws(() => encodeCompact({ f: () => 1 }), TypeError);
    assert.throws(() => encodeCompact(Symbol("s")), TypeError);
    const text = encodeCompact({ a: [1, 2, 3] });
    assert.throws(() => decodeCompact(text.slice(0, -3) + "]"), TypeError);
    assert.throws(() => decodeCompact("[7,99]"), TypeError);
    assert.throws(() => decodeCompact("[4,0]"), TypeError);
    assert.throws(() => decodeCompact("[42]"), TypeError);
    assert.throws(() => decodeCompact('["a","b"]'), TypeError);
  });
});
