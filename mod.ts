/**
 * haz as a library: load a workspace, build its task graph, select tasks and run them with the
 * content-addressed cache, on Deno or Bun. The CLI (`cli.ts`) is one embedding of this surface.
 *
 * @example
 * ```ts
 * import { detectRuntime, spawnerFor } from "./mod.ts";
 * const spawner = spawnerFor(detectRuntime());
 * ```
 *
 * @module
 */

export type { TaskId } from "./lib/domain/task_id.ts";
export { compareTaskIds, formatTaskId } from "./lib/domain/task_id.ts";
export type { Diagnostic, DiagnosticLocation } from "./lib/domain/diagnostic.ts";
export type {
  ExitStatus,
  HostSignal,
  HostSignals,
  ProcessSpawner,
  Signal,
  SpawnedProcess,
  SpawnErrorReason,
  SpawnPlan,
} from "./lib/exec/process.ts";
export { SpawnError } from "./lib/exec/process.ts";
export { superviseProcess } from "./lib/exec/supervise_process.ts";
export { bunSpawner } from "./lib/runtime/bun_spawner.ts";
export { denoSpawner } from "./lib/runtime/deno_spawner.ts";
export { nodeSpawner } from "./lib/runtime/node_spawner.ts";
export { detectRuntime, spawnerFor } from "./lib/runtime/detect_runtime.ts";
