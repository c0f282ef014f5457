/**
 * The real workspace lock adapter (XPROC-001..004) over `node:fs`, so it behaves alike under Deno,
 * Bun and the compiled binary. Locks live in `<workspace>/.haz/locks/`, which ignores itself for git
 * (a `.gitignore` of `*` written when the directory is created).
 *
 * A lock file is a symbolic link whose text names its holder (`<pid> <start time> <nonce>`):
 * creating a link is atomic and fails when the name exists, and its text can be read in one call, so
 * taking a free lock costs one `symlink` and releasing it one `unlink`, with nothing to fsync (a lock
 * means nothing after a reboot). A lock whose holder no longer runs is removed by whoever finds it,
 * under a breaker link named after the dead holder, so two processes that find it at once cannot
 * remove a lock someone has taken in between.
 *
 * Mutexes (MUTEX-001..004 across processes) are directories: `x` is the exclusive hold, `s-<id>`
 * one shared hold each. A writer links `x` then looks for live `s-*`; a reader links its `s-*` then
 * looks for a live `x`; whoever sees the other backs off, so the two never both succeed.
 *
 * @module
 */

import { mkdirSync, readdirSync, readlinkSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { nodeCrypto } from "../util/builtin_modules.ts";
import { currentProcessIdentity, isRunning, type ProcessIdentity } from "./process_identity.ts";
import type { LockAttempt, LockHolder, LockLease, LockRequest, WorkspaceLocks } from "./workspace_locks.ts";

/** Rounds of take-or-inspect before a lock that keeps changing hands is reported as held. */
const TAKE_ROUNDS = 8;

/** Depth of breakers of breakers: each level needs a holder killed inside the level above. */
const BREAK_DEPTH = 3;

/**
 * How long a holder seen running is believed to still run: less than a poll, so a holder that dies
 * is noticed by the next poll or the one after, well within XPROC-004's 1 s.
 */
const LIVENESS_MEMORY_MS = 40;

/** The exclusive hold of a mutex directory. */
const EXCLUSIVE_NAME = "x";

/** Prefix of a shared hold in a mutex directory. */
const SHARED_PREFIX = "s-";

const NO_LEASE: LockLease = { release() {} };

/**
 * Opens the locks of the workspace at `workspaceRoot` (its real host path). Creates nothing until
 * the first lock is taken.
 *
 * @example
 * ```ts
 * const locks = openWorkspaceLocks("/work");
 * const attempt = locks.acquire({ kind: "task", task: "app:build" });
 * if (attempt.acquired) attempt.lease.release();
 * ```
 */
export function openWorkspaceLocks(workspaceRoot: string): WorkspaceLocks {
  return new FsWorkspaceLocks(join(workspaceRoot, ".haz", "locks"));
}

/**
 * The directory the locks of a workspace live in.
 *
 * @example
 * ```ts
 * locksDirectoryOf("/work"); // "/work/.haz/locks"
 * ```
 */
export function locksDirectoryOf(workspaceRoot: string): string {
  return join(workspaceRoot, ".haz", "locks");
}

class FsWorkspaceLocks implements WorkspaceLocks {
  readonly #root: string;
  /** Tells this opening's holds apart from any other's; made on first use, so a run without locks pays nothing. */
  #nonceText: string | null = null;
  #holds = 0;
  /** When each live holder was last seen running (`<pid> <start>` → `performance.now()`). */
  readonly #liveSeen = new Map<string, number>();

  constructor(root: string) {
    this.#root = root;
  }

  acquire(request: LockRequest): LockAttempt {
    if (request.kind === "task") return this.#takeExclusive(this.#taskPath(request.task));
    const directory = this.#mutexPath(request.key);
    if (request.mode === "shared") return this.#takeShared(directory);
    const attempt = this.#takeExclusive(join(directory, EXCLUSIVE_NAME));
    if (!attempt.acquired) return attempt;
    const reader = this.#liveShared(directory);
    if (reader === null) return attempt;
    attempt.lease.release();
    return { acquired: false, holder: reader };
  }

  holderOf(request: LockRequest): LockHolder | null {
    if (request.kind === "task") return this.#liveHolder(this.#taskPath(request.task));
    const directory = this.#mutexPath(request.key);
    const writer = this.#liveHolder(join(directory, EXCLUSIVE_NAME));
    if (writer !== null || request.mode === "shared") return writer;
    return this.#liveShared(directory);
  }

  /**
   * {@link isRunning}, remembered for a moment for live holders: a process waiting for many tasks
   * of one other process reads that process's `/proc` entry about once per poll, not once per task.
   * A dead holder is never remembered, so its locks are taken over at once.
   */
  #running(identity: ProcessIdentity): boolean {
    const name = `${identity.pid} ${identity.start}`;
    const now = performance.now();
    const seen = this.#liveSeen.get(name);
    if (seen !== undefined && now - seen < LIVENESS_MEMORY_MS) return true;
    if (!isRunning(identity)) {
      this.#liveSeen.delete(name);
      return false;
    }
    this.#liveSeen.set(name, now);
    return true;
  }

  #nonce(): string {
    this.#nonceText ??= nodeCrypto().randomBytes(6).toString("hex");
    return this.#nonceText;
  }

  #taskPath(task: string): string {
    return join(this.#root, `task-${digest(task)}`);
  }

  #mutexPath(key: string): string {
    return join(this.#root, `mutex-${digest(key)}`);
  }

  /** A fresh holder text: this process's identity and a nonce unique to this hold. */
  #holderText(): { text: string; id: string } {
    const { pid, start } = currentProcessIdentity();
    this.#holds += 1;
    const id = `${pid}.${this.#nonce()}.${this.#holds}`;
    return { text: `${pid} ${start} ${id}`, id };
  }

  #takeExclusive(path: string): LockAttempt {
    let holder: LockHolder | null = null;
    for (let round = 0; round < TAKE_ROUNDS; round++) {
      const created = this.#link(path, this.#holderText().text);
      if (created === "created") return { acquired: true, lease: leaseOf(path) };
      if (created === "unavailable") return { acquired: true, lease: NO_LEASE };
      holder = this.#liveHolder(path);
      if (holder !== null) return { acquired: false, holder };
    }
    return { acquired: false, holder: holder ?? { pid: 0 } };
  }

  #takeShared(directory: string): LockAttempt {
    const { pid } = currentProcessIdentity();
    const holder = this.#holderText();
    const path = join(directory, `${SHARED_PREFIX}${holder.id}`);
    const created = this.#link(path, holder.text);
    if (created === "unavailable") return { acquired: true, lease: NO_LEASE };
    const writer = this.#liveHolder(join(directory, EXCLUSIVE_NAME));
    if (created === "created" && writer === null) return { acquired: true, lease: leaseOf(path) };
    if (created === "created") unlinkQuietly(path);
    return { acquired: false, holder: writer ?? { pid } };
  }

  /**
   * Creates the link `path` with the holder text `text`. "exists": someone holds the name; "unavailable":
   * the locks directory cannot be written (a read-only workspace), so this process runs unguarded.
   */
  #link(path: string, text: string): "created" | "exists" | "unavailable" {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        symlinkSync(text, path);
        return "created";
      } catch (error) {
        const code = errorCode(error);
        if (code === "EEXIST") return "exists";
        if (code !== "ENOENT" || attempt > 0 || !this.#prepare(path)) return "unavailable";
      }
    }
    return "unavailable";
  }

  /** Creates the directories above a lock; the locks root gets its `.gitignore` when it is new. */
  #prepare(path: string): boolean {
    try {
      const created = mkdirSync(join(path, ".."), { recursive: true });
      if (created !== undefined && created.length <= this.#root.length) {
        writeFileSync(join(this.#root, ".gitignore"), "# haz lock files; never committed\n*\n", {
          flag: "wx",
        });
      }
      return true;
    } catch (error) {
      return errorCode(error) === "EEXIST";
    }
  }

  /** The live holder of `path`; a dead one is removed and null returned (XPROC-004). */
  #liveHolder(path: string, depth = 0): LockHolder | null {
    const text = readText(path);
    if (text === null) return null;
    const identity = parseHolder(text);
    if (identity !== null && this.#running(identity)) return { pid: identity.pid };
    if (this.#breakStale(path, text, depth)) return null;
    return { pid: identity?.pid ?? 0 };
  }

  /** The first live shared hold of a mutex directory; dead ones are removed on the way. */
  #liveShared(directory: string): LockHolder | null {
    let names: string[];
    try {
      names = readdirSync(directory);
    } catch {
      return null;
    }
    for (const name of names) {
      if (!name.startsWith(SHARED_PREFIX)) continue;
      const path = join(directory, name);
      const text = readText(path);
      if (text === null) continue;
      const identity = parseHolder(text);
      if (identity !== null && this.#running(identity)) return { pid: identity.pid };
      // Shared holds have unique names: nobody else can have taken this one in between.
      unlinkQuietly(path);
    }
    return null;
  }

  /**
   * Removes `path` if it still holds `staleText`, under the breaker `<path>.break-<digest>`: only the
   * process holding the breaker removes the lock, and only after reading the dead text again, so a
   * lock taken meanwhile survives. True when the stale lock is gone.
   */
  #breakStale(path: string, staleText: string, depth: number): boolean {
    const breaker = `${path}.break-${digest(staleText).slice(0, 16)}`;
    for (let round = 0; round < TAKE_ROUNDS; round++) {
      const created = this.#link(breaker, this.#holderText().text);
      if (created === "unavailable") return false;
      if (created === "exists") {
        if (depth >= BREAK_DEPTH || this.#liveHolder(breaker, depth + 1) !== null) return false;
        continue;
      }
      try {
        if (readText(path) === staleText) unlinkSync(path);
        return true;
      } catch {
        return readText(path) !== staleText;
      } finally {
        unlinkQuietly(breaker);
      }
    }
    return false;
  }
}

function leaseOf(path: string): LockLease {
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      unlinkQuietly(path);
    },
  };
}

/** The link text of a lock; "" for something that is not a link; null when nothing is there. */
function readText(path: string): string | null {
  try {
    return readlinkSync(path, "utf8");
  } catch (error) {
    return errorCode(error) === "EINVAL" ? "" : null;
  }
}

/** `<pid> <start> <nonce>` → identity; null for anything else (removed like a dead holder). */
function parseHolder(text: string): ProcessIdentity | null {
  const [pid, start, nonce] = text.split(" ");
  if (nonce === undefined || !/^[1-9][0-9]*$/.test(pid) || start === "") return null;
  return { pid: Number(pid), start };
}

function digest(text: string): string {
  return nodeCrypto().createHash("sha256").update(text).digest("hex").slice(0, 32);
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone: released by a breaker or never created.
  }
}

function errorCode(error: unknown): string | null {
  return typeof error === "object" && error !== null && "code" in error && typeof error.code === "string"
    ? error.code
    : null;
}
