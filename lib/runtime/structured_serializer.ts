/**
 * The fastest way each runtime has to turn a value graph into bytes that `node:v8`'s `deserialize`
 * reads back (the workspace snapshot, PERF-001). In Bun, `node:v8`'s `serialize` walks every property
 * in JavaScript before calling JavaScriptCore's serializer; `bun:jsc`'s `serialize` is that serializer
 * alone, writes the same bytes and takes half the time. Elsewhere `node:v8`'s `serialize` is used.
 *
 * @module
 */

import { createRequire } from "node:module";
import { serialize } from "node:v8";
import type { RuntimeName } from "./detect_runtime.ts";

/** Encodes a value graph as `node:v8`'s `deserialize` of the same runtime reads it. */
export type StructuredSerializer = (value: unknown) => Uint8Array;

type JscSerialize = (value: unknown, options: { binaryType: "nodebuffer" }) => Uint8Array;

/**
 * The serializer for `runtime`.
 *
 * @example
 * ```ts
 * const bytes = structuredSerializer("bun")(new Map([["a", 1]]));
 * deserialize(bytes); // Map { "a" => 1 }
 * ```
 */
export function structuredSerializer(runtime: RuntimeName): StructuredSerializer {
  if (runtime !== "bun") return serialize;
  let jsc: JscSerialize;
  try {
    jsc = (createRequire(import.meta.url)("bun:jsc") as { serialize: JscSerialize }).serialize;
  } catch {
    return serialize;
  }
  return (value) => jsc(value, { binaryType: "nodebuffer" });
}
