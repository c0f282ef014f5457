import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../lib/config/load_config.ts";
import { renderDiagnosticReport, sortDiagnostics } from "../../lib/cli/render_diagnostic.ts";
import { withWorkspaceFixture } from "../support/workspace_fixture.ts";
import { diagnosticLines as lines, loadWebProject as loadWeb } from "../support/config_fixture.ts";

describe("YAML ground rules", () => {
  test("CFG-001 syntax error at the parser's position; the file contributes nothing", async () => {
    const { project, diagnostics } = await loadWeb("tags: [a]\ntasks:\n  build: {command: [x]\n");
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0].rule, "CFG-001");
    assert.match(diagnostics[0].message, /^invalid YAML: /);
    assert.deepEqual([project?.incomplete, project?.tags, project?.tasks.size], [true, [], 0]);
  });

  test("CFG-001 several documents", async () => {
    const { diagnostics } = await loadWeb("tags: [a]\n---\ntags: [b]\n");
    assert.deepEqual(lines(diagnostics), [
      "CFG-001 2:1 invalid YAML: a file must hold exactly one YAML document",
    ]);
  });

  test("CFG-001 non-standard tags, local and `!!` ones", async () => {
    const local = await loadWeb("tasks:\n  a: !foo {command: [x]}\n");
    assert.deepEqual(lines(local.diagnostics), [
      'CFG-001 2:6 invalid YAML: unknown tag `!foo` | quote expressions like `"!legacy"`',
    ]);
    const binary = await loadWeb("tasks:\n  a: {command: [!!binary aGk=]}\n");
    assert.deepEqual(lines(binary.diagnostics), ["CFG-001 2:26 invalid YAML: unsupported tag `!!binary`"]);
  });

  test("CFG-001 anchors and aliases may be used; undefined and recursive aliases are errors", async () => {
    const ok = await loadWeb("tasks:\n  a: &body {command: [make]}\n  b: *body\n");
    assert.deepEqual(ok.diagnostics, []);
    assert.deepEqual([...ok.project!.tasks.keys()], ["a", "b"]);
    assert.deepEqual(ok.project!.tasks.get("b")!.action, { kind: "command", argv: ["make"] });
    const recursive = await loadWeb("tags: &t [*t]\n");
    assert.deepEqual(lines(recursive.diagnostics), ["CFG-001 1:11 invalid YAML: alias `*t` is recursive"]);
  });

  test("CFG-001 help for the `[` trap (unquoted fan-out reference)", async () => {
    const { diagnostics } = await loadWeb("tasks:\n  t:\n    deps:\n      - [lib]:build\n");
    assert.equal(diagnostics[0].rule, "CFG-001");
    assert.equal(diagnostics[0].help, 'quote references like `"[lib]:build"`');
    assert.equal(diagnostics[0].location?.line, 4);
  });

  test("CFG-001 help for the `*` trap inside a flow list", async () => {
    const { diagnostics } = await loadWeb("tasks:\n  t: {command: [x], inputs: [**/*.ts]}\n");
    assert.deepEqual(lines(diagnostics), [
      'CFG-001 2:30 invalid YAML: alias `**/*.ts` refers to an undefined anchor | quote the pattern, e.g. `"**/*.ts"`',
    ]);
  });

  test("CFG-001 core schema: yes/no/on/off are strings, `~` and empty are null", async () => {
    const { project, diagnostics } = await loadWeb("tags: [yes, no, on, off]\n");
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(project?.tags, ["no", "off", "on", "yes"]);
    const nulls = await loadWeb("name: ~\ntags:\n");
    assert.deepEqual(lines(nulls.diagnostics).map((line) => line.split(" | ")[0]), [
      "CFG-005 1:7 `name` must be a string, found null",
      "CFG-005 2:1 `tags` must be a list of strings, found null",
    ]);
  });

  test("CFG-001 merge keys are ordinary, hence unknown, keys", async () => {
    const { diagnostics } = await loadWeb("tasks:\n  a:\n    <<: {command: [x]}\n");
    assert.deepEqual(lines(diagnostics), ["CFG-003 3:5 unknown key `<<` in task `a`"]);
  });

  test("CFG-002 the root must be a mapping; empty, comment-only and null documents are empty", async () => {
    const list = await loadWeb("- a\n- b\n");
    assert.deepEqual(lines(list.diagnostics), [
      "CFG-002 1:1 expected a mapping at the top level, found a list",
    ]);
    assert.equal(list.project?.incomplete, true);
    const scalar = await loadWeb("hello\n");
    assert.deepEqual(lines(scalar.diagnostics), [
      "CFG-002 1:1 expected a mapping at the top level, found a string",
    ]);
    for (const empty of ["", "# only a comment\n", "~\n", "null\n"]) {
      const loaded = await loadWeb(empty);
      assert.deepEqual(loaded.diagnostics, [], JSON.stringify(empty));
      assert.equal(loaded.project?.incomplete, false);
    }
  });

  test("CFG-003 unknown keys in every context, with did-you-mean and synonyms", async () => {
    const { diagnostics } = await loadWeb(
      [
        "nmae: web",
        "tasks:",
        "  a:",
        "    cmd: [x]",
        "  b:",
        "    command: [x]",
        "    env: {from_hots: [A]}",
        "    mutex: {name: m, kind: shared}",
        "  c:",
        "    shell: {using: sh, script: x, extra: 1}",
        "",
      ].join("\n"),
    );
    assert.deepEqual(lines(diagnostics), [
      "CFG-003 1:1 unknown key `nmae` in haz.yml | did you mean `name`?",
      "CFG-003 4:5 unknown key `cmd` in task `a` | did you mean `command`?",
      "CFG-003 7:11 unknown key `from_hots` in `env` of task `b` | did you mean `from_host`?",
      "CFG-003 8:22 unknown key `kind` in `mutex` of task `b`",
      "CFG-003 10:35 unknown key `extra` in `shell` of task `c`",
    ]);
  });

  test("CFG-004 types: integers must be YAML integers; list elements are located on themselves", async () => {
    const { diagnostics } = await loadWeb(
      'name: 5\ntags: [a, 2.0, "b", [c]]\ntasks:\n  t: {command: [x], cache: "true", description: 1}\n',
    );
    assert.deepEqual(lines(diagnostics), [
      "CFG-004 1:7 `name` must be a string, found an integer",
      "CFG-004 2:11 `tags` must be a list of strings, found a number",
      "CFG-004 2:21 `tags` must be a list of strings, found a list",
      "CFG-004 4:28 `cache` must be a boolean, found a string",
      "CFG-004 4:49 `description` must be a string, found an integer",
    ]);
  });

  test("CFG-005 no key accepts null; `inputs:` gets help", async () => {
    const { diagnostics } = await loadWeb(
      "tasks:\n  t:\n    command: [x]\n    inputs:\n    description: ~\n",
    );
    assert.deepEqual(lines(diagnostics), [
      "CFG-005 4:5 `inputs` must be a list of strings, found null | omit the key, or write `[]` / `{}`",
      "CFG-005 5:18 `description` must be a string, found null | omit the key",
    ]);
  });

  test("CFG-006 a repeated key is an error on its second occurrence", async () => {
    const { project, diagnostics } = await loadWeb(
      "tags: [a]\ntags: [b]\ntasks:\n  t: {command: [x], command: [y]}\n  u: {command: [u]}\n  u: {command: [v]}\n",
    );
    assert.deepEqual(lines(diagnostics), [
      "CFG-006 2:1 duplicate key `tags`",
      "CFG-006 4:21 duplicate key `command`",
      "CFG-006 6:3 duplicate key `u`",
    ]);
    assert.deepEqual(project?.tags, ["a"]);
    assert.deepEqual([...project!.droppedTasks].sort(), ["t", "u"]);
  });

  test("CFG-007 duplicate entries: tags and references textually, patterns canonically", async () => {
    const { diagnostics } = await loadWeb(
      [
        "tags: [a, b, a]",
        "tasks:",
        "  t:",
        "    command: [x, x]",
        '    inputs: [src/a, /web/src/a, "!src/a", src/*, /web/src/*]',
        '    deps: ["~:u", "web:u", "~:u"]',
        "  u: {command: [y]}",
        "",
      ].join("\n"),
    );
    assert.deepEqual(lines(diagnostics), [
      "CFG-007 1:14 duplicate entry `a` in `tags`",
      "CFG-007 5:21 duplicate entry `/web/src/a` in `inputs`",
      "CFG-007 5:50 duplicate entry `/web/src/*` in `inputs`",
      "CFG-007 6:28 duplicate entry `~:u` in `deps`",
    ]);
  });

  test("CFG-008 command elements and override values take plain scalars as their source text", async () => {
    const { project, diagnostics } = await loadWeb(
      "tasks:\n  t:\n    command: [sleep, 1, 0x10, true, 1.50]\n    env: {override: {PORT: 0x50, ON: yes, F: 1e3}}\n",
    );
    assert.deepEqual(diagnostics, []);
    const body = project!.tasks.get("t")!;
    assert.deepEqual(body.action, { kind: "command", argv: ["sleep", "1", "0x10", "true", "1.50"] });
    assert.deepEqual([...body.env.override], [["PORT", "0x50"], ["ON", "yes"], ["F", "1e3"]]);
  });

  test("CFG-008 null is still an error and no string may contain U+0000", async () => {
    const { diagnostics } = await loadWeb(
      'tasks:\n  t:\n    command: [a, ~]\n    description: "a\\0b"\n    env: {override: {X: ~}}\n',
    );
    assert.deepEqual(lines(diagnostics), [
      "CFG-004 3:18 `command` must be a list of strings, found null",
      "CFG-008 4:18 `description` must not contain the character U+0000",
      "CFG-005 5:25 `X` must be a string, found null | omit the key",
    ]);
  });

  test("CFG-009 invalid UTF-8 and unreadable files are located on the file only; a BOM is ignored", async () => {
    const invalid = await loadWeb(new Uint8Array([0x74, 0x61, 0x67, 0x73, 0x3a, 0x20, 0xff, 0x0a]));
    assert.deepEqual(lines(invalid.diagnostics), ["CFG-009 -:- /web/haz.yml is not valid UTF-8"]);
    assert.deepEqual(invalid.diagnostics[0].location, { path: "/web/haz.yml" });
    assert.equal(invalid.project?.incomplete, true);
    const bom = await loadWeb("\uFEFFnope: 1\n");
    assert.deepEqual(lines(bom.diagnostics), ["CFG-003 1:1 unknown key `nope` in haz.yml"]);
    assert.equal(bom.diagnostics[0].location?.lineText, "nope: 1");
    await withWorkspaceFixture({ ".haz/workspace.yml": "", "haz.yml": { directory: true } }, async (fx) => {
      const loaded = await loadConfig(fx.root);
      assert.deepEqual(lines(loaded.diagnostics), ["CFG-009 -:- cannot read /haz.yml: is a directory"]);
    });
  });

  test("DIAG-003 a diagnostic on line 104 of a file gets a three-wide gutter", async () => {
    const { diagnostics } = await loadWeb(`${"# filler\n".repeat(103)}nope: 1\n`);
    assert.equal(
      renderDiagnosticReport(diagnostics, false),
      "error[CFG-003]: unknown key `nope` in haz.yml\n   --> /web/haz.yml:104:1\n    |\n104 | nope: 1\n" +
        "    | ^^^^\n\nfound 1 error\n",
    );
  });

  test("DIAG-002 columns count code points; carets span the node on its line", async () => {
    const { diagnostics } = await loadWeb('tags: ["\u{1F600}", 5]\n');
    assert.deepEqual(
      sortDiagnostics(diagnostics).map((d) => [d.rule, d.location?.column, d.location?.length]),
      [["ID-001", 8, 3], ["CFG-004", 13, 1]],
    );
  });
});
