import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_DURATION_SECONDS, parseDuration } from "../../lib/domain/duration.ts";

test("CFG-034 parses 90s, 7d, 2w", () => {
  assert.equal(parseDuration("90s"), 90);
  assert.equal(parseDuration("7d"), 604800);
  assert.equal(parseDuration("2w"), 1209600);
  assert.equal(parseDuration("5m"), 300);
  assert.equal(parseDuration("3h"), 10800);
  assert.equal(parseDuration("0s"), 0);
});

test("CFG-034 rejects 1h30m, 1.5h, 7D, -1s, 7 d and other malformed texts", () => {
  for (const text of ["1h30m", "1.5h", "7D", "-1s", "7 d", "", "s", "7", "+7d", " 7d", "7d ", "7ms", "٣s"]) {
    assert.equal(parseDuration(text), null, JSON.stringify(text));
  }
});

test("CFG-034 bounds the value at 9007199254740 seconds", () => {
  assert.equal(parseDuration(`${MAX_DURATION_SECONDS}s`), 9007199254740);
  assert.equal(parseDuration(`${MAX_DURATION_SECONDS + 1}s`), null);
  assert.equal(parseDuration("14892855w"), 14892855 * 604800);
  assert.equal(parseDuration("14892856w"), null);
  assert.equal(parseDuration("99999999999999999999999999s"), null);
});
