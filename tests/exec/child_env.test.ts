import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { childEnvironment } from "../../lib/exec/child_env.ts";
import { runGraph } from "../../lib/exec/run_graph.ts";
import { hostPathOf, spawnPlan } from "../../lib/exec/spawn_plan.ts";
import { buildGraph, createHarness } from "../support/graph_builder.ts";

const host = new Map(Object.entries({
  PATH: "/bin",
  HOME: "/h",
  LC_ALL: "C",
  CI: "1",
  NODE_ENV: "dev",
  SECRET: "s",
}));

function taskWith(env: { fromHost?: string[]; override?: Record<string, string> }) {
  const { graph } = buildGraph({ tasks: [{ id: "p:t", env }] });
  return graph.tasks.get("p:t")!;
}

describe("child environment (01-workspace.md CFG-040, PROC-004)", () => {
  test("CFG-040 EX-109: baseline, pass-through, from_host and override, nothing else", () => {
    const task = taskWith({ fromHost: ["NODE_ENV", "MISSING"], override: { FOO: "bar" } });
    assert.deepEqual(childEnvironment(task, ["CI"], host), {
      CI: "1",
      FOO: "bar",
      HOME: "/h",
      LC_ALL: "C",
      NODE_ENV: "dev",
      PATH: "/bin",
    });
  });

  test("CFG-040 EX-109: override wins over from_host", () => {
    const task = taskWith({ fromHost: ["NODE_ENV"], override: { NODE_ENV: "prod" } });
    assert.equal(childEnvironment(task, [], host).NODE_ENV, "prod");
  });

  test("CFG-040 every baseline name is copied when set; other host names never leak", () => {
    const names = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "TMPDIR", "TERM", "LANG", "TZ", "LC_CTYPE"];
    const full = new Map([...names.map((name) => [name, name.toLowerCase()] as [string, string]), [
      "OTHER",
      "x",
    ]]);
    const env = childEnvironment(taskWith({}), [], full);
    assert.deepEqual(Object.keys(env).sort(), [...names].sort());
  });

  test("CFG-040 the task process gets exactly that environment (PROC-004)", async () => {
    const h = createHarness({
      passThrough: ["CI"],
      tasks: [{ id: "p:t", env: { override: { FOO: "bar" } } }],
    }, {
      hostEnv: Object.fromEntries(host),
    });
    await runGraph(h.ctx);
    assert.deepEqual(h.spawner.plans[0].env, { CI: "1", FOO: "bar", HOME: "/h", LC_ALL: "C", PATH: "/bin" });
  });
});

describe("spawn plan (04-execution.md §4 step 6, CFG-041)", () => {
  test("CFG-041 command: program and args as written, cwd = project root", () => {
    const plan = spawnPlan({ kind: "command", argv: ["tsc", "-p", "."] }, {
      workspaceRoot: "/w",
      projectRoot: "/libs/core",
      env: { A: "1" },
    });
    assert.deepEqual(plan, { program: "tsc", args: ["-p", "."], env: { A: "1" }, cwd: "/w/libs/core" });
  });

  test("CFG-015 shell: <shell> -c <script>; the root project runs in the workspace root", () => {
    const plan = spawnPlan({ kind: "shell", shell: "bash", script: "echo hi" }, {
      workspaceRoot: "/w",
      projectRoot: "/",
      env: {},
    });
    assert.deepEqual(plan, { program: "bash", args: ["-c", "echo hi"], env: {}, cwd: "/w" });
    assert.equal(hostPathOf("/w", "/a/b"), "/w/a/b");
  });
});
