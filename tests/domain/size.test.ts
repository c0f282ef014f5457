import { test } from "node:test";
import assert from "node:assert/strict";
import { formatByteAmount, parseSize } from "../../lib/domain/size.ts";

test("CFG-035 parses 10GiB, 500MB and every unit", () => {
  assert.equal(parseSize("10GiB"), 10737418240);
  assert.equal(parseSize("500MB"), 500000000);
  assert.equal(parseSize("1024"), 1024);
  assert.equal(parseSize("7B"), 7);
  assert.equal(parseSize("3KB"), 3000);
  assert.equal(parseSize("2GB"), 2000000000);
  assert.equal(parseSize("1KiB"), 1024);
  assert.equal(parseSize("1MiB"), 1048576);
  assert.equal(parseSize("1TiB"), 1099511627776);
  assert.equal(parseSize("0"), 0);
});

test("CFG-035 rejects 1.5GB, 10gb, 10 GB, 10TB and other malformed texts", () => {
  for (const text of ["1.5GB", "10gb", "10 GB", "10TB", "", "GB", "-1", "+1", "1kib", "1Kib", "1 ", " 1"]) {
    assert.equal(parseSize(text), null, JSON.stringify(text));
  }
});

test("CFG-035 bounds the value at 2^53-1 bytes", () => {
  assert.equal(parseSize("9007199254740991"), Number.MAX_SAFE_INTEGER);
  assert.equal(parseSize("9007199254740992"), null);
  assert.equal(parseSize("9007199254740993"), null);
  assert.equal(parseSize("8191TiB"), 8191 * 2 ** 40);
  assert.equal(parseSize("8192TiB"), null);
  assert.equal(parseSize("9007199254740991KB"), null);
});

test("AUX-018 formats byte amounts", () => {
  assert.equal(formatByteAmount(123456), "123456 bytes (120.6 KiB)");
  assert.equal(formatByteAmount(1023), "1023 bytes (1023 B)");
  assert.equal(formatByteAmount(0), "0 bytes (0 B)");
  assert.equal(formatByteAmount(1024), "1024 bytes (1.0 KiB)");
  assert.equal(formatByteAmount(3566123), "3566123 bytes (3.4 MiB)");
  assert.equal(formatByteAmount(6912), "6912 bytes (6.8 KiB)");
  assert.equal(formatByteAmount(10737418240), "10737418240 bytes (10.0 GiB)");
  assert.equal(formatByteAmount(2 ** 40), "1099511627776 bytes (1.0 TiB)");
  assert.equal(formatByteAmount(2 ** 50), "1125899906842624 bytes (1024.0 TiB)");
});
