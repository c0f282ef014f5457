import assert from "node:assert/strict";
import { after, test } from "node:test";
import { baseEnv, runHaz } from "../support/run_haz.ts";
import { createWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";
import { SLOW } from "./run_support.ts";

const workspaces: WorkspaceFixture[] = [];
after(() => Promise.all(workspaces.map((workspace) => workspace.remove())));

async function fresh(entries: Record<string, string>): Promise<WorkspaceFixture> {
  const workspace = await createWorkspaceFixture(entries);
  workspaces.push(workspace);
  return workspace;
}

const env = () => {
  const variables = baseEnv();
  for (const name of Object.keys(variables)) if (name.startsWith("HAZ_REMOTE_CACHE")) delete variables[name];
  return variables;
};

/** Printed ids of the tasks a run reported as done, in report order. */
function done(stdout: string): string[] {
  return [...stdout.matchAll(/^✓ done (\S+)/gm)].map((match) => match[1]).sort();
}

const SIX_APPS: Record<string, string> = {
  ".haz/workspace.yml": "projects: [lib, a1, a2, a3, a4, a5, a6]\n",
  "lib/haz.yml": 'tasks:\n  build:\n    shell: "echo lib"\n',
  ...Object.fromEntries(
    [1, 2, 3, 4, 5, 6].map((
      n,
    ) => [`a${n}/haz.yml`, `tasks:\n  test:\n    shell: "echo a${n}"\n    deps: ["lib:build"]\n`]),
  ),
};

test(
  "REMOTE-101 scenario 32: six app units over three shards, two each, the library on every shard",
  SLOW,
  async () => {
    const workspace = await fresh(SIX_APPS);
    const units: string[] = [];
    for (const index of [1, 2, 3]) {
      const run = await runHaz(["run", "--all", "--shard", `${index}/3`], {
        cwd: workspace.root,
        env: env(),
      });
      assert.equal(run.code, 0, run.stderr);
      const ran = done(run.stdout);
      assert.ok(ran.includes("lib:build"));
      const apps = ran.filter((id) => id !== "lib:build");
      assert.equal(apps.length, 2);
      units.push(...apps);
      const dry = await runHaz(["run", "--all", "--shard", `${index}/3`, "--dry-run", "--json"], {
        cwd: workspace.root,
        env: env(),
      });
      const plan = JSON.parse(dry.stdout);
      assert.deepEqual(plan.shard, { index, count: 3 });
      assert.deepEqual(
        plan.tasks.filter((task: { selected: boolean }) => task.selected).map((task: { id: string }) =>
          task.id
        ).sort(),
        apps,
      );
      assert.deepEqual(plan.tasks.map((task: { id: string }) => task.id).sort(), ran);
    }
    assert.deepEqual(units.sort(), ["a1:test", "a2:test", "a3:test", "a4:test", "a5:test", "a6:test"]);
  },
);

test("REMOTE-102 scenario 33: a chain is one unit; an empty shard says so and exits 0", SLOW, async () => {
  const workspace = await fresh({
    ".haz/workspace.yml": "projects: [p]\n",
    "p/haz.yml":
      'tasks:\n  a:\n    shell: "echo a"\n  b:\n    shell: "echo b"\n    deps: ["~:a"]\n  c:\n    shell: "echo c"\n    deps: ["~:b"]\n',
  });
  const empty = await runHaz(["run", "p:c", "--shard", "2/3"], { cwd: workspace.root, env: env() });
  assert.equal(empty.code, 0, empty.stderr);
  assert.equal(empty.stdout, "nothing to run: shard 2/3 has no task\n");
  const first = await runHaz(["run", "p:c", "--shard", "1/3"], { cwd: workspace.root, env: env() });
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(done(first.stdout), ["p:a", "p:b", "p:c"]);
});

test(
  "REMOTE-101 scenario 34: an aggregate's eight independent deps split 0, 2, 4, 6; invalid shards are usage errors",
  SLOW,
  async () => {
    const projects = ["p1", "p2", "p3", "p4"];
    const workspace = await fresh({
      ".haz/workspace.yml": `projects: [root, ${projects.join(", ")}]\n`,
      "root/haz.yml": `tasks:\n  ci:\n    deps: [${
        projects.flatMap((p) => [`"${p}:lint"`, `"${p}:test"`]).join(", ")
      }]\n`,
      ...Object.fromEntries(
        projects.map((
          p,
        ) => [`${p}/haz.yml`, `tasks:\n  lint:\n    shell: "echo lint"\n  test:\n    shell: "echo test"\n`]),
      ),
    });
    const run = await runHaz(["run", "root:ci", "--shard", "1/2"], { cwd: workspace.root, env: env() });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(done(run.stdout), ["p1:lint", "p2:lint", "p3:lint", "p4:lint"]);
    assert.ok(!run.stdout.includes("root:ci"), "the aggregate is not run");
    for (const value of ["0/2", "3/2", "1/0", "a/b", "1/1001"]) {
      const bad = await runHaz(["run", "root:ci", "--shard", value], { cwd: workspace.root, env: env() });
      assert.equal(bad.code, 2);
      assert.equal(bad.stdout, "");
      assert.equal(
        bad.stderr.split("\n")[0],
        `haz run: error: invalid value for --shard: "${value}" (expected I/N with 1 <= I <= N <= 1000, e.g. 2/4)`,
      );
    }
  },
);
