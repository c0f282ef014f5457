/**
 * Node built-in modules that are loaded on first use rather than imported. A bundler hoists every
 * static import of a built-in to the top of the single output file, so it is evaluated at start-up
 * even when only a lazily imported command needs it; in the compiled Bun binary `node:crypto`,
 * `node:stream` and `node:child_process` bring in the whole stream machinery, which used to be the
 * larger part of `haz --version` (06-architecture.md §5); `node:os` computes values as it loads;
 * `node:fs/promises` and `node:url` each take about a millisecond to evaluate there, which a fully
 * cached run, needing neither, need not pay.
 *
 * @module
 */

import { createRequire } from "node:module";
import process from "node:process";

// `process.getBuiltinModule` needs no module URL, so it also works when haz is loaded from an
// `http(s):` URL, where `createRequire(import.meta.url)` throws. Node before 20.16 lacks it; there the
// module is always a file.
const requireBuiltin: (id: string) => unknown = process.getBuiltinModule ?? createRequire(import.meta.url);

/**
 * `node:crypto`, loaded on the first call.
 *
 * @example
 * ```ts
 * nodeCrypto().randomBytes(8).toString("hex"); // "3fa91c0d7e22b845"
 * ```
 */
export function nodeCrypto(): typeof import("node:crypto") {
  return requireBuiltin("node:crypto") as typeof import("node:crypto");
}

/**
 * `node:child_process`, loaded on the first call.
 *
 * @example
 * ```ts
 * typeof nodeChildProcess().spawn; // "function"
 * ```
 */
export function nodeChildProcess(): typeof import("node:child_process") {
  return requireBuiltin("node:child_process") as typeof import("node:child_process");
}

/**
 * `node:os`, loaded on the first call.
 *
 * @example
 * ```ts
 * nodeOs().availableParallelism(); // 2
 * ```
 */
export function nodeOs(): typeof import("node:os") {
  return requireBuiltin("node:os") as typeof import("node:os");
}

/**
 * `node:stream`, loaded on the first call.
 *
 * @example
 * ```ts
 * typeof nodeStream().Readable.toWeb; // "function"
 * ```
 */
export function nodeStream(): typeof import("node:stream") {
  return requireBuiltin("node:stream") as typeof import("node:stream");
}

/**
 * `node:net`, loaded on the first call.
 *
 * @example
 * ```ts
 * typeof nodeNet().connect; // "function"
 * ```
 */
export function nodeNet(): typeof import("node:net") {
  return requireBuiltin("node:net") as typeof import("node:net");
}

/**
 * `node:fs/promises`, loaded on the first call.
 *
 * @example
 * ```ts
 * const handle = await nodeFsPromises().open("/tmp/x", "r");
 * ```
 */
export function nodeFsPromises(): typeof import("node:fs/promises") {
  return requireBuiltin("node:fs/promises") as typeof import("node:fs/promises");
}

/**
 * `node:url`, loaded on the first call.
 *
 * @example
 * ```ts
 * nodeUrl().fileURLToPath("file:///tmp/x"); // "/tmp/x"
 * ```
 */
export function nodeUrl(): typeof import("node:url") {
  return requireBuiltin("node:url") as typeof import("node:url");
}
