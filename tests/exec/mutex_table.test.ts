import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { MutexSpec } from "../../lib/domain/workspace.ts";
import { lockKey, lockLabel, MutexTable } from "../../lib/exec/mutex_table.ts";

const global = (mode: MutexSpec["mode"]): MutexSpec => ({ name: "db", scope: "global", project: null, mode });
const scoped = (project: string): MutexSpec => ({ name: "db", scope: "project", project, mode: "exclusive" });

describe("mutex table (04-execution.md §5.3)", () => {
  test("MUTEX-001 global and project locks of one name are different locks", () => {
    assert.notEqual(lockKey(global("exclusive")), lockKey(scoped("p")));
    assert.notEqual(lockKey(scoped("p")), lockKey(scoped("q")));
    assert.equal(lockKey(global("exclusive")), lockKey(global("shared")));
    assert.equal(lockLabel(global("shared")), "db");
    assert.equal(lockLabel(scoped("p")), "~:db (p)");
  });

  test("MUTEX-003 an exclusive hold excludes every other hold", () => {
    const table = new MutexTable();
    assert.equal(table.tryAcquire(global("exclusive"), 1), true);
    assert.equal(table.tryAcquire(global("shared"), 2), false);
    assert.equal(table.tryAcquire(global("exclusive"), 3), false);
    assert.equal(table.tryAcquire(scoped("p"), 4), true);
    assert.deepEqual(table.release(global("exclusive"), 1), [2, 3]);
  });

  test("MUTEX-004 shared holds overlap; an exclusive waiter wakes only when the last one leaves", () => {
    const table = new MutexTable();
    assert.equal(table.tryAcquire(global("shared"), 1), true);
    assert.equal(table.tryAcquire(global("shared"), 2), true);
    assert.equal(table.tryAcquire(global("exclusive"), 3), false);
    assert.deepEqual(table.holders(global("shared")), [1, 2]);
    assert.deepEqual(table.release(global("shared"), 1), []);
    assert.deepEqual(table.release(global("shared"), 2), [3]);
  });

  test("MUTEX-101 a release wakes shared waiters while shared holds remain, not exclusive ones", () => {
    const table = new MutexTable();
    table.tryAcquire(global("exclusive"), 1);
    table.tryAcquire(global("shared"), 5);
    table.tryAcquire(global("exclusive"), 4);
    table.tryAcquire(global("shared"), 2);
    assert.deepEqual(table.release(global("exclusive"), 1), [2, 4, 5]);
    table.tryAcquire(global("shared"), 2);
    table.tryAcquire(global("exclusive"), 4);
    table.tryAcquire(global("shared"), 5);
    table.tryAcquire(global("shared"), 6);
    assert.deepEqual(table.release(global("shared"), 6), []);
    assert.deepEqual(table.release(global("shared"), 5), []);
    assert.deepEqual(table.release(global("shared"), 2), [4]);
  });

  test("MUTEX-101 an unparked waiter is not woken", () => {
    const table = new MutexTable();
    table.tryAcquire(global("exclusive"), 1);
    table.tryAcquire(global("exclusive"), 2);
    table.unpark(global("exclusive"), 2);
    assert.deepEqual(table.release(global("exclusive"), 1), []);
  });
});
