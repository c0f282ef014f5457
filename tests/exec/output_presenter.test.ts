import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseTaskId as id } from "../../lib/domain/task_id.ts";
import { MemorySink } from "../support/memory_sink.ts";
import { createTestPresenter, type TestPresenterOptions } from "../support/presenter_harness.ts";
import { succeededRecord as done } from "../support/run_records.ts";

const encoder = new TextEncoder();
const MIB = 1024 * 1024;

let tempDir = "";

beforeEach(async () => {
  tempDir = await mkdtemp(join(tmpdir(), "haz-presenter-test-"));
});

afterEach(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

function presenterWith(overrides: TestPresenterOptions) {
  return createTestPresenter({ tempDir, runSetSize: 2, ...overrides });
}

for (const mode of ["live", "buffered"] as const) {
  describe(`presenter stderr lines (${mode})`, () => {
    test("CACHE-033 at most one store warning per task", async () => {
      const { presenter, stderr } = presenterWith({ mode });
      presenter.onWarning({
        kind: "capture-failed",
        task: id("p:a"),
        message: "ENOSPC: no space left on device",
      });
      presenter.onWarning({ kind: "store-failed", task: id("p:a"), message: "second" });
      presenter.onWarning({
        kind: "store-failed",
        task: id("p:b"),
        message: "inputs changed while the task ran",
      });
      await presenter.close();
      assert.equal(
        stderr.text(),
        "warning: p:a: result not cached: ENOSPC: no space left on device\n" +
          "warning: p:b: result not cached: inputs changed while the task ran\n",
      );
    });

    test("EXEC-019 / EXEC-020 violations are printed to stderr when detected", async () => {
      const { presenter, stdout, stderr } = presenterWith({ mode });
      presenter.onInvariantViolation({
        kind: "output-overlap",
        rule: "EXEC-020",
        first: id("p:a"),
        second: id("q:b"),
        path: "/shared/x.txt",
      });
      presenter.onInvariantViolation({
        kind: "runtime-cycle",
        rule: "EXEC-019",
        nodes: [id("app:consume"), id("lib:produce")],
        closingEdge: { producer: id("lib:produce"), consumer: id("app:consume"), path: "/lib/a_out/f" },
      });
      await presenter.close();
      assert.equal(stdout.text(), "");
      assert.equal(
        stderr.text(),
        "error[EXEC-020]: output overlap: /shared/x.txt was materialised by p:a and q:b\n" +
          "error[EXEC-019]: runtime cycle: app:consume, lib:produce (closed by lib:produce -> app:consume via /lib/a_out/f)\n",
      );
    });

    test("EXEC-013 onCancelling writes nothing; the CLI's notice() adds its line", async () => {
      const { presenter, stdout, stderr } = presenterWith({ mode });
      presenter.onCancelling({ kind: "signal", signal: "SIGINT" }, false);
      presenter.notice("haz: received SIGINT again, killing all tasks now\n");
      await presenter.close();
      assert.equal(stdout.text(), "");
      assert.equal(stderr.text(), "haz: received SIGINT again, killing all tasks now\n");
    });

    test("EXEC-016 a sink that throws is dropped after its first failure; the other keeps working", async () => {
      const stdout = new MemorySink({ failAfterWrites: 1 });
      const { presenter, stderr } = presenterWith({ mode, stdout });
      presenter.onStdout(id("p:a"), encoder.encode("one\ntwo\nthree\n"));
      presenter.onStderr(id("p:a"), encoder.encode("err\n"));
      presenter.onTaskFinished(done("p:a", 1));
      presenter.onStdout(id("p:b"), encoder.encode("more\n"));
      presenter.onTaskFinished(done("p:b", 1));
      presenter.notice("haz: still here");
      await presenter.close();
      assert.equal(stdout.writes.length, 1);
      assert.equal(stdout.attempts, 2, "no write is attempted after the failure");
      assert.equal(
        stderr.text(),
        mode === "live" ? "[p:a] err\nhaz: still here\n" : "err\nhaz: still here\n",
      );
    });
  });
}

describe("EXEC-108 sink failures during a spilled unit", () => {
  test("EXEC-108 a stdout sink that throws mid-copy does not stop the unit or leave the temp file", async () => {
    const stdout = new MemorySink({ failAfterWrites: 3 });
    const { presenter, stderr } = presenterWith({ mode: "buffered", stdout });
    const big = new Uint8Array(3 * MIB).fill(0x61);
    for (let offset = 0; offset < big.length; offset += 65536) {
      presenter.onStdout(id("p:a"), big.subarray(offset, offset + 65536));
    }
    presenter.onStderr(id("p:a"), encoder.encode("err\n"));
    presenter.onTaskFinished(done("p:a", 1));
    await presenter.close();
    assert.equal(stdout.writes.length, 3);
    assert.equal(stdout.attempts, 4);
    assert.equal(stderr.text(), "err\n");
    assert.deepEqual(await readdir(tempDir), []);
  });
});
