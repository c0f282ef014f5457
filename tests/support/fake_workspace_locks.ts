/**
 * An in-memory workspace lock space for scheduler tests (04-execution.md §5.8): several fake "haz
 * processes" (by pid) share it, every acquire, refusal, release and probe is recorded with the fake
 * time, and a test can hold a lock as another process.
 *
 * @module
 */

import type { LockAttempt, LockHolder, LockRequest, WorkspaceLocks } from "../../lib/lock/workspace_locks.ts";
import type { FakeClock } from "./fake_clock.ts";

/** One recorded call. */
export interface LockEvent {
  readonly at: number;
  readonly pid: number;
  readonly op: "acquire" | "refused" | "release" | "probe";
  /** `task:<id>` or `mutex:<key>`. */
  readonly lock: string;
}

interface Hold {
  readonly pid: number;
  readonly shared: boolean;
}

/**
 * Locks shared by fake processes.
 *
 * @example
 * ```ts
 * const space = new FakeLockSpace(clock);
 * const other = space.process(77).acquire({ kind: "task", task: "p:a" });
 * const ctx = { ...harness.ctx, locks: space.process(1) };
 * ```
 */
export class FakeLockSpace {
  readonly events: LockEvent[] = [];
  readonly #holds = new Map<string, Hold[]>();
  readonly #clock: FakeClock;

  constructor(clock: FakeClock) {
    this.#clock = clock;
  }

  /** The lock port as seen by the haz process `pid`. */
  process(pid: number): WorkspaceLocks {
    return {
      acquire: (request) => this.#acquire(pid, request),
      holderOf: (request) => {
        this.#record(pid, "probe", request);
        return this.#blocker(request);
      },
    };
  }

  /** Pids holding a lock now. */
  holders(request: LockRequest): number[] {
    return (this.#holds.get(nameOf(request)) ?? []).map((hold) => hold.pid);
  }

  /** Recorded events of one lock (`task:<id>` or `mutex:<key>`), optionally of one kind. */
  of(lock: string, op?: LockEvent["op"]): LockEvent[] {
    return this.events.filter((event) => event.lock === lock && (op === undefined || event.op === op));
  }

  #acquire(pid: number, request: LockRequest): LockAttempt {
    const blocker = this.#blocker(request);
    if (blocker !== null) {
      this.#record(pid, "refused", request);
      return { acquired: false, holder: blocker };
    }
    const name = nameOf(request);
    const hold: Hold = { pid, shared: request.kind === "mutex" && request.mode === "shared" };
    this.#holds.set(name, [...(this.#holds.get(name) ?? []), hold]);
    this.#record(pid, "acquire", request);
    let released = false;
    return {
      acquired: true,
      lease: {
        release: () => {
          if (released) return;
          released = true;
          this.#holds.set(name, this.#holds.get(name)!.filter((other) => other !== hold));
          this.#record(pid, "release", request);
        },
      },
    };
  }

  #blocker(request: LockRequest): LockHolder | null {
    const holds = this.#holds.get(nameOf(request)) ?? [];
    const shared = request.kind === "mutex" && request.mode === "shared";
    const blocking = holds.find((hold) => !shared || !hold.shared);
    return blocking === undefined ? null : { pid: blocking.pid };
  }

  #record(pid: number, op: LockEvent["op"], request: LockRequest): void {
    this.events.push({ at: this.#clock.now(), pid, op, lock: nameOf(request) });
  }
}

function nameOf(request: LockRequest): string {
  return request.kind === "task" ? `task:${request.task}` : `mutex:${request.key}`;
}
