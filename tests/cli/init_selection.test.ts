import assert from "node:assert/strict";
import { test } from "node:test";
import {
  applySelectionCommand,
  parseSelectionCommand,
  renderCandidateList,
  SELECTION_INSTRUCTION,
  selectionHeading,
} from "../../lib/cli/init_selection.ts";

const ENTRIES = [
  { path: "packages/core", name: "core", hasHazYml: false },
  { path: "packages/web", name: "web", hasHazYml: false },
  { path: "tools/release", name: "release", hasHazYml: true },
];

test("§7.1 Selection prompt: the list of the specification, word for word", () => {
  const text = `${selectionHeading(3, 'package.json "workspaces"')}\n\n${
    renderCandidateList(ENTRIES, [true, true, true])
  }\n${SELECTION_INSTRUCTION}`;
  assert.equal(
    text,
    [
      'Found 3 candidate projects (package.json "workspaces"):',
      "",
      "  [x] 1  packages/core    core",
      "  [x] 2  packages/web     web",
      "  [x] 3  tools/release    release   (has haz.yml)",
      "",
      "Toggle with numbers or ranges (2, 1-3), a = all, n = none, Enter = done: ",
    ].join("\n"),
  );
  assert.equal(selectionHeading(1, "found deno.json"), "Found 1 candidate project (found deno.json):");
});

test("§7.1 Selection prompt: unselected candidates show [ ], numbers align past nine", () => {
  const many = Array.from(
    { length: 10 },
    (_, index) => ({ path: `p${index}`, name: `n${index}`, hasHazYml: false }),
  );
  const lines = renderCandidateList(many, many.map((_, index) => index !== 0)).split("\n");
  assert.equal(lines[0], "  [ ]  1  p0    n0");
  assert.equal(lines[9], "  [x] 10  p9    n9");
});

test("§7.1 Selection prompt: numbers and ranges toggle, a = all, n = none, Enter = done", () => {
  assert.deepEqual(parseSelectionCommand("", 3), { kind: "done" });
  assert.deepEqual(parseSelectionCommand("  ", 3), { kind: "done" });
  assert.deepEqual(parseSelectionCommand("a", 3), { kind: "all" });
  assert.deepEqual(parseSelectionCommand("n", 3), { kind: "none" });
  assert.deepEqual(parseSelectionCommand("2", 3), { kind: "toggle", numbers: [2] });
  assert.deepEqual(parseSelectionCommand("1-3", 3), { kind: "toggle", numbers: [1, 2, 3] });
  assert.deepEqual(parseSelectionCommand("3, 1", 3), { kind: "toggle", numbers: [1, 3] });
  assert.deepEqual(parseSelectionCommand("1 2-2,3", 3), { kind: "toggle", numbers: [1, 2, 3] });
});

test("§7.1 Selection prompt: invalid input changes nothing", () => {
  for (const line of ["0", "4", "3-1", "1-4", "x", "1,x", "a 1", "-1", "1.5"]) {
    assert.deepEqual(parseSelectionCommand(line, 3), { kind: "invalid" }, line);
  }
  assert.deepEqual(applySelectionCommand([true, false], { kind: "invalid" }), [true, false]);
});

test("§7.1 Selection prompt: applying commands", () => {
  assert.deepEqual(applySelectionCommand([true, true, true], { kind: "toggle", numbers: [1, 3] }), [
    false,
    true,
    false,
  ]);
  assert.deepEqual(applySelectionCommand([false, true], { kind: "all" }), [true, true]);
  assert.deepEqual(applySelectionCommand([false, true], { kind: "none" }), [false, false]);
});
