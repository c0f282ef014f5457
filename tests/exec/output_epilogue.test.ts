import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { TaskId } from "../../lib/domain/task_id.ts";
import type { CompletedRecord, RunGraphOutcome, RunOutcome } from "../../lib/exec/records.ts";
import { epilogueCounts, epilogueText } from "../../lib/exec/output/epilogue.ts";
import { EMPTY_STREAM as EMPTY, timingEndedAt } from "../support/run_records.ts";

const TIMING = timingEndedAt(1);

function id(n: number): TaskId {
  return { project: "p", task: `t${n}` };
}

function completed(
  n: number,
  source: CompletedRecord["source"],
  state: CompletedRecord["state"],
): RunOutcome {
  const record: CompletedRecord = {
    task: id(n),
    source,
    hitFrom: source === "cache-hit" ? "local" : null,
    state,
    exitStatus: null,
    failure: state === "failed" ? { kind: "exit-code", code: 1 } : null,
    key: null,
    stored: false,
    stdout: EMPTY,
    stderr: EMPTY,
    materialisedOutputs: [],
    timing: TIMING,
  };
  return { kind: "completed", record };
}

function outcomeOf(parts: { outcomes: RunOutcome[]; errors?: number }): RunGraphOutcome {
  return {
    outcomes: parts.outcomes,
    taskErrors: Array.from({ length: parts.errors ?? 0 }, (_, i) => ({
      task: id(100 + i),
      error: { kind: "wait" as const, message: "x" },
      key: null,
      stdout: null,
      stderr: null,
      timing: TIMING,
    })),
    invariantViolations: [
      { kind: "output-overlap", rule: "EXEC-020", first: id(1), second: id(2), path: "/x" },
    ],
    cancel: null,
    cancelledAt: null,
    forced: false,
    warnings: [],
    startedAt: 0,
    endedAt: 10,
  };
}

function skipped(n: number): RunOutcome {
  return {
    kind: "skipped",
    record: { task: id(n), cause: { kind: "upstream-failed", root: id(0) }, timing: TIMING },
  };
}

function cancelled(n: number): RunOutcome {
  return { kind: "cancelled", record: { kind: "run-cancelled", task: id(n), timing: TIMING } };
}

describe("EXEC-017 epilogue", () => {
  test("EXEC-017 every segment, failed = failed records + task errors", () => {
    const outcomes = [
      completed(1, "fresh-run", "succeeded"),
      completed(2, "fresh-run", "succeeded"),
      completed(3, "aggregate", "succeeded"),
      completed(4, "fresh-run", "succeeded"),
      completed(5, "cache-hit", "succeeded"),
      completed(6, "cache-hit", "succeeded"),
      completed(7, "cache-hit", "succeeded"),
      skipped(8),
      skipped(9),
      cancelled(10),
    ];
    assert.equal(
      epilogueText(outcomeOf({ outcomes, errors: 1 }), 4521, false),
      "\nTasks: 7 completed (3 cached), 1 failed, 2 skipped, 1 cancelled\n Time: 4s 521ms\n",
    );
  });

  test("EXEC-017 example 13: zero segments after completed are omitted, no cached segment", () => {
    const outcomes = [
      completed(1, "fresh-run", "failed"),
      skipped(2),
      skipped(3),
      completed(4, "fresh-run", "succeeded"),
    ];
    assert.equal(
      epilogueText(outcomeOf({ outcomes }), 1_000, false),
      "\nTasks: 1 completed, 1 failed, 2 skipped\n Time: 1s\n",
    );
  });

  test("EXEC-017 completed is always printed, even at zero", () => {
    assert.equal(
      epilogueText(outcomeOf({ outcomes: [cancelled(1)] }), 0, false),
      "\nTasks: 0 completed, 1 cancelled\n Time: 0ms\n",
    );
  });

  test("EXEC-017 invariant violations are not counted", () => {
    const counts = epilogueCounts(outcomeOf({ outcomes: [completed(1, "fresh-run", "succeeded")] }));
    assert.deepEqual(counts, {
      completed: 1,
      cached: 0,
      services: 0,
      remote: 0,
      failed: 0,
      skipped: 0,
      cancelled: 0,
    });
  });

  test("EXEC-017 with colour, segments take their status colours and the labels stay plain", () => {
    const outcomes = [completed(1, "cache-hit", "succeeded"), completed(2, "fresh-run", "failed")];
    assert.equal(
      epilogueText(outcomeOf({ outcomes }), 83_999, true),
      "\nTasks: \x1b[32m1 completed\x1b[0m \x1b[36m(1 cached)\x1b[0m, \x1b[31m1 failed\x1b[0m\n Time: 1m 23s\n",
    );
  });
});
