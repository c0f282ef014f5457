/**
 * Hash functions of the cache registry (03-cache.md CACHE-002).
 *
 * @module
 */

import { nodeCrypto } from "../util/builtin_modules.ts";

/** An incremental hasher. */
export interface Hasher {
  update(bytes: Uint8Array): void;
  /** The digest as 64 lowercase hex characters. */
  digestHex(): string;
  /** The digest as 32 raw bytes. */
  digestBytes(): Uint8Array;
}

/** One registered hash function. */
export interface HashAlgorithm {
  /** The registry label, as `cache.hash` selects it (CACHE-002). */
  readonly label: "sha256" | "blake3";
  /** The registry id byte fed after the schema revision (CACHE-003). */
  readonly id: number;
  /** Starts a new, independent incremental hash. */
  create(): Hasher;
}

/** One SHA-256 computation of a runtime's own implementation (see {@link sha256Using}). */
export interface Sha256Engine {
  update(bytes: Uint8Array): void;
  /** The 32-byte digest; called once. */
  digest(): Uint8Array;
}

/**
 * SHA-256 (registry id `0x01`) over a given implementation of the function: every implementation
 * gives the same digests, so keys and entries do not depend on which one a runtime uses.
 *
 * @example
 * ```ts
 * const algorithm = sha256Using(() => {
 *   const hash = createHash("sha256");
 *   return { update: (bytes) => hash.update(bytes), digest: () => new Uint8Array(hash.digest()) };
 * });
 * algorithm.create().digestHex(); // "e3b0c442…b855"
 * ```
 */
export function sha256Using(createEngine: () => Sha256Engine): HashAlgorithm {
  return {
    label: "sha256",
    id: 0x01,
    create(): Hasher {
      const engine = createEngine();
      let bytes: Uint8Array | null = null;
      const finish = () => bytes ??= engine.digest();
      return {
        update(chunk) {
          engine.update(chunk);
        },
        digestHex: () => Buffer.from(finish()).toString("hex"),
        digestBytes: finish,
      };
    },
  };
}

/**
 * SHA-256 over `node:crypto`, the default.
 *
 * @example
 * ```ts
 * const h = sha256.create();
 * h.update(new Uint8Array());
 * h.digestHex(); // "e3b0c442…b855"
 * ```
 */
export const sha256: HashAlgorithm = sha256Using(() => {
  const hash = nodeCrypto().createHash("sha256");
  return {
    update: (bytes) => hash.update(bytes),
    digest: () => new Uint8Array(hash.digest()),
  };
});

/** The part of `hash-wasm`'s `IHasher` the BLAKE3 multiplexer uses. */
interface WasmHasher {
  init(): unknown;
  update(data: Uint8Array): unknown;
  digest(outputType: "binary"): Uint8Array;
  save(): Uint8Array;
  load(state: Uint8Array): unknown;
}

/**
 * Wraps one BLAKE3 WASM instance so that any number of hashers can be created synchronously: the
 * instance serves one hasher at a time, and a hasher that is interrupted by another keeps its state
 * as a `save()` snapshot until it resumes (so interleaved streams hash correctly).
 */
function multiplexedBlake3(wasm: WasmHasher): HashAlgorithm {
  interface Slot {
    saved: Uint8Array | null;
  }
  let owner: Slot | null = null;
  const acquire = (slot: Slot): void => {
    if (owner === slot) return;
    if (owner !== null) owner.saved = wasm.save();
    if (slot.saved === null) wasm.init();
    else wasm.load(slot.saved);
    slot.saved = null;
    owner = slot;
  };
  return {
    label: "blake3",
    id: 0x00,
    create(): Hasher {
      const slot: Slot = { saved: null };
      let bytes: Uint8Array | null = null;
      const finish = (): Uint8Array => {
        if (bytes !== null) return bytes;
        acquire(slot);
        bytes = wasm.digest("binary");
        owner = null;
        return bytes;
      };
      return {
        update(chunk) {
          acquire(slot);
          wasm.update(chunk);
        },
        digestHex: () => Buffer.from(finish()).toString("hex"),
        digestBytes: finish,
      };
    },
  };
}

let blake3Loading: Promise<HashAlgorithm> | null = null;

/** The UMD build's exports: the namespace itself (Bun) or its `default` (Deno's CommonJS interop). */
function blake3Factory(module: unknown): { createBLAKE3(): Promise<WasmHasher> } {
  const namespace = module as { createBLAKE3?: unknown; default?: unknown };
  return (typeof namespace.createBLAKE3 === "function" ? namespace : namespace.default) as {
    createBLAKE3(): Promise<WasmHasher>;
  };
}

/**
 * Loads a hash function by label; BLAKE3 comes from `hash-wasm`, loaded only when selected.
 * Rejects when `hash-wasm` cannot be loaded (the CLI then exits 2). `sha256Implementation` replaces
 * the `node:crypto` one (the runtime's own, see `lib/runtime/runtime_sha256.ts`).
 *
 * @example
 * ```ts
 * const algorithm = await loadHashAlgorithm("sha256");
 * algorithm.id; // 1
 * ```
 */
export function loadHashAlgorithm(
  label: "sha256" | "blake3",
  sha256Implementation: HashAlgorithm = sha256,
): Promise<HashAlgorithm> {
  if (label === "sha256") return Promise.resolve(sha256Implementation);
  // The BLAKE3 build alone: the package's index bundles every algorithm (a quarter of a megabyte
  // that the compiled binary would load at start-up).
  blake3Loading ??= import("hash-wasm/dist/blake3.umd.min.js")
    .then((module) => blake3Factory(module).createBLAKE3())
    .then((wasm) => multiplexedBlake3(wasm));
  // A failed load is not cached, so a later call may try again.
  blake3Loading.catch(() => blake3Loading = null);
  return blake3Loading;
}
