import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PathOrder, type PathRank } from "../../lib/cache/path_order.ts";

function compareUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function assertInOrder(placed: readonly PathRank[]): void {
  const byRank = [...placed].sort((a, b) => a.rank - b.rank).map((cell) => cell.path);
  assert.deepEqual(byRank, placed.map((cell) => cell.path).sort(compareUnits));
  assert.equal(new Set(placed.map((cell) => cell.rank)).size, placed.length);
}

describe("CACHE-009 the run-wide order of the shared entries' paths", () => {
  test("ranks compare as the paths do in UTF-16 order, and a path keeps its rank object", () => {
    const order = new PathOrder();
    const paths = ["/web/src/x", "/web/package.json", "/a/\u{1D4B3}.ts", "/a/\uFF5A.ts", "/", "/web", "/b"];
    const placed = paths.map((path) => order.place(path));
    assertInOrder(placed);
    assert.equal(order.place("/web/src/x"), placed[0]);
  });

  test("a gap split past the precision of doubles renumbers every path, keeping the order", () => {
    const order = new PathOrder();
    const placed = [order.place("/b"), order.place("/a")];
    // Each new path falls between "/a" and the previous one: the gap halves every time.
    for (let step = 0; step < 80; step++) placed.push(order.place(`/a${"~".repeat(80 - step)}`));
    assertInOrder(placed);
    // Without renumbering "/b" would keep its first rank, 0; renumbered, it is the index of the last.
    assert.ok(placed[0].rank > 50, `renumbered: "/b" has rank ${placed[0].rank}`);
  });
});
