import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseTaskId as id } from "../../lib/domain/task_id.ts";
import type { Clock } from "../../lib/util/clock.ts";
import { footerLine, waitingFooterLine } from "../../lib/exec/output/progress_footer.ts";
import { createTestPresenter, type TestPresenterOptions } from "../support/presenter_harness.ts";
import { completedRun, succeededRecord as done } from "../support/run_records.ts";

const ERASE = "\r\x1b[2K";
const encoder = new TextEncoder();

/** A clock whose time moves only when the test says so. */
class ManualClock implements Clock {
  #now = 0;
  #sleepers: Array<{ at: number; resolve: () => void }> = [];

  now(): number {
    return this.#now;
  }

  unixSeconds(): number {
    return 0;
  }

  sleep(ms: number, abort?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (abort?.aborted) return resolve();
      const sleeper = { at: this.#now + ms, resolve };
      this.#sleepers.push(sleeper);
      abort?.addEventListener("abort", () => {
        this.#sleepers = this.#sleepers.filter((other) => other !== sleeper);
        resolve();
      }, { once: true });
    });
  }

  /** Number of pending sleeps. */
  get sleepers(): number {
    return this.#sleepers.length;
  }

  async advance(ms: number): Promise<void> {
    this.#now += ms;
    const due = this.#sleepers.filter((sleeper) => sleeper.at <= this.#now);
    this.#sleepers = this.#sleepers.filter((sleeper) => sleeper.at > this.#now);
    for (const sleeper of due) sleeper.resolve();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

function presenterWith(overrides: TestPresenterOptions) {
  const clock = new ManualClock();
  const harness = createTestPresenter({ progress: true, clock, runSetSize: 3, ...overrides });
  return { ...harness, clock };
}

describe("EXEC-109 progress footer", () => {
  test("EXEC-109 footer text: counts, elapsed, running ids in canonical order", () => {
    assert.equal(
      footerLine({ terminal: 3, total: 10, elapsedMs: 4521, running: ["a:x", "a-b:x"], width: 79 }),
      "[3/10] 4s 521ms · 2 running: a:x, a-b:x",
    );
    assert.equal(
      footerLine({ terminal: 10, total: 10, elapsedMs: 60_000, running: [], width: 79 }),
      "[10/10] 1m · 0 running",
    );
  });

  test("EXEC-109 ids that do not fit are counted as (+k); the line never exceeds columns − 1", () => {
    const running = ["app:build", "app:test", "lib:compile", "lib:lint", "web:bundle"];
    const state = { terminal: 1, total: 9, elapsedMs: 2000, running };
    assert.equal(
      footerLine({ ...state, width: 200 }),
      "[1/9] 2s · 5 running: app:build, app:test, lib:compile, lib:lint, web:bundle",
    );
    assert.equal(footerLine({ ...state, width: 50 }), "[1/9] 2s · 5 running: app:build, app:test (+3)");
    for (let width = 0; width < 80; width++) {
      assert.ok(Array.from(footerLine({ ...state, width })).length <= width, `width ${width}`);
    }
    assert.equal(footerLine({ ...state, width: 10 }), "[1/9] 2s ·");
  });

  test("EXEC-109 drawn by the 100 ms ticker, erased before other writes, redrawn at once after a terminal event", async () => {
    const { presenter, clock, stdout, stderr } = presenterWith({});
    presenter.onTaskStarted(id("p:b"));
    presenter.onTaskStarted(id("p:a"));
    assert.equal(stdout.attempts, 0);
    await clock.advance(100);
    assert.deepEqual(stdout.writeTexts(), ["[0/3] 100ms · 2 running: p:a, p:b"]);

    await clock.advance(20);
    presenter.onStdout(id("p:a"), encoder.encode("one\n"));
    // Erased before the line; not redrawn within 100 ms of the last draw.
    assert.deepEqual(stdout.writeTexts().slice(1), [ERASE, "[p:a] one\n"]);
    presenter.onStderr(id("p:b"), encoder.encode("warn\n"));
    assert.deepEqual(stderr.writeTexts(), ["[p:b] warn\n"]);
    assert.equal(stdout.writes.length, 3);

    await clock.advance(80);
    assert.deepEqual(stdout.writeTexts().slice(3), ["[0/3] 200ms · 2 running: p:a, p:b"]);

    presenter.onTaskFinished(done("p:a", 150));
    assert.deepEqual(stdout.writeTexts().slice(4), [
      ERASE,
      "✓ done p:a (150ms)\n",
      "[1/3] 200ms · 1 running: p:b",
    ]);

    await clock.advance(100);
    assert.deepEqual(stdout.writeTexts().slice(7), [`${ERASE}[1/3] 300ms · 1 running: p:b`]);

    presenter.onStderr(id("p:b"), encoder.encode("late\n"));
    assert.deepEqual(stdout.writeTexts().slice(8), [ERASE]);
    assert.deepEqual(stderr.writeTexts().slice(1), ["[p:b] late\n"]);

    await clock.advance(100);
    presenter.onTaskFinished(done("p:b", 400));
    presenter.epilogue(completedRun([done("p:a", 150), done("p:b", 400)], 300), 400);
    const afterEpilogue = stdout.writeTexts().slice(9);
    assert.deepEqual(afterEpilogue, [
      "[1/3] 400ms · 1 running: p:b",
      ERASE,
      "✓ done p:b (400ms)\n",
      "[2/3] 400ms · 0 running",
      ERASE,
      "\nTasks: 2 completed\n Time: 400ms\n",
    ]);
    const count = stdout.writes.length;
    await clock.advance(500);
    await presenter.close();
    assert.equal(stdout.writes.length, count, "nothing is drawn after the epilogue");
    assert.equal(clock.sleepers, 0, "the ticker stopped");
  });

  test("REMOTE-092 during the end-of-run upload wait the footer counts the uploads left", async () => {
    const { presenter, clock, stdout } = presenterWith({});
    presenter.onTaskStarted(id("p:a"));
    presenter.onTaskFinished(done("p:a", 50));
    let pending = 2;
    presenter.uploading(() => pending);
    assert.equal(stdout.writeTexts().at(-1), `${ERASE}[1/3] 0ms · uploading 2 to the remote cache`);
    pending = 1;
    await clock.advance(100);
    assert.equal(stdout.writeTexts().at(-1), `${ERASE}[1/3] 100ms · uploading 1 to the remote cache`);
    await presenter.close();
  });

  test("WATCH-082 footer text between cycles: the services segment only when services are up", () => {
    assert.equal(
      waitingFooterLine({ cycle: 3, servicesUp: 2, width: 79 }),
      "[cycle 3] waiting for changes · 2 services up",
    );
    assert.equal(
      waitingFooterLine({ cycle: 1, servicesUp: 1, width: 79 }),
      "[cycle 1] waiting for changes · 1 service up",
    );
    assert.equal(
      waitingFooterLine({ cycle: 12, servicesUp: 0, width: 79 }),
      "[cycle 12] waiting for changes",
    );
    assert.equal(waitingFooterLine({ cycle: 3, servicesUp: 2, width: 20 }), "[cycle 3] waiting fo");
  });

  test("WATCH-082 in a watch loop the footer names the cycle, and between cycles waits for changes", async () => {
    const { presenter, clock, stdout, stderr } = presenterWith({ watch: true });
    await clock.advance(100);
    assert.deepEqual(stdout.writeTexts(), [], "nothing before the first cycle");
    presenter.cycleStarted(1);
    presenter.announce("── cycle 1: initial run");
    presenter.onTaskStarted(id("db:serve"));
    presenter.onTaskStarted(id("p:a"));
    await clock.advance(100);
    presenter.onServiceUp(id("db:serve"), 40);
    presenter.onTaskFinished(done("p:a", 100));
    presenter.announce("\nCycle 1: 1 completed, 1 started in 100ms");
    presenter.waitingForChanges();
    presenter.notice("haz watch: waiting for changes");
    const footers = () => stdout.writeTexts().filter((text) => text.replace(ERASE, "").startsWith("["));
    assert.deepEqual(footers(), [
      "[cycle 1] 0ms · 0 running",
      `${ERASE}[cycle 1] 100ms · 2 running: db:serve, p:a`,
      "[cycle 1] 100ms · 1 running: p:a · 1 service up",
      "[cycle 1] 100ms · 0 running · 1 service up",
      "[cycle 1] 100ms · 0 running · 1 service up",
      `${ERASE}[cycle 1] waiting for changes · 1 service up`,
    ]);
    assert.deepEqual(stderr.writeTexts(), ["haz watch: waiting for changes\n"]);
    assert.equal(stdout.writeTexts().at(-1), ERASE);
    // The ticker puts it back; a footer without a clock in it is then not rewritten while the loop waits.
    await clock.advance(100);
    assert.equal(stdout.writeTexts().at(-1), "[cycle 1] waiting for changes · 1 service up");
    const written = stdout.writes.length;
    await clock.advance(1000);
    assert.equal(stdout.writes.length, written);

    presenter.cycleStarted(2);
    presenter.announce("── cycle 2: /p/src/a.ts changed");
    assert.equal(stdout.writeTexts().at(-1), "[cycle 2] 0ms · 0 running · 1 service up");
    await clock.advance(250);
    // The service goes down between cycles: the segment goes with it.
    presenter.onTaskFinished(done("db:serve", 1350));
    presenter.waitingForChanges();
    assert.equal(stdout.writeTexts().at(-1), `${ERASE}[cycle 2] waiting for changes`);
    await presenter.close();
    assert.equal(stdout.writeTexts().at(-1), ERASE);
    assert.equal(clock.sleepers, 0);
  });

  test("WATCH-082 with the footer off (not a terminal) a watch loop writes no footer", async () => {
    const { presenter, clock, stdout } = presenterWith({ progress: false, watch: true });
    presenter.cycleStarted(1);
    presenter.announce("── cycle 1: initial run");
    presenter.waitingForChanges();
    await clock.advance(500);
    await presenter.close();
    assert.deepEqual(stdout.writeTexts(), ["── cycle 1: initial run\n"]);
  });

  test("EXEC-109 close() erases a drawn footer and stops the ticker", async () => {
    const { presenter, clock, stdout } = presenterWith({});
    presenter.onTaskStarted(id("p:a"));
    await clock.advance(100);
    await presenter.close();
    assert.deepEqual(stdout.writeTexts(), ["[0/3] 100ms · 1 running: p:a", ERASE]);
    assert.equal(clock.sleepers, 0);
  });

  test("EXEC-109 the footer is truncated to columns − 1 and dimmed only with colour", async () => {
    const { presenter, clock, stdout } = presenterWith({ columns: () => 30, color: true });
    for (const task of ["p:a", "p:b", "p:c"]) presenter.onTaskStarted(id(task));
    await clock.advance(100);
    // "[0/3] 100ms · 3 running: p:a (+2)" is 34 characters: no id fits in 29.
    assert.deepEqual(stdout.writeTexts(), ["\x1b[2m[0/3] 100ms · 3 running\x1b[0m"]);
    await presenter.close();
  });

  test("EXEC-109 notices and violations erase the footer and do not tear it", async () => {
    const { presenter, clock, stdout, stderr } = presenterWith({});
    presenter.onTaskStarted(id("p:a"));
    await clock.advance(100);
    await clock.advance(100);
    presenter.notice(
      "haz: received SIGINT, stopping running tasks (grace 5s); send it again to kill them now",
    );
    assert.deepEqual(stdout.writeTexts(), [
      "[0/3] 100ms · 1 running: p:a",
      `${ERASE}[0/3] 200ms · 1 running: p:a`,
      ERASE,
    ]);
    assert.deepEqual(stderr.writeTexts(), [
      "haz: received SIGINT, stopping running tasks (grace 5s); send it again to kill them now\n",
    ]);
    await presenter.close();
  });

  test("EXEC-109 with the footer off nothing writes \\r or erase sequences, even with colour", async () => {
    const { presenter, clock, stdout, stderr } = presenterWith({ progress: false, color: true });
    presenter.onTaskStarted(id("p:a"));
    await clock.advance(100);
    presenter.onStdout(id("p:a"), encoder.encode("one\n"));
    await clock.advance(100);
    presenter.notice("haz: notice");
    presenter.onTaskFinished(done("p:a", 1));
    presenter.epilogue(completedRun([done("p:a", 1)], 300), 250);
    await presenter.close();
    assert.equal(clock.sleepers, 0, "no ticker without a footer");
    const all = stdout.text() + stderr.text();
    assert.ok(!all.includes("\r"));
    assert.ok(!all.includes("\x1b[2K"));
    assert.ok(all.includes("\x1b[32m✓ done\x1b[0m"), "colour is still applied");
  });

  test("EXEC-109 buffered mode: the footer stays away while a unit is written", async () => {
    const { presenter, clock, stdout } = presenterWith({ mode: "buffered" });
    presenter.onTaskStarted(id("p:a"));
    presenter.onStdout(id("p:a"), encoder.encode("a\n"));
    await clock.advance(100);
    presenter.onTaskFinished(done("p:a", 100));
    assert.deepEqual(stdout.writeTexts(), [
      "[0/3] 100ms · 1 running: p:a",
      ERASE,
      "✓ done p:a (100ms)\n",
      "a\n",
      "[1/3] 100ms · 0 running",
    ]);
    await presenter.close();
  });

  test("EXEC-109 the ticker does not draw into a unit being copied from its spill file", async () => {
    const tempDir = await mkdtemp(join(tmpdir(), "haz-footer-test-"));
    try {
      const { presenter, clock, stdout } = presenterWith({ mode: "buffered", tempDir });
      presenter.onTaskStarted(id("p:a"));
      const big = new Uint8Array(3 * 1024 * 1024).fill(0x62);
      big[big.length - 1] = 0x0a;
      for (let offset = 0; offset < big.length; offset += 65536) {
        presenter.onStdout(id("p:a"), big.subarray(offset, offset + 65536));
      }
      presenter.onTaskFinished(done("p:a", 100));
      for (let i = 0; i < 5; i++) await clock.advance(100);
      await presenter.close();
      const text = stdout.text();
      const status = "✓ done p:a (100ms)\n";
      const start = text.indexOf(status) + status.length;
      const block = new TextDecoder().decode(big);
      assert.equal(text.slice(start, start + block.length), block);
      assert.ok(text.startsWith(`${ERASE}${status}`) || text.startsWith(status));
    } finally {
      await rm(tempDir, { recursive: true, force: true });
    }
  });
});
