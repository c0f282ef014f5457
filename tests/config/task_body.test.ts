import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { sortDiagnostics } from "../../lib/cli/render_diagnostic.ts";
import type { TaskBody } from "../../lib/domain/workspace.ts";
import { diagnosticLines as lines, loadWebProject as loadWeb } from "../support/config_fixture.ts";

/** `2:<column>` of `needle` in the line `  t: <body>` that {@link task} writes. */
function at(body: string, needle: string): string {
  const index = body.indexOf(needle);
  assert.ok(index >= 0, needle);
  return `2:${"  t: ".length + index + 1}`;
}

/** Loads one task body and returns its diagnostics lines. */
async function problems(body: string): Promise<string[]> {
  return (await task(body)).lines;
}

/** Loads one task `t` written as a flow mapping and returns its body (or the diagnostics). */
async function task(
  body: string,
): Promise<{ body: TaskBody | undefined; lines: string[]; dropped: boolean }> {
  const { project, diagnostics } = await loadWeb(`tasks:\n  t: ${body}\n`);
  return { body: project.tasks.get("t"), lines: lines(diagnostics), dropped: project.droppedTasks.has("t") };
}

describe("project file", () => {
  test("CFG-010 `name` must be an identifier; an invalid name makes the project incomplete", async () => {
    const { project, diagnostics } = await loadWeb("name: my.web\n");
    assert.deepEqual(lines(diagnostics), [
      "ID-001 1:7 invalid project name `my.web`: name `my.web` contains `.`; allowed are ASCII letters, digits, `_` and `-`",
    ]);
    assert.equal(project.incomplete, true);
  });

  test("CFG-011 tags: identifiers, no duplicates, kept in byte order", async () => {
    const { project, diagnostics } = await loadWeb("tags: [ts, B, a, -x]\n");
    assert.deepEqual(lines(diagnostics), [
      "ID-002 1:18 invalid tag name `-x`: name `-x` must start with an ASCII letter or digit",
    ]);
    assert.deepEqual(project.tags, ["B", "a", "ts"]);
  });

  test("CFG-012 task names satisfy ID-001..003; a bad name is dropped", async () => {
    const long = "a".repeat(65);
    const { project, diagnostics } = await loadWeb(`tasks:\n  ${long}: {command: [x]}\n  _x: {}\n  ok: {}\n`);
    assert.deepEqual(lines(diagnostics), [
      `ID-003 2:3 invalid task name \`${long}\`: name \`${long}\` is 65 bytes long; maximum is 64`,
      "ID-002 3:3 invalid task name `_x`: name `_x` must start with an ASCII letter or digit",
    ]);
    assert.deepEqual([...project.tasks.keys()], ["ok"]);
    assert.deepEqual([...project.droppedTasks], [long, "_x"]);
  });

  test("CFG-012 `tasks` must be a mapping; otherwise the project is incomplete", async () => {
    const { project, diagnostics } = await loadWeb("tasks: [build]\n");
    assert.deepEqual(lines(diagnostics), ["CFG-004 1:8 `tasks` must be a mapping, found a list"]);
    assert.equal(project.incomplete, true);
    const body = await loadWeb("tasks: {t: [x]}\n");
    assert.deepEqual(lines(body.diagnostics), ["CFG-004 1:12 `t` must be a mapping, found a list"]);
  });

  test("ID-004 names are case-sensitive: `Build` and `build` are two tasks", async () => {
    const { project, diagnostics } = await loadWeb("tasks: {Build: {}, build: {}}\n");
    assert.deepEqual(diagnostics, []);
    assert.deepEqual([...project.tasks.keys()], ["Build", "build"]);
  });
});

describe("task body", () => {
  test("CFG-013 `command` and `shell` together: error on the second", async () => {
    const body = "{shell: make, command: [make]}";
    const result = await task(body);
    assert.deepEqual(result.lines, [
      "CFG-013 " + at(body, "command") + " `command` cannot be combined with `shell`" +
      " | a task runs either `command` (argv, no shell) or `shell` (a script), not both",
    ]);
    assert.equal(result.dropped, true);
  });

  test("CFG-014 command: empty list, empty program, non-list", async () => {
    const empty = "{command: []}";
    assert.deepEqual(await problems(empty), [
      "CFG-014 " + at(empty, "[]") + " `command` must not be an empty list" +
      " | give the program and its arguments, e.g. `[tsc, -p, .]`",
    ]);
    const blank = '{command: ["", x]}';
    assert.deepEqual(await problems(blank), [
      "CFG-014 " + at(blank, '""') + " the program name (first element of `command`) must not be empty",
    ]);
    const mapping = "{command: {a: 1}}";
    assert.deepEqual(await problems(mapping), [
      "CFG-004 " + at(mapping, "{a") + " `command` must be a list of strings, found a mapping",
    ]);
  });

  test("CFG-015 shell: string runs `sh -c`; mapping needs both keys; name and script checked", async () => {
    assert.deepEqual((await task('{shell: "make all"}')).body?.action, {
      kind: "shell",
      shell: "sh",
      script: "make all",
    });
    assert.deepEqual((await task("{shell: {using: zsh, script: ls}}")).body?.action, {
      kind: "shell",
      shell: "zsh",
      script: "ls",
    });
    const blank = '{shell: " \\t"}';
    assert.deepEqual(await problems(blank), ["CFG-015 " + at(blank, '"') + " `script` must not be blank"]);
    const half = "{shell: {using: bash}}";
    assert.deepEqual(await problems(half), [
      "CFG-015 " + at(half, "{using") + " `shell` mapping needs both `using` and `script`",
    ]);
    const badName = '{shell: {using: "b sh", script: x}}';
    assert.deepEqual(await problems(badName), [
      "CFG-015 " + at(badName, '"b sh"') + " invalid shell name `b sh`" +
      " | a shell name is 1 to 32 ASCII letters, digits, `_` or `-`, starting with a letter or digit",
    ]);
    const blankScript = '{shell: {using: bash, script: "  "}}';
    assert.deepEqual(await problems(blankScript), [
      "CFG-015 " + at(blankScript, '"  "') + " `script` must not be blank",
    ]);
    const list = "{shell: [ls]}";
    assert.deepEqual(await problems(list), [
      "CFG-004 " + at(list, "[ls]") + " `shell` must be a string or a mapping, found a list",
    ]);
  });

  test("CFG-016 aggregate tasks may only have deps, weakDeps and description", async () => {
    const ok = await task('{deps: ["~:u"], weakDeps: ["~:v"], description: d}');
    assert.deepEqual(ok.lines, []);
    assert.equal(ok.body?.action, null);
    assert.deepEqual((await task("{}")).body?.action, null);
    const body = '{outputs: [dist], cache: false, mutex: m, env: {}, timeout: 5s, inputs: ["x"]}';
    const keys = ["outputs", "cache", "mutex", "env", "timeout", "inputs"];
    assert.deepEqual(
      await problems(body),
      keys.map((key) =>
        "CFG-016 " + at(body, key) + " `" + key +
        "` is not allowed on aggregate task `t` | add `command:` or `shell:`"
      ),
    );
  });

  test("CFG-017 / CFG-044 inputs: patterns as written, `!` marks an exclusion", async () => {
    const text = '{command: [x], inputs: ["**/*", "!dist/**", src/a.ts]}';
    const { body, lines: found } = await task(text);
    assert.deepEqual(found, []);
    assert.deepEqual(body?.inputs?.map((spec) => [spec.text, spec.exclude, `2:${spec.location?.column}`]), [
      ["**/*", false, at(text, '"**/*"')],
      ["dist/**", true, at(text, '"!dist')],
      ["src/a.ts", false, at(text, "src/a.ts")],
    ]);
  });

  test("ADOPT-100 / CFG-044 outputs may exclude, but not only exclude", async () => {
    const text = '{command: [x], outputs: [".next/**", "!.next/cache/**"]}';
    const { body, lines: found } = await task(text);
    assert.deepEqual(found, []);
    assert.deepEqual(body?.outputs.map((spec) => [spec.text, spec.exclude]), [
      [".next/**", false],
      [".next/cache/**", true],
    ]);
    const only = '{command: [x], outputs: ["!dist"]}';
    assert.deepEqual(await problems(only), [
      "CFG-044 " + at(only, '["!dist"]') + " `outputs` has nothing to include" +
      " | list what the task writes; `!` entries only remove files from it",
    ]);
  });

  test("PATH-002..016 invalid patterns are reported under their own rule", async () => {
    const body =
      '{command: [x], inputs: ["../x", "a//b", "dist/", "/.git/HEAD", ".haz/x", "[!a]*", "{a}", "src/[a", "a\\\\", "!", "/"]}';
    const found = await problems(body);
    assert.deepEqual(found.map((line) => line.split(" ")[0]), [
      "PATH-004",
      "PATH-003",
      "PATH-003",
      "PATH-006",
      "PATH-006",
      "PATH-012",
      "PATH-013",
      "PATH-015",
      "PATH-014",
      "PATH-002",
      "PATH-002",
    ]);
    assert.ok(
      found[0].startsWith("PATH-004 " + at(body, '"../x"') + " invalid path pattern `../x`: "),
      found[0],
    );
  });

  test("PATH-005 control and format characters are rejected", async () => {
    const found = await problems('{command: [x], inputs: ["a\\u200Bb"]}');
    assert.equal(found.length, 1);
    assert.match(found[0], /^PATH-005 /);
  });

  test("CFG-020 / REF-001 references are checked for syntax at load, located on the reference", async () => {
    const text = '{deps: ["bad name:build", ":build", "[x:build", "~:ok"]}';
    const { body, lines: found } = await task(text);
    assert.equal(body, undefined);
    assert.deepEqual(found.map((line) => line.slice(0, line.indexOf("`: ") + 2)), [
      "REF-001 " + at(text, '"bad') + " invalid task reference `bad name:build`:",
      "REF-001 " + at(text, '":build') + " invalid task reference `:build`:",
      "REF-001 " + at(text, '"[x') + " invalid task reference `[x:build`:",
    ]);
    const ok = await task('{weakDeps: ["^:b", "^~:b", "[g]~:b", "p:b"]}');
    assert.deepEqual(ok.body?.weakDeps.map((dep) => dep.ref.form), ["every", "every", "tag", "exact"]);
  });

  test("CFG-020 an unquoted `[tag]:task` inside a flow list gets quoting help", async () => {
    const body = "{deps: [[lib]:build]}";
    assert.deepEqual(await problems(body), [
      "CFG-004 " + at(body, "[lib]") +
      ' `deps` must be a list of strings, found a mapping | quote references like `"[lib]:build"`',
    ]);
  });

  test("CFG-019 mutex: string, `~:` scope, mapping with mode; errors", async () => {
    assert.deepEqual((await task("{command: [x], mutex: deploy}")).body?.mutex, {
      name: "deploy",
      projectScoped: false,
      mode: "exclusive",
    });
    assert.deepEqual((await task('{command: [x], mutex: {name: "~:db"}}')).body?.mutex, {
      name: "db",
      projectScoped: true,
      mode: "exclusive",
    });
    const noName = "{command: [x], mutex: {mode: shared}}";
    assert.deepEqual(await problems(noName), [
      "CFG-019 " + at(noName, "{mode") + " `mutex` mapping needs `name`",
    ]);
    const badMode = "{command: [x], mutex: {name: m, mode: share}}";
    assert.deepEqual(await problems(badMode), [
      "CFG-019 " + at(badMode, "share}") + " `mode` must be `exclusive` or `shared`, found `share`" +
      " | did you mean `shared`?",
    ]);
    const badName = '{command: [x], mutex: "~:a b"}';
    assert.deepEqual(await problems(badName), [
      "ID-001 " + at(badName, '"~:a') +
      " invalid mutex name `a b`: name `a b` contains ` `; allowed are ASCII letters, digits, `_` and `-`",
    ]);
    const list = "{command: [x], mutex: [a]}";
    assert.deepEqual(await problems(list), [
      "CFG-004 " + at(list, "[a]") + " `mutex` must be a string or a mapping, found a list",
    ]);
  });

  test("CFG-021 env: from_host names, override name → string; both may name the same variable", async () => {
    const ok = await task("{command: [x], env: {from_host: [A, _b], override: {A: x, C: 2}}}");
    assert.deepEqual(ok.lines, []);
    assert.deepEqual(ok.body?.env.fromHost, ["A", "_b"]);
    assert.deepEqual([...ok.body!.env.override], [["A", "x"], ["C", "2"]]);
    const body = "{command: [x], env: {from_host: [1BAD, A, A], override: {A-B: x, OK: [1]}}}";
    assert.deepEqual(await problems(body), [
      "CFG-032 " + at(body, "1BAD") + " `1BAD` is not a valid environment variable name",
      "CFG-007 " + at(body, "A]") + " duplicate entry `A` in `from_host`",
      "CFG-032 " + at(body, "A-B") + " `A-B` is not a valid environment variable name",
      "CFG-004 " + at(body, "[1]") + " `OK` must be a string, found a list",
    ]);
  });

  test("CFG-032 environment variable names match [A-Za-z_][A-Za-z0-9_]*", async () => {
    const ok = await task("{command: [x], env: {from_host: [_PRIVATE, LC_ALL, a1]}}");
    assert.deepEqual([ok.lines, ok.body?.env.fromHost], [[], ["_PRIVATE", "LC_ALL", "a1"]]);
    for (const name of ["1BAD", "A-B", "Ä"]) {
      const body = `{command: [x], env: {from_host: [${name}]}}`;
      assert.deepEqual(await problems(body), [
        "CFG-032 " + at(body, name) + " `" + name + "` is not a valid environment variable name",
      ]);
    }
  });

  test("CFG-033 environment variable names are at most 256 bytes", async () => {
    const found = await problems(`{command: [x], env: {from_host: [${"A".repeat(257)}]}}`);
    assert.equal(found.length, 1);
    assert.match(found[0], /^CFG-033 /);
  });

  test("CFG-022 description, cache and timeout", async () => {
    const ok = await task("{command: [x], description: hi, cache: false, timeout: 1s}");
    assert.deepEqual([ok.body?.description, ok.body?.cache, ok.body?.timeoutMs], ["hi", false, 1000]);
    const zero = "{command: [x], timeout: 0s}";
    assert.deepEqual(await problems(zero), [
      "CFG-022 " + at(zero, "0s") + " `timeout` must be at least `1s`, found `0s`",
    ]);
    const yes = "{command: [x], cache: yes}";
    assert.deepEqual(await problems(yes), [
      "CFG-004 " + at(yes, "yes") + " `cache` must be a boolean, found a string",
    ]);
  });

  test("CFG-034 durations in `timeout`: integer gets the unit help; malformed forms rejected", async () => {
    const integer = "{command: [x], timeout: 300}";
    assert.deepEqual(await problems(integer), [
      "CFG-034 " + at(integer, "300") +
      " `timeout` must be a duration string, found an integer | add a unit, e.g. `300s`",
    ]);
    for (const text of ["1h30m", "1.5h", "7D", "-1s", '"7 d"', "9007199254741s"]) {
      const body = `{command: [x], timeout: ${text}}`;
      const found = await problems(body);
      assert.equal(found.length, 1, text);
      assert.ok(
        found[0].startsWith("CFG-034 " + at(body, text) + " `timeout` must be a duration such as"),
        found[0],
      );
    }
    assert.equal((await task("{command: [x], timeout: 2w}")).body?.timeoutMs, 1209600000);
  });

  test("CFG-043 a long timeout is kept exactly in milliseconds", async () => {
    assert.equal((await task("{command: [x], timeout: 9007199254740s}")).body?.timeoutMs, 9007199254740000);
  });

  test("DIAG-007 a body with any error is dropped but its name stays known; other tasks survive", async () => {
    const { project, diagnostics } = await loadWeb(
      "tags: [a]\ntasks:\n  bad: {command: [x], inputs: [../x]}\n  good: {command: [y]}\n",
    );
    assert.equal(diagnostics.length, 1);
    assert.deepEqual([...project.tasks.keys()], ["good"]);
    assert.deepEqual([...project.droppedTasks], ["bad"]);
    assert.equal(project.incomplete, false);
    assert.deepEqual(project.tags, ["a"]);
  });

  test("DIAG-009 synonyms of task keys are suggested", async () => {
    const { diagnostics } = await loadWeb(
      "tasks:\n  t: {run: [x], dependencies: [], sources: [], artifacts: [], script: x, needs: []}\n",
    );
    assert.deepEqual(sortDiagnostics(diagnostics).map((d) => d.help), [
      "did you mean `command`?",
      "did you mean `deps`?",
      "did you mean `inputs`?",
      "did you mean `outputs`?",
      "did you mean `shell`?",
      "did you mean `deps`?",
    ]);
  });
});
