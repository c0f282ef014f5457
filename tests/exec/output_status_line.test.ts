import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseTaskId as id } from "../../lib/domain/task_id.ts";
import type {
  CancelledRecord,
  CompletedRecord,
  FailureCause,
  RunTaskError,
  SkipCause,
  SkipRecord,
  TaskErrorRecord,
  TaskTiming,
} from "../../lib/exec/records.ts";
import { describeTaskError } from "../../lib/exec/output/describe_task_error.ts";
import { statusLine } from "../../lib/exec/output/status_line.ts";
import { violationLine, warningLine } from "../../lib/exec/output/run_diagnostics.ts";
import { fnv1a32, hslToRgb, taskColorParams } from "../../lib/exec/output/task_color.ts";
import { EMPTY_STREAM as EMPTY } from "../support/run_records.ts";

const plain = { color: false, cancelGraceMs: 5000 };

function timing(admittedAt: number | null, endedAt: number): TaskTiming {
  return {
    readyAt: admittedAt,
    firstAdmittedAt: admittedAt,
    admittedAt,
    endedAt,
    admissions: admittedAt === null ? 0 : 1,
    mutexWaitMs: 0,
    phases: [],
  };
}

function completed(
  task: string,
  fields: { source: CompletedRecord["source"]; failure?: FailureCause; admittedAt?: number; endedAt: number },
): CompletedRecord {
  return {
    task: id(task),
    source: fields.source,
    hitFrom: fields.source === "cache-hit" ? "local" : null,
    state: fields.failure ? "failed" : "succeeded",
    exitStatus: null,
    failure: fields.failure ?? null,
    key: null,
    stored: false,
    stdout: EMPTY,
    stderr: EMPTY,
    materialisedOutputs: [],
    timing: timing(fields.admittedAt ?? 0, fields.endedAt),
  };
}

function errored(task: string, error: RunTaskError, endedAt: number): TaskErrorRecord {
  return { task: id(task), error, key: null, stdout: null, stderr: null, timing: timing(0, endedAt) };
}

function skipped(task: string, cause: SkipCause): SkipRecord {
  return { task: id(task), cause, timing: timing(null, 50) };
}

function signalled(
  task: string,
  fields: {
    lastSignal: "SIGTERM" | "SIGKILL";
    escalation: "none" | "grace-expired" | "forced";
    endedAt: number;
  },
): CancelledRecord {
  return {
    kind: "signaled-in-flight",
    task: id(task),
    key: null,
    exitStatus: { code: null, signal: fields.lastSignal },
    lastSignal: fields.lastSignal,
    escalation: fields.escalation,
    stdout: EMPTY,
    stderr: EMPTY,
    timing: timing(0, fields.endedAt),
  };
}

describe("EXEC-017 status lines", () => {
  test("EXEC-017 fresh success: ✓ done with duration", () => {
    assert.equal(
      statusLine(completed("lib:compile", { source: "fresh-run", endedAt: 1204 }), plain),
      "✓ done lib:compile (1s 204ms)",
    );
  });

  test("EXEC-017 aggregate: ✓ done without duration (example 6)", () => {
    assert.equal(
      statusLine(completed("p:all", { source: "aggregate", endedAt: 3000 }), plain),
      "✓ done p:all",
    );
  });

  test("EXEC-017 cache hit: ◉ cached with duration", () => {
    assert.equal(
      statusLine(completed("app:build", { source: "cache-hit", endedAt: 12 }), plain),
      "◉ cached app:build (12ms)",
    );
  });

  test("EXEC-017 the duration is endedAt − latest admittedAt, truncated", () => {
    const record = completed("p:x", { source: "fresh-run", admittedAt: 10_000.7, endedAt: 11_500.2 });
    assert.equal(statusLine(record, plain), "✓ done p:x (1s 499ms)");
  });

  test("EXEC-017 failed by exit code", () => {
    const record = completed("app:test", {
      source: "fresh-run",
      failure: { kind: "exit-code", code: 1 },
      endedAt: 3002,
    });
    assert.equal(statusLine(record, plain), "✗ failed app:test (3s 2ms): exit code 1");
  });

  test("EXEC-017 failed by a signal haz did not send", () => {
    const record = completed("p:seg", {
      source: "fresh-run",
      failure: { kind: "signal", signal: "SIGSEGV" },
      endedAt: 40,
    });
    assert.equal(statusLine(record, plain), "✗ failed p:seg (40ms): killed by SIGSEGV");
  });

  test("EXEC-017 failed by timeout prints the limit with the duration grammar (example 32)", () => {
    const failure: FailureCause = { kind: "timeout", limitMs: 1000, lastSignal: "SIGTERM" };
    const record = completed("p:slow", { source: "fresh-run", failure, endedAt: 1012 });
    assert.equal(statusLine(record, plain), "✗ failed p:slow (1s 12ms): timed out after 1s");
  });

  test("EXEC-017 errored prints the error's one-line message (example 14)", () => {
    const error: RunTaskError = {
      kind: "spawn",
      reason: "not-found",
      program: "no-such-program",
      message: "program not found: no-such-program",
    };
    assert.equal(
      statusLine(errored("p:a", error, 3), plain),
      "✗ errored p:a (3ms): program not found: no-such-program",
    );
  });

  test("EXEC-017 skipped upstream failed / errored name the root (examples 13, 14)", () => {
    assert.equal(
      statusLine(skipped("p:c", { kind: "upstream-failed", root: id("p:a") }), plain),
      "- skipped p:c: upstream p:a failed",
    );
    assert.equal(
      statusLine(skipped("p:b", { kind: "upstream-errored", root: id("p:a") }), plain),
      "- skipped p:b: upstream p:a errored",
    );
  });

  test("EXEC-017 skipped in a runtime cycle", () => {
    assert.equal(
      statusLine(skipped("b:y", { kind: "runtime-cycle", root: id("a:x") }), plain),
      "- skipped b:y: in a runtime cycle closed by a:x",
    );
  });

  test("EXEC-017 skipped by a closed gate (example 34)", () => {
    const overlap: SkipCause = { kind: "admission-closed", root: id("q:b"), violation: "output-overlap" };
    const cycle: SkipCause = { kind: "admission-closed", root: id("a:x"), violation: "runtime-cycle" };
    assert.equal(
      statusLine(skipped("r:c", overlap), plain),
      "- skipped r:c: run stopped by output overlap after q:b",
    );
    assert.equal(
      statusLine(skipped("c:z", cycle), plain),
      "- skipped c:z: run stopped by runtime cycle after a:x",
    );
  });

  test("EXEC-017 signalled in flight: stopped with SIGTERM (example 22)", () => {
    const record = signalled("p:long", { lastSignal: "SIGTERM", escalation: "none", endedAt: 812 });
    assert.equal(statusLine(record, plain), "! cancelled p:long (812ms): stopped with SIGTERM");
  });

  test("EXEC-017 signalled in flight: killed after the grace, printed with the duration grammar", () => {
    const record = signalled("p:long", { lastSignal: "SIGKILL", escalation: "grace-expired", endedAt: 5003 });
    assert.equal(
      statusLine(record, plain),
      "! cancelled p:long (5s 3ms): killed with SIGKILL after 5s grace",
    );
    assert.equal(
      statusLine(record, { color: false, cancelGraceMs: 1000 }),
      "! cancelled p:long (5s 3ms): killed with SIGKILL after 1s grace",
    );
  });

  test("EXEC-017 signalled in flight: forced kill (example 26)", () => {
    const record = signalled("p:t", { lastSignal: "SIGKILL", escalation: "forced", endedAt: 600 });
    assert.equal(statusLine(record, plain), "! cancelled p:t (600ms): killed with SIGKILL");
  });

  test("EXEC-017 upstream cancelled and run cancelled have no duration", () => {
    const upstream: CancelledRecord = {
      kind: "upstream-cancelled",
      task: id("p:after"),
      root: id("p:long"),
      timing: timing(null, 900),
    };
    const notStarted: CancelledRecord = {
      kind: "run-cancelled",
      task: id("p:other"),
      timing: timing(null, 900),
    };
    assert.equal(statusLine(upstream, plain), "! cancelled p:after: upstream p:long cancelled");
    assert.equal(statusLine(notStarted, plain), "! cancelled p:other: not started");
  });

  test("EXEC-017 with colour: glyph and verb coloured, id in the task colour, rest plain", () => {
    const record = completed("p:a", {
      source: "fresh-run",
      failure: { kind: "exit-code", code: 2 },
      endedAt: 1204,
    });
    // FNV-1a("p:a") = hue 58 → HSL(58, 60 %, 65 %) = rgb(219, 216, 112).
    assert.equal(
      statusLine(record, { color: true, cancelGraceMs: 5000 }),
      "\x1b[31m✗ failed\x1b[0m \x1b[38;2;219;216;112mp:a\x1b[0m (1s 204ms): exit code 2",
    );
    const colours: Array<[CompletedRecord | SkipRecord | CancelledRecord, string]> = [
      [completed("p:a", { source: "fresh-run", endedAt: 1 }), "\x1b[32m✓ done\x1b[0m"],
      [completed("p:a", { source: "cache-hit", endedAt: 1 }), "\x1b[36m◉ cached\x1b[0m"],
      [skipped("p:a", { kind: "upstream-failed", root: id("q:b") }), "\x1b[2m- skipped\x1b[0m"],
      [{ kind: "run-cancelled", task: id("p:a"), timing: timing(null, 1) }, "\x1b[33m! cancelled\x1b[0m"],
    ];
    for (const [outcome, head] of colours) {
      assert.ok(
        statusLine(outcome, { color: true, cancelGraceMs: 0 }).startsWith(`${head} \x1b[38;2;219;216;112m`),
      );
    }
  });

  test("EXEC-017 without colour no escape byte appears", () => {
    const record = signalled("p:a", { lastSignal: "SIGKILL", escalation: "grace-expired", endedAt: 5003 });
    assert.ok(!statusLine(record, plain).includes("\x1b"));
  });
});

describe("task errors in one line", () => {
  test("EXEC-017 declared output not produced (missing and unsupported alike)", () => {
    assert.equal(
      describeTaskError({ kind: "output-missing", path: "/p/dist/a.js" }),
      "declared output `/p/dist/a.js` was not produced",
    );
    assert.equal(
      describeTaskError({ kind: "output-unsupported", path: "/p/fifo", fileType: "fifo" }),
      "declared output `/p/fifo` was not produced",
    );
  });

  test("EXEC-017 complete messages pass through; raw reasons get their operation", () => {
    assert.equal(
      describeTaskError({ kind: "key-derivation", message: "input `/p/src/missing.ts` does not exist" }),
      "input `/p/src/missing.ts` does not exist",
    );
    assert.equal(
      describeTaskError({
        kind: "restore",
        message: "cannot restore /p/dist/a.js: a directory is in the way",
      }),
      "cannot restore /p/dist/a.js: a directory is in the way",
    );
    assert.equal(describeTaskError({ kind: "wait", message: "boom" }), "cannot wait for the process: boom");
    assert.equal(
      describeTaskError({ kind: "stream-read", stream: "stderr", message: "EIO" }),
      "cannot read stderr: EIO",
    );
    assert.equal(
      describeTaskError({ kind: "signal", signal: "SIGTERM", message: "EPERM" }),
      "cannot send SIGTERM: EPERM",
    );
    assert.equal(
      describeTaskError({ kind: "output-resolution", pattern: "/p/out/**", message: "EACCES" }),
      "cannot resolve output `/p/out/**`: EACCES",
    );
    assert.equal(
      describeTaskError({ kind: "output-invalid-path", path: "/p/a\nb", message: "contains a line break" }),
      "invalid output path `/p/a b`: contains a line break",
    );
  });
});

describe("EXEC-017 stderr lines of a run", () => {
  test("CACHE-033 store warning text", () => {
    const warning = {
      kind: "store-failed" as const,
      task: id("p:t"),
      message: "inputs changed while the task ran",
    };
    assert.equal(
      warningLine(warning, false),
      "warning: p:t: result not cached: inputs changed while the task ran",
    );
  });

  test("EXEC-020 output overlap text (example 34)", () => {
    assert.equal(
      violationLine(
        {
          kind: "output-overlap",
          rule: "EXEC-020",
          first: id("p:a"),
          second: id("q:b"),
          path: "/shared/x.txt",
        },
        false,
      ),
      "error[EXEC-020]: output overlap: /shared/x.txt was materialised by p:a and q:b",
    );
  });

  test("EXEC-019 runtime cycle text", () => {
    assert.equal(
      violationLine(
        {
          kind: "runtime-cycle",
          rule: "EXEC-019",
          nodes: [id("app:consume"), id("lib:produce")],
          closingEdge: { producer: id("lib:produce"), consumer: id("app:consume"), path: "/lib/a_out/f" },
        },
        false,
      ),
      "error[EXEC-019]: runtime cycle: app:consume, lib:produce (closed by lib:produce -> app:consume via /lib/a_out/f)",
    );
  });
});

describe("task colour (04-execution.md §9.1)", () => {
  test("EXEC-016 FNV-1a 32-bit of the printed id", () => {
    assert.equal(fnv1a32(""), 0x811c9dc5);
    assert.equal(fnv1a32("a"), 0xe40c292c);
    assert.equal(fnv1a32("p:a") % 360, 58);
  });

  test("EXEC-016 HSL(h, 60 %, 65 %) to 24-bit colour", () => {
    assert.deepEqual(hslToRgb({ hue: 0, saturation: 0.6, lightness: 0.65 }), [219, 112, 112]);
    assert.deepEqual(hslToRgb({ hue: 225, saturation: 0.6, lightness: 0.65 }), [112, 139, 219]);
    assert.equal(taskColorParams("p:t"), "38;2;112;139;219");
    assert.equal(taskColorParams("a:x"), "38;2;219;180;112");
  });
});
