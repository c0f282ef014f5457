import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadHashAlgorithm, sha256 } from "../../lib/cache/hash_algorithm.ts";
import { bytesToHex } from "../../lib/cache/hex.ts";
import { detectRuntime } from "../../lib/runtime/detect_runtime.ts";
import { runtimeSha256 } from "../../lib/runtime/runtime_sha256.ts";
import { bytes, EMPTY_SHA256 } from "../support/cache_fixtures.ts";

describe("CACHE-002 hash registry", () => {
  test("CACHE-002 sha256 is id 0x01 and hashes the empty string", async () => {
    const algorithm = await loadHashAlgorithm("sha256");
    assert.equal(algorithm, sha256);
    assert.equal(algorithm.id, 0x01);
    assert.equal(algorithm.create().digestHex(), EMPTY_SHA256);
  });

  test("CACHE-002 blake3 is id 0x00 and matches the reference vectors", async () => {
    const blake3 = await loadHashAlgorithm("blake3");
    assert.equal(blake3.label, "blake3");
    assert.equal(blake3.id, 0x00);
    assert.equal(
      blake3.create().digestHex(),
      "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
    );
    const abc = blake3.create();
    abc.update(bytes("abc"));
    assert.equal(abc.digestHex(), "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85");
    assert.equal(bytesToHex(abc.digestBytes()), abc.digestHex());
    assert.equal(abc.digestBytes().length, 32);
  });

  test("CACHE-002 interleaved blake3 hashers stay independent", async () => {
    const blake3 = await loadHashAlgorithm("blake3");
    const large = new Uint8Array(200_000).map((_, index) => index % 251);
    const reference = blake3.create();
    reference.update(large);
    const expected = reference.digestHex();
    const hashers = [blake3.create(), blake3.create(), blake3.create()];
    for (let offset = 0; offset < large.length; offset += 10_000) {
      for (const hasher of hashers) hasher.update(large.subarray(offset, offset + 10_000));
    }
    const other = blake3.create();
    other.update(bytes("abc"));
    for (const hasher of hashers) assert.equal(hasher.digestHex(), expected);
    assert.equal(other.digestHex(), "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85");
  });

  test("CACHE-002 loading blake3 twice gives the same working function", async () => {
    const [a, b] = await Promise.all([loadHashAlgorithm("blake3"), loadHashAlgorithm("blake3")]);
    assert.equal(a, b);
  });
});

describe("CACHE-002 the runtime's SHA-256", () => {
  test("CACHE-002 the runtime's SHA-256 gives node:crypto's digests, incrementally and interleaved", async () => {
    const native = runtimeSha256(detectRuntime());
    assert.equal(native.label, "sha256");
    assert.equal(native.id, 0x01);
    assert.equal(await loadHashAlgorithm("sha256", native), native);
    assert.equal(native.create().digestHex(), EMPTY_SHA256);
    const large = new Uint8Array(200_000).map((_, index) => index % 251);
    const expected = sha256.create();
    expected.update(large);
    const [a, b] = [native.create(), native.create()];
    for (let offset = 0; offset < large.length; offset += 10_000) {
      a.update(large.subarray(offset, offset + 10_000));
      b.update(large.subarray(offset, offset + 10_000));
    }
    assert.equal(a.digestHex(), expected.digestHex());
    assert.deepEqual(b.digestBytes(), expected.digestBytes());
    assert.equal(bytesToHex(a.digestBytes()), a.digestHex());
  });
});
