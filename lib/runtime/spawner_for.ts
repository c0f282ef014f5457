/**
 * The production process port of each runtime (04-execution.md §1.3).
 *
 * @module
 */

import type { ProcessSpawner } from "../exec/process.ts";
import { bunSpawner } from "./bun_spawner.ts";
import type { RuntimeName } from "./detect_runtime.ts";
import { denoSpawner } from "./deno_spawner.ts";
import { nodeSpawner } from "./node_spawner.ts";

/**
 * The production spawner for a runtime. The Node adapter is never used under Deno.
 *
 * @example
 * ```ts
 * const spawner = spawnerFor(detectRuntime());
 * ```
 */
export function spawnerFor(runtime: RuntimeName): ProcessSpawner {
  if (runtime === "deno") return denoSpawner;
  if (runtime === "bun") return bunSpawner;
  return nodeSpawner;
}
