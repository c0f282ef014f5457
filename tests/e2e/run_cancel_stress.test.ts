/**
 * Stress: SIGINT (sometimes twice) at random moments of many concurrent `haz run`s — during start-up,
 * loading, spawning, running, draining and settling — must never leave a task process alive
 * (04-execution.md PROC-006, PROC-007, EXEC-013, EXEC-105; 05-cli.md CLI-030).
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { uniqueSleepMarker } from "../support/process_table.ts";
import {
  assertInterruptedCleanly,
  interruptAll,
  stressFixture,
  type StressRun,
} from "../support/sigint_stress.ts";

const RUNS = 50;
const runs: StressRun[] = Array.from({ length: RUNS }, (_, index) => ({
  marker: uniqueSleepMarker(),
  delayMs: Math.floor(Math.random() * (index % 2 === 0 ? 1200 : 600)),
  afterFirstLine: index % 2 === 1,
  secondMs: index % 4 === 3 ? Math.floor(Math.random() * 400) : null,
}));

/** A tree with a TERM-ignoring grandchild, a TERM-ignoring task, a straggler, a chain and an aggregate. */
function workspace(marker: string, graceSeconds: number): Record<string, string> {
  return {
    ".haz/workspace.yml":
      `projects: [p]\nconcurrency: {default: 3}\nexecution: {cancel_grace: ${graceSeconds}}\n`,
    "p/haz.yml": [
      "tasks:",
      "  tree:",
      `    shell: "sleep ${marker} & (trap '' TERM; exec sleep ${marker}) & wait"`,
      "  deaf:",
      `    shell: "trap '' TERM; sleep ${marker}"`,
      "  plain:",
      `    command: [sleep, ${marker}]`,
      "  bg:",
      `    shell: "sleep ${marker} & echo done"`,
      "  quick:",
      "    command: [echo, hi]",
      "  chain:",
      `    command: [sleep, ${marker}]`,
      '    deps: ["~:quick"]',
      "  all:",
      '    deps: ["~:tree", "~:deaf", "~:plain", "~:bg", "~:chain"]',
      "",
    ].join("\n"),
  };
}

const fixture = stressFixture(runs, (run, index) => workspace(run.marker, index % 3 === 0 ? 0 : 0.3));

test(
  "PROC-006 EXEC-013 stress: 50 randomly timed SIGINTs leave no task process alive",
  { timeout: 120_000 },
  async () => {
    // SIGKILLed members may need a moment of kernel teardown; a real straggler sleeps for an hour.
    const reports = await interruptAll(fixture(), {
      runs,
      args: ["run", "p:all"],
      width: 5,
      survivorWaitMs: 200,
    });
    assertInterruptedCleanly(reports, RUNS);
    // The timing really hit running schedulers, not only start-up.
    const running =
      reports.filter((report) => report.stderr.includes("haz: received SIGINT, stopping running tasks"))
        .length;
    assert.ok(running >= RUNS / 4, `only ${running} of ${RUNS} runs were cancelled while tasks ran`);
  },
);
