import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseTaskId as id } from "../../lib/domain/task_id.ts";
import { LiveOutputObserver } from "../../lib/exec/output/live_output_observer.ts";
import { LineSplitter, MAX_LINE_BYTES } from "../../lib/exec/output/line_splitter.ts";
import { createTestPresenter as live } from "../support/presenter_harness.ts";
import { completedRun, succeededRecord as done } from "../support/run_records.ts";

const encoder = new TextEncoder();

function chunk(text: string): Uint8Array {
  return encoder.encode(text);
}

describe("EXEC-016 live mode", () => {
  test("createPresenter picks LiveOutputObserver for mode live", () => {
    assert.ok(live().presenter instanceof LiveOutputObserver);
  });

  test("EXEC-016 example 38: partial last line gets a newline at the terminal event, then the status line", async () => {
    const { presenter, stdout, stderr } = live();
    presenter.onTaskStarted(id("p:a"));
    presenter.onStdout(id("p:a"), chunk("one\n"));
    presenter.onStdout(id("p:a"), chunk("two"));
    presenter.onStderr(id("p:a"), chunk("oops\n"));
    assert.equal(stdout.text(), "[p:a] one\n");
    presenter.onTaskFinished(done("p:a", 1204));
    await presenter.close();
    assert.equal(stdout.text(), "[p:a] one\n[p:a] two\n✓ done p:a (1s 204ms)\n");
    assert.equal(stderr.text(), "[p:a] oops\n");
  });

  test("EXEC-016 example 39: lines split across chunks are joined, one sink write per line", async () => {
    const { presenter, stdout } = live();
    for (const piece of ["hel", "lo\nwor", "ld\n"]) presenter.onStdout(id("p:a"), chunk(piece));
    assert.deepEqual(stdout.writeTexts(), ["[p:a] hello\n", "[p:a] world\n"]);
    await presenter.close();
  });

  test("EXEC-016 at the terminal event held stdout is flushed before held stderr, then the status line", async () => {
    const { presenter, stdout, stderr } = live();
    presenter.onStderr(id("p:a"), chunk("err-part"));
    presenter.onStdout(id("p:a"), chunk("out-part"));
    assert.equal(stdout.attempts + stderr.attempts, 0);
    presenter.onTaskFinished(done("p:a", 5));
    assert.deepEqual(stdout.writeTexts(), ["[p:a] out-part\n", "✓ done p:a (5ms)\n"]);
    assert.deepEqual(stderr.writeTexts(), ["[p:a] err-part\n"]);
    await presenter.close();
  });

  test("EXEC-016 bytes pass through unchanged: \\r, ANSI sequences and invalid UTF-8 stay", async () => {
    const { presenter, stdout } = live();
    const raw = new Uint8Array([0x61, 0x0d, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0xff, 0xfe, 0x0a]);
    presenter.onStdout(id("p:a"), raw);
    assert.deepEqual([...stdout.bytes()], [...chunk("[p:a] "), ...raw]);
    await presenter.close();
  });

  test("EXEC-016 an empty line is written with its prefix", async () => {
    const { presenter, stdout } = live();
    presenter.onStdout(id("p:a"), chunk("\n\nx\n"));
    assert.deepEqual(stdout.writeTexts(), ["[p:a] \n", "[p:a] \n", "[p:a] x\n"]);
    await presenter.close();
  });

  test("EXEC-016 lines of different tasks and streams are kept apart", async () => {
    const { presenter, stdout, stderr } = live();
    presenter.onStdout(id("p:a"), chunk("a-"));
    presenter.onStdout(id("p:b"), chunk("b-"));
    presenter.onStderr(id("p:a"), chunk("ae-"));
    presenter.onStdout(id("p:a"), chunk("1\n"));
    presenter.onStdout(id("p:b"), chunk("1\n"));
    presenter.onStderr(id("p:a"), chunk("1\n"));
    assert.deepEqual(stdout.writeTexts(), ["[p:a] a-1\n", "[p:b] b-1\n"]);
    assert.deepEqual(stderr.writeTexts(), ["[p:a] ae-1\n"]);
    await presenter.close();
  });

  test("EXEC-016 a held partial line is cut at 64 KiB and the rest continues as a new line", async () => {
    const { presenter, stdout } = live();
    const long = "x".repeat(MAX_LINE_BYTES) + "tail";
    // Fed in odd-sized chunks; at most 64 KiB is ever held.
    for (let offset = 0; offset < long.length; offset += 1000) {
      presenter.onStdout(id("p:a"), chunk(long.slice(offset, offset + 1000)));
    }
    presenter.onStdout(id("p:a"), chunk("\n"));
    const writes = stdout.writeTexts();
    assert.equal(writes.length, 2);
    assert.equal(writes[0], `[p:a] ${"x".repeat(MAX_LINE_BYTES)}\n`);
    assert.equal(writes[1], "[p:a] tail\n");
    await presenter.close();
  });

  test("EXEC-016 a line of exactly 64 KiB stays one line however it is chunked", () => {
    const line = encoder.encode("y".repeat(MAX_LINE_BYTES) + "\n");
    for (const size of [1, 7, 4096, MAX_LINE_BYTES, MAX_LINE_BYTES + 1]) {
      const splitter = new LineSplitter();
      const lines: number[] = [];
      for (let offset = 0; offset < line.length; offset += size) {
        splitter.push(line.subarray(offset, offset + size), (l) => lines.push(l.length));
      }
      splitter.flush((l) => lines.push(l.length));
      assert.deepEqual(lines, [MAX_LINE_BYTES], `chunk size ${size}`);
    }
  });

  test("EXEC-016 the 64 KiB cut does not depend on chunking", () => {
    const data = encoder.encode(
      "a".repeat(3 * MAX_LINE_BYTES + 5) + "\nshort\n" + "b".repeat(MAX_LINE_BYTES + 1),
    );
    const reference: number[] = [];
    const whole = new LineSplitter();
    whole.push(data, (l) => reference.push(l.length));
    whole.flush((l) => reference.push(l.length));
    assert.deepEqual(reference, [MAX_LINE_BYTES, MAX_LINE_BYTES, MAX_LINE_BYTES, 5, 5, MAX_LINE_BYTES, 1]);
    for (const size of [1, 3, 1000, 65535]) {
      const splitter = new LineSplitter();
      const lines: number[] = [];
      for (let offset = 0; offset < data.length; offset += size) {
        splitter.push(data.subarray(offset, offset + size), (l) => lines.push(l.length));
        assert.ok(splitter.heldBytes <= MAX_LINE_BYTES);
      }
      splitter.flush((l) => lines.push(l.length));
      assert.deepEqual(lines, reference, `chunk size ${size}`);
    }
  });

  test("EXEC-016 a chunk buffer reused by the producer does not change held bytes", async () => {
    const { presenter, stdout } = live();
    const buffer = chunk("abc");
    presenter.onStdout(id("p:a"), buffer);
    buffer.set(chunk("XYZ"));
    presenter.onStdout(id("p:a"), chunk("\n"));
    assert.equal(stdout.text(), "[p:a] abc\n");
    await presenter.close();
  });

  test("EXEC-016 example 42: a cache hit replays its recorded output before ◉ cached", async () => {
    const { presenter, stdout } = live();
    presenter.onTaskStarted(id("p:t"));
    presenter.onStdout(id("p:t"), chunk("hi\n"));
    presenter.onTaskFinished(done("p:t", 12, "cache-hit"));
    await presenter.close();
    assert.equal(stdout.text(), "[p:t] hi\n◉ cached p:t (12ms)\n");
  });

  test("EXEC-016 example 43: with colour the prefix is drawn in the task colour, the space plain", async () => {
    const { presenter, stdout, stderr } = live({ color: true });
    presenter.onStdout(id("p:a"), chunk("one\n"));
    presenter.onStderr(id("p:a"), chunk("oops\n"));
    assert.equal(stdout.text(), "\x1b[38;2;219;216;112m[p:a]\x1b[0m one\n");
    assert.equal(stderr.text(), "\x1b[38;2;219;216;112m[p:a]\x1b[0m oops\n");
    await presenter.close();
  });

  test("EXEC-016 example 43: without colour and without footer no ESC byte and no \\r", async () => {
    const { presenter, stdout, stderr } = live();
    presenter.onTaskStarted(id("p:a"));
    presenter.onStdout(id("p:a"), chunk("one\n"));
    presenter.onWarning({ kind: "store-failed", task: id("p:a"), message: "disk full" });
    presenter.onTaskFinished(done("p:a", 1));
    presenter.epilogue(completedRun([done("p:a", 1)], 1), 20);
    await presenter.close();
    for (const byte of [...stdout.bytes(), ...stderr.bytes()]) {
      assert.ok(byte !== 0x1b && byte !== 0x0d);
    }
    assert.equal(stdout.text(), "[p:a] one\n✓ done p:a (1ms)\n\nTasks: 1 completed\n Time: 20ms\n");
    assert.equal(stderr.text(), "warning: p:a: result not cached: disk full\n");
  });

  test("EXEC-016 heavy concurrent output: no torn or mixed lines, order kept per task and stream", async () => {
    const { presenter, stdout, stderr } = live({ runSetSize: 4 });
    const tasks = ["p:t0", "p:t1", "q:t2", "q:t3"];
    const linesPerTask = 10_000;
    const expected = new Map<string, string[]>();
    const streams = tasks.map((task, index) => {
      const lines = Array.from(
        { length: linesPerTask },
        (_, i) => `${task} line ${i} ${"=".repeat((i * 7 + index) % 50)}`,
      );
      expected.set(`${task}/${index % 2 === 0 ? "out" : "err"}`, lines);
      return { task, toStderr: index % 2 === 1, bytes: encoder.encode(lines.join("\n") + "\n"), offset: 0 };
    });
    // A small deterministic generator picks chunk sizes, so chunks cut lines anywhere.
    let seed = 12345;
    const nextSize = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return 1 + (seed % 300);
    };
    while (streams.some((s) => s.offset < s.bytes.length)) {
      for (const s of streams) {
        if (s.offset >= s.bytes.length) continue;
        const piece = s.bytes.subarray(s.offset, s.offset + nextSize());
        s.offset += piece.length;
        if (s.toStderr) presenter.onStderr(id(s.task), piece);
        else presenter.onStdout(id(s.task), piece);
      }
    }
    for (const task of tasks) presenter.onTaskFinished(done(task, 1));
    await presenter.close();

    const seen = new Map<string, string[]>();
    for (const [name, sink] of [["out", stdout], ["err", stderr]] as const) {
      for (const write of sink.writeTexts()) {
        assert.ok(write.endsWith("\n") && write.indexOf("\n") === write.length - 1, "one line per write");
        if (write.startsWith("✓ done")) continue;
        const match = /^\[([a-z0-9]+:[a-z0-9]+)\] (.*)\n$/.exec(write);
        assert.ok(match, `prefixed line: ${write.slice(0, 40)}`);
        assert.ok(match[2].startsWith(`${match[1]} line `), "line content belongs to the prefixed task");
        const key = `${match[1]}/${name}`;
        if (!seen.has(key)) seen.set(key, []);
        seen.get(key)!.push(match[2]);
      }
    }
    assert.deepEqual([...seen.keys()].sort(), [...expected.keys()].sort());
    for (const [key, lines] of expected) assert.deepEqual(seen.get(key), lines, key);
  });
});
