import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Project, TaskDefinition } from "../../lib/domain/workspace.ts";
import { assembleTaskGraph } from "../../lib/graph/assemble_graph.ts";
import { instantiateTask } from "../../lib/graph/instantiate_task.ts";
import { loadWorkspace } from "../../lib/graph/load_workspace.ts";
import { decodeSnapshotContent, encodeSnapshotContent } from "../../lib/graph/snapshot_codec.ts";
import { withWorkspaceFixture } from "../support/workspace_fixture.ts";

describe("snapshot codec", () => {
  test("PERF-001 shapes off the common path (a file-only location, an odd timeout, a ref without location) come back equal", async () => {
    await withWorkspaceFixture({
      ".haz/workspace.yml": 'projects: ["packages/*"]\n',
      "packages/a/haz.yml": 'tasks:\n  build:\n    command: [echo, a]\n    inputs: ["src/**"]\n',
      "packages/b/haz.yml": 'tasks:\n  build:\n    shell: echo b\n    deps: ["a:build"]\n',
    }, async (fixture) => {
      const loaded = await loadWorkspace(fixture.root);
      assert.ok(loaded.ok);
      const { workspace, graph, warnings } = loaded.loaded;
      const projects: Project[] = workspace.projects.map((project) => {
        const tasks = new Map<string, TaskDefinition>();
        for (const [name, task] of project.tasks) {
          const body = {
            ...task.body,
            timeoutMs: Number.POSITIVE_INFINITY,
            location: { path: task.body.file },
            deps: task.body.deps.map((declared) => ({ ref: declared.ref })),
            inputs: task.body.inputs?.map((spec) => ({ text: spec.text, exclude: spec.exclude })) ?? null,
          };
          tasks.set(name, instantiateTask(body, project));
        }
        return { ...project, tasks };
      });
      const odd = {
        workspace: { ...workspace, projects },
        graph: assembleTaskGraph(projects.flatMap((project) => [...project.tasks.values()]), graph.edges),
        warnings,
      };
      const decoded = decodeSnapshotContent(encodeSnapshotContent(odd), workspace.root);
      assert.deepEqual(decoded, odd);
      assert.equal(decoded.graph.tasks.get("b:build")?.timeoutMs, Number.POSITIVE_INFINITY);
      assert.deepEqual(decoded.graph.hardSuccessors.get("a:build"), ["b:build"]);
      const plain = { workspace, graph, warnings };
      assert.deepEqual(decodeSnapshotContent(encodeSnapshotContent(plain), workspace.root), plain);
    });
  });

  test("PERF-001 a workspace of an unknown shape is refused, text it did not write is rejected", async () => {
    await withWorkspaceFixture({
      ".haz/workspace.yml": 'projects: ["packages/*"]\n',
      "packages/a/haz.yml": "tasks:\n  t:\n    command: [x]\n",
    }, async (fixture) => {
      const loaded = await loadWorkspace(fixture.root);
      assert.ok(loaded.ok);
      const { workspace, graph, warnings } = loaded.loaded;
      assert.throws(() =>
        encodeSnapshotContent({ workspace: { ...workspace, extra: 1 } as never, graph, warnings })
      );
      assert.throws(() => decodeSnapshotContent('["x"]', workspace.root));
      const payload = JSON.parse(encodeSnapshotContent({ workspace, graph, warnings })) as unknown[];
      assert.deepEqual(payload[2], [0]);
      payload[2] = [7];
      assert.throws(
        () => decodeSnapshotContent(JSON.stringify(payload), workspace.root),
        /unknown task number 7/,
      );
    });
  });
});
