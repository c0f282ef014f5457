import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isMap, isScalar, isSeq, type Node, parseDocument } from "yaml";
import { parseFastPath } from "../../lib/config/yaml_fast_path.ts";
import { locateRange } from "../../lib/config/yaml_source.ts";
import { seededRandom } from "../support/seeded_random.ts";

const REPO = join(import.meta.dirname ?? ".", "..", "..");

/**
 * What the validators and diagnostics can observe of a node: kinds, values, scalar styles and tags,
 * exact ranges of scalars and flow lists, and the printed location of block collections (their end
 * offset may differ, never the line, column and caret a diagnostic shows).
 */
function observable(text: string, node: unknown): unknown {
  const file = { path: "/haz.yml", text, lineStarts: lineStarts(text) };
  if (isScalar(node)) {
    return {
      scalar: node.value,
      js: typeof node.value,
      type: node.type,
      tag: node.tag,
      range: node.range?.slice(0, 2),
    };
  }
  if (isMap(node) || isSeq(node)) {
    const [start, end] = node.range!;
    const place = node.flow ? { range: [start, end] } : { located: locateRange(file, start, end) };
    const items = isMap(node)
      ? node.items.map((pair) => [observable(text, pair.key), observable(text, pair.value)])
      : node.items.map((item) => observable(text, item));
    return { kind: isMap(node) ? "map" : "seq", flow: node.flow ?? false, tag: node.tag, ...place, items };
  }
  return { other: String(node) };
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** The full parser's view, or null when it reports anything or the root is not a mapping. */
function fullParse(text: string): unknown {
  const document = parseDocument(text, {
    uniqueKeys: false,
    schema: "core",
    strict: true,
    prettyErrors: false,
  });
  if (document.errors.length > 0 || document.warnings.length > 0 || !isMap(document.contents)) return null;
  return observable(text, document.contents as Node);
}

/** Asserts that the fast path either declines or agrees with the full parser; true when it took the text. */
function agrees(text: string): boolean {
  const fast = parseFastPath(text);
  if (fast === null) return false;
  assert.deepEqual(observable(text, fast), fullParse(text), `fast path differs on ${JSON.stringify(text)}`);
  return true;
}

// Each pool: the shapes the fast path takes, then the traps it must leave alone (or read right).
const KEYS = [
  ["tasks", "build", "shell", "inputs", "deps", "env", "a", "b_c", "x.y", "web-app", "p/q", "_x", "A1"],
  [
    "null",
    "true",
    "True",
    "NULL",
    "1abc",
    "p:q",
    "<<",
    "two words",
    '"quoted"',
    "'single'",
    "-dash",
    "~",
    "a#b",
    "é",
  ],
] as const;
const SCALARS = [
  [
    "x",
    "hello world",
    "mkdir -p dist && cp src/x dist/y",
    "12",
    "0123",
    "007",
    "~",
    "null",
    "Null",
    "NULL",
    "nULL",
    "true",
    "False",
    "TRUE",
    "tRUE",
    "yes",
    "no",
    "a:b",
    "a#b",
    "x,y",
    "x]",
    "src/**/*.ts",
    "/libs/a.txt",
    '"q"',
    "'s'",
    "é ü ✓",
    "",
    "a - b",
    "a  b",
    '""',
    "''",
    '"#x"',
    "'a: b'",
    "[]",
    "[ ]",
    "[a]",
    "[a, b]",
    '["[lib]:build", "~:x"]',
    "[a , 'b' ]",
    "[a b, c]",
    "[a,b] #c",
    "[1, 2, ~, true]",
    '"a b "',
    "x y z",
  ],
  [
    "-1",
    "+1",
    "1.5",
    "1e3",
    "0x1F",
    "0o17",
    ".inf",
    ".NaN",
    "a: b",
    "a :b",
    "a:",
    "a #c",
    "[x",
    "{x}",
    "&a",
    "*a",
    "!x",
    "|",
    "> x",
    "%x",
    "@x",
    "`x`",
    '"esc\\n"',
    '"a\\"b"',
    "'it''s'",
    "'a'b'",
    '"a" b',
    "a\tb",
    " ",
    "?x",
    "? x",
    "- x",
    "-x",
    ":x",
    "x:",
    "#x",
    "[a,b,]",
    "[a, [b]]",
    "[a: b]",
    "[{x}]",
    "[a]x",
    "[ a,",
    "[#x]",
    "['a''b']",
    '["\\t"]',
    "[1.5]",
    "[-1]",
    "[x:y]",
    "[?x]",
  ],
] as const;
const TRAILERS = [["", "", "", " # comment", "  #c", "  ", " "], ["#c", "\t"]] as const;
const GAPS = [["", "", "", "\n", "# note\n", "  # indented note\n", "   \n"], ["\t\n", " #\n"]] as const;

/** Mostly the fast path's own shapes; now and then a trap. */
function draw(next: () => number, pools: readonly (readonly string[])[]): string {
  return pick(next, next() < 0.03 ? pools[1] : pools[0]);
}

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)];
}

/** A random document near the fast path's shape, with its usual traps mixed in. */
function generate(next: () => number): string {
  let text = pick(next, ["", "", "", "", "", "# header\n", "---\n", "%YAML 1.2\n---\n", "\n"]);
  const block = (indent: number, depth: number): void => {
    const entries = 1 + Math.floor(next() * 4);
    const asList = depth > 0 && next() < 0.2;
    for (let i = 0; i < entries; i++) {
      text += draw(next, GAPS);
      const pad = " ".repeat(Math.max(0, indent + (next() < 0.04 ? pick(next, [-1, 1, 2]) : 0)));
      const head = asList ? "- " : `${draw(next, KEYS)}:${next() < 0.05 ? "" : " "}`;
      const roll = next();
      if (!asList && depth < 3 && roll < 0.2) {
        text += `${pad}${head.trimEnd()}${draw(next, TRAILERS)}\n`;
        const step = pick(next, [2, 2, 4, 1, 3]);
        if (next() < 0.25) {
          const listPad = indent + (next() < 0.2 ? 0 : step);
          const items = 1 + Math.floor(next() * 3);
          for (let j = 0; j < items; j++) {
            text += `${" ".repeat(listPad)}-${next() < 0.05 ? "" : " "}${draw(next, SCALARS)}${
              draw(next, TRAILERS)
            }\n`;
          }
        } else if (next() < 0.9) {
          block(indent + step, depth + 1);
        }
      } else {
        text += `${pad}${head}${draw(next, SCALARS)}${draw(next, TRAILERS)}${next() < 0.03 ? "" : "\n"}`;
      }
    }
  };
  block(0, 0);
  return text + pick(next, ["", "", "", "", "", "# end\n", "\n\n", "...\n", "  more text\n"]);
}

describe("YAML fast path (CFG-001): the same nodes as the full parser, or none", () => {
  test("CFG-001 the repository's configuration files parse alike (or fall back)", () => {
    const files = [
      ...readdirSync(join(REPO, "examples"), { recursive: true, encoding: "utf8" })
        .filter((path) => path.endsWith(".yml"))
        .map((path) => join(REPO, "examples", path)),
    ];
    assert.ok(files.length >= 5);
    let taken = 0;
    for (const file of files) if (agrees(readFileSync(file, "utf8"))) taken++;
    assert.equal(taken, files.length, "every example file has the plain shape");
  });

  test("CFG-001 typical files take the fast path", () => {
    const typical = [
      'tasks:\n  build:\n    shell: mkdir -p dist && cp src/x dist/y\n    inputs: [src/x]\n    outputs: [dist]\n    deps: ["p0021:build", "p0026:build", "p0044:build"]\n',
      'projects: ["packages/*"]\n',
      "# a project\nname: web\ntags: [app, ui]\ntasks:\n  test:\n    command: [npm, test]\n    env:\n      CI: 'true'\n      N: 3\n    inputs:\n      - src/**\n      - \"!src/gen/**\"\n    cache: false\n    timeout: 120\n",
    ];
    for (const text of typical) assert.ok(agrees(text), JSON.stringify(text));
  });

  test("CFG-001 what the fast path leaves to the full parser", () => {
    const declined = [
      "a: &x 1\nb: *x\n",
      "a: |\n  text\n",
      "a: >\n  text\n",
      "a:\n- x\n",
      "a: {b: 1}\n",
      "a: !t x\n",
      "a:\tb\n",
      "a: b\r\n",
      'a: "x\\ny"\n',
      "a: 'it''s'\n",
      "a: b\n  c\n",
      "- x\n",
      "x\n",
      "",
      "# only\n",
      "a: [x,\n  y]\n",
      "a: 1.5\n",
      "a: -1\n",
      "a: 0x10\n",
      '"a": 1\n',
      "? a\n: b\n",
      "a: b: c\n",
      "---\na: 1\n",
    ];
    for (const text of declined) assert.equal(parseFastPath(text), null, JSON.stringify(text));
  });

  test("CFG-001 3000 generated documents: whatever the fast path takes, it reads as the full parser does", () => {
    const next = seededRandom(0x5eed);
    let taken = 0;
    const count = 3000;
    for (let i = 0; i < count; i++) if (agrees(generate(next))) taken++;
    // The generator must exercise the fast path, not only its refusals.
    assert.ok(taken > count / 10, `only ${taken} of ${count} documents took the fast path`);
  });
});
