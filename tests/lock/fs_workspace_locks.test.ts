import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { locksDirectoryOf, openWorkspaceLocks } from "../../lib/lock/fs_workspace_locks.ts";
import { currentProcessIdentity, isRunning } from "../../lib/lock/process_identity.ts";
import type { WorkspaceLocks } from "../../lib/lock/workspace_locks.ts";

const onLinux = process.platform === "linux";

function withWorkspace(body: (root: string) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), "xproc-locks-")));
    try {
      await body(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
}

/** The lock file of a task, as the adapter names it. */
function taskLockPath(root: string, task: string): string {
  return join(locksDirectoryOf(root), `task-${createHash("sha256").update(task).digest("hex").slice(0, 32)}`);
}

const task = { kind: "task", task: "app:build" } as const;

/** Takes and releases a lock once, so that the locks directory exists. */
function prepareLocks(locks: WorkspaceLocks): void {
  const attempt = locks.acquire(task);
  assert.ok(attempt.acquired);
  attempt.lease.release();
}

describe("workspace lock files (04-execution.md §5.8)", () => {
  test(
    "XPROC-001 a task lock has one holder at a time; the second process is told the holder's pid",
    withWorkspace((root) => {
      const first = openWorkspaceLocks(root);
      const second = openWorkspaceLocks(root);
      const held = first.acquire(task);
      assert.ok(held.acquired);
      assert.deepEqual(second.acquire(task), { acquired: false, holder: { pid: process.pid } });
      assert.deepEqual(second.holderOf(task), { pid: process.pid });
      held.lease.release();
      assert.equal(second.holderOf(task), null);
      const again = second.acquire(task);
      assert.ok(again.acquired);
      again.lease.release();
      assert.deepEqual(readdirSync(locksDirectoryOf(root)), [".gitignore"]);
    }),
  );

  test(
    "XPROC-004 locks live under .haz/locks, which git ignores, and a lock is a link naming pid and start time",
    withWorkspace((root) => {
      const held = openWorkspaceLocks(root).acquire(task);
      assert.ok(held.acquired);
      assert.equal(readFileSync(join(locksDirectoryOf(root), ".gitignore"), "utf8").split("\n").at(-2), "*");
      const link = taskLockPath(root, "app:build");
      assert.ok(lstatSync(link).isSymbolicLink());
      const identity = currentProcessIdentity();
      assert.ok(readlinkSync(link, "utf8").startsWith(`${identity.pid} ${identity.start} `));
      if (onLinux) assert.match(identity.start, /^[0-9]+$/);
      held.lease.release();
    }),
  );

  test(
    "XPROC-004 a lock whose holder is gone, or whose pid now belongs to another process, is taken over",
    withWorkspace((root) => {
      const locks = openWorkspaceLocks(root);
      prepareLocks(locks);
      const path = taskLockPath(root, "app:build");
      // A pid that does not exist.
      symlinkSync("999999999 12345 dead.1", path);
      const taken = locks.acquire(task);
      assert.ok(taken.acquired);
      taken.lease.release();
      if (onLinux) {
        // This very pid, but another start time: the pid was reused.
        symlinkSync(`${process.pid} 1 reused.1`, path);
        const reused = locks.acquire(task);
        assert.ok(reused.acquired);
        reused.lease.release();
      }
      // Not a lock haz wrote at all.
      symlinkSync("garbage", path);
      const garbage = locks.acquire(task);
      assert.ok(garbage.acquired);
      garbage.lease.release();
    }),
  );

  test(
    "XPROC-004 a breaker left by a process killed while breaking a stale lock does not block",
    withWorkspace((root) => {
      const locks = openWorkspaceLocks(root);
      prepareLocks(locks);
      const path = taskLockPath(root, "app:build");
      const stale = "999999999 12345 dead.1";
      symlinkSync(stale, path);
      symlinkSync(
        "999999998 12345 breaker.1",
        `${path}.break-${createHash("sha256").update(stale).digest("hex").slice(0, 16)}`,
      );
      const taken = locks.acquire(task);
      assert.ok(taken.acquired);
      taken.lease.release();
      assert.deepEqual(readdirSync(locksDirectoryOf(root)), [".gitignore"]);
    }),
  );

  test(
    "XPROC-004 a live process keeps its lock; it is free once that process is killed",
    withWorkspace(async (root) => {
      if (!onLinux) return;
      const child = spawn("sleep", ["30"], { stdio: "ignore" });
      await new Promise((resolve) => child.once("spawn", resolve));
      const pid = child.pid!;
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const start = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
      assert.ok(isRunning({ pid, start }));
      const locks = openWorkspaceLocks(root);
      prepareLocks(locks);
      symlinkSync(`${pid} ${start} child.1`, taskLockPath(root, "app:build"));
      assert.deepEqual(locks.acquire(task), { acquired: false, holder: { pid } });
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
      assert.equal(isRunning({ pid, start }), false);
      // A holder seen running is believed for a few tens of milliseconds (less than one poll).
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(locks.holderOf(task), null);
      assert.ok(locks.acquire(task).acquired);
    }),
  );

  test(
    "XPROC-003 mutex holds across processes: shared with shared, never with exclusive",
    withWorkspace((root) => {
      const [a, b, c] = [openWorkspaceLocks(root), openWorkspaceLocks(root), openWorkspaceLocks(root)];
      const shared = { kind: "mutex", key: "global\u0000db", mode: "shared" } as const;
      const exclusive = { kind: "mutex", key: "global\u0000db", mode: "exclusive" } as const;
      const first = a.acquire(shared);
      const second = b.acquire(shared);
      assert.ok(first.acquired && second.acquired);
      assert.deepEqual(c.acquire(exclusive), { acquired: false, holder: { pid: process.pid } });
      assert.deepEqual(c.holderOf(exclusive), { pid: process.pid });
      assert.equal(c.holderOf(shared), null);
      first.lease.release();
      assert.equal(c.acquire(exclusive).acquired, false);
      second.lease.release();
      const writer = c.acquire(exclusive);
      assert.ok(writer.acquired);
      assert.equal(a.acquire(shared).acquired, false);
      assert.equal(b.acquire(exclusive).acquired, false);
      // A refused reader leaves no shared hold behind.
      writer.lease.release();
      assert.equal(c.holderOf(exclusive), null);
      const other = { kind: "mutex", key: "project\u0000p\u0000db", mode: "exclusive" } as const;
      const otherHeld = a.acquire(other);
      assert.ok(otherHeld.acquired);
      assert.ok(b.acquire(exclusive).acquired, "another lock key is another mutex");
      otherHeld.lease.release();
    }),
  );

  test(
    "XPROC-004 dead shared holders do not block an exclusive hold",
    withWorkspace((root) => {
      const locks = openWorkspaceLocks(root);
      const exclusive = { kind: "mutex", key: "global\u0000db", mode: "exclusive" } as const;
      const probe = locks.acquire(exclusive);
      assert.ok(probe.acquired);
      probe.lease.release();
      const directory = readdirSync(locksDirectoryOf(root)).find((name) => name.startsWith("mutex-"))!;
      symlinkSync("999999999 12345 dead.1", join(locksDirectoryOf(root), directory, "s-999999999.dead.1"));
      const held = locks.acquire(exclusive);
      assert.ok(held.acquired);
      held.lease.release();
      assert.deepEqual(readdirSync(join(locksDirectoryOf(root), directory)), []);
    }),
  );
});
