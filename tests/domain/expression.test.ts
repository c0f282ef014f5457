import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  evaluateExpression,
  type Expression,
  expressionAtoms,
  parseExpression,
} from "../../lib/domain/expression.ts";

/** Prints a tree fully parenthesised, to pin precedence and associativity. */
function show(expression: Expression): string {
  switch (expression.kind) {
    case "atom":
      return expression.quoted ? JSON.stringify(expression.text) : expression.text;
    case "not":
      return `!${show(expression.operand)}`;
    case "and":
      return `(${show(expression.left)} & ${show(expression.right)})`;
    case "or":
      return `(${show(expression.left)} | ${show(expression.right)})`;
  }
}

function parsed(text: string): Expression {
  const result = parseExpression(text);
  assert.ok(result.ok, `${text}: ${result.ok ? "" : result.message}`);
  return result.expression;
}

function failure(text: string): { message: string; column: number } {
  const result = parseExpression(text);
  assert.equal(result.ok, false, text);
  return result.ok ? { message: "", column: 0 } : { message: result.message, column: result.column };
}

function matches(text: string, trueAtoms: readonly string[]): boolean {
  return evaluateExpression(parsed(text), (atom) => trueAtoms.includes(atom));
}

describe("QRY-002 grammar", () => {
  test("QRY-002 precedence: ! binds tighter than &, & tighter than |", () => {
    assert.equal(show(parsed("a | b & c")), "(a | (b & c))");
    assert.equal(show(parsed("a & b | c")), "((a & b) | c)");
    assert.equal(show(parsed("!a & b")), "(!a & b)");
    assert.equal(show(parsed("!a | !b & c")), "(!a | (!b & c))");
  });

  test("QRY-002 & and | are left-associative", () => {
    assert.equal(show(parsed("a & b & c")), "((a & b) & c)");
    assert.equal(show(parsed("a | b | c")), "((a | b) | c)");
  });

  test("QRY-002 parentheses group", () => {
    assert.equal(show(parsed("(a | b) & c")), "((a | b) & c)");
    assert.equal(show(parsed("!(a | b)")), "!(a | b)");
    assert.equal(show(parsed("!(!a)")), "!!a");
    assert.equal(show(parsed("((a))")), "a");
  });

  test("QRY-002 whitespace between tokens is ignored", () => {
    assert.equal(show(parsed("a&b|!c")), "((a & b) | !c)");
    assert.equal(show(parsed("  a \t&\n b ")), "(a & b)");
    assert.equal(show(parsed("! a")), "!a");
  });

  test("QRY-002 words run up to whitespace and operator characters", () => {
    assert.equal(show(parsed("/libs/*/dist/**")), "/libs/*/dist/**");
    assert.equal(show(parsed("name:build&tag:x")), "(name:build & tag:x)");
    assert.equal(show(parsed("*")), "*");
    assert.equal(show(parsed("日本&x")), "(日本 & x)");
  });

  test("QRY-002 quoted atoms keep operator characters and unescape backslashes", () => {
    const atom = parsed('"a|b"');
    assert.deepEqual(atom, { kind: "atom", text: "a|b", quoted: true, column: 1, length: 5 });
    assert.equal((parsed(String.raw`"say \"hi\" \\ \x"`) as { text: string }).text, String.raw`say "hi" \ x`);
    assert.equal(show(parsed('"a b" & c')), '("a b" & c)');
    assert.deepEqual(parsed('""'), { kind: "atom", text: "", quoted: true, column: 1, length: 2 });
  });

  test("QRY-002 atoms and ! carry 1-based code-point columns and lengths as written", () => {
    const expression = parsed('日本 & !"x\\"y"');
    assert.equal(expression.kind, "and");
    if (expression.kind !== "and") return;
    assert.deepEqual(expression.left, { kind: "atom", text: "日本", quoted: false, column: 1, length: 2 });
    assert.deepEqual(expression.right, {
      kind: "not",
      column: 6,
      operand: { kind: "atom", text: 'x"y', quoted: true, column: 7, length: 6 },
    });
    assert.deepEqual(parsed("😀a | b"), {
      kind: "or",
      left: { kind: "atom", text: "😀a", quoted: false, column: 1, length: 2 },
      right: { kind: "atom", text: "b", quoted: false, column: 6, length: 1 },
    });
  });
});

describe("QRY-002 errors", () => {
  test("QRY-002 `lib &` expects an atom at column 6 (end of input)", () => {
    assert.deepEqual(failure("lib &"), { message: "expected an atom or `(` after `&`", column: 6 });
  });

  test("QRY-002 missing operand after |, ! and ( at the offending token", () => {
    assert.deepEqual(failure("a | "), { message: "expected an atom or `(` after `|`", column: 5 });
    assert.deepEqual(failure("a & | b"), { message: "expected an atom or `(` after `&`", column: 5 });
    assert.deepEqual(failure("!"), { message: "expected an atom or `(` after `!`", column: 2 });
    assert.deepEqual(failure("a & !)"), { message: "expected an atom or `(` after `!`", column: 6 });
    assert.deepEqual(failure("()"), { message: "expected an atom or `(` after `(`", column: 2 });
  });

  test("QRY-002 empty expression", () => {
    assert.deepEqual(failure(""), { message: "empty expression", column: 1 });
    assert.deepEqual(failure("   "), { message: "empty expression", column: 4 });
  });

  test("QRY-002 missing `)` at the end of input", () => {
    assert.deepEqual(failure("(a & b"), { message: "missing `)`", column: 7 });
    assert.deepEqual(failure("((a)"), { message: "missing `)`", column: 5 });
  });

  test("QRY-002 unterminated quote at the opening quote", () => {
    assert.deepEqual(failure('a & "b'), { message: "unterminated quote", column: 5 });
    assert.deepEqual(failure('"b\\"'), { message: "unterminated quote", column: 1 });
    assert.deepEqual(failure('"b\\'), { message: "unterminated quote", column: 1 });
    assert.deepEqual(failure('(a | "b'), { message: "unterminated quote", column: 6 });
    assert.deepEqual(failure('a "b'), { message: "unterminated quote", column: 3 });
  });

  test("QRY-002 `!!` is not allowed", () => {
    assert.deepEqual(failure("!!a"), { message: "`!!` is not allowed; write `!(!a)`", column: 2 });
    assert.deepEqual(failure("x & ! !y"), { message: "`!!` is not allowed; write `!(!a)`", column: 7 });
  });

  test("QRY-002 unexpected tokens", () => {
    assert.deepEqual(failure("a)"), { message: "unexpected `)`", column: 2 });
    assert.deepEqual(failure(")"), { message: "unexpected `)`", column: 1 });
    assert.deepEqual(failure("& a"), { message: "unexpected `&`", column: 1 });
    assert.deepEqual(failure("a b"), {
      message: "unexpected `b`; expected `&`, `|` or the end of the expression",
      column: 3,
    });
    assert.deepEqual(failure('a "b c"'), {
      message: 'unexpected `"b c"`; expected `&`, `|` or the end of the expression',
      column: 3,
    });
    assert.deepEqual(failure("a!b"), {
      message: "unexpected `!`; expected `&`, `|` or the end of the expression",
      column: 2,
    });
    assert.deepEqual(failure("(a b)"), { message: "unexpected `b`; expected `&`, `|` or `)`", column: 4 });
  });

  test("QRY-002 error columns count code points", () => {
    assert.deepEqual(failure("日本 &"), { message: "expected an atom or `(` after `&`", column: 5 });
    assert.deepEqual(failure("😀 )"), { message: "unexpected `)`", column: 3 });
  });
});

describe("evaluation and atoms", () => {
  test("QRY-003 --tags 'lib & !ts' keeps only lib without ts", () => {
    assert.equal(matches("lib & !ts", ["lib"]), true);
    assert.equal(matches("lib & !ts", ["lib", "ts"]), false);
    assert.equal(matches("lib & !ts", []), false);
  });

  test("CFG-024 EX-111 ts & !legacy over a [ts], b [ts, legacy], c []", () => {
    const projects: Record<string, string[]> = { a: ["ts"], b: ["ts", "legacy"], c: [] };
    const matched = Object.keys(projects).filter((name) => matches("ts & !legacy", projects[name]));
    assert.deepEqual(matched, ["a"]);
  });

  test("QRY-002 evaluation follows precedence", () => {
    assert.equal(matches("a | b & c", ["a"]), true);
    assert.equal(matches("(a | b) & c", ["a"]), false);
    assert.equal(matches("!(a | b)", []), true);
    assert.equal(matches("!(!a)", ["a"]), true);
  });

  test("QRY-002 evaluation short-circuits", () => {
    const asked: string[] = [];
    const record = (atom: string) => {
      asked.push(atom);
      return atom === "a";
    };
    evaluateExpression(parsed("a | b"), record);
    evaluateExpression(parsed("x & y"), record);
    assert.deepEqual(asked, ["a", "x"]);
  });

  test("ID-006 expressionAtoms lists every atom in source order", () => {
    const atoms = expressionAtoms(parsed('a | (b & !"c d") | a'));
    assert.deepEqual(
      atoms.map((atom) => [atom.text, atom.column, atom.length]),
      [["a", 1, 1], ["b", 6, 1], ["c d", 11, 5], ["a", 20, 1]],
    );
  });
});
