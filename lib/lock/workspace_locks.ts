/**
 * The workspace lock port (04-execution.md §5.8, XPROC-001..004): what the scheduler needs to keep
 * several haz processes on one workspace apart. The real adapter is `openWorkspaceLocks()` in
 * `fs_workspace_locks.ts` (lock files under `.haz/locks/`); tests use an in-memory fake.
 *
 * Every call is synchronous and never waits: a lock held elsewhere is reported with its holder, and
 * the caller decides how to wait (the scheduler parks the task and polls, XPROC-002).
 *
 * @module
 */

/** A lock of the workspace: one task's outputs (XPROC-001), or a mutex in a mode (XPROC-003). */
export type LockRequest =
  | { readonly kind: "task"; readonly task: string }
  | { readonly kind: "mutex"; readonly key: string; readonly mode: "exclusive" | "shared" };

/** The haz process that holds a lock (or one of the holds that block it). */
export interface LockHolder {
  /** Its process id, as the XPROC-002/003 notes print it. */
  readonly pid: number;
}

/** A hold of this process; releasing it twice is harmless. */
export interface LockLease {
  /** Gives the lock back. Never throws. */
  release(): void;
}

/** Result of {@link WorkspaceLocks.acquire}. */
export type LockAttempt =
  | { readonly acquired: true; readonly lease: LockLease }
  | { readonly acquired: false; readonly holder: LockHolder };

/** Cross-process locks of one workspace. Dead holders never block (XPROC-004). */
export interface WorkspaceLocks {
  /** Takes the lock now if no live process holds it incompatibly; otherwise names a holder. */
  acquire(request: LockRequest): LockAttempt;
  /** Who blocks the lock at this moment, or null when an {@link acquire} would likely succeed. */
  holderOf(request: LockRequest): LockHolder | null;
}

/**
 * How often, at most, a waiting task looks at a lock held elsewhere (XPROC-002: at most 20 times a
 * second).
 *
 * @example
 * ```ts
 * await clock.sleep(LOCK_POLL_MS, abort); // then ask holderOf() again
 * ```
 */
export const LOCK_POLL_MS = 50;
