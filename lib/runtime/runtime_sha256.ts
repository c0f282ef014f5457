/**
 * The fastest SHA-256 each runtime has (CACHE-002: the digests are those of `node:crypto`'s). In the
 * compiled Bun binary, `node:crypto`'s `createHash` evaluates Bun's stream modules on first use (a
 * hash object is a `Transform` stream) and builds a stream object for every key, input and blob;
 * `Bun.CryptoHasher` is the same native SHA-256 without either. Elsewhere `node:crypto` is used.
 *
 * @module
 */

import { type HashAlgorithm, sha256, sha256Using } from "../cache/hash_algorithm.ts";
import type { RuntimeName } from "./detect_runtime.ts";

interface NativeHasher {
  update(bytes: Uint8Array): unknown;
  digest(): Uint8Array;
}

type NativeHasherClass = new (algorithm: "sha256") => NativeHasher;

/**
 * SHA-256 for `runtime`: over `Bun.CryptoHasher` under Bun, the `node:crypto` one elsewhere.
 *
 * @example
 * ```ts
 * const hash = runtimeSha256("bun");
 * hash.create().digestHex(); // "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
 * ```
 */
export function runtimeSha256(runtime: RuntimeName): HashAlgorithm {
  const bun = (globalThis as { Bun?: { CryptoHasher?: NativeHasherClass } }).Bun;
  const NativeHasher = runtime === "bun" ? bun?.CryptoHasher : undefined;
  if (NativeHasher === undefined) return sha256;
  return sha256Using(() => {
    const hasher = new NativeHasher("sha256");
    return {
      update: (bytes) => {
        hasher.update(bytes);
      },
      digest: () => {
        // A plain Uint8Array view of the Buffer Bun returns, as node:crypto's wrapper gives.
        const digest = hasher.digest();
        return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
      },
    };
  });
}
