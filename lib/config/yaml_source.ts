/**
 * One configuration file parsed as YAML with source positions (01-workspace.md CFG-001, CFG-002,
 * DIAG-002/003): strict YAML 1.2 core schema, aliases resolved by hand (never expanded), positions
 * in code points, the kind of every node as the diagnostics name it.
 *
 * @module
 */

import {
  type Alias,
  type Document,
  isAlias,
  isCollection,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  type Node,
  parseDocument,
  type YAMLMap,
} from "yaml";
import { type Diagnostic, type DiagnosticLocation, errorDiagnostic } from "../domain/diagnostic.ts";
import { parseFastPath } from "./yaml_fast_path.ts";

/** A parsed file: its text, line starts and alias resolutions. */
export interface YamlFile {
  /** Workspace-absolute path, as printed in diagnostics. */
  readonly path: string;
  /** The text, BOM removed. */
  readonly text: string;
  /** Offsets (UTF-16 indexes) where each line starts. */
  readonly lineStarts: readonly number[];
  /** Every alias and the anchored node it stands for. */
  readonly aliases: ReadonlyMap<Alias, Node>;
  /** True when the text is ASCII only, so that a column is an offset. */
  readonly ascii?: boolean;
  /** The line texts cut so far, by index: the locations on one line share one string. */
  readonly lineTexts?: (string | undefined)[];
}

/** What locating an offset needs of a file. */
type LocatableFile = Pick<YamlFile, "path" | "text" | "lineStarts" | "ascii" | "lineTexts">;

/** The outcome of parsing: the root mapping (null for an empty document) or the CFG-001/002 error. */
export type ParsedYaml =
  | { ok: true; file: YamlFile; root: YAMLMap | null }
  | { ok: false; diagnostic: Diagnostic };

/** A YAML value kind, in the words of CFG-004. */
export type YamlKind = "string" | "integer" | "number" | "boolean" | "null" | "list" | "mapping";

const KIND_WORDS: Readonly<Record<YamlKind, string>> = {
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "a boolean",
  null: "null",
  list: "a list",
  mapping: "a mapping",
};

/** Tags of the core schema; anything else is non-standard (CFG-001). */
const CORE_TAGS = new Set(
  ["str", "int", "float", "bool", "null", "map", "seq"].map((name) => `tag:yaml.org,2002:${name}`).concat(
    "!",
  ),
);

// deno-lint-ignore no-control-regex
const ASCII_ONLY = /^[\u0000-\u007f]*$/;

/** The aliases of a file without any (every file the fast path reads): shared, never written. */
const NO_ALIASES: ReadonlyMap<Alias, Node> = new Map();

const CORE_INTEGER = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/;

const HELP_PATTERN = 'quote the pattern, e.g. `"**/*.ts"`';
const HELP_REFERENCE = 'quote references like `"[lib]:build"`';
const HELP_EXPRESSION = 'quote expressions like `"!legacy"`';

/** A syntax problem found at an offset range, before it becomes a diagnostic. */
interface SyntaxProblem {
  readonly start: number;
  readonly end: number;
  readonly detail: string;
  /** False when the problem cannot come from an unquoted value (no quoting help). */
  readonly quotingTrap?: boolean;
}

/** Number of code points in `text`. */
export function codePointCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is a single code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/** Offsets where lines start (after each `\n`). */
function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** Index of the line holding `offset` (binary search over line starts). */
function lineIndexOf(lineStarts: readonly number[], offset: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (lineStarts[middle] <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** The text of line `index`, without its line break (cut once per line when the file keeps them). */
function lineTextAt(file: Pick<YamlFile, "text" | "lineStarts" | "lineTexts">, index: number): string {
  const known = file.lineTexts?.[index];
  if (known !== undefined) return known;
  const start = file.lineStarts[index];
  const next = index + 1 < file.lineStarts.length ? file.lineStarts[index + 1] - 1 : file.text.length;
  const line = file.text.slice(start, next);
  const text = line.endsWith("\r") ? line.slice(0, -1) : line;
  if (file.lineTexts !== undefined) file.lineTexts[index] = text;
  return text;
}

/** Whether a UTF-16 code unit is whitespace that `trimEnd` removes, for ASCII text. */
function isAsciiSpace(unit: number): boolean {
  return unit === 0x20 || (unit >= 0x09 && unit <= 0x0d);
}

/**
 * The diagnostic location of the offset range `[start, end)`: line, column in code points, and a caret
 * count covering the part of the range on its first line (at least one).
 *
 * @example
 * ```ts
 * const parsed = parseYamlFile("a: tsc -p .\n", "/web/haz.yml");
 * if (parsed.ok) locateRange(parsed.file, 3, 11); // { path: "/web/haz.yml", line: 1, column: 4, length: 8, … }
 * ```
 */
export function locateRange(file: LocatableFile, start: number, end: number): DiagnosticLocation {
  const offset = Math.max(0, Math.min(start, file.text.length));
  const index = lineIndexOf(file.lineStarts, offset);
  const lineText = lineTextAt(file, index);
  const lineStart = file.lineStarts[index];
  if (file.ascii === true) {
    // Offsets are columns: no slicing or counting.
    let spanEnd = Math.min(Math.max(end, offset), lineStart + lineText.length);
    while (spanEnd > offset && isAsciiSpace(file.text.charCodeAt(spanEnd - 1))) spanEnd--;
    return {
      path: file.path,
      line: index + 1,
      column: offset - lineStart + 1,
      length: Math.max(1, spanEnd - offset),
      lineText,
    };
  }
  const before = file.text.slice(lineStart, offset);
  const spanEnd = Math.min(Math.max(end, offset), lineStart + lineText.length);
  const span = file.text.slice(offset, spanEnd).trimEnd();
  return {
    path: file.path,
    line: index + 1,
    column: codePointCount(before) + 1,
    length: Math.max(1, codePointCount(span)),
    lineText,
  };
}

/**
 * The location of a node as written (an alias is located on itself, not on its anchor).
 *
 * @example
 * ```ts
 * const parsed = parseYamlFile("tags: [lib]\n", "/haz.yml");
 * if (parsed.ok && parsed.root) locateNode(parsed.file, parsed.root.items[0].value as Node).column; // 7
 * ```
 */
export function locateNode(file: YamlFile, node: Node): DiagnosticLocation {
  const range = node.range;
  if (!range) return { path: file.path };
  return locateRange(file, range[0], range[1]);
}

/**
 * Follows an alias to the node it stands for; other nodes are returned as they are.
 *
 * @example
 * ```ts
 * const parsed = parseYamlFile("a: &x 1\nb: *x\n", "/haz.yml");
 * // resolveAlias(parsed.file, <the *x node>) is the scalar 1
 * ```
 */
export function resolveAlias(file: YamlFile, node: Node): Node {
  return isAlias(node) ? file.aliases.get(node) ?? node : node;
}

/**
 * The kind of a (resolved) node as CFG-004 names it. Integers are told apart from other numbers by
 * their tag or their core-schema source form (`2.0` is a number, `0x10` an integer).
 *
 * @example
 * ```ts
 * // for the value of `a: 2.0` → "number"; `a: 7` → "integer"; `a: yes` → "string"; `a:` → "null"
 * ```
 */
export function kindOf(file: YamlFile, node: Node | null): YamlKind {
  if (node === null) return "null";
  if (isMap(node)) return "mapping";
  if (isSeq(node)) return "list";
  if (!isScalar(node)) return "null";
  const value = node.value;
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number" || typeof value === "bigint") {
    if (node.tag === "tag:yaml.org,2002:int") return "integer";
    if (node.tag !== undefined) return "number";
    return CORE_INTEGER.test(sourceText(file, node)) ? "integer" : "number";
  }
  return "string";
}

/**
 * CFG-004's word for a kind: `a string`, `a list`, `a mapping`, `an integer`, `a number`, `a boolean`, `null`.
 *
 * @example
 * ```ts
 * describeKind("integer"); // "an integer"
 * ```
 */
export function describeKind(kind: YamlKind): string {
  return KIND_WORDS[kind];
}

/**
 * The exact source text of a node's value (quotes included for quoted scalars).
 *
 * @example
 * ```ts
 * // for the value of `PORT: 0x50` → "0x50"
 * ```
 */
export function sourceText(file: YamlFile, node: Node): string {
  const range = node.range;
  return range ? file.text.slice(range[0], range[1]) : "";
}

/** The help for the usual unquoted-value traps (CFG-001), judged from the offending line. */
function trapHelp(file: Pick<YamlFile, "text" | "lineStarts">, offset: number): string | undefined {
  const index = lineIndexOf(file.lineStarts, offset);
  const line = lineTextAt(file, index);
  const at = file.text[offset];
  const valueStart = /^\s*(?:-\s+)*(?:[^\s#'"{[][^#]*?:\s+)?/.exec(line)?.[0].length ?? 0;
  const value = line.slice(valueStart);
  if (/(?:^|[\s[,])\[[^\]\s"',]*\]~?:/.test(value)) return HELP_REFERENCE;
  for (const first of [at, value[0]]) {
    if (first === "*") return HELP_PATTERN;
    if (first === "!") return HELP_EXPRESSION;
  }
  return undefined;
}

/** Turns a parser message into the detail of `invalid YAML: <detail>`. */
function parserDetail(code: string, message: string): string {
  if (code === "MULTIPLE_DOCS") return "a file must hold exactly one YAML document";
  const unresolvedTag = /^Unresolved tag: (.*)$/.exec(message);
  if (unresolvedTag) return `unknown tag \`${unresolvedTag[1]}\``;
  const firstLine = message.split("\n")[0].replace(/\.$/, "");
  return firstLine.charAt(0).toLowerCase() + firstLine.slice(1);
}

/** Printed form of a tag: `!!binary` for the standard ones, as written otherwise. */
function printedTag(tag: string): string {
  return tag.startsWith("tag:yaml.org,2002:") ? `!!${tag.slice("tag:yaml.org,2002:".length)}` : tag;
}

/**
 * Walks every node once, in document order (a pair's key before its value): resolves each alias to
 * the last earlier node with its anchor, and finds non-core tags, undefined anchors and recursive
 * aliases. A plain recursive walk, because `yaml`'s generic `visit` copies and freezes the path at
 * every level, which made it a noticeable part of loading a large workspace.
 */
function resolveDocument(
  document: Document.Parsed,
): { aliases: Map<Alias, Node>; problems: SyntaxProblem[] } {
  const anchors = new Map<string, Node>();
  const aliases = new Map<Alias, Node>();
  const problems: SyntaxProblem[] = [];
  // The collections and pairs above the node being visited.
  const ancestors: unknown[] = [];
  const visitNode = (node: Node): void => {
    const range = node.range ?? [0, 0, 0];
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target === undefined) {
        problems.push({
          start: range[0],
          end: range[1],
          detail: `alias \`*${node.source}\` refers to an undefined anchor`,
        });
      } else if (ancestors.includes(target)) {
        problems.push({
          start: range[0],
          end: range[1],
          detail: `alias \`*${node.source}\` is recursive`,
          quotingTrap: false,
        });
      } else {
        aliases.set(node, target);
      }
      return;
    }
    if (node.anchor) anchors.set(node.anchor, node);
    if (node.tag !== undefined && !CORE_TAGS.has(node.tag)) {
      problems.push({
        start: range[0],
        end: range[1],
        detail: `unsupported tag \`${printedTag(node.tag)}\``,
        quotingTrap: false,
      });
    }
    if (!isCollection(node)) return;
    ancestors.push(node);
    for (const item of node.items) visitValue(item);
    ancestors.pop();
  };
  const visitValue = (value: unknown): void => {
    if (isNode(value)) {
      visitNode(value);
    } else if (isPair(value)) {
      ancestors.push(value);
      visitValue(value.key);
      visitValue(value.value);
      ancestors.pop();
    }
  };
  visitValue(document.contents);
  return { aliases, problems };
}

/** Builds the CFG-001 diagnostic for the earliest problem. */
function syntaxDiagnostic(
  file: Pick<YamlFile, "path" | "text" | "lineStarts">,
  problem: SyntaxProblem,
): Diagnostic {
  const help = problem.quotingTrap === false ? undefined : trapHelp(file, problem.start);
  return errorDiagnostic("CFG-001", `invalid YAML: ${problem.detail}`, {
    phase: 2,
    location: locateRange(file, problem.start, problem.end),
    ...(help === undefined ? {} : { help }),
  });
}

/**
 * Parses `text` (BOM already removed) as one YAML 1.2 document with the core schema. Syntax errors,
 * several documents, undefined or recursive aliases and non-standard tags are CFG-001 (the earliest
 * one, with help for the usual quoting traps); a root that is not a mapping is CFG-002. An empty
 * document, or one holding only `null`, gives `root: null`.
 *
 * @example
 * ```ts
 * const parsed = parseYamlFile("tasks:\n  build:\n    command: [tsc]\n", "/web/haz.yml");
 * parsed.ok; // true
 * ```
 */
export function parseYamlFile(text: string, path: string): ParsedYaml {
  const lines = {
    path,
    text,
    lineStarts: computeLineStarts(text),
    ascii: ASCII_ONLY.test(text),
    lineTexts: [] as (string | undefined)[],
  };
  const simple = parseFastPath(text);
  if (simple !== null) {
    const file: YamlFile = {
      path,
      text,
      lineStarts: lines.lineStarts,
      ascii: lines.ascii,
      lineTexts: lines.lineTexts,
      aliases: NO_ALIASES,
    };
    return { ok: true, file, root: simple };
  }
  let document: Document.Parsed;
  let resolved: { aliases: Map<Alias, Node>; problems: SyntaxProblem[] };
  try {
    document = parseDocument(text, { uniqueKeys: false, schema: "core", strict: true, prettyErrors: false });
    resolved = resolveDocument(document);
  } catch (error) {
    // The parser recurses per nesting level; absurdly deep input exhausts the stack.
    const detail = error instanceof RangeError ? "nesting is too deep" : String(error);
    return { ok: false, diagnostic: syntaxDiagnostic(lines, { start: 0, end: 0, detail }) };
  }
  const problems: SyntaxProblem[] = [...document.errors, ...document.warnings].map((error) => ({
    start: error.pos[0],
    end: error.pos[1],
    detail: parserDetail(error.code, error.message),
  }));
  problems.push(...resolved.problems);
  if (problems.length > 0) {
    const earliest = problems.reduce((best, problem) => problem.start < best.start ? problem : best);
    return { ok: false, diagnostic: syntaxDiagnostic(lines, earliest) };
  }
  const file: YamlFile = { ...lines, aliases: resolved.aliases };
  const contents = document.contents === null ? null : resolveAlias(file, document.contents);
  if (contents === null || kindOf(file, contents) === "null") return { ok: true, file, root: null };
  if (isMap(contents)) return { ok: true, file, root: contents };
  return {
    ok: false,
    diagnostic: errorDiagnostic(
      "CFG-002",
      `expected a mapping at the top level, found ${describeKind(kindOf(file, contents))}`,
      { phase: 2, location: locateNode(file, document.contents as Node) },
    ),
  };
}
