import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseTaskId as id } from "../../lib/domain/task_id.ts";
import type { CancelledRecord, SkipRecord } from "../../lib/exec/records.ts";
import type { Presenter } from "../../lib/exec/output/presenter_port.ts";
import { BufferedOutputObserver } from "../../lib/exec/output/buffered_output_observer.ts";
import { SPILL_THRESHOLD_BYTES, SpillBuffer } from "../../lib/exec/output/spill_buffer.ts";
import { createTestPresenter, type TestPresenterOptions } from "../support/presenter_harness.ts";
import { EMPTY_STREAM, succeededRecord as done, timingEndedAt as timing } from "../support/run_records.ts";

const encoder = new TextEncoder();
const MIB = 1024 * 1024;

let tempDir = "";

beforeEach(async () => {
  tempDir = await mkdtemp(join(tmpdir(), "haz-output-test-"));
});

afterEach(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

function buffered(overrides: TestPresenterOptions = {}) {
  return createTestPresenter({ mode: "buffered", tempDir, runSetSize: 2, ...overrides });
}

/** `size` bytes of numbered lines, so any misplaced or lost block shows. */
function patternBytes(size: number, tag: string): Uint8Array {
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (let line = 0; offset < size; line++) {
    const text = encoder.encode(`${tag} ${line} ${"-".repeat(line % 60)}\n`);
    bytes.set(text.subarray(0, size - offset), offset);
    offset += text.length;
  }
  bytes[size - 1] = 0x0a;
  return bytes;
}

function feed(presenter: Presenter, task: string, bytes: Uint8Array, chunkSize = 64 * 1024): void {
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    presenter.onStdout(id(task), bytes.subarray(offset, offset + chunkSize));
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const total = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    total.set(part, offset);
    offset += part.length;
  }
  return total;
}

function assertBytesEqual(actual: Uint8Array, expected: Uint8Array): void {
  assert.equal(actual.length, expected.length, "length");
  const mismatch = actual.findIndex((byte, index) => byte !== expected[index]);
  assert.equal(mismatch, -1, `first differing byte at ${mismatch}`);
}

describe("EXEC-016 buffered mode", () => {
  test("createPresenter picks BufferedOutputObserver for mode buffered", () => {
    assert.ok(buffered().presenter instanceof BufferedOutputObserver);
  });

  test("EXEC-016 example 40: nothing while tasks run; then one unit per task in terminal-event order", async () => {
    const { presenter, stdout, stderr } = buffered();
    presenter.onTaskStarted(id("p:a"));
    presenter.onTaskStarted(id("p:b"));
    for (let i = 1; i <= 3; i++) {
      presenter.onStdout(id("p:a"), encoder.encode(`a${i}\n`));
      presenter.onStdout(id("p:b"), encoder.encode(`b${i}\n`));
    }
    presenter.onStderr(id("p:b"), encoder.encode("b-err\n"));
    assert.equal(stdout.attempts + stderr.attempts, 0);
    presenter.onTaskFinished(done("p:a", 1204));
    presenter.onTaskFinished(done("p:b", 7));
    await presenter.close();
    assert.equal(stdout.text(), "✓ done p:a (1s 204ms)\na1\na2\na3\n✓ done p:b (7ms)\nb1\nb2\nb3\n");
    assert.equal(stderr.text(), "b-err\n");
  });

  test("EXEC-016 a non-empty block without a final newline gets one; an empty block adds nothing", async () => {
    const { presenter, stdout, stderr } = buffered();
    presenter.onStdout(id("p:a"), encoder.encode("no newline"));
    presenter.onStderr(id("p:a"), encoder.encode("err\n"));
    presenter.onTaskFinished(done("p:a", 1));
    presenter.onTaskFinished(done("p:b", 2));
    await presenter.close();
    assert.equal(stdout.text(), "✓ done p:a (1ms)\nno newline\n✓ done p:b (2ms)\n");
    assert.equal(stderr.text(), "err\n");
  });

  test("EXEC-016 example 42: a cache hit prints its status line, then the replayed output", async () => {
    const { presenter, stdout } = buffered();
    presenter.onTaskStarted(id("p:t"));
    presenter.onStdout(id("p:t"), encoder.encode("hi\n"));
    presenter.onTaskFinished(done("p:t", 12, "cache-hit"));
    await presenter.close();
    assert.equal(stdout.text(), "◉ cached p:t (12ms)\nhi\n");
  });

  test("EXEC-016 skipped and never-started tasks write only their status line", async () => {
    const { presenter, stdout, stderr } = buffered();
    const skip: SkipRecord = {
      task: id("p:b"),
      cause: { kind: "admission-closed", root: id("p:a"), violation: "output-overlap" },
      timing: timing(5),
    };
    const notStarted: CancelledRecord = { kind: "run-cancelled", task: id("p:c"), timing: timing(5) };
    presenter.onStdout(id("p:b"), encoder.encode("should not appear\n"));
    presenter.onTaskSkipped(skip);
    presenter.onTaskCancelled(notStarted);
    await presenter.close();
    assert.equal(
      stdout.text(),
      "- skipped p:b: run stopped by output overlap after p:a\n! cancelled p:c: not started\n",
    );
    assert.equal(stderr.text(), "");
  });

  test("EXEC-016 a task signalled in flight writes its output with its status line", async () => {
    const { presenter, stdout } = buffered();
    presenter.onStdout(id("p:long"), encoder.encode("started\n"));
    presenter.onTaskCancelled({
      kind: "signaled-in-flight",
      task: id("p:long"),
      key: null,
      exitStatus: { code: null, signal: "SIGTERM" },
      lastSignal: "SIGTERM",
      escalation: "none",
      stdout: EMPTY_STREAM,
      stderr: EMPTY_STREAM,
      timing: timing(900),
    });
    await presenter.close();
    assert.equal(stdout.text(), "! cancelled p:long (900ms): stopped with SIGTERM\nstarted\n");
  });

  test("EXEC-108 example 41: a 5 MiB unit spills to a 0600 temp file, is written exactly, and the file is deleted", async () => {
    const { presenter, stdout, stderr } = buffered();
    const big = patternBytes(5 * MIB, "big");
    presenter.onTaskStarted(id("p:big"));
    feed(presenter, "p:big", big.subarray(0, 2 * MIB));
    const spilled = await readdir(tempDir);
    assert.equal(spilled.length, 1);
    assert.match(spilled[0], /^haz-\d+-[0-9a-f]+\.out$/);
    assert.equal((await stat(join(tempDir, spilled[0]))).mode & 0o777, 0o600);
    feed(presenter, "p:big", big.subarray(2 * MIB));
    presenter.onStdout(id("p:small"), encoder.encode("small\n"));
    presenter.onTaskFinished(done("p:big", 3000));
    presenter.onTaskFinished(done("p:small", 4));
    // The big unit is being copied from its file; the small unit waits behind it.
    assert.ok(!stdout.text().includes("p:small"));
    await presenter.close();
    assert.deepEqual(await readdir(tempDir), []);
    const status = encoder.encode("✓ done p:big (3s)\n");
    const tail = encoder.encode("✓ done p:small (4ms)\nsmall\n");
    assertBytesEqual(stdout.bytes(), concat(status, big, tail));
    assert.equal(stderr.text(), "");
  });

  test("EXEC-108 the temp file is deleted as soon as its unit is written", async () => {
    const { presenter, stdout } = buffered();
    feed(presenter, "p:big", patternBytes(SPILL_THRESHOLD_BYTES + 1, "x"));
    assert.equal((await readdir(tempDir)).length, 1);
    presenter.onTaskFinished(done("p:big", 1));
    presenter.onTaskFinished(done("p:next", 1));
    while (!stdout.text().endsWith("✓ done p:next (1ms)\n")) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.deepEqual(await readdir(tempDir), []);
    await presenter.close();
  });

  test("EXEC-108 exactly 1 MiB stays in memory; the chunk that crosses it moves the stream to a file", async () => {
    const { presenter } = buffered();
    feed(presenter, "p:a", patternBytes(SPILL_THRESHOLD_BYTES, "a"));
    assert.deepEqual(await readdir(tempDir), []);
    presenter.onStdout(id("p:a"), encoder.encode("!"));
    assert.equal((await readdir(tempDir)).length, 1);
    await presenter.close();
  });

  test("EXEC-108 close() deletes the temp files of tasks that never reached a terminal event", async () => {
    const { presenter } = buffered();
    feed(presenter, "p:a", patternBytes(2 * MIB, "a"));
    presenter.onStderr(id("p:a"), patternBytes(2 * MIB, "e"));
    assert.equal((await readdir(tempDir)).length, 2);
    await presenter.close();
    assert.deepEqual(await readdir(tempDir), []);
  });

  test("EXEC-108 stdout and stderr both spilled keep their streams and order", async () => {
    const { presenter, stdout, stderr } = buffered();
    const out = patternBytes(3 * MIB, "out");
    const err = patternBytes(2 * MIB + 3, "err");
    feed(presenter, "p:a", out, 100_000);
    for (let offset = 0; offset < err.length; offset += 70_000) {
      presenter.onStderr(id("p:a"), err.subarray(offset, offset + 70_000));
    }
    presenter.onTaskFinished(done("p:a", 1));
    await presenter.close();
    assertBytesEqual(stdout.bytes(), concat(encoder.encode("✓ done p:a (1ms)\n"), out));
    assertBytesEqual(stderr.bytes(), err);
  });

  test("EXEC-108 a temp file that cannot be created keeps the bytes in memory with one warning", async () => {
    const missingDir = join(tempDir, "missing");
    const { presenter, stdout, stderr } = buffered({ tempDir: missingDir });
    const a = patternBytes(SPILL_THRESHOLD_BYTES + 10, "a");
    const b = patternBytes(SPILL_THRESHOLD_BYTES + 20, "b");
    feed(presenter, "p:a", a);
    feed(presenter, "p:b", b);
    presenter.onTaskFinished(done("p:a", 1));
    presenter.onTaskFinished(done("p:b", 2));
    await presenter.close();
    const warnings = stderr.text().split("\n").filter((line) => line.length > 0);
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0],
      /^warning: cannot create a temp file in .*missing, keeping task output in memory: /,
    );
    assertBytesEqual(
      stdout.bytes(),
      concat(encoder.encode("✓ done p:a (1ms)\n"), a, encoder.encode("✓ done p:b (2ms)\n"), b),
    );
  });

  test("EXEC-016 heavy concurrent output: units never interleave and keep terminal-event order", async () => {
    const { presenter, stdout, stderr } = buffered({ runSetSize: 4 });
    const tasks = ["p:t0", "p:t1", "q:t2", "q:t3"];
    // t1 crosses the spill limit, so its unit is copied asynchronously while later units wait.
    const outputs = tasks.map((task, index) => {
      const lines = Array.from(
        { length: 10_000 },
        (_, i) => `${task} line ${i} ${"=".repeat(index === 1 ? 120 : (i * 7) % 50)}`,
      );
      return {
        task,
        out: encoder.encode(lines.join("\n") + "\n"),
        err: encoder.encode(`${task} err\n`),
        offset: 0,
      };
    });
    assert.ok(outputs[1].out.length > SPILL_THRESHOLD_BYTES);
    let seed = 99;
    const nextSize = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return 1 + (seed % 4000);
    };
    while (outputs.some((o) => o.offset < o.out.length)) {
      for (const o of outputs) {
        if (o.offset >= o.out.length) continue;
        const piece = o.out.subarray(o.offset, o.offset + nextSize());
        o.offset += piece.length;
        presenter.onStdout(id(o.task), piece);
      }
    }
    for (const o of outputs) presenter.onStderr(id(o.task), o.err);
    const order = [2, 1, 3, 0];
    for (const index of order) presenter.onTaskFinished(done(tasks[index], 1));
    presenter.notice("haz: a notice waits for the unit being copied");
    await presenter.close();
    const expectedOut = concat(
      ...order.flatMap((index) => [encoder.encode(`✓ done ${tasks[index]} (1ms)\n`), outputs[index].out]),
    );
    assertBytesEqual(stdout.bytes(), expectedOut);
    assert.equal(
      stderr.text(),
      order.map((index) => `${tasks[index]} err\n`).join("") +
        "haz: a notice waits for the unit being copied\n",
    );
  });
});

describe("EXEC-108 spill buffer", () => {
  test("EXEC-108 after a failed temp file creation the stream does not retry on every chunk", () => {
    const failures: string[] = [];
    const buffer = new SpillBuffer({
      tempDir: join(tempDir, "missing"),
      thresholdBytes: 4,
      onSpillFailure: (message) => failures.push(message),
    });
    for (let i = 0; i < 10; i++) buffer.append(encoder.encode("abc"));
    assert.equal(failures.length, 1);
    assert.equal(buffer.hasFile, false);
    assert.equal(new TextDecoder().decode(buffer.memoryBytes()), "abc".repeat(10));
  });
});
