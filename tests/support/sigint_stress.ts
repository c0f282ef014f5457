/**
 * Test helper of the SIGINT stress tests (`haz run`, `haz watch`): many haz processes, each on its own
 * workspace, get SIGINT (sometimes twice) at random moments; what is left behind is looked up by each
 * run's unique sleep marker.
 *
 * @module
 */

import assert from "node:assert/strict";
import { after, before } from "node:test";
import { livingWithMarker, waitUntilGone } from "./process_table.ts";
import { spawnHaz } from "./spawn_haz.ts";
import { createWorkspaceFixture, type WorkspaceFixture } from "./workspace_fixture.ts";

/** One randomly timed interruption. */
export interface StressRun {
  /** The unique sleep marker of the run's processes. */
  readonly marker: string;
  /** Delay before the first SIGINT: from the spawn, or from haz's first line of output. */
  readonly delayMs: number;
  readonly afterFirstLine: boolean;
  /** Delay of a second SIGINT after the first, or null for none. */
  readonly secondMs: number | null;
}

/** How one run ended. */
export interface StressReport {
  readonly index: number;
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Pids of the run's processes still alive after haz exited. */
  readonly survivors: number[];
}

/** What a stress test runs. */
export interface StressOptions {
  readonly runs: readonly StressRun[];
  /** haz's arguments, e.g. `["watch", "p:all"]`; it runs in `r<index>/p` of the fixture. */
  readonly args: readonly string[];
  /** haz instances alive at once. */
  readonly width: number;
  /** How long the run's processes may take to vanish after haz exited. */
  readonly survivorWaitMs: number;
}

/**
 * Registers the hooks that write one workspace per run (`r<index>/…`) before the tests and, after
 * them, kill whatever is left and remove the tree; returns the fixture's accessor.
 *
 * @example
 * ```ts
 * const fixture = stressFixture(runs, (run) => ({ ".haz/workspace.yml": "projects: [p]\n" }));
 * ```
 */
export function stressFixture(
  runs: readonly StressRun[],
  workspace: (run: StressRun, index: number) => Record<string, string>,
): () => WorkspaceFixture {
  let fixture: WorkspaceFixture;
  before(async () => {
    const entries: Record<string, string> = {};
    runs.forEach((run, index) => {
      for (const [path, text] of Object.entries(workspace(run, index))) entries[`r${index}/${path}`] = text;
    });
    fixture = await createWorkspaceFixture(entries);
  });
  after(async () => {
    for (const { marker } of runs) {
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
  return () => fixture;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs every interruption, `width` at a time, and reports each in run order.
 *
 * @example
 * ```ts
 * const reports = await interruptAll(fixture(), { runs, args: ["run", "p:all"], width: 5, survivorWaitMs: 200 });
 * ```
 */
export async function interruptAll(
  fixture: WorkspaceFixture,
  options: StressOptions,
): Promise<StressReport[]> {
  const reports: StressReport[] = [];
  const runOne = async (index: number): Promise<StressReport> => {
    const run = options.runs[index];
    const haz = spawnHaz(options.args, { cwd: fixture.path(`r${index}/p`) });
    if (run.afterFirstLine) await haz.waitForLine("stdout", /./).catch(() => {});
    await sleep(run.delayMs);
    haz.signal("SIGINT");
    if (run.secondMs !== null) {
      await sleep(run.secondMs);
      try {
        haz.signal("SIGINT");
      } catch {
        // haz already exited.
      }
    }
    const result = await haz.exited;
    const survivors = await waitUntilGone(run.marker, options.survivorWaitMs);
    return {
      index,
      code: result.code,
      signal: result.signal,
      stdout: result.stdout,
      stderr: result.stderr,
      survivors,
    };
  };
  let next = 0;
  const lane = async () => {
    while (next < options.runs.length) reports.push(await runOne(next++));
  };
  await Promise.all(Array.from({ length: options.width }, lane));
  return reports.sort((a, b) => a.index - b.index);
}

/**
 * Every run left nothing behind and exited 130, or was ended by the runtime's default action before
 * haz installed its handlers (nothing ran then).
 *
 * @example
 * ```ts
 * assertInterruptedCleanly(reports, 50);
 * ```
 */
export function assertInterruptedCleanly(reports: readonly StressReport[], runs: number): void {
  assert.equal(reports.length, runs);
  const survivors = reports.filter((report) => report.survivors.length > 0);
  assert.deepEqual(survivors.map((report) => [report.index, report.survivors]), []);
  for (const report of reports) {
    const killedBeforeHandlers = report.code === null && report.signal === "SIGINT" && report.stdout === "";
    assert.ok(
      report.code === 130 || killedBeforeHandlers,
      `run ${report.index}: code ${report.code}, signal ${report.signal}`,
    );
  }
}
