/**
 * Locks of a run (04-execution.md §5.3, MUTEX-001..006, MUTEX-101): holds and the wait queue of
 * parked tasks. Holders are identified by a number (the scheduler uses canonical ranks).
 *
 * @module
 */

import type { MutexSpec } from "../domain/workspace.ts";

interface LockState {
  exclusive: number | null;
  readonly shared: Set<number>;
  /** Parked holders and the mode each waits for. */
  readonly parked: Map<number, MutexSpec["mode"]>;
}

/**
 * The identity of a lock (MUTEX-001): `global` by name, `project` by owning project and name.
 *
 * @example
 * ```ts
 * lockKey({ name: "db", scope: "project", project: "p", mode: "shared" }); // "project\u0000p\u0000db"
 * ```
 */
export function lockKey(spec: MutexSpec): string {
  return spec.scope === "global"
    ? `global\u0000${spec.name}`
    : `project\u0000${spec.project}\u0000${spec.name}`;
}

/**
 * How a lock is printed in a profile (05-cli.md §4.6): the name, or `~:<name> (<project>)`.
 *
 * @example
 * ```ts
 * lockLabel({ name: "db", scope: "project", project: "p", mode: "exclusive" }); // "~:db (p)"
 * ```
 */
export function lockLabel(spec: MutexSpec): string {
  return spec.scope === "global" ? spec.name : `~:${spec.name} (${spec.project})`;
}

/**
 * Holds and parked waiters per lock. Compatibility is decided at the moment of asking (MUTEX-003/004);
 * a release wakes every parked waiter whose mode fits the remaining holds (MUTEX-101, no writer
 * preference, no polling).
 *
 * @example
 * ```ts
 * const table = new MutexTable();
 * const db = { name: "db", scope: "global", project: null, mode: "exclusive" } as const;
 * table.tryAcquire(db, 1); // true
 * table.tryAcquire(db, 2); // false: 2 is parked
 * table.release(db, 1); // [2]
 * ```
 */
export class MutexTable {
  readonly #locks = new Map<string, LockState>();

  /** Acquires when compatible with the current holds; otherwise parks `holder` on the lock. */
  tryAcquire(spec: MutexSpec, holder: number): boolean {
    const lock = this.#lock(spec);
    if (compatible(lock, spec.mode)) {
      if (spec.mode === "exclusive") lock.exclusive = holder;
      else lock.shared.add(holder);
      return true;
    }
    lock.parked.set(holder, spec.mode);
    return false;
  }

  /** Releases `holder`'s hold; returns the parked holders that may try again, in ascending order. */
  release(spec: MutexSpec, holder: number): number[] {
    const lock = this.#lock(spec);
    if (lock.exclusive === holder) lock.exclusive = null;
    lock.shared.delete(holder);
    const woken: number[] = [];
    for (const [waiter, mode] of lock.parked) {
      if (compatible(lock, mode)) woken.push(waiter);
    }
    for (const waiter of woken) lock.parked.delete(waiter);
    return woken.sort((a, b) => a - b);
  }

  /** Removes a parked holder from its queue (it was cancelled or withdrawn). */
  unpark(spec: MutexSpec, holder: number): void {
    this.#lock(spec).parked.delete(holder);
  }

  /** Current holders of a lock, for tests and diagnostics. */
  holders(spec: MutexSpec): number[] {
    const lock = this.#lock(spec);
    return lock.exclusive === null ? [...lock.shared] : [lock.exclusive];
  }

  #lock(spec: MutexSpec): LockState {
    const key = lockKey(spec);
    let lock = this.#locks.get(key);
    if (lock === undefined) {
      lock = { exclusive: null, shared: new Set(), parked: new Map() };
      this.#locks.set(key, lock);
    }
    return lock;
  }
}

function compatible(lock: LockState, mode: MutexSpec["mode"]): boolean {
  if (lock.exclusive !== null) return false;
  return mode === "shared" || lock.shared.size === 0;
}
