/**
 * Stress: SIGINT at random moments of many `haz watch` loops with services and running tasks —
 * during start-up, while services start, while a cycle runs and between cycles — must end every loop
 * with exit 130 and leave no process behind (09-services-and-watch.md WATCH-084, SVC-062).
 */

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
  delayMs: Math.floor(Math.random() * 2500),
  afterFirstLine: false,
  secondMs: index % 5 === 4 ? Math.floor(Math.random() * 300) : null,
}));

/** Two services (one ignores SIGTERM), a consumer, a long task and a quick one that reruns on changes. */
const fixture = stressFixture(runs, ({ marker }) => ({
  ".haz/workspace.yml": "projects: [p]\nexecution: {cancel_grace: 0.3}\n",
  "p/haz.yml": [
    "tasks:",
    "  db:",
    `    shell: "sleep 0.2; echo up; sleep ${marker}"`,
    "    service: {ready: {line: up}}",
    "  api:",
    `    shell: "trap '' TERM; echo up; sleep ${marker}"`,
    '    deps: ["~:db"]',
    "    service: {ready: {line: up}}",
    "  e2e:",
    `    shell: "sleep ${marker}"`,
    '    deps: ["~:api"]',
    "  quick:",
    "    command: [echo, hi]",
    '    inputs: ["src/**"]',
    "  all:",
    '    deps: ["~:e2e", "~:quick"]',
    "",
  ].join("\n"),
  "p/src/a.txt": "a\n",
}));

test("WATCH-084 SVC-062 stress: 50 randomly timed SIGINTs during haz watch leave nothing behind", {
  timeout: 300_000,
}, async () => {
  const reports = await interruptAll(fixture(), {
    runs,
    args: ["watch", "p:all"],
    width: 5,
    survivorWaitMs: 2000,
  });
  assertInterruptedCleanly(reports, RUNS);
});
