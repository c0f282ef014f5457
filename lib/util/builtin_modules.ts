/**
 * Node built-in modules that are loaded on first use rather than imported. A bundler hoists every
 * static import of a built-in to the top of the single output file, so it is evaluated at start-up
 * even when only a lazily imported command needs it; in the compiled Bun binary `node:crypto`,
 * `node:stream` and `node:child_process` bring in the whole stream machinery, which used to be the
 * larger part of `haz --version` (06-architecture.md §5); `node:os` computes values as it loads.
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
