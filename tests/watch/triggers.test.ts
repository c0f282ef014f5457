import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { couldMatchBelow, matchedTasks, triggerSets, watchesDirectory } from "../../lib/watch/triggers.ts";
import { buildGraph, type TaskSpec } from "../support/graph_builder.ts";

function triggersOf(tasks: readonly TaskSpec[]) {
  const { workspace, graph } = buildGraph({ tasks });
  const runSet = new Set(graph.order);
  return { workspace, triggers: triggerSets(workspace, graph, runSet) };
}

const file = (path: string) => ({ path, directoryOrGone: false });
const directory = (path: string) => ({ path, directoryOrGone: true });

describe("watch triggers (09-services-and-watch.md §7)", () => {
  test("WATCH-020 inputs, project scope, nothing for inputs: [], input-less services and aggregates", () => {
    const { triggers } = triggersOf([
      { id: "p:a", inputs: ["src/**/*.ts"] },
      { id: "p:b", inputs: ["lib/**"] },
      { id: "p:t" },
      { id: "p:none", inputs: [] },
      { id: "p:svc", service: true },
      { id: "p:all", aggregate: true, deps: ["p:a"] },
    ]);
    assert.deepEqual([...triggers.byTask.keys()], ["p:a", "p:b", "p:t"]);
    assert.deepEqual(triggers.byTask.get("p:t"), { kind: "project", root: "/p", nestedRoots: [] });
  });

  test("WATCH-022 scenario 30: READMEs, node_modules, other tasks' outputs and .git trigger nothing", () => {
    const { triggers } = triggersOf([
      { id: "p:build", inputs: ["src/**", "**/*.js"] },
      { id: "q:gen", inputs: ["in/**"], outputs: ["/p/src/generated/**"] },
    ]);
    for (const path of ["/p/README.md", "/p/node_modules/x/y.js", "/p/src/generated/a.ts", "/p/src/.git/x"]) {
      assert.deepEqual(matchedTasks(triggers, file(path)), [], path);
    }
    assert.deepEqual(matchedTasks(triggers, file("/p/src/a.ts")), ["p:build"]);
  });

  test("WATCH-022 a directory all of whose contents are another task's outputs triggers nothing", () => {
    const { triggers } = triggersOf([
      { id: "lib:gen", inputs: ["in/**"], outputs: ["out/**"] },
      { id: "app:use", inputs: ["/lib/out/**", "src/**"] },
    ]);
    assert.deepEqual(matchedTasks(triggers, directory("/lib/out")), []);
    assert.deepEqual(matchedTasks(triggers, directory("/lib/out/sub")), []);
    assert.deepEqual(
      matchedTasks(triggers, directory("/lib")),
      ["app:use", "lib:gen"],
      "the parent is not covered",
    );
  });

  test("WATCH-023 scenario 34: a removed directory matches the tasks whose patterns could match below it", () => {
    const { triggers } = triggersOf([
      { id: "p:a", inputs: ["src/**/*.ts"] },
      { id: "p:b", inputs: ["lib/**"] },
    ]);
    assert.deepEqual(matchedTasks(triggers, directory("/p/src/new")), ["p:a"]);
    assert.deepEqual(matchedTasks(triggers, file("/p/src/new")), []);
    assert.deepEqual(matchedTasks(triggers, directory("/p")), ["p:a", "p:b"]);
  });

  test("WATCH-021 the project scope leaves out dot directories, nested projects and declared outputs", () => {
    const { triggers } = triggersOf([
      { id: "p:t" },
      { id: "p:build", inputs: ["src/**"], outputs: ["dist"] },
      { id: "sub:x", command: ["true"], inputs: [] },
    ]);
    assert.deepEqual(matchedTasks(triggers, file("/p/x.txt")), ["p:t"]);
    assert.deepEqual(matchedTasks(triggers, file("/p/.eslintrc")), ["p:t"]);
    for (const path of ["/p/.cache/y", "/p/node_modules/z", "/q/x.txt", "/p/dist/a.js"]) {
      assert.deepEqual(matchedTasks(triggers, file(path)), [], path);
    }
  });

  test("WATCH-025 a pattern without ** bounds the depth; ignored directories are not watched", () => {
    assert.equal(couldMatchBelow({ written: "*.json", canonical: "/p/*.json", isGlob: true }, "/p"), true);
    assert.equal(
      couldMatchBelow({ written: "*.json", canonical: "/p/*.json", isGlob: true }, "/p/src"),
      false,
    );
    assert.equal(
      couldMatchBelow({ written: "gen/out.txt", canonical: "/p/gen/out.txt", isGlob: false }, "/p"),
      true,
    );
    const { workspace, triggers } = triggersOf([{ id: "p:build", inputs: ["src/**"] }]);
    const watched = [
      "/",
      "/.haz",
      "/p",
      "/p/src",
      "/p/src/sub",
      "/p/node_modules",
      "/p/.git",
      "/p/docs",
      "/q",
    ]
      .filter((dir) => watchesDirectory(triggers, workspace, dir));
    assert.deepEqual(watched, ["/", "/.haz", "/p", "/p/src", "/p/src/sub"]);
  });
});
