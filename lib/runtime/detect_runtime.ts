/**
 * Runtime detection, in one place (04-execution.md §1.3). Imports nothing, so that `cli.ts` can
 * answer `--version` before loading anything else.
 *
 * @module
 */

/** The runtime haz runs on. */
export type RuntimeName = "deno" | "bun" | "node";

/**
 * Deno when `Deno` is a global, else Bun when `Bun` is, else Node (the `dist/haz.mjs` bundle).
 *
 * @example
 * ```ts
 * detectRuntime(); // "deno" under `deno run`
 * ```
 */
export function detectRuntime(): RuntimeName {
  if ("Deno" in globalThis) return "deno";
  if ("Bun" in globalThis) return "bun";
  return "node";
}

/**
 * The runtime's version string (`2.9.6`, `1.4.4`, `20.20.2`).
 *
 * @example
 * ```ts
 * runtimeVersion("node"); // "20.20.2"
 * ```
 */
export function runtimeVersion(runtime: RuntimeName): string {
  if (runtime === "deno") return Deno.version.deno;
  if (runtime === "bun") return (globalThis as unknown as { Bun: { version: string } }).Bun.version;
  return process.versions.node;
}
