import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  renderDiagnostic,
  renderDiagnosticReport,
  sortDiagnostics,
} from "../../lib/cli/render_diagnostic.ts";
import type { Diagnostic } from "../../lib/domain/diagnostic.ts";

const SGR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

function diagnostic(overrides: Partial<Diagnostic>): Diagnostic {
  return {
    severity: "error",
    rule: "CFG-003",
    message: "unknown key `x` in haz.yml",
    phase: 2,
    ...overrides,
  };
}

describe("renderDiagnostic", () => {
  test("DIAG-001 header is severity, rule and message", () => {
    const text = renderDiagnostic(
      diagnostic({ severity: "warning", rule: "ID-006", message: "no project" }),
      false,
    );
    assert.equal(text, "warning[ID-006]: no project\n\n");
  });

  test("DIAG-002 location without position is the path alone, after a two-space gutter", () => {
    const text = renderDiagnostic(diagnostic({ location: { path: "/apps/My App/haz.yml" } }), false);
    assert.equal(text, "error[CFG-003]: unknown key `x` in haz.yml\n  --> /apps/My App/haz.yml\n\n");
  });

  test("DIAG-003 snippet with a two-digit gutter, carets under the span", () => {
    const text = renderDiagnostic(
      diagnostic({
        message: "unknown key `comand` in task `build`",
        location: { path: "/web/haz.yml", line: 3, column: 5, length: 6, lineText: "    comand: [tsc]" },
        help: "did you mean `command`?",
      }),
      false,
    );
    assert.equal(
      text,
      [
        "error[CFG-003]: unknown key `comand` in task `build`",
        "  --> /web/haz.yml:3:5",
        "   |",
        " 3 |     comand: [tsc]",
        "   |     ^^^^^^",
        "help: did you mean `command`?",
        "",
        "",
      ].join("\n"),
    );
  });

  test("DIAG-003 line >= 100 widens the gutter to three", () => {
    const text = renderDiagnostic(
      diagnostic({ location: { path: "/a/haz.yml", line: 104, column: 1, length: 2, lineText: "ab: 1" } }),
      false,
    );
    assert.equal(
      text,
      "error[CFG-003]: unknown key `x` in haz.yml\n   --> /a/haz.yml:104:1\n    |\n104 | ab: 1\n    | ^^\n\n",
    );
  });

  test("DIAG-003 line 99 keeps width two; line 10000 gets width five", () => {
    const at99 = renderDiagnostic(
      diagnostic({ location: { path: "/h", line: 99, column: 1, lineText: "a" } }),
      false,
    );
    assert.ok(at99.includes("\n  --> /h:99:1\n   |\n99 | a\n   | ^\n"), at99);
    const at10000 = renderDiagnostic(
      diagnostic({ location: { path: "/h", line: 10000, column: 1, lineText: "a" } }),
      false,
    );
    assert.ok(at10000.includes("\n     --> /h:10000:1\n      |\n10000 | a\n      | ^\n"), at10000);
  });

  test("DIAG-003 tabs show as one space, trailing whitespace is removed, at least one caret", () => {
    const text = renderDiagnostic(
      diagnostic({ location: { path: "/h", line: 2, column: 3, length: 0, lineText: "\ta\tb  \t" } }),
      false,
    );
    assert.ok(text.includes("\n 2 |  a b\n   |   ^\n"), text);
  });

  test("DIAG-004 notes then one help line, at column 1", () => {
    const text = renderDiagnostic(diagnostic({ notes: ["first", "second"], help: "do this" }), false);
    assert.equal(
      text,
      "error[CFG-003]: unknown key `x` in haz.yml\nnote: first\nnote: second\nhelp: do this\n\n",
    );
  });

  test("DIAG-005 colour only adds SGR sequences", () => {
    const plain = diagnostic({
      location: { path: "/web/haz.yml", line: 3, column: 5, length: 6, lineText: "    comand: [tsc]" },
      notes: ["n"],
      help: "h",
    });
    const coloured = renderDiagnostic(plain, true);
    assert.notEqual(coloured, renderDiagnostic(plain, false));
    assert.match(coloured, SGR);
    assert.equal(coloured.replace(SGR, ""), renderDiagnostic(plain, false));
    const report = renderDiagnosticReport([plain], true);
    assert.equal(report.replace(SGR, ""), renderDiagnosticReport([plain], false));
  });
});

describe("sortDiagnostics", () => {
  test("DIAG-006 orders by phase, path bytes, line, column, rule, message; unpositioned last in a phase", () => {
    const items: Diagnostic[] = [
      diagnostic({ phase: 4, rule: "DAG-012", location: { path: "/a/haz.yml", line: 1, column: 1 } }),
      diagnostic({ phase: 2, rule: "CFG-001", location: { path: "/b/haz.yml" } }),
      diagnostic({ phase: 2, rule: "CFG-004", location: { path: "/b/haz.yml", line: 2, column: 1 } }),
      diagnostic({ phase: 2, rule: "CFG-003", location: { path: "/b/haz.yml", line: 1, column: 9 } }),
      diagnostic({ phase: 2, rule: "CFG-006", location: { path: "/b/haz.yml", line: 1, column: 2 } }),
      diagnostic({ phase: 2, rule: "CFG-005", location: { path: "/b/haz.yml", line: 1, column: 2 } }),
      diagnostic({
        phase: 2,
        rule: "CFG-005",
        message: "a",
        location: { path: "/b/haz.yml", line: 1, column: 2 },
      }),
      diagnostic({ phase: 2, rule: "CFG-003", location: { path: "/B/haz.yml", line: 9, column: 9 } }),
      diagnostic({ phase: 1, rule: "DISC-008" }),
      diagnostic({
        phase: 1,
        rule: "DISC-005",
        location: { path: "/.haz/workspace.yml", line: 1, column: 1 },
      }),
    ];
    const order = sortDiagnostics(items).map((item) =>
      `${item.phase} ${item.rule} ${item.location?.path ?? "-"}:${item.location?.line ?? "-"}:${
        item.location?.column ?? "-"
      } ${item.message.slice(0, 1)}`
    );
    assert.deepEqual(order, [
      "1 DISC-005 /.haz/workspace.yml:1:1 u",
      "1 DISC-008 -:-:- u",
      "2 CFG-003 /B/haz.yml:9:9 u",
      "2 CFG-005 /b/haz.yml:1:2 a",
      "2 CFG-005 /b/haz.yml:1:2 u",
      "2 CFG-006 /b/haz.yml:1:2 u",
      "2 CFG-003 /b/haz.yml:1:9 u",
      "2 CFG-004 /b/haz.yml:2:1 u",
      "2 CFG-001 /b/haz.yml:-:- u",
      "4 DAG-012 /a/haz.yml:1:1 u",
    ]);
  });

  test("DIAG-006 compares paths by UTF-8 bytes, not UTF-16 units", () => {
    const astral = diagnostic({ location: { path: "/\u{1F600}/haz.yml", line: 1, column: 1 } });
    const bmp = diagnostic({ location: { path: "/\uFF61/haz.yml", line: 1, column: 1 } });
    assert.deepEqual(sortDiagnostics([astral, bmp]), [bmp, astral]);
  });

  test("DIAG-006 does not modify its input", () => {
    const items = [diagnostic({ phase: 2 }), diagnostic({ phase: 1 })];
    sortDiagnostics(items);
    assert.equal(items[0].phase, 2);
  });
});

describe("renderDiagnosticReport", () => {
  test("DIAG-008 closing line counts errors, not warnings", () => {
    const report = renderDiagnosticReport([
      diagnostic({ severity: "warning", rule: "DISC-006", message: "w", phase: 1 }),
      diagnostic({ message: "e1" }),
      diagnostic({ message: "e2" }),
    ], false);
    assert.equal(
      report,
      "warning[DISC-006]: w\n\nerror[CFG-003]: e1\n\nerror[CFG-003]: e2\n\nfound 2 errors\n",
    );
  });

  test("DIAG-008 singular for one error; EX-103 text", () => {
    const report = renderDiagnosticReport([
      diagnostic({
        rule: "DISC-001",
        message: "no haz workspace found in /tmp/x or any parent directory",
        help: "run `haz init` to create one",
        phase: 1,
      }),
    ], false);
    assert.equal(
      report,
      "error[DISC-001]: no haz workspace found in /tmp/x or any parent directory\n" +
        "help: run `haz init` to create one\n\nfound 1 error\n",
    );
  });

  test("DIAG-008 warnings alone print no closing line", () => {
    const report = renderDiagnosticReport([diagnostic({ severity: "warning", message: "w" })], false);
    assert.equal(report, "warning[CFG-003]: w\n\n");
    assert.equal(renderDiagnosticReport([], false), "");
  });
});
