import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  compileAlternative,
  compileGlob,
  coverageMatchesPath,
  expandBraces,
  inputPatternsMatch,
  patternMatches,
  scanGlob,
  staticPrefix,
} from "../../lib/domain/glob.ts";
import type { PathPattern } from "../../lib/domain/workspace.ts";

function glob(canonical: string): PathPattern {
  return { written: canonical, canonical, isGlob: true };
}

function literal(canonical: string): PathPattern {
  return { written: canonical, canonical, isGlob: false };
}

describe("EX-113 glob conformance", () => {
  const rows: { rule: string; glob: string; path: string; match: boolean }[] = [
    { rule: "PATH-009", glob: "/p/*", path: "/p/.env", match: true },
    { rule: "PATH-009", glob: "/p/*", path: "/p/a/b", match: false },
    { rule: "PATH-011", glob: "/p/**", path: "/p", match: false },
    { rule: "PATH-011", glob: "/p/**", path: "/p/a/b/.c", match: true },
    { rule: "PATH-011", glob: "/p/**/x", path: "/p/x", match: true },
    { rule: "PATH-011", glob: "/p/a**b", path: "/p/a/x/b", match: false },
    { rule: "PATH-010", glob: "/p/a?b", path: "/p/a/b", match: false },
    { rule: "PATH-015", glob: "/p/a?(b)", path: "/p/ax(b)", match: true },
    { rule: "PATH-012", glob: "/p/[^a]", path: "/p/b", match: true },
    { rule: "PATH-012", glob: "/p/[]a]", path: "/p/]", match: true },
    { rule: "PATH-013", glob: "/p/{a,b/c}", path: "/p/b/c", match: true },
    { rule: "PATH-009", glob: "/p/A", path: "/p/a", match: false },
    { rule: "PATH-015", glob: "/p/x(y)|z", path: "/p/x(y)|z", match: true },
  ];
  for (const row of rows) {
    test(`${row.rule} \`${row.glob}\` ${row.match ? "matches" : "does not match"} \`${row.path}\``, () => {
      assert.equal(scanGlob(row.glob), null);
      assert.equal(compileGlob(row.glob)(row.path), row.match);
    });
  }
});

describe("glob semantics", () => {
  test("PATH-009 `*` matches any run without `/`, including the empty run", () => {
    const matches = compileGlob("/p/a*b");
    assert.equal(matches("/p/ab"), true);
    assert.equal(matches("/p/axyzb"), true);
    assert.equal(matches("/p/ax/b"), false);
    assert.equal(compileGlob("/p/*.ts")("/p/.ts"), true);
  });

  test("PATH-010 `?` matches exactly one character, an astral one included", () => {
    const matches = compileGlob("/p/a?");
    assert.equal(matches("/p/ab"), true);
    assert.equal(matches("/p/a😀"), true);
    assert.equal(matches("/p/a"), false);
    assert.equal(matches("/p/abc"), false);
  });

  test("PATH-011 `**` matches zero or more whole segments; a final `**` one or more", () => {
    assert.equal(compileGlob("/**/x")("/x"), true);
    assert.equal(compileGlob("/**/x")("/a/b/x"), true);
    assert.equal(compileGlob("/a/**/b/**/c")("/a/b/c"), true);
    assert.equal(compileGlob("/a/**/**")("/a"), false);
    assert.equal(compileGlob("/a/**/**")("/a/b"), true);
    assert.equal(compileGlob("/**")("/x/y"), true);
    assert.equal(compileGlob("/a/x**")("/a/x/y"), false);
    assert.equal(compileGlob("/a/x**")("/a/xyz"), true);
  });

  test("PATH-012 classes: ranges by code point, negation never matches `/`, escapes", () => {
    assert.equal(compileGlob("/p/[a-c]")("/p/b"), true);
    assert.equal(compileGlob("/p/[a-c]")("/p/d"), false);
    assert.equal(compileGlob("/p/[^a]x")("/p//x"), false);
    assert.equal(compileGlob("/p/[+-0]")("/p/."), true);
    assert.equal(compileGlob("/p/[-a]")("/p/-"), true);
    assert.equal(compileGlob("/p/[a-]")("/p/-"), true);
    assert.equal(compileGlob("/p/[\\]]")("/p/]"), true);
    assert.equal(compileGlob("/p/[^]a]")("/p/]"), false);
    assert.equal(compileGlob("/p/[^]a]")("/p/b"), true);
    assert.equal(compileGlob("/p/[α-ω]")("/p/λ"), true);
    assert.equal(compileGlob("/p/[😀-😂]")("/p/😁"), true);
    assert.equal(compileGlob("/p/[a]")("/p/A"), false);
  });

  test("PATH-014 `\\` makes the next character literal", () => {
    assert.equal(compileGlob("/p/\\[a]")("/p/[a]"), true);
    assert.equal(compileGlob("/p/\\[a]")("/p/a"), false);
    assert.equal(compileGlob("/p/\\{a,b}")("/p/{a,b}"), true);
    assert.equal(compileGlob("/p/\\*\\*/x")("/p/**/x"), true);
    assert.equal(compileGlob("/p/\\*\\*/x")("/p/q/x"), false);
  });

  test("PATH-015 regular-expression characters are ordinary", () => {
    for (const name of ["a.b", "a+b", "(x)", "$y^", "a|b", "a@b", "!x"]) {
      assert.equal(compileGlob(`/p/${name}*`)(`/p/${name}`), true, name);
    }
    assert.equal(compileGlob("/p/a.b*")("/p/axb"), false);
  });

  test("PATH-009 matching is whole-path and line terminators are ordinary characters", () => {
    assert.equal(compileGlob("/p/*")("/p/a\nb"), true);
    assert.equal(compileGlob("/p/*")("/q/p/a"), false);
    assert.equal(compileGlob("/p/a")("/p/a/b"), false);
  });

  test("PATH-009 root-relative globs (DISC-006 project entries) match root-relative paths", () => {
    assert.equal(compileGlob("packages/*")("packages/a"), true);
    assert.equal(compileGlob("{apps,tools}/gen")("tools/gen"), true);
    assert.equal(compileGlob("{apps,tools}/gen")("tools/x"), false);
  });

  test("compiled globs are memoised", () => {
    assert.equal(compileGlob("/m/**/*.ts"), compileGlob("/m/**/*.ts"));
  });
});

describe("PATH-013 expandBraces", () => {
  test("PATH-013 expands nested groups left to right, with `/` inside alternatives", () => {
    assert.deepEqual(expandBraces("/w/{a,b/{c,d}}.txt"), ["/w/a.txt", "/w/b/c.txt", "/w/b/d.txt"]);
    assert.deepEqual(expandBraces("/{a,b}{1,2}"), ["/a1", "/a2", "/b1", "/b2"]);
  });

  test("PATH-013 keeps escapes and classes as written and drops duplicates", () => {
    assert.deepEqual(expandBraces("/x/{a\\,b,[,}]c}"), ["/x/a\\,b", "/x/[,}]c"]);
    assert.deepEqual(expandBraces("/{a,a}"), ["/a"]);
    assert.deepEqual(expandBraces("/p/*.ts"), ["/p/*.ts"]);
  });

  test("PATH-013 expansion may yield 256 alternatives", () => {
    assert.equal(expandBraces("/" + "{a,b}".repeat(8)).length, 256);
  });
});

describe("PATH-014 compiled alternatives", () => {
  // An escape sends an alternative through the tokeniser; without one, plain names are shared segments.
  const rows: [string, string][] = [
    ["/w/a*b/c", "/w/a*b/\\c"],
    ["/w/**/c.d", "/\\w/**/c.d"],
    ["/w//x/*", "/w//\\x/*"],
    ["/packages/p0001/src/x/**", "/packages/p0001/src/\\x/**"],
    ["w/?/***", "\\w/?/***"],
  ];
  for (const [plain, escaped] of rows) {
    test(`PATH-014 \`${plain}\` compiles as \`${escaped}\` does`, () => {
      assert.deepEqual(compileAlternative(plain), compileAlternative(escaped));
    });
  }
});

describe("PATH-016 staticPrefix", () => {
  const rows: [string, string][] = [
    ["/web/src/**/*.ts", "/web/src"],
    ["/*.json", "/"],
    ["/web/a.txt", "/web/a.txt"],
    ["/pkgs/\\[x]/src/*.ts", "/pkgs"],
    ["/web/s?c/x", "/web"],
    ["packages/*", "packages"],
  ];
  for (const [alternative, prefix] of rows) {
    test(`PATH-016 static prefix of \`${alternative}\` is \`${prefix}\``, () => {
      assert.equal(staticPrefix(alternative), prefix);
    });
  }
});

describe("pattern predicates", () => {
  test("PATH-008 a literal matches only itself, even with glob characters in its project part", () => {
    assert.equal(patternMatches(literal("/pkgs/[x]/dist"), "/pkgs/[x]/dist"), true);
    assert.equal(patternMatches(literal("/pkgs/[x]/dist"), "/pkgs/x/dist"), false);
    assert.equal(patternMatches(literal("/w/dist"), "/w/dist/a.js"), false);
    assert.equal(patternMatches(glob("/w/dist/*.js"), "/w/dist/a.js"), true);
  });

  test("DAG-013 coverage: a literal covers itself and everything below it, a glob what it matches", () => {
    assert.equal(coverageMatchesPath(literal("/w/dist"), "/w/dist"), true);
    assert.equal(coverageMatchesPath(literal("/w/dist"), "/w/dist/a/b.js"), true);
    assert.equal(coverageMatchesPath(literal("/w/dist"), "/w/distx"), false);
    assert.equal(coverageMatchesPath(glob("/w/dist/**"), "/w/dist"), false);
    assert.equal(coverageMatchesPath(glob("/w/dist/**"), "/w/dist/a"), true);
  });

  test("PATH-021 input matching: some inclusion and no exclusion", () => {
    const inclusions = [glob("/w/**/*"), literal("/w/extra.txt")];
    assert.equal(inputPatternsMatch(inclusions, [glob("/w/dist/**")], "/w/src/a.ts"), true);
    assert.equal(inputPatternsMatch(inclusions, [glob("/w/dist/**")], "/w/dist/a.js"), false);
    assert.equal(inputPatternsMatch(inclusions, [literal("/w/dist")], "/w/dist/a.js"), false);
    assert.equal(inputPatternsMatch(inclusions, [literal("/w/extra.txt")], "/w/extra.txt"), false);
    assert.equal(inputPatternsMatch([literal("/w/extra.txt")], [], "/v/extra.txt"), false);
  });
});
