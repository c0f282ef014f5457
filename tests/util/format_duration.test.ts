import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { formatDuration } from "../../lib/util/format_duration.ts";

describe("formatDuration (04-execution.md §9.5)", () => {
  test("example 44: the acceptance durations", () => {
    const cases: Array<[number, string]> = [
      [0, "0ms"],
      [999, "999ms"],
      [1000, "1s"],
      [7005, "7s 5ms"],
      [7856, "7s 856ms"],
      [60_000, "1m"],
      [83_999, "1m 23s"],
      [5_025_000, "1h 23m"],
    ];
    for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, `${ms}`);
  });

  test("EXEC-017 durations are truncated, never rounded", () => {
    assert.equal(formatDuration(176.9), "176ms");
    assert.equal(formatDuration(1999.99), "1s 999ms");
    assert.equal(formatDuration(119_999), "1m 59s");
    assert.equal(formatDuration(3_599_999), "59m 59s");
  });

  test("EXEC-017 a zero second component is left out at every scale", () => {
    assert.equal(formatDuration(2 * 60_000 + 999), "2m");
    assert.equal(formatDuration(3 * 3_600_000 + 59_999), "3h");
    assert.equal(formatDuration(30_000), "30s");
    assert.equal(formatDuration(5000), "5s");
  });

  test("EXEC-017 hours are not wrapped into days", () => {
    assert.equal(formatDuration(26 * 3_600_000 + 60_000), "26h 1m");
  });

  test("negative and non-finite input print 0ms", () => {
    assert.equal(formatDuration(-5), "0ms");
    assert.equal(formatDuration(Number.NaN), "0ms");
  });
});
