/**
 * Stress: SIGINT at random moments of many `haz watch` loops with services and running tasks —
 * during start-up, while services start, while a cycle runs and between cycles — must end every loop
 * with exit 130 and leave no process behind (09-services-and-watch.md WATCH-084, SVC-062).
 */

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { livingWithMarker, uniqueSleepMarker, waitUntilGone } from "../support/process_table.ts";
import { spawnHaz } from "../support/spawn_haz.ts";
import { createWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";

const RUNS = 50;
/** haz instances alive at once. */
const WIDTH = 5;

interface Scenario {
  readonly marker: string;
  readonly delayMs: number;
  /** Delay of a second SIGINT after the first, or null for none. */
  readonly secondMs: number | null;
}

const scenarios: Scenario[] = Array.from({ length: RUNS }, (_, index) => ({
  marker: uniqueSleepMarker(),
  delayMs: Math.floor(Math.random() * 2500),
  secondMs: index % 5 === 4 ? Math.floor(Math.random() * 300) : null,
}));

/** Two services (one ignores SIGTERM), a consumer, a long task and a quick one that reruns on changes. */
function workspace(marker: string): Record<string, string> {
  return {
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
  };
}

let fixture: WorkspaceFixture;

before(async () => {
  const entries: Record<string, string> = {};
  scenarios.forEach((scenario, index) => {
    for (const [path, text] of Object.entries(workspace(scenario.marker))) {
      entries[`r${index}/${path}`] = text;
    }
  });
  fixture = await createWorkspaceFixture(entries);
});

after(async () => {
  for (const { marker } of scenarios) {
    for (const pid of livingWithMarker(marker)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }
  await fixture.remove();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runOne(index: number) {
  const scenario = scenarios[index];
  const haz = spawnHaz(["watch", "p:all"], { cwd: fixture.path(`r${index}/p`) });
  await sleep(scenario.delayMs);
  haz.signal("SIGINT");
  if (scenario.secondMs !== null) {
    await sleep(scenario.secondMs);
    try {
      haz.signal("SIGINT");
    } catch {
      // haz already exited.
    }
  }
  const result = await haz.exited;
  const survivors = await waitUntilGone(scenario.marker, 2000);
  return { index, code: result.code, signal: result.signal, stdout: result.stdout, survivors };
}

test("WATCH-084 SVC-062 stress: 50 randomly timed SIGINTs during haz watch leave nothing behind", {
  timeout: 300_000,
}, async () => {
  const reports: Awaited<ReturnType<typeof runOne>>[] = [];
  let next = 0;
  const lane = async () => {
    while (next < RUNS) reports.push(await runOne(next++));
  };
  await Promise.all(Array.from({ length: WIDTH }, lane));
  assert.equal(reports.length, RUNS);
  assert.deepEqual(reports.filter((report) => report.survivors.length > 0).map((report) => report.index), []);
  for (const report of reports) {
    // Before haz installs its handlers the runtime's default action ends it (and nothing ran yet).
    const killedBeforeHandlers = report.code === null && report.signal === "SIGINT" && report.stdout === "";
    assert.ok(
      report.code === 130 || killedBeforeHandlers,
      `run ${report.index}: ${report.code} ${report.signal}`,
    );
  }
});
