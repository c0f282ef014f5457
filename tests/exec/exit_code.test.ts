import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { exitCodeFor } from "../../lib/exec/exit_code.ts";
import type { CompletedRecord, RunGraphOutcome } from "../../lib/exec/records.ts";
import { createRunControl } from "../../lib/exec/run_control.ts";
import { completedRun, timingEndedAt } from "../support/run_records.ts";

const timing = timingEndedAt(1);
const empty = { hash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", bytes: 0 };

function completed(task: string, state: "succeeded" | "failed"): CompletedRecord {
  return {
    task: { project: "p", task },
    source: "fresh-run",
    hitFrom: null,
    state,
    exitStatus: { code: state === "failed" ? 1 : 0, signal: null },
    failure: state === "failed" ? { kind: "exit-code", code: 1 } : null,
    key: null,
    stored: false,
    stdout: empty,
    stderr: empty,
    materialisedOutputs: [],
    timing,
  };
}

function outcome(extra: Partial<RunGraphOutcome>): RunGraphOutcome {
  return { ...completedRun([completed("a", "succeeded")], 1), ...extra };
}

const overlap = {
  kind: "output-overlap" as const,
  rule: "EXEC-020" as const,
  first: { project: "p", task: "a" },
  second: { project: "q", task: "b" },
  path: "/shared/x.txt",
};
const failed = [{ kind: "completed" as const, record: completed("a", "failed") }];

describe("exit codes (04-execution.md §10)", () => {
  test("EXEC-021 all succeeded → 0", () => {
    assert.equal(exitCodeFor(outcome({})), 0);
  });

  test("EXEC-021 example 45: failed task + output overlap → 1", () => {
    assert.equal(exitCodeFor(outcome({ outcomes: failed, invariantViolations: [overlap] })), 1);
  });

  test("EXEC-021 example 45: all succeeded with a store warning → 0", () => {
    const warning = {
      kind: "store-failed" as const,
      task: { project: "p", task: "a" },
      message: "disk full",
    };
    assert.equal(exitCodeFor(outcome({ warnings: [warning] })), 0);
  });

  test("EXEC-021 example 45: SIGTERM reason + failed task + overlap → 143", () => {
    const cancel = { kind: "signal" as const, signal: "SIGTERM" as const };
    assert.equal(exitCodeFor(outcome({ outcomes: failed, invariantViolations: [overlap], cancel })), 143);
  });

  test("EXEC-021 example 45: fail-fast reason followed by SIGINT → 130", () => {
    const control = createRunControl();
    control.cancel({ kind: "fail-fast", root: { project: "p", task: "a" } });
    control.cancel({ kind: "signal", signal: "SIGINT" });
    assert.equal(exitCodeFor(outcome({ outcomes: failed, cancel: control.reason })), 130);
  });

  test("EXEC-021 SIGHUP → 129, SIGINT → 130", () => {
    assert.equal(exitCodeFor(outcome({ cancel: { kind: "signal", signal: "SIGHUP" } })), 129);
    assert.equal(exitCodeFor(outcome({ cancel: { kind: "signal", signal: "SIGINT" } })), 130);
  });

  test("EXEC-021 a cancelled run never exits 0, even with nothing cancelled", () => {
    assert.equal(exitCodeFor(outcome({ cancel: { kind: "programmatic" } })), 1);
  });

  test("EXEC-021 a task error alone → 1; skips alone do not count", () => {
    const error = {
      task: { project: "p", task: "b" },
      error: { kind: "output-missing" as const, path: "/p/x" },
      key: null,
      stdout: null,
      stderr: null,
      timing,
    };
    assert.equal(exitCodeFor(outcome({ taskErrors: [error] })), 1);
    const skip = {
      kind: "skipped" as const,
      record: {
        task: { project: "p", task: "c" },
        cause: { kind: "upstream-failed" as const, root: { project: "p", task: "x" } },
        timing,
      },
    };
    assert.equal(exitCodeFor(outcome({ outcomes: [skip] })), 0);
  });
});
