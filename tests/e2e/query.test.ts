// End to end: `haz query` on W1 (02-graph.md §6: the example table, the json and error examples,
// QRY-002..011; 05-cli.md §5.3, §9 ex 19–20). All invocations start concurrently in `before`.
import assert from "node:assert/strict";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { type HazResult, runHaz } from "../support/run_haz.ts";
import type { WorkspaceFixture } from "../support/workspace_fixture.ts";
import { createW1Fixture, W1_TASKS } from "../support/w1_fixture.ts";

/** Every haz invocation of the file starts with the first test, which waits for all of them. */
const SLOW = { timeout: 120_000 };

/** Lines joined with `\n`, plus the final line end. */
function text(...lines: string[]): string {
  return `${lines.join("\n")}\n`;
}

/** The rows of the example table of 02 §6: cwd (relative to W1's root), arguments, result ids. */
const TABLE: ReadonlyArray<{ cwd: string; args: string[]; ids: readonly string[] }> = [
  { cwd: ".", args: [], ids: W1_TASKS },
  { cwd: ".", args: ["--tags", "lib"], ids: ["core:build", "core:test", "util:build"] },
  { cwd: ".", args: ["--tags", "lib & !ts"], ids: ["util:build"] },
  { cwd: ".", args: ["--projects", "core | util", "--tasks", "build"], ids: ["core:build", "util:build"] },
  {
    cwd: ".",
    args: ["--child-of", "name:build"],
    ids: ["core:test", "web:build", "web:default", "web:deploy"],
  },
  { cwd: ".", args: ["--parent-of", "project:web"], ids: ["core:build", "util:build", "web:build"] },
  { cwd: ".", args: ["--depends-on", "project:core"], ids: ["web:build", "web:default", "web:deploy"] },
  { cwd: ".", args: ["--ancestor-of", "name:deploy"], ids: ["core:build", "util:build", "web:build"] },
  { cwd: ".", args: ["--outputs", "/libs/*/dist/**"], ids: ["core:build", "util:build"] },
  { cwd: ".", args: ["--inputs", "/libs/core/dist"], ids: ["web:build"] },
  { cwd: ".", args: ["--mutex"], ids: ["web:deploy"] },
  { cwd: ".", args: ["--no-deps"], ids: ["core:build", "util:build"] },
  { cwd: ".", args: ["--no-inputs"], ids: ["web:default", "web:deploy"] },
  { cwd: ".", args: ["--has-deps", "--tags", "app"], ids: ["web:build", "web:default", "web:deploy"] },
  { cwd: "apps/web", args: [], ids: ["web:build", "web:default", "web:deploy"] },
  {
    cwd: "apps/web",
    args: ["--workspace", "--tasks", "build"],
    ids: ["core:build", "util:build", "web:build"],
  },
  { cwd: "apps/web", args: ["--inputs", "src/**"], ids: ["web:build"] },
  { cwd: ".", args: ["--tasks", "nope"], ids: [] },
];

/** Further filters, beyond the table. */
const MORE: ReadonlyArray<{ name: string; cwd: string; args: string[]; ids: readonly string[] }> = [
  { name: "QRY-003 `--tags '*'` is always true", cwd: ".", args: ["--tags", "*"], ids: W1_TASKS },
  {
    name: "QRY-005 --has-inputs",
    cwd: ".",
    args: ["--has-inputs"],
    ids: ["core:build", "core:test", "util:build", "web:build"],
  },
  {
    name: "QRY-005 --has-outputs",
    cwd: ".",
    args: ["--has-outputs"],
    ids: ["core:build", "util:build", "web:build"],
  },
  {
    name: "QRY-005 --no-outputs",
    cwd: ".",
    args: ["--no-outputs"],
    ids: ["core:test", "web:default", "web:deploy"],
  },
  {
    name: "QRY-004 --depends-on tag:lib excludes the targets themselves",
    cwd: ".",
    args: ["--depends-on", "tag:lib"],
    ids: ["web:build", "web:default", "web:deploy"],
  },
  {
    name: "QRY-004 only hard edges count: core:test is not a parent of web:deploy",
    cwd: ".",
    args: ["--parent-of", "name:deploy"],
    ids: ["web:build"],
  },
  {
    name: "QRY-002 a quoted atom may contain operator characters",
    cwd: ".",
    args: ["--inputs", '"/libs/util/src/a|b.js"'],
    ids: ["util:build"],
  },
  {
    name: "QRY-002 precedence `!` > `&` > `|`",
    cwd: ".",
    args: ["--tasks", "deploy | !build & test"],
    ids: ["core:test", "web:deploy"],
  },
  {
    name: "QRY-003 names that exist nowhere match nothing and are no error",
    cwd: ".",
    args: ["--projects", "ghost"],
    ids: [],
  },
  {
    name: "QRY-006 a filter given twice keeps its last value",
    cwd: ".",
    args: ["--tags", "app", "--tags", "ts"],
    ids: ["core:build", "core:test"],
  },
  {
    name: "QRY-001 --all at the root means every task; in a project, that project's tasks",
    cwd: "libs/core/src",
    args: ["--all"],
    ids: ["core:build", "core:test"],
  },
];

/** Error cases: arguments and the exact stderr. */
const ERRORS: ReadonlyArray<{ name: string; args: string[]; stderr: string }> = [
  {
    name: "QRY-002 `--tags 'lib &'`: expected an atom, at end of input",
    args: ["--tags", "lib &"],
    stderr: text(
      "error[QRY-002]: expected an atom or `(` after `&`",
      "  --> --tags:1:6",
      "   |",
      " 1 | lib &",
      "   |      ^",
      "",
      "found 1 error",
    ),
  },
  {
    name: "QRY-002 empty expression",
    args: ["--projects", ""],
    stderr: text(
      "error[QRY-002]: empty expression",
      "  --> --projects:1:1",
      "   |",
      " 1 |",
      "   | ^",
      "",
      "found 1 error",
    ),
  },
  {
    name: "QRY-002 missing `)` at length + 1",
    args: ["--tags", "(lib"],
    stderr: text(
      "error[QRY-002]: missing `)`",
      "  --> --tags:1:5",
      "   |",
      " 1 | (lib",
      "   |     ^",
      "",
      "found 1 error",
    ),
  },
  {
    name: "QRY-002 unexpected token",
    args: ["--tags", "lib )"],
    stderr: text(
      "error[QRY-002]: unexpected `)`",
      "  --> --tags:1:5",
      "   |",
      " 1 | lib )",
      "   |     ^",
      "",
      "found 1 error",
    ),
  },
  {
    name: "QRY-002 unterminated quote, at the opening quote",
    args: ["--tasks", 'build | "te'],
    stderr: text(
      "error[QRY-002]: unterminated quote",
      "  --> --tasks:1:9",
      "   |",
      ' 1 | build | "te',
      "   |         ^",
      "",
      "found 1 error",
    ),
  },
  {
    name: "QRY-002 at most one `!`",
    args: ["--tags", "!!lib"],
    stderr: text(
      "error[QRY-002]: `!!` is not allowed; write `!(!a)`",
      "  --> --tags:1:2",
      "   |",
      " 1 | !!lib",
      "   |  ^",
      "",
      "found 1 error",
    ),
  },
  {
    name: "QRY-003 `--tasks a.b`: an invalid name, located on the atom",
    args: ["--tasks", "build | a.b"],
    stderr: text(
      "error[QRY-003]: invalid task name `a.b`: name `a.b` contains `.`; allowed are ASCII letters, digits, `_` and `-`",
      "  --> --tasks:1:9",
      "   |",
      " 1 | build | a.b",
      "   |         ^^^",
      "",
      "found 1 error",
    ),
  },
  {
    name: "QRY-003 an invalid path pattern",
    args: ["--inputs", "/libs/../x"],
    stderr: text(
      "error[QRY-003]: invalid path pattern `/libs/../x`: `..` segments are not allowed",
      "  --> --inputs:1:1",
      "   |",
      " 1 | /libs/../x",
      "   | ^^^^^^^^^^",
      "",
      "found 1 error",
    ),
  },
  {
    name: "QRY-004 `--child-of build`: missing `:`",
    args: ["--child-of", "build"],
    stderr: text(
      "error[QRY-004]: missing `:` in relational atom `build`",
      "  --> --child-of:1:1",
      "   |",
      " 1 | build",
      "   | ^^^^^",
      "",
      "found 1 error",
    ),
  },
  {
    name: "QRY-004 `--child-of foo:x`: unknown relation kind",
    args: ["--child-of", "foo:x"],
    stderr: text(
      "error[QRY-004]: unknown relation kind `foo`; expected `name`, `project` or `tag`",
      "  --> --child-of:1:1",
      "   |",
      " 1 | foo:x",
      "   | ^^^^^",
      "",
      "found 1 error",
    ),
  },
  {
    name: "QRY-004 the kind is case-sensitive",
    args: ["--ancestor-of", "Name:build"],
    stderr: text(
      "error[QRY-004]: unknown relation kind `Name`; expected `name`, `project` or `tag`",
      "  --> --ancestor-of:1:1",
      "   |",
      " 1 | Name:build",
      "   | ^^^^^^^^^^",
      "",
      "found 1 error",
    ),
  },
];

let w1: WorkspaceFixture;
let outside: string;
let table: HazResult[];
let more: HazResult[];
let errors: HazResult[];
const single = {} as Record<
  "json" | "jsonEmpty" | "ex19" | "long" | "qry011" | "qry010" | "hasDepsNoDeps" | "formatBad",
  HazResult
>;

/** Writes the workspaces and runs every haz invocation of this file, concurrently. */
async function prepare(): Promise<void> {
  [w1, outside] = await Promise.all([
    createW1Fixture(),
    mkdtemp(join(tmpdir(), "haz-query-outside-")).then((path) => realpath(path)),
  ]);
  const query = (args: readonly string[], cwd = ".") => runHaz(["query", ...args], { cwd: w1.path(cwd) });
  const singles = {
    json: query(["--tasks", "deploy", "--format", "json"]),
    jsonEmpty: query(["--tasks", "nope", "--format", "json"]),
    ex19: query(["--format", "json", "--tags", "nosuchtag"]),
    long: query(["--format", "long"]),
    qry011: query(["--inputs", "src/**"]),
    qry010: runHaz(["query", "--tags", "lib &"], { cwd: outside }),
    hasDepsNoDeps: query(["--no-deps", "--has-deps"]),
    formatBad: query(["--format", "xml"]),
  };
  [table, more, errors] = await Promise.all([
    Promise.all(TABLE.map((row) => query(row.args, row.cwd))),
    Promise.all(MORE.map((row) => query(row.args, row.cwd))),
    Promise.all(ERRORS.map((row) => query(row.args))),
    ...Object.entries(singles).map(async ([name, pending]) => {
      single[name as keyof typeof single] = await pending;
    }),
  ]);
}

let prepared: Promise<void> | undefined;

/** Starts {@link prepare} once; every test awaits the same run. Bun ignores hook timeouts, hence not `before`. */
function ready(): Promise<void> {
  prepared ??= prepare();
  return prepared;
}

after(async () => {
  await Promise.all([w1?.remove(), outside && rm(outside, { recursive: true, force: true })]);
});

/** Asserts a successful plain listing of `ids`. */
function assertIds(result: HazResult, ids: readonly string[]): void {
  assert.equal(result.stderr, "");
  assert.equal(result.stdout, ids.map((id) => `${id}\n`).join(""));
  assert.equal(result.code, 0);
}

describe("02 §6 query examples (W1)", () => {
  TABLE.forEach((row, index) => {
    const where = row.cwd === "." ? "" : `cwd: ${row.cwd} `;
    test(`QRY-001..009 ${where}\`haz query ${row.args.join(" ")}\``, SLOW, async () => {
      await ready();
      assertIds(table[index], row.ids);
    });
  });
});

describe("query filters beyond the table", () => {
  MORE.forEach((row, index) =>
    test(row.name, SLOW, async () => {
      await ready();
      assertIds(more[index], row.ids);
    })
  );
});

describe("query output formats", () => {
  test("QRY-008 `--tasks deploy --format json`, exactly", SLOW, async () => {
    await ready();
    assert.equal(
      single.json.stdout,
      text(
        "[",
        "  {",
        '    "id": "web:deploy",',
        '    "project": "web",',
        '    "task": "deploy",',
        '    "tags": [',
        '      "app"',
        "    ],",
        '    "description": null',
        "  }",
        "]",
      ),
    );
    assert.equal(single.json.code, 0);
  });

  test("QRY-009 no result: empty plain output, `[]` in json, exit 0 (05 §9 ex 19)", SLOW, async () => {
    await ready();
    assert.equal(single.jsonEmpty.stdout, "[]\n");
    assert.equal(single.jsonEmpty.code, 0);
    assert.equal(single.ex19.stdout, "[]\n");
    assert.equal(single.ex19.stderr, "");
    assert.equal(single.ex19.code, 0);
  });

  test(
    "QRY-008 --format long pads ids to the longest; no trailing spaces without description",
    SLOW,
    async () => {
      await ready();
      assert.equal(
        single.long.stdout,
        text(
          "core:build",
          "core:test",
          "util:build",
          "web:build    Bundle the app",
          "web:default",
          "web:deploy",
        ),
      );
    },
  );

  test("CLI-020 an unknown --format is a usage error", SLOW, async () => {
    await ready();
    assert.equal(single.formatBad.code, 2);
    assert.equal(single.formatBad.stdout, "");
    assert.match(single.formatBad.stderr, /^haz query: error: invalid value for --format: "xml"/);
  });
});

describe("query errors", () => {
  ERRORS.forEach((row, index) =>
    test(row.name, SLOW, async () => {
      await ready();
      assert.equal(errors[index].stderr, row.stderr);
      assert.equal(errors[index].stdout, "");
      assert.equal(errors[index].code, 2);
    })
  );

  test("QRY-011 a project-relative path atom at the root", SLOW, async () => {
    await ready();
    assert.equal(
      single.qry011.stderr,
      text(
        `error[QRY-011]: \`src/**\` is project-relative, but ${w1.root} is not inside any project`,
        "  --> --inputs:1:1",
        "   |",
        " 1 | src/**",
        "   | ^^^^^^",
        "help: start it with `/`",
        "",
        "found 1 error",
      ),
    );
    assert.equal(single.qry011.code, 2);
  });

  test("QRY-010 the expression is checked before the workspace is looked for", SLOW, async () => {
    await ready();
    assert.ok(single.qry010.stderr.startsWith("error[QRY-002]: expected an atom or `(` after `&`\n"));
    assert.ok(!single.qry010.stderr.includes("DISC-001"));
    assert.equal(single.qry010.code, 2);
  });

  test("QRY-005 `--has-deps --no-deps` is a usage error named in usage-line order", SLOW, async () => {
    await ready();
    assert.equal(
      single.hasDepsNoDeps.stderr,
      text(
        "haz query: error: --has-deps cannot be combined with --no-deps",
        "help: run 'haz query --help' to see every option",
        "",
        "usage: haz query [--all | --workspace] [--tags EXPR] [--projects EXPR] [--tasks EXPR]",
        "                 [--inputs EXPR] [--outputs EXPR] [--child-of EXPR] [--parent-of EXPR]",
        "                 [--depends-on EXPR] [--ancestor-of EXPR] [--has-deps | --no-deps]",
        "                 [--has-inputs | --no-inputs] [--has-outputs | --no-outputs] [--mutex]",
        "                 [--format plain|long|json]",
      ),
    );
    assert.equal(single.hasDepsNoDeps.stdout, "");
    assert.equal(single.hasDepsNoDeps.code, 2);
  });
});
