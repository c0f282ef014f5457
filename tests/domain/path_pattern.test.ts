import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { compileGlob } from "../../lib/domain/glob.ts";
import {
  canonicalPattern,
  checkPattern,
  isGlobPattern,
  resolvePattern,
} from "../../lib/domain/path_pattern.ts";

const WEB = "/apps/web";

describe("EX-112 canonical form (project apps/web unless noted)", () => {
  const rows: { rule: string; text: string; root: string; canonical: string; glob: boolean }[] = [
    { rule: "PATH-001", text: "src/**/*.ts", root: WEB, canonical: "/apps/web/src/**/*.ts", glob: true },
    {
      rule: "PATH-001",
      text: "/libs/core/dist/index.js",
      root: WEB,
      canonical: "/libs/core/dist/index.js",
      glob: false,
    },
    { rule: "PATH-001", text: "dist", root: "/", canonical: "/dist", glob: false },
    { rule: "PATH-001", text: "src/*.ts", root: "/pkgs/[x]", canonical: "/pkgs/\\[x]/src/*.ts", glob: true },
    { rule: "PATH-014", text: "a\\*b", root: WEB, canonical: "/apps/web/a\\*b", glob: true },
  ];
  for (const row of rows) {
    test(`${row.rule} \`${row.text}\` in ${row.root} is ${row.glob ? "glob" : "literal"} \`${row.canonical}\``, () => {
      assert.equal(checkPattern(row.text), null);
      assert.equal(isGlobPattern(row.text), row.glob);
      assert.equal(canonicalPattern(row.text, row.root), row.canonical);
    });
  }

  test("PATH-014 `a\\*b` matches only the file /apps/web/a*b", () => {
    const matches = compileGlob(canonicalPattern("a\\*b", WEB));
    assert.equal(matches("/apps/web/a*b"), true);
    assert.equal(matches("/apps/web/axb"), false);
    assert.equal(matches("/apps/web/ab"), false);
  });

  test("PATH-001 a glob's project part is escaped, a literal's is not", () => {
    assert.equal(canonicalPattern("dist", "/pkgs/[x]"), "/pkgs/[x]/dist");
    assert.equal(canonicalPattern("*.js", "/a{b}/c*d?e\\f"), "/a\\{b}/c\\*d\\?e\\\\f/*.js");
    assert.equal(compileGlob(canonicalPattern("src/*.ts", "/pkgs/[x]"))("/pkgs/[x]/src/a.ts"), true);
    assert.equal(compileGlob(canonicalPattern("src/*.ts", "/pkgs/[x]"))("/pkgs/x/src/a.ts"), false);
  });
});

describe("EX-112 validation", () => {
  const rows: { rule: string; text: string; reason: string }[] = [
    { rule: "PATH-004", text: "../x", reason: "`..` segments are not allowed" },
    { rule: "PATH-004", text: "./a", reason: "`.` segments are not allowed" },
    { rule: "PATH-003", text: "a//b", reason: "empty segment" },
    { rule: "PATH-003", text: "dist/", reason: "trailing `/`" },
    { rule: "PATH-006", text: "/.git/HEAD", reason: "`.git` segments are not allowed" },
    { rule: "PATH-006", text: ".haz/x", reason: "`.haz` segments are not allowed" },
    { rule: "PATH-012", text: "[!a]*", reason: "use `[^` to negate a class" },
    {
      rule: "PATH-012",
      text: "x/[[:alpha:]]",
      reason: "character classes such as `[:alpha:]` are not supported",
    },
    { rule: "PATH-013", text: "{a}", reason: "`{a}` needs a top-level comma, e.g. `{a,b}`" },
    {
      rule: "PATH-013",
      text: "x{1..3}",
      reason: "ranges such as `{1..3}` are not supported; list the alternatives",
    },
    { rule: "PATH-013", text: "a/{,b}/c", reason: "alternative `a//c`: empty segment" },
    { rule: "PATH-015", text: "src/[a", reason: "unclosed `[`" },
    { rule: "PATH-015", text: "x{a,b", reason: "unclosed `{`" },
    { rule: "PATH-014", text: "a\\", reason: "a trailing `\\` escapes nothing" },
  ];
  for (const row of rows) {
    test(`${row.rule} rejects \`${row.text}\``, () => {
      assert.deepEqual(checkPattern(row.text), { rule: row.rule, reason: row.reason });
    });
  }
});

describe("PATH-002..016 further cases", () => {
  test("PATH-002 rejects an empty pattern and a lone `/`", () => {
    assert.equal(checkPattern("")?.rule, "PATH-002");
    assert.equal(checkPattern("/")?.rule, "PATH-002");
  });

  test("PATH-003 rejects a doubled leading `/`", () => {
    assert.equal(checkPattern("//x")?.rule, "PATH-003");
  });

  test("PATH-004 and PATH-006 see through escapes in a glob segment", () => {
    assert.equal(checkPattern("\\.git/*")?.rule, "PATH-006");
    assert.equal(checkPattern("a/\\.\\./*")?.rule, "PATH-004");
    assert.equal(checkPattern(".github/*"), null);
    assert.equal(checkPattern("..a/b"), null);
  });

  test("PATH-005 rejects control, format, unassigned, private-use, surrogate and separator code points", () => {
    for (
      const text of ["a\u0007", "a\u200bb", "x\u0378", "p\ue000", "s\ud800", "l\u2028", "p\u2029", "t\tab"]
    ) {
      assert.equal(checkPattern(text)?.rule, "PATH-005", JSON.stringify(text));
    }
    assert.equal(checkPattern("a\u200b")?.reason, "contains the disallowed character U+200B");
    assert.equal(checkPattern("naïve/日本/😀 x"), null);
  });

  test("PATH-008 detects globs by `*`, `?`, `[`, `{` and `\\` only", () => {
    for (const text of ["a*", "a?", "a[b]", "a{b,c}", "a\\b"]) assert.equal(isGlobPattern(text), true, text);
    for (const text of ["a]", "a}", "a,b", "!x", "x(y)|z", "a+b@c^d$"]) {
      assert.equal(isGlobPattern(text), false, text);
    }
  });

  test("PATH-012 class rules: `/` inside, reversed ranges; `]` first and `-` at the ends are members", () => {
    assert.equal(checkPattern("x[a/b]")?.rule, "PATH-012");
    assert.equal(checkPattern("x[\\/]")?.rule, "PATH-012");
    assert.deepEqual(checkPattern("[z-a]"), { rule: "PATH-012", reason: "reversed range `z-a`" });
    assert.equal(checkPattern("[]a]"), null);
    assert.equal(checkPattern("[^]a]"), null);
    assert.equal(checkPattern("[-a]"), null);
    assert.equal(checkPattern("[a-]"), null);
    assert.equal(checkPattern("[\\]]"), null);
  });

  test("PATH-013 group rules: nesting, `/` and alternatives checked after expansion", () => {
    assert.equal(checkPattern("{a,b/{c,d}}/x"), null);
    assert.equal(checkPattern("{}")?.rule, "PATH-013");
    assert.equal(checkPattern("{,}")?.rule, "PATH-013");
    assert.equal(checkPattern("{/a,b}")?.rule, "PATH-013");
    assert.deepEqual(checkPattern("x/{.git,a}"), {
      rule: "PATH-013",
      reason: "alternative `x/.git`: `.git` segments are not allowed",
    });
    assert.equal(checkPattern("{a,../b}")?.rule, "PATH-013");
    assert.equal(checkPattern("a\\{b}"), null);
    assert.equal(checkPattern("{[,}],b}"), null);
  });

  test("PATH-013 allows 256 alternatives and rejects 257", () => {
    const names = (count: number) => Array.from({ length: count }, (_, index) => `n${index}`).join(",");
    assert.equal(checkPattern(`{${names(256)}}`), null);
    assert.deepEqual(checkPattern(`{${names(257)}}`), {
      rule: "PATH-013",
      reason: "expands to more than 256 alternatives",
    });
    assert.equal(checkPattern("{a,b}".repeat(8)), null);
    assert.equal(checkPattern("{a,b}".repeat(9))?.rule, "PATH-013");
  });

  test("PATH-015 `]`, `}` and `,` outside a class or group are ordinary", () => {
    assert.equal(checkPattern("a]b}c,d"), null);
    assert.equal(checkPattern("*]}"), null);
  });
});

describe("resolvePattern", () => {
  test("PATH-001 resolves a spec against its project and keeps the location", () => {
    const location = { path: "/web/haz.yml", line: 3, column: 7, length: 8 };
    const spec = { text: "src/**", exclude: false, location };
    assert.deepEqual(resolvePattern(spec, "/web"), {
      written: "src/**",
      canonical: "/web/src/**",
      isGlob: true,
      location,
    });
    assert.deepEqual(resolvePattern({ text: "/x/dist", exclude: true }, "/web"), {
      written: "/x/dist",
      canonical: "/x/dist",
      isGlob: false,
    });
  });
});
