/**
 * Stress: SIGINT (sometimes twice) at random moments of many concurrent `haz run`s — during start-up,
 * loading, spawning, running, draining and settling — must never leave a task process alive
 * (04-execution.md PROC-006, PROC-007, EXEC-013, EXEC-105; 05-cli.md CLI-030).
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
  /** Delay before the first SIGINT: from the spawn, or from haz's first line of output. */
  readonly delayMs: number;
  readonly afterFirstLine: boolean;
  /** Delay of a second SIGINT after the first, or null for none. */
  readonly secondMs: number | null;
}

const scenarios: Scenario[] = Array.from({ length: RUNS }, (_, index) => ({
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

let fixture: WorkspaceFixture;

before(async () => {
  const entries: Record<string, string> = {};
  scenarios.forEach((scenario, index) => {
    for (const [path, text] of Object.entries(workspace(scenario.marker, index % 3 === 0 ? 0 : 0.3))) {
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

interface RunReport {
  readonly index: number;
  readonly code: number | null;
  readonly signal: string | null;
  /** The scheduler was running when the first signal arrived (notice A printed). */
  readonly cancelledRunning: boolean;
  readonly survivors: number[];
  readonly stdout: string;
}

async function runOne(index: number): Promise<RunReport> {
  const scenario = scenarios[index];
  const haz = spawnHaz(["run", "p:all"], { cwd: fixture.path(`r${index}/p`) });
  if (scenario.afterFirstLine) await haz.waitForLine("stdout", /./).catch(() => {});
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
  // SIGKILLed members may need a moment of kernel teardown; a real straggler sleeps for an hour.
  const survivors = await waitUntilGone(scenario.marker, 200);
  return {
    index,
    code: result.code,
    signal: result.signal,
    cancelledRunning: result.stderr.includes("haz: received SIGINT, stopping running tasks"),
    survivors,
    stdout: result.stdout,
  };
}

test(
  "PROC-006 EXEC-013 stress: 50 randomly timed SIGINTs leave no task process alive",
  { timeout: 120_000 },
  async () => {
    const reports: RunReport[] = [];
    let next = 0;
    const lane = async () => {
      while (next < RUNS) reports.push(await runOne(next++));
    };
    await Promise.all(Array.from({ length: WIDTH }, lane));

    assert.equal(reports.length, RUNS);
    const survivors = reports.filter((report) => report.survivors.length > 0);
    assert.deepEqual(survivors.map((report) => [report.index, report.survivors]), []);
    for (const report of reports) {
      // Before haz installs its handlers the runtime's default action ends it (and nothing ran yet).
      const killedBeforeHandlers = report.code === null && report.signal === "SIGINT" && report.stdout === "";
      assert.ok(
        report.code === 130 || killedBeforeHandlers,
        `run ${report.index}: code ${report.code}, signal ${report.signal}`,
      );
    }
    // The timing really hit running schedulers, not only start-up.
    const running = reports.filter((report) => report.cancelledRunning).length;
    assert.ok(running >= RUNS / 4, `only ${running} of ${RUNS} runs were cancelled while tasks ran`);
  },
);
