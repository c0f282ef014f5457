/**
 * A fast parser for the plain shape most configuration files have: block mappings with plain keys,
 * block lists of scalars, one-line flow lists, plain and simply quoted scalars, comments. It builds
 * the same `yaml` nodes, with the same values and positions, as the full parser, which takes over
 * (null result) the moment a file uses anything else. The full parser's generality made it most of
 * the time spent loading a large workspace.
 *
 * @module
 */

import { Pair, Scalar, YAMLMap, YAMLSeq } from "yaml";

/** A value that starts with one of these is left to the full parser (indicators, quotes with escapes…). */
const INDICATORS = new Set([..."-?:,[]{}#&*!|>'\"%@`"]);

/**
 * Plain keys taken here: a letter or `_`, then word characters, `.`, `/` or `-`; matched where the key
 * starts (sticky), never past its line (no line break is a key character).
 */
const PLAIN_KEY_AT = /[A-Za-z_][A-Za-z0-9_./-]*/y;

/** Control characters, line separators and a BOM: the full parser knows what to do with them. */
// deno-lint-ignore no-control-regex
const UNUSUAL_CHARACTER = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

const NULL_WORDS = new Set(["", "~", "null", "Null", "NULL"]);
/** A first letter none of the null, true and false words (nor a number) starts with. */
const WORDLESS_START = /^[A-EG-MO-SU-Za-eg-mo-su-z]/;
const TRUE_WORDS = new Set(["true", "True", "TRUE"]);
const FALSE_WORDS = new Set(["false", "False", "FALSE"]);

/** A content line: where it starts in the text, its indentation and where its text ends. */
interface Line {
  readonly start: number;
  readonly indent: number;
  /** Offset of the line break (or the end of the text). */
  readonly end: number;
}

/**
 * The prototype for nodes of one kind built here: yaml's class prototype plus the node-type mark that
 * yaml's constructors define on every instance with `Object.defineProperty`, the costliest part of
 * building a node. `isScalar` & co. read the mark through the prototype; `instanceof` still holds.
 */
function lightPrototype(probe: object): object {
  const marks = Object.getOwnPropertySymbols(probe);
  const descriptors: PropertyDescriptorMap = {};
  for (const mark of marks) descriptors[mark] = { value: (probe as Record<symbol, unknown>)[mark] };
  return Object.create(Object.getPrototypeOf(probe), descriptors);
}

const SCALAR_PROTOTYPE = lightPrototype(new Scalar(null));
const PAIR_PROTOTYPE = lightPrototype(new Pair(null));
const MAP_PROTOTYPE = lightPrototype(new YAMLMap());
const SEQ_PROTOTYPE = lightPrototype(new YAMLSeq());

function newScalar(value: unknown, type: Scalar.Type, range: [number, number, number]): Scalar {
  const scalar = Object.create(SCALAR_PROTOTYPE) as Scalar;
  scalar.value = value;
  scalar.type = type;
  scalar.range = range;
  return scalar;
}

function newPair(key: Scalar, value: Scalar | YAMLMap | YAMLSeq): Pair<Scalar, Scalar | YAMLMap | YAMLSeq> {
  const pair = Object.create(PAIR_PROTOTYPE) as Pair<Scalar, Scalar | YAMLMap | YAMLSeq>;
  pair.key = key;
  pair.value = value;
  return pair;
}

function newCollection<T extends YAMLMap | YAMLSeq>(prototype: object): T {
  const collection = Object.create(prototype) as T;
  collection.items = [];
  return collection;
}

/** Thrown inside the parser when the text leaves the supported shape; never escapes this module. */
class Unsupported extends Error {}

/**
 * Parses `text` when it is a non-empty block mapping in the supported shape; null otherwise (the
 * caller then uses the full parser, which also reports every error).
 *
 * @example
 * ```ts
 * const root = parseFastPath("tasks:\n  build:\n    shell: make\n    inputs: [src/x]\n");
 * root?.items.length; // 1
 * parseFastPath("a: &x 1\n"); // null: anchors need the full parser
 * ```
 */
export function parseFastPath(text: string): YAMLMap | null {
  if (UNUSUAL_CHARACTER.test(text)) return null;
  const parser = new FastParser(text);
  try {
    return parser.document();
  } catch (error) {
    if (error instanceof Unsupported) return null;
    throw error;
  }
}

class FastParser {
  readonly #text: string;
  readonly #lines: Line[];
  #next = 0;

  constructor(text: string) {
    this.#text = text;
    this.#lines = contentLines(text);
  }

  document(): YAMLMap {
    const first = this.#lines[0];
    if (first === undefined || first.indent !== 0) throw new Unsupported();
    const root = this.#blockMap(0);
    if (this.#next < this.#lines.length) throw new Unsupported();
    // The full parser's root reaches the end of the text.
    root.range = [root.range![0], this.#text.length, this.#text.length];
    return root;
  }

  #peek(): Line | undefined {
    return this.#lines[this.#next];
  }

  #blockMap(indent: number): YAMLMap {
    const map = newCollection<YAMLMap>(MAP_PROTOTYPE);
    const start = this.#peek()!.start + indent;
    let end = start;
    for (let line = this.#peek(); line !== undefined && line.indent === indent; line = this.#peek()) {
      this.#next++;
      const keyStart = line.start + indent;
      PLAIN_KEY_AT.lastIndex = keyStart;
      const keyText = PLAIN_KEY_AT.exec(this.#text)?.[0];
      if (keyText === undefined) throw new Unsupported();
      const keyEnd = keyStart + keyText.length;
      const key = plainScalar(keyText, keyStart, keyEnd);
      if (typeof key.value !== "string" || this.#text[keyEnd] !== ":") throw new Unsupported();
      const afterColon = keyEnd + 1;
      const rest = this.#text.slice(afterColon, line.end);
      let value: Scalar | YAMLMap | YAMLSeq;
      if (isBlankOrComment(rest)) {
        value = this.#nestedBlock(indent, afterColon);
      } else {
        if (rest[0] !== " ") throw new Unsupported();
        value = inlineValue(this.#text, afterColon, line.end);
      }
      map.items.push(newPair(key, value));
      end = this.#lastEnd();
    }
    const following = this.#peek();
    if (following !== undefined && following.indent > indent) throw new Unsupported();
    map.range = [start, end, end];
    return map;
  }

  /** The value of `key:` with nothing after it: a deeper block, or null. */
  #nestedBlock(parentIndent: number, afterColon: number): Scalar | YAMLMap | YAMLSeq {
    const next = this.#peek();
    // The full parser places an empty value where the spaces after the colon end.
    let at = afterColon;
    while (this.#text[at] === " ") at++;
    if (next === undefined || next.indent < parentIndent) return nullScalar(at);
    if (next.indent === parentIndent) {
      // `key:` followed by `- item` at the same indentation is a list: left to the full parser.
      if (this.#text[next.start + next.indent] === "-") throw new Unsupported();
      return nullScalar(at);
    }
    return this.#text[next.start + next.indent] === "-"
      ? this.#blockSeq(next.indent)
      : this.#blockMap(next.indent);
  }

  #blockSeq(indent: number): YAMLSeq {
    const seq = newCollection<YAMLSeq>(SEQ_PROTOTYPE);
    const start = this.#peek()!.start + indent;
    for (let line = this.#peek(); line !== undefined && line.indent === indent; line = this.#peek()) {
      const dash = line.start + indent;
      if (this.#text[dash] !== "-" || this.#text[dash + 1] !== " ") throw new Unsupported();
      this.#next++;
      const item = inlineValue(this.#text, dash + 1, line.end);
      seq.items.push(item);
    }
    const following = this.#peek();
    if (following !== undefined && following.indent > indent) throw new Unsupported();
    const end = this.#lastEnd();
    seq.range = [start, end, end];
    return seq;
  }

  /** Where the block that just ended stops: after the line break of its last line. */
  #lastEnd(): number {
    const last = this.#lines[this.#next - 1];
    return Math.min(last.end + 1, this.#text.length);
  }
}

/** Every line that holds content (not blank, not only a comment). */
function contentLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start <= text.length) {
    const breakAt = text.indexOf("\n", start);
    const end = breakAt < 0 ? text.length : breakAt;
    let indent = 0;
    while (text[start + indent] === " ") indent++;
    const first = text[start + indent];
    if (start + indent < end && first !== "#") lines.push({ start, indent, end });
    if (breakAt < 0) break;
    start = breakAt + 1;
  }
  return lines;
}

function isBlankOrComment(rest: string): boolean {
  const trimmed = rest.trimStart();
  return trimmed === "" || (trimmed[0] === "#" && trimmed.length < rest.length);
}

/**
 * The scalar or one-line flow list that follows `- ` or `key: `. `from` is just after the
 * indicator; the value must be separated from it by at least one space.
 */
function inlineValue(text: string, from: number, lineEnd: number): Scalar | YAMLSeq {
  let start = from;
  while (text[start] === " ") start++;
  if (start === from) throw new Unsupported();
  if (text[start] === "[") return flowSeq(text, start, lineEnd);
  if (text[start] === '"' || text[start] === "'") {
    const scalar = quotedScalar(text, start, lineEnd);
    expectEndOfLine(text, scalar.range![1], lineEnd);
    return scalar;
  }
  const segment = text.slice(start, lineEnd);
  const comment = segment.indexOf(" #");
  const raw = (comment < 0 ? segment : segment.slice(0, comment)).trimEnd();
  if (raw.includes(": ") || raw.endsWith(":")) throw new Unsupported();
  return plainScalar(raw, start, start + raw.length);
}

/** A one-line `[a, "b", 'c']` of scalars. */
function flowSeq(text: string, open: number, lineEnd: number): YAMLSeq {
  const seq = newCollection<YAMLSeq>(SEQ_PROTOTYPE);
  seq.flow = true;
  let at = open + 1;
  for (;;) {
    while (text[at] === " ") at++;
    if (text[at] === "]" && seq.items.length === 0) break;
    let item: Scalar;
    if (text[at] === '"' || text[at] === "'") {
      item = quotedScalar(text, at, lineEnd);
      at = item.range![1];
    } else {
      let end = at;
      while (end < lineEnd && !",]".includes(text[end])) end++;
      const raw = text.slice(at, end).trimEnd();
      if (raw === "" || /[[\]{}#:]/.test(raw)) throw new Unsupported();
      item = plainScalar(raw, at, at + raw.length);
      at += raw.length;
    }
    seq.items.push(item);
    while (text[at] === " ") at++;
    if (text[at] === ",") {
      at++;
      continue;
    }
    if (text[at] === "]") break;
    throw new Unsupported();
  }
  const close = at + 1;
  expectEndOfLine(text, close, lineEnd);
  seq.range = [open, close, close];
  return seq;
}

/** A quoted scalar without escapes or line breaks; its range includes the quotes. */
function quotedScalar(text: string, open: number, lineEnd: number): Scalar {
  const quote = text[open];
  const close = text.indexOf(quote, open + 1);
  if (close < 0 || close >= lineEnd) throw new Unsupported();
  const content = text.slice(open + 1, close);
  if (quote === '"' && content.includes("\\")) throw new Unsupported();
  // `''` inside single quotes is an escaped quote.
  if (quote === "'" && text[close + 1] === "'") throw new Unsupported();
  return newScalar(content, quote === '"' ? Scalar.QUOTE_DOUBLE : Scalar.QUOTE_SINGLE, [
    open,
    close + 1,
    close + 1,
  ]);
}

/** Only spaces, or spaces and a comment, may follow a value on its line. */
function expectEndOfLine(text: string, from: number, lineEnd: number): void {
  const rest = text.slice(from, lineEnd);
  if (rest.trim() === "") return;
  if (!/^ +#/.test(rest)) throw new Unsupported();
}

/** A plain scalar resolved by the core schema, for the forms taken here. */
function plainScalar(raw: string, start: number, end: number): Scalar {
  if (raw !== "" && INDICATORS.has(raw[0])) throw new Unsupported();
  return newScalar(resolvePlain(raw), Scalar.PLAIN, [start, end, end]);
}

function resolvePlain(raw: string): string | number | boolean | null {
  // Most values start with a letter that begins no null, boolean or number word: a string.
  if (WORDLESS_START.test(raw)) return raw;
  if (NULL_WORDS.has(raw)) return null;
  if (TRUE_WORDS.has(raw)) return true;
  if (FALSE_WORDS.has(raw)) return false;
  if (/^[0-9]+$/.test(raw)) return Number(raw);
  // Other numbers (signs, fractions, exponents, 0x, 0o, .inf) and everything number-like: full parser.
  if (/^[0-9+.]/.test(raw)) throw new Unsupported();
  return raw;
}

function nullScalar(at: number): Scalar {
  return newScalar(null, Scalar.PLAIN, [at, at, at]);
}
