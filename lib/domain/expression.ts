/**
 * The boolean filter expression of `haz query` and overlay `tagsFilter` (02-graph.md QRY-002,
 * 01-workspace.md CFG-024): parsing with positioned errors, evaluation, and atom listing.
 * What an atom means is up to the caller.
 *
 * @module
 */

/** A parsed expression. Columns are 1-based and counted in code points. */
export type Expression =
  | {
    readonly kind: "atom";
    /** The atom's value, quotes and escapes removed. */
    readonly text: string;
    readonly quoted: boolean;
    readonly column: number;
    /** Code points as written, quotes and backslashes included. */
    readonly length: number;
  }
  | { readonly kind: "not"; readonly operand: Expression; readonly column: number }
  | { readonly kind: "and" | "or"; readonly left: Expression; readonly right: Expression };

/** An atom of an {@linkcode Expression}. */
export type ExpressionAtom = Extract<Expression, { kind: "atom" }>;

/** The result of {@linkcode parseExpression}; a failure carries the QRY-002 message and column. */
export type ExpressionParse =
  | { ok: true; expression: Expression }
  | { ok: false; message: string; column: number };

type Failure = { ok: false; message: string; column: number };

type Token =
  | { readonly kind: "(" | ")" | "&" | "|" | "!"; readonly column: number; readonly length: 1 }
  | ExpressionAtom
  | { readonly kind: "unterminated"; readonly column: number; readonly length: number }
  | { readonly kind: "end"; readonly column: number; readonly length: 0 };

const OPERATORS = new Set(["(", ")", "&", "|", "!"]);
const WHITESPACE = /^\s$/u;

/**
 * Parses a filter expression (QRY-002): `!` binds tighter than `&`, which binds tighter than `|`; both
 * binary operators are left-associative; at most one `!` in a row. Errors are positioned at the offending
 * column, the end of input being length + 1.
 *
 * @example
 * ```ts
 * const parsed = parseExpression("lib & !ts");
 * parsed.ok; // true
 * parseExpression("lib &"); // { ok: false, message: "expected an atom or `(` after `&`", column: 6 }
 * ```
 */
export function parseExpression(text: string): ExpressionParse {
  const characters = Array.from(text);
  const tokens = tokenize(characters);
  if (tokens.length === 1) {
    return { ok: false, message: "empty expression", column: characters.length + 1 };
  }
  const parser = new Parser(tokens, characters);
  const parsed = parser.parseOr(null);
  if ("ok" in parsed) return parsed;
  const next = parser.peek();
  if (next.kind === "end") return { ok: true, expression: parsed };
  if (next.kind === ")") return fail("unexpected `)`", next);
  if (next.kind === "unterminated") return fail("unterminated quote", next);
  return fail(
    `unexpected \`${parser.written(next)}\`; expected \`&\`, \`|\` or the end of the expression`,
    next,
  );
}

/**
 * Evaluates an expression, asking `atomIsTrue` for each atom's value (short-circuiting).
 *
 * @example
 * ```ts
 * const parsed = parseExpression("ts & !legacy");
 * if (parsed.ok) evaluateExpression(parsed.expression, (tag) => tag === "ts"); // true
 * ```
 */
export function evaluateExpression(expression: Expression, atomIsTrue: (atom: string) => boolean): boolean {
  switch (expression.kind) {
    case "atom":
      return atomIsTrue(expression.text);
    case "not":
      return !evaluateExpression(expression.operand, atomIsTrue);
    case "and":
      return evaluateExpression(expression.left, atomIsTrue) &&
        evaluateExpression(expression.right, atomIsTrue);
    case "or":
      return evaluateExpression(expression.left, atomIsTrue) ||
        evaluateExpression(expression.right, atomIsTrue);
  }
}

/**
 * Lists every atom in source order (for atom validation and ID-006 warnings).
 *
 * @example
 * ```ts
 * const parsed = parseExpression("a | (b & !c)");
 * if (parsed.ok) expressionAtoms(parsed.expression).map((atom) => atom.text); // ["a", "b", "c"]
 * ```
 */
export function expressionAtoms(expression: Expression): ExpressionAtom[] {
  switch (expression.kind) {
    case "atom":
      return [expression];
    case "not":
      return expressionAtoms(expression.operand);
    case "and":
    case "or":
      return [...expressionAtoms(expression.left), ...expressionAtoms(expression.right)];
  }
}

function fail(message: string, token: Token): Failure {
  return { ok: false, message, column: token.column };
}

/** Splits the text into tokens, ending with an `end` token; an unclosed quote becomes `unterminated`. */
function tokenize(characters: readonly string[]): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < characters.length) {
    const character = characters[index];
    const column = index + 1;
    if (WHITESPACE.test(character)) {
      index++;
    } else if (OPERATORS.has(character)) {
      tokens.push({ kind: character as "(" | ")" | "&" | "|" | "!", column, length: 1 });
      index++;
    } else if (character === '"') {
      const quoted = readQuoted(characters, index);
      if (quoted === null) {
        tokens.push({ kind: "unterminated", column, length: characters.length - index });
        index = characters.length;
      } else {
        tokens.push({ kind: "atom", text: quoted.text, quoted: true, column, length: quoted.end - index });
        index = quoted.end;
      }
    } else {
      let end = index;
      while (end < characters.length && isWordCharacter(characters[end])) end++;
      tokens.push({
        kind: "atom",
        text: characters.slice(index, end).join(""),
        quoted: false,
        column,
        length: end - index,
      });
      index = end;
    }
  }
  tokens.push({ kind: "end", column: characters.length + 1, length: 0 });
  return tokens;
}

/** Reads a quoted atom starting at `start` (the opening quote); `end` is just past the closing quote. */
function readQuoted(characters: readonly string[], start: number): { text: string; end: number } | null {
  let text = "";
  let index = start + 1;
  while (index < characters.length) {
    const character = characters[index];
    if (character === '"') return { text, end: index + 1 };
    if (character === "\\") {
      if (index + 1 >= characters.length) return null;
      text += characters[index + 1];
      index += 2;
    } else {
      text += character;
      index++;
    }
  }
  return null;
}

function isWordCharacter(character: string): boolean {
  return !WHITESPACE.test(character) && !OPERATORS.has(character) && character !== '"';
}

/** Recursive descent over the token list; each rule returns a node or a failure. */
class Parser {
  #position = 0;
  readonly tokens: readonly Token[];
  readonly characters: readonly string[];

  constructor(tokens: readonly Token[], characters: readonly string[]) {
    this.tokens = tokens;
    this.characters = characters;
  }

  peek(): Token {
    return this.tokens[this.#position];
  }

  /** The token's text as written. */
  written(token: Token): string {
    return this.characters.slice(token.column - 1, token.column - 1 + token.length).join("");
  }

  /** `expr = and { "|" and }`; `after` is the operator before it, for messages. */
  parseOr(after: string | null): Expression | Failure {
    let left = this.parseAnd(after);
    while (!("ok" in left) && this.peek().kind === "|") {
      this.#position++;
      const right = this.parseAnd("|");
      if ("ok" in right) return right;
      left = { kind: "or", left, right };
    }
    return left;
  }

  /** `and = unary { "&" unary }`. */
  parseAnd(after: string | null): Expression | Failure {
    let left = this.parseUnary(after);
    while (!("ok" in left) && this.peek().kind === "&") {
      this.#position++;
      const right = this.parseUnary("&");
      if ("ok" in right) return right;
      left = { kind: "and", left, right };
    }
    return left;
  }

  /** `unary = [ "!" ] primary`. */
  parseUnary(after: string | null): Expression | Failure {
    const token = this.peek();
    if (token.kind !== "!") return this.parsePrimary(after);
    this.#position++;
    const next = this.peek();
    if (next.kind === "!") return fail("`!!` is not allowed; write `!(!a)`", next);
    const operand = this.parsePrimary("!");
    if ("ok" in operand) return operand;
    return { kind: "not", operand, column: token.column };
  }

  /** `primary = "(" expr ")" | atom`. */
  parsePrimary(after: string | null): Expression | Failure {
    const token = this.peek();
    if (token.kind === "atom") {
      this.#position++;
      return token;
    }
    if (token.kind === "unterminated") return fail("unterminated quote", token);
    if (token.kind === "(") {
      this.#position++;
      const inner = this.parseOr("(");
      if ("ok" in inner) return inner;
      const close = this.peek();
      if (close.kind === ")") {
        this.#position++;
        return inner;
      }
      if (close.kind === "end") return fail("missing `)`", close);
      if (close.kind === "unterminated") return fail("unterminated quote", close);
      return fail(`unexpected \`${this.written(close)}\`; expected \`&\`, \`|\` or \`)\``, close);
    }
    if (after === null) return fail(`unexpected \`${this.written(token)}\``, token);
    return fail(`expected an atom or \`(\` after \`${after}\``, token);
  }
}
