import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { compileGlob } from "../../lib/domain/glob.ts";
import type { PathPattern } from "../../lib/domain/workspace.ts";
import {
  coverageIntersects,
  exclusionDiscounts,
  patternsIntersect,
} from "../../lib/graph/pattern_intersection.ts";

function glob(canonical: string): PathPattern {
  return { written: canonical, canonical, isGlob: true };
}

function literal(canonical: string): PathPattern {
  return { written: canonical, canonical, isGlob: false };
}

describe("EX-203 producer matching", () => {
  const rows: { output: PathPattern; input: PathPattern; edge: boolean }[] = [
    { output: literal("/w/dist"), input: literal("/w/dist/index.js"), edge: true },
    { output: literal("/w/a"), input: glob("/w/a/**"), edge: true },
    { output: glob("/w/a/**"), input: literal("/w/a"), edge: false },
    { output: literal("/w/dist/a.js"), input: literal("/w/dist"), edge: false },
    { output: glob("/w/gen/*.ts"), input: glob("/w/**/*.ts"), edge: true },
    { output: glob("/w/dist/**/*.js"), input: glob("/w/**/*.ts"), edge: false },
    { output: glob("/w/*.js"), input: glob("/w/*/*.js"), edge: false },
    { output: glob("/w/out/{a,b}.txt"), input: literal("/w/out/b.txt"), edge: true },
    { output: glob("/w/[ab]*.txt"), input: glob("/w/[^a]x*"), edge: true },
    { output: glob("/w/**/*.ts"), input: glob("/w/src/**"), edge: true },
  ];
  for (const { output, input, edge } of rows) {
    const kind = (pattern: PathPattern) => pattern.isGlob ? "glob" : "literal";
    test(`DAG-013 ${kind(output)} \`${output.canonical}\` vs ${kind(input)} \`${input.canonical}\`: ${edge ? "edge" : "no edge"}`, () => {
      assert.equal(coverageIntersects(output, input), edge);
    });
  }

  test("DAG-013 the witness of `/w/[ab]*.txt` and `/w/[^a]x*` is `/w/bx.txt`", () => {
    assert.equal(compileGlob("/w/[ab]*.txt")("/w/bx.txt"), true);
    assert.equal(compileGlob("/w/[^a]x*")("/w/bx.txt"), true);
  });
});

describe("DAG-013 intersection", () => {
  test("DAG-013 a literal matches only itself", () => {
    assert.equal(patternsIntersect(literal("/w/a"), literal("/w/a")), true);
    assert.equal(patternsIntersect(literal("/w/a"), literal("/w/a/b")), false);
    assert.equal(patternsIntersect(literal("/w/[a]"), glob("/w/\\[a]")), true);
    assert.equal(patternsIntersect(literal("/w/[a]"), glob("/w/[a]")), false);
  });

  test("DAG-013 segments must share a non-empty string", () => {
    assert.equal(patternsIntersect(glob("/a/*b*"), glob("/a/*c*")), true);
    assert.equal(patternsIntersect(glob("/a/*.js"), glob("/a/*.ts")), false);
    assert.equal(patternsIntersect(glob("/a/[ab]"), glob("/a/[cd]")), false);
    assert.equal(patternsIntersect(glob("/a/[^ab]"), glob("/a/[a-c]")), true);
    assert.equal(patternsIntersect(glob("/a/x*"), glob("/a/*y")), true);
    assert.equal(patternsIntersect(glob("/a/x?"), glob("/a/x")), false);
    assert.equal(patternsIntersect(glob("/a/\\*"), glob("/a/[*]")), true);
  });

  test("DAG-013 `**` consumes zero or more segments; a final `**` at least one", () => {
    assert.equal(patternsIntersect(glob("/**"), literal("/x")), true);
    assert.equal(patternsIntersect(glob("/a/**"), literal("/a")), false);
    assert.equal(patternsIntersect(glob("/a/**/b"), glob("/a/b")), true);
    assert.equal(patternsIntersect(glob("/a/**/x/*.ts"), glob("/**/y/**")), true);
    assert.equal(patternsIntersect(glob("/a/*/c"), glob("/a/**/d")), false);
    assert.equal(patternsIntersect(glob("/a/b"), glob("/a/**/b/**")), false);
    assert.equal(patternsIntersect(glob("/p/**/q"), glob("/x/**")), false);
  });

  test("DAG-013 brace alternatives intersect when any pair does", () => {
    assert.equal(patternsIntersect(glob("/w/{src,test}/*.ts"), glob("/w/test/a.*")), true);
    assert.equal(patternsIntersect(glob("/w/{src,test}/*.ts"), glob("/w/lib/**")), false);
  });

  test("DAG-013 intersection is symmetric and agrees with brute force on small patterns", () => {
    const pieces = ["a", "b", "*", "?", "[ab]", "[^a]", "a*", "*b", "**", "?a", "[^ab]*"];
    let seed = 12345;
    const random = (limit: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % limit;
    };
    const patterns = Array.from({ length: 45 }, () => {
      const segments = Array.from({ length: 1 + random(3) }, () => pieces[random(pieces.length)]);
      return glob("/r/" + segments.join("/"));
    });
    const names = ["a", "b", "c"].flatMap((x) => [x, ...["a", "b", "c"].map((y) => x + y)]);
    const paths: string[] = [];
    const extend = (prefix: string, depth: number) => {
      for (const name of names) {
        paths.push(`${prefix}/${name}`);
        if (depth < 3) extend(`${prefix}/${name}`, depth + 1);
      }
    };
    extend("/r", 1);
    const matched = patterns.map((pattern) => new Set(paths.filter(compileGlob(pattern.canonical))));
    for (let i = 0; i < patterns.length; i++) {
      for (let j = i; j < patterns.length; j++) {
        const expected = [...matched[i]].some((path) => matched[j].has(path));
        const label = `${patterns[i].canonical} vs ${patterns[j].canonical}`;
        assert.equal(patternsIntersect(patterns[i], patterns[j]), expected, label);
        assert.equal(patternsIntersect(patterns[j], patterns[i]), expected, label);
      }
    }
  });
});

describe("DAG-013 exclusion discount", () => {
  test("DAG-013 `!dist/**` discounts the outputs `dist`, `dist/**` and `dist/*.js`", () => {
    const exclusion = glob("/w/dist/**");
    assert.equal(exclusionDiscounts(exclusion, literal("/w/dist")), true);
    assert.equal(exclusionDiscounts(exclusion, glob("/w/dist/**")), true);
    assert.equal(exclusionDiscounts(exclusion, glob("/w/dist/*.js")), true);
    assert.equal(exclusionDiscounts(exclusion, literal("/w/dist/sub/a.js")), true);
  });

  test("DAG-013 a discount needs containment on whole segments", () => {
    const exclusion = glob("/w/dist/**");
    assert.equal(exclusionDiscounts(exclusion, literal("/w/distx")), false);
    assert.equal(exclusionDiscounts(exclusion, literal("/w")), false);
    assert.equal(exclusionDiscounts(exclusion, glob("/w/**/*.js")), false);
    assert.equal(exclusionDiscounts(exclusion, glob("/w/{dist,out}/*.js")), false);
    assert.equal(exclusionDiscounts(glob("/w/dist/*.js"), glob("/w/dist/*.ts")), false);
    assert.equal(exclusionDiscounts(glob("/w/dist/*"), literal("/w/dist")), false);
  });

  test("DAG-013 an equal exclusion or a literal directory exclusion discounts", () => {
    assert.equal(exclusionDiscounts(glob("/w/dist/*.js"), glob("/w/dist/*.js")), true);
    assert.equal(exclusionDiscounts(literal("/w/dist"), literal("/w/dist")), true);
    assert.equal(exclusionDiscounts(literal("/w/dist"), glob("/w/dist/*.js")), true);
    assert.equal(exclusionDiscounts(literal("/w/dist"), glob("/w/dist/{a,b}/**")), true);
    assert.equal(exclusionDiscounts(glob("/**"), glob("/w/**/*.js")), true);
    assert.equal(exclusionDiscounts(glob("/{w/dist,w/out}/**"), glob("/w/{dist,out}/*.js")), true);
  });

  test("DAG-013 an escaped project directory still counts as a literal prefix", () => {
    assert.equal(exclusionDiscounts(glob("/pkgs/\\[x]/dist/**"), literal("/pkgs/[x]/dist")), true);
    assert.equal(exclusionDiscounts(glob("/pkgs/\\[x]/dist/**"), glob("/pkgs/\\[x]/dist/*.js")), true);
  });
});
