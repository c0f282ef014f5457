/**
 * Scheduler overhead per task (06-architecture.md §5: <= 0.2 ms with the fake spawner, 10 000 tasks).
 * Run: `deno run -A bench/scheduler_overhead.ts` or `bun bench/scheduler_overhead.ts`.
 *
 * @module
 */

import { runGraph } from "../lib/exec/run_graph.ts";
import { createHarness, type TaskSpec } from "../tests/support/graph_builder.ts";

/** Random graph of `count` tasks with up to three hard deps each, on earlier tasks. */
function randomTasks(count: number): TaskSpec[] {
  const tasks: TaskSpec[] = [];
  for (let i = 0; i < count; i++) {
    const deps = i < 3 ? [] : [0, 1, 2].map(() => `p${Math.floor(Math.random() * i)}:t`);
    tasks.push({ id: `p${i}:t`, deps: [...new Set(deps)] });
  }
  return tasks;
}

for (const count of [1000, 10000]) {
  const harness = createHarness({ tasks: randomTasks(count) }, { concurrency: 8 });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await runGraph(harness.ctx);
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(
    `${count} tasks: wall ${wallMs.toFixed(0)} ms, cpu ${cpuMs.toFixed(0)} ms, ` +
      `${(cpuMs / count).toFixed(3)} ms cpu/task (${result.outcomes.length} outcomes)`,
  );
}
