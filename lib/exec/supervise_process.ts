/**
 * The straggler rule (04-execution.md PROC-006/PROC-007): a task's process is complete when its leader
 * exits, never when its pipes close; whatever is still in the group is then killed.
 *
 * @module
 */

import type { ExitStatus, ProcessSpawner, SpawnedProcess } from "./process.ts";
import type { Clock } from "../util/clock.ts";

/** How long to keep reading after the leader exited, and again after the group was killed. */
export const DRAIN_WINDOW_MS = 250;

/** What a supervised process ended with. */
export interface SupervisionResult {
  /** The leader's exit status; null when waiting for it failed (`waitError`). */
  readonly status: ExitStatus | null;
  readonly waitError: string | null;
  /** The first stream read failure, if any. */
  readonly streamError: { readonly stream: "stdout" | "stderr"; readonly message: string } | null;
  /** A failure to signal the group during the drain (not ESRCH). */
  readonly signalError: string | null;
  /** Run clock when the leader's exit was observed. */
  readonly leaderExitedAt: number;
  /** Run clock when the readers were done. */
  readonly drainEndedAt: number;
}

/** Callbacks and collaborators of {@link superviseProcess}. */
export interface SuperviseOptions {
  readonly spawner: ProcessSpawner;
  readonly clock: Clock;
  /** Each chunk, in order; a returned promise is awaited before the next read (back-pressure). */
  onStdout(chunk: Uint8Array): void | Promise<void>;
  onStderr(chunk: Uint8Array): void | Promise<void>;
}

/** A process under supervision. */
export interface SupervisedProcess {
  /** Resolves when the leader exits (rejects when waiting fails). */
  readonly exited: Promise<ExitStatus>;
  /** Resolves after the drain: pipes at EOF or given up, group killed. Never rejects. */
  readonly finished: Promise<SupervisionResult>;
}

/**
 * Reads both pipes while waiting for the leader, then applies PROC-006: read until EOF or 250 ms,
 * SIGKILL the group, read at most 250 ms more, cancel the readers.
 *
 * @example
 * ```ts
 * const supervised = superviseProcess(spawner.spawn(plan), {
 *   spawner, clock, onStdout: (c) => out.push(c), onStderr: (c) => err.push(c),
 * });
 * const result = await supervised.finished; // result.status: { code: 0, signal: null }
 * ```
 */
export function superviseProcess(process: SpawnedProcess, options: SuperviseOptions): SupervisedProcess {
  const { spawner, clock } = options;
  let streamError: SupervisionResult["streamError"] = null;
  const readers = [
    pump(process.stdout, options.onStdout, (message) => streamError ??= { stream: "stdout", message }),
    pump(process.stderr, options.onStderr, (message) => streamError ??= { stream: "stderr", message }),
  ];
  // Known without a timer once both pipes are at EOF, as they usually are when the leader exits:
  // each drain window otherwise costs an AbortController, a timer and two listeners per task.
  let atEof = false;
  const bothAtEof = Promise.all(readers.map((reader) => reader.done)).then(() => {
    atEof = true;
  });

  const finished = (async (): Promise<SupervisionResult> => {
    let status: ExitStatus | null = null;
    let waitError: string | null = null;
    try {
      status = await process.exited;
    } catch (error) {
      waitError = messageOf(error);
    }
    const leaderExitedAt = clock.now();
    if (!atEof) await waitAtMost(bothAtEof, DRAIN_WINDOW_MS, clock);
    let signalError: string | null = null;
    try {
      spawner.signalGroup(process.pid, "SIGKILL");
    } catch (error) {
      signalError = messageOf(error);
    }
    if (!atEof) await waitAtMost(bothAtEof, DRAIN_WINDOW_MS, clock);
    await Promise.all(readers.map((reader) => reader.cancel()));
    return { status, waitError, streamError, signalError, leaderExitedAt, drainEndedAt: clock.now() };
  })();
  return { exited: process.exited, finished };
}

interface Pump {
  readonly done: Promise<void>;
  cancel(): Promise<void>;
}

function pump(
  stream: ReadableStream<Uint8Array>,
  onChunk: (chunk: Uint8Array) => void | Promise<void>,
  onError: (message: string) => void,
): Pump {
  const reader = stream.getReader();
  let finished = false;
  const done = (async () => {
    try {
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        if (value.byteLength > 0) await onChunk(value);
      }
    } catch (error) {
      if (!finished) onError(messageOf(error));
    } finally {
      finished = true;
    }
  })();
  return {
    done,
    async cancel() {
      if (!finished) {
        finished = true;
        await reader.cancel().catch(() => {});
      }
      await done;
    },
  };
}

async function waitAtMost(promise: Promise<unknown>, ms: number, clock: Clock): Promise<void> {
  const abort = new AbortController();
  await Promise.race([promise.then(() => abort.abort()), clock.sleep(ms, abort.signal)]);
  abort.abort("done");
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
