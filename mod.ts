/**
 * haz as a library: load a workspace, build its task graph, select tasks and run them with the
 * content-addressed cache, on Deno or Bun. The CLI (`cli.ts`) is one embedding of this surface.
 *
 * @example
 * ```ts
 * import { createPresenter, createRunControl, detectRuntime, exitCodeFor, loadHashAlgorithm, loadWorkspace,
 *   openCache, runGraph, select, spawnerFor, systemClock } from "./mod.ts";
 *
 * const loaded = await loadWorkspace("examples/shop");
 * if (!loaded.ok) throw new Error("invalid workspace");
 * const selection = select(loaded.loaded, { refs: [], scope: "workspace", command: "run", changedPaths: null });
 * if (!selection.ok) throw new Error("nothing selected");
 * const { workspace, graph } = loaded.loaded;
 * const hash = await loadHashAlgorithm(workspace.settings.hash);
 * const clock = systemClock(performance.now());
 * const sink = { write: (bytes: Uint8Array) => void process.stdout.write(bytes) };
 * const presenter = createPresenter({ mode: "buffered", stdout: sink, stderr: sink, color: false, progress: false,
 *   columns: () => 80, clock, tempDir: "/tmp", cancelGraceMs: 5000, runSetSize: selection.runSet.length });
 * const outcome = await runGraph({ workspace, graph, runSet: new Set(selection.runSet), hash, clock,
 *   cache: openCache({ workspaceRoot: workspace.root, hash, clock }), spawner: spawnerFor(detectRuntime()),
 *   observer: presenter, hostEnv: new Map(Object.entries(process.env) as [string, string][]), concurrency: 4,
 *   tagCaps: workspace.settings.concurrency.tags, cancelGraceMs: 5000, failFast: false, control: createRunControl() });
 * await presenter.close();
 * exitCodeFor(outcome); // 0
 * ```
 *
 * @module
 */

export type { TaskId } from "./lib/domain/task_id.ts";
export { compareTaskIds, formatTaskId } from "./lib/domain/task_id.ts";
export type { Diagnostic, DiagnosticLocation } from "./lib/domain/diagnostic.ts";
export type {
  Edge,
  EdgeKind,
  Project,
  TaskDefinition,
  TaskGraph,
  Workspace,
} from "./lib/domain/workspace.ts";

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
export type { Clock } from "./lib/util/clock.ts";
export { SpawnError } from "./lib/exec/process.ts";
export { superviseProcess } from "./lib/exec/supervise_process.ts";
export { bunSpawner } from "./lib/runtime/bun_spawner.ts";
export { denoSpawner } from "./lib/runtime/deno_spawner.ts";
export { nodeSpawner } from "./lib/runtime/node_spawner.ts";
export { detectRuntime } from "./lib/runtime/detect_runtime.ts";
export { spawnerFor } from "./lib/runtime/spawner_for.ts";
export { systemClock } from "./lib/util/system_clock.ts";

export { type LoadedWorkspace, loadWorkspace } from "./lib/graph/load_workspace.ts";
export { buildTaskGraph } from "./lib/graph/build_graph.ts";
export { select, type SelectionRequest, type SelectionResult } from "./lib/graph/select.ts";

export type { CacheHandle } from "./lib/cache/cache_handle.ts";
export { type HashAlgorithm, loadHashAlgorithm, sha256 } from "./lib/cache/hash_algorithm.ts";
export { buildCacheKey, type KeyRequest, type KeyResult } from "./lib/cache/key.ts";
export { openCache } from "./lib/cache/local_cache.ts";

export type {
  CancelledRecord,
  CancelReason,
  CompletedRecord,
  CrossProcessWait,
  RunGraphOutcome,
  RunObserver,
  RunOutcome,
  RunTaskError,
  RuntimeInvariantViolation,
  SkipRecord,
  TaskErrorRecord,
} from "./lib/exec/records.ts";
export type { Digest } from "./lib/cache/digest.ts";
export { cacheLookupPhase, restoreFromHit, runFresh, runTask } from "./lib/exec/run_task.ts";
export { type RunContext, runGraph, type RunGraphResult } from "./lib/exec/run_graph.ts";
export { createRunControl, type RunControl } from "./lib/exec/run_control.ts";
export { exitCodeFor } from "./lib/exec/exit_code.ts";
export type {
  LockAttempt,
  LockHolder,
  LockLease,
  LockRequest,
  WorkspaceLocks,
} from "./lib/lock/workspace_locks.ts";
export { openWorkspaceLocks } from "./lib/lock/fs_workspace_locks.ts";
export { waitNote } from "./lib/exec/wait_note.ts";
export { createPresenter } from "./lib/exec/output/presenter.ts";
export type { Presenter, PresenterOptions } from "./lib/exec/output/presenter_port.ts";
export { LiveOutputObserver } from "./lib/exec/output/live_output_observer.ts";
export { BufferedOutputObserver } from "./lib/exec/output/buffered_output_observer.ts";
