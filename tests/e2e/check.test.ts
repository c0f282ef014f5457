// End to end: `haz check` and the load diagnostics of 01-workspace.md and 02-graph.md, against the real
// CLI. Every workspace is written and every haz invocation started once, concurrently, in `before`;
// the tests then compare the captured output with the specification's text.
import assert from "node:assert/strict";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { type HazResult, runHaz } from "../support/run_haz.ts";
import {
  createWorkspaceFixture,
  type FixtureEntry,
  type WorkspaceFixture,
} from "../support/workspace_fixture.ts";
import { createW1Fixture } from "../support/w1_fixture.ts";

/** Every haz invocation of the file starts with the first test, which waits for all of them. */
const SLOW = { timeout: 120_000 };

/** Lines joined with `\n`, plus the final line end. */
function text(...lines: string[]): string {
  return `${lines.join("\n")}\n`;
}

/** One haz invocation in one of the workspaces below. */
interface Invocation {
  readonly files: Readonly<Record<string, FixtureEntry>>;
  readonly args: readonly string[];
  readonly cwd?: string;
}

const EX116: Record<string, FixtureEntry> = {
  ".haz/workspace.yml": "projects: [web]\n",
  "web/haz.yml": text("tasks:", "  build:", "    comand: [tsc]", '    weak_deps: ["~:gen"]'),
};

const EX117: Record<string, FixtureEntry> = {
  ".haz/workspace.yml": 'projects: ["lib_*"]\n',
  "lib_a/haz.yml": "tasks: [\n",
  "lib_b/haz.yml": "tasks: {build: {command: [make], deps: [ghost:build]}}\n",
  "lib_c/haz.yml": 'tasks: {build: {command: [make], deps: ["^:build"]}}\n',
  "lib_d/haz.yml":
    "tasks: {gen: {command: [gen], outputs: [/out.txt], deps: [lib_b:build], weakDeps: [lib_b:build]}}\n",
  "lib_e/haz.yml": "tasks: {gen: {command: [gen], outputs: [/out.txt]}}\n",
};

const EX201: Record<string, FixtureEntry> = {
  ".haz/workspace.yml": "projects: [api, cli, web]\n",
  "api/haz.yml": "tags: [backend, ts]\n",
  "cli/haz.yml": "tags: [backend]\n",
  "web/haz.yml": text("tags: [frontend, ts]", "tasks:", "  fmt: {command: [prettier, -w, .]}"),
  ".haz/tasks/all.yml": text('tagsFilter: "frontend | backend"', "tasks:", "  test: {command: [make, test]}"),
  ".haz/tasks/lint.yml": text("tagsFilter: frontend", "tasks:", "  lint: {command: [eslint, .]}"),
  ".haz/tasks/ts.yml": text(
    "tagsFilter: ts",
    "tasks:",
    "  fmt: {command: [biome, format]}",
    "  test: {command: [vitest, run]}",
  ),
};

/** EX-201 with each body's origin as its description, so `query --format long` shows the winners. */
const EX201_LABELLED: Record<string, FixtureEntry> = {
  ...EX201,
  "web/haz.yml": text(
    "tags: [frontend, ts]",
    "tasks:",
    "  fmt: {command: [prettier, -w, .], description: own}",
  ),
  ".haz/tasks/all.yml": text(
    'tagsFilter: "frontend | backend"',
    "tasks:",
    "  test: {command: [make, test], description: all}",
  ),
  ".haz/tasks/lint.yml": text(
    "tagsFilter: frontend",
    "tasks:",
    "  lint: {command: [eslint, .], description: lint}",
  ),
  ".haz/tasks/ts.yml": text(
    "tagsFilter: ts",
    "tasks:",
    "  fmt: {command: [biome, format], description: ts}",
    "  test: {command: [vitest, run], description: ts}",
  ),
};

const EX204 = (deps: string): Record<string, FixtureEntry> => ({
  ".haz/workspace.yml": "projects: [a, b]\n",
  "a/haz.yml": text("tasks:", "  build:", "    command: [make]", `    deps: ["${deps}"]`),
  "b/haz.yml": text("tasks:", "  build: {command: [make]}"),
});

const EX206 = (outputOfA: string): Record<string, FixtureEntry> => ({
  ".haz/workspace.yml": "projects: [a, b]\n",
  "a/haz.yml": text("tasks:", "  gen:", "    command: [gen]", `    outputs: [${outputOfA}]`),
  "b/haz.yml": text("tasks:", "  gen:", "    command: [gen]", "    outputs: [/shared/out.txt]"),
});

/** 12 tasks in three projects, for 05 §9 ex 10. */
const TWELVE_TASKS: Record<string, FixtureEntry> = {
  ".haz/workspace.yml": "projects: [a, b, c]\n",
  "a/haz.yml": "tasks: {t1: {command: [x]}, t2: {command: [x]}, t3: {command: [x]}, t4: {command: [x]}}\n",
  "b/haz.yml": "tasks: {t1: {command: [x]}, t2: {command: [x]}, t3: {command: [x]}, t4: {command: [x]}}\n",
  "c/haz.yml": 'tasks: {t1: {command: [x]}, t2: {command: [x]}, t3: {command: [x]}, all: {deps: ["^:t1"]}}\n',
};

const INVOCATIONS = {
  ex101: {
    files: {
      ".haz/workspace.yml": 'projects: ["packages/*", packages/b, tools/gen]\n',
      "packages/a/haz.yml": "tags: [lib]\n",
      "packages/b/haz.yml": "name: beta\n",
      "tools/gen/haz.yml": "",
      "packages/c/README.md": "no haz.yml here\n",
      "packages/a/node_modules/x/haz.yml": "tasks: {shipped: {command: [x]}}\n",
    },
    args: ["check"],
  },
  ex104: {
    files: { ".haz/workspace.yml": 'projects: ["apps/*"]\n', "apps/My App/haz.yml": "tasks: {}\n" },
    args: ["check"],
  },
  ex107: {
    files: {
      ".haz/workspace.yml": "projects: [web]\n",
      "web/haz.yml": text("tasks:", "  build:", "    command: tsc -p ."),
    },
    args: ["check"],
  },
  ex111Matched: {
    files: {
      ".haz/workspace.yml": "projects: [a, b, c]\n",
      "a/haz.yml": "tags: [ts]\n",
      "b/haz.yml": "tags: [ts, legacy]\n",
      "c/haz.yml": "tags: []\n",
      ".haz/tasks/lint.yml": text('tagsFilter: "ts & !legacy"', "tasks:", "  lint: {command: [eslint, .]}"),
      ".haz/tasks/star.yml": text('tagsFilter: "*"', "tasks:", "  fmt: {command: [biome, format]}"),
    },
    args: ["query", "--workspace"],
  },
  ex111Unquoted: {
    files: {
      ".haz/workspace.yml": "projects: [a]\n",
      "a/haz.yml": "tags: [ts]\n",
      ".haz/tasks/lint.yml": text("tagsFilter: !legacy", "tasks:", "  lint: {command: [eslint, .]}"),
    },
    args: ["check"],
  },
  ex111Names: {
    files: {
      ".haz/workspace.yml": "projects: [a]\n",
      "a/haz.yml": "tags: [ts]\n",
      ".haz/tasks/Lint.yaml": text("tagsFilter: ts", "tasks:", "  lint: {command: [eslint, .]}"),
      ".haz/tasks/my.lint.yml": text("tagsFilter: ts", "tasks:", "  lint: {command: [eslint, .]}"),
    },
    args: ["check"],
  },
  ex116: { files: EX116, args: ["check"] },
  ex116Referenced: {
    files: {
      ...EX116,
      ".haz/workspace.yml": "projects: [web, app]\n",
      "app/haz.yml": 'tasks: {ship: {command: [ship], deps: ["web:build"]}}\n',
    },
    args: ["check"],
  },
  ex117Check: { files: EX117, args: ["check"] },
  ex117Run: { files: EX117, args: ["run", "--workspace"] },
  ex118: {
    files: {
      ".haz/workspace.yml": "projects: [web]\n",
      "web/haz.yml": text("tasks:", "  build:", "    command: [tsc]", "    inputs:", "      - **/*.ts"),
    },
    args: ["check"],
  },
  ex201: { files: EX201, args: ["check"] },
  ex201Winners: { files: EX201_LABELLED, args: ["query", "--format", "long"] },
  ex202: {
    files: {
      ...EX201,
      ".haz/tasks/style.yml": text("tagsFilter: ts", "tasks:", "  fmt: {command: [dprint, fmt]}"),
    },
    args: ["check"],
  },
  ex202Incomparable: {
    files: {
      ...EX201,
      ".haz/tasks/backend.yml": text("tagsFilter: backend", "tasks:", "  gen: {command: [gen, b]}"),
      ".haz/tasks/ts.yml": text("tagsFilter: ts", "tasks:", "  gen: {command: [gen, t]}"),
    },
    args: ["check"],
  },
  ex204: { files: EX204("^:build"), args: ["check"] },
  ex204Excluding: { files: EX204("^~:build"), args: ["query", "--workspace", "--child-of", "project:b"] },
  ex205: {
    files: {
      ".haz/workspace.yml": "projects: [p]\n",
      "p/haz.yml": text(
        "tasks:",
        "  a:",
        '    command: ["true"]',
        '    deps: ["~:b"]',
        "  b:",
        '    command: ["true"]',
        '    weakDeps: ["~:a"]',
      ),
    },
    args: ["check"],
  },
  ex205Producer: {
    files: {
      ".haz/workspace.yml": "projects: [p]\n",
      "p/haz.yml": text(
        "tasks:",
        '  build: {command: [b], inputs: ["**"], outputs: [dist]}',
        '  test: {command: [t], inputs: ["**"], outputs: [coverage]}',
      ),
    },
    args: ["check"],
  },
  ex206: { files: EX206("/shared/out.txt"), args: ["check"] },
  ex206Nested: { files: EX206("/shared"), args: ["check"] },
  ex206Glob: { files: EX206('"/shared/*.txt"'), args: ["check"] },
  ex207: {
    files: {
      ".haz/workspace.yml": "projects: [p]\n",
      "p/haz.yml": text(
        "tasks:",
        "  a: {command: [x]}",
        "  b: {command: [x]}",
        '  c: {command: [x], deps: ["~:a", "^:b"], weakDeps: ["~:b"]}',
      ),
    },
    args: ["check"],
  },
  twelve: { files: TWELVE_TASKS, args: ["check"] },
  warningOnly: {
    files: {
      ".haz/workspace.yml": 'projects: [a, "tools/*"]\n',
      "a/haz.yml": "tasks: {t: {command: [x]}, u: {command: [x]}}\n",
    },
    args: ["check"],
  },
  one: {
    files: { ".haz/workspace.yml": "projects: [a]\n", "a/haz.yml": "tasks: {t: {command: [x]}}\n" },
    args: ["check"],
  },
  ex11: {
    files: {
      ".haz/workspace.yml": "projects: [a, b]\n",
      "a/haz.yml": "tgas: [lib]\ntasks: {build: {command: [make]}}\n",
      "b/haz.yml": "tasks: {build: {command: [make], deps: [a:biuld]}}\n",
    },
    args: ["check"],
  },
} satisfies Record<string, Invocation>;

const results = {} as Record<keyof typeof INVOCATIONS, HazResult>;
const fixtures: WorkspaceFixture[] = [];
let w1: WorkspaceFixture;
let w1Results: {
  root: HazResult;
  rootWorkspace: HazResult;
  web: HazResult;
  webAll: HazResult;
  webWs: HazResult;
};
let outside: string;
let outsideResult: HazResult;

/** Writes the workspaces and runs every haz invocation of this file, concurrently. */
async function prepare(): Promise<void> {
  outside = await realpath(await mkdtemp(join(tmpdir(), "haz-check-outside-")));
  w1 = await createW1Fixture();
  const names = Object.keys(INVOCATIONS) as (keyof typeof INVOCATIONS)[];
  const runs = names.map(async (name) => {
    const invocation: Invocation = INVOCATIONS[name];
    const fixture = await createWorkspaceFixture(invocation.files);
    fixtures.push(fixture);
    results[name] = await runHaz(invocation.args, { cwd: fixture.path(invocation.cwd ?? ".") });
  });
  const [root, rootWorkspace, web, webAll, webWs, outsideRun] = await Promise.all([
    runHaz(["check"], { cwd: w1.root }),
    runHaz(["check", "--workspace"], { cwd: w1.root }),
    runHaz(["check"], { cwd: w1.path("apps/web") }),
    runHaz(["check", "--all"], { cwd: w1.path("apps/web/src") }),
    runHaz(["check", "--workspace"], { cwd: w1.path("apps/web") }),
    runHaz(["check"], { cwd: outside }),
    ...runs,
  ]);
  w1Results = { root, rootWorkspace, web, webAll, webWs };
  outsideResult = outsideRun;
}

let prepared: Promise<void> | undefined;

/** Starts {@link prepare} once; every test awaits the same run. Bun ignores hook timeouts, hence not `before`. */
function ready(): Promise<void> {
  prepared ??= prepare();
  return prepared;
}

after(async () => {
  await Promise.all([
    ...fixtures.map((fixture) => fixture.remove()),
    w1?.remove(),
    outside && rm(outside, { recursive: true, force: true }),
  ]);
});

/** Asserts a successful check: the count line on stdout, nothing on stderr. */
function assertValidated(result: HazResult, count: string): void {
  assert.equal(result.stderr, "");
  assert.equal(result.stdout, `${count}\n`);
  assert.equal(result.code, 0);
}

/** Asserts a failed load: exactly `stderr`, nothing on stdout, exit 2. */
function assertLoadErrors(result: HazResult, stderr: string): void {
  assert.equal(result.stderr, stderr);
  assert.equal(result.stdout, "");
  assert.equal(result.code, 2);
}

test(
  "EX-101 glob entries, node_modules and directories without haz.yml: 0 tasks validated.",
  SLOW,
  async () => {
    await ready();
    assertValidated(results.ex101, "0 tasks validated.");
  },
);

test("EX-103 / 05 §9 ex 9 no workspace: DISC-001 with the start directory, exit 2", SLOW, async () => {
  await ready();
  assertLoadErrors(
    outsideResult,
    text(
      `error[DISC-001]: no haz workspace found in ${outside} or any parent directory`,
      "help: run `haz init` to create one",
      "",
      "found 1 error",
    ),
  );
});

test("EX-104 DISC-008 a directory name that is no identifier, located on the file only", SLOW, async () => {
  await ready();
  assertLoadErrors(
    results.ex104,
    text(
      "error[DISC-008]: directory name `My App` is not a valid project name",
      "  --> /apps/My App/haz.yml",
      "help: set `name:` in `/apps/My App/haz.yml`",
      "",
      "found 1 error",
    ),
  );
});

test("EX-107 CFG-014 a plain-string command", SLOW, async () => {
  await ready();
  assertLoadErrors(
    results.ex107,
    text(
      "error[CFG-014]: `command` must be a list of strings, found a string",
      "  --> /web/haz.yml:3:14",
      "   |",
      " 3 |     command: tsc -p .",
      "   |              ^^^^^^^^",
      "help: use a list, or `shell:`",
      "",
      "found 1 error",
    ),
  );
});

test("EX-111 CFG-026 matched sets: `ts & !legacy` matches a, `*` matches every project", SLOW, async () => {
  await ready();
  assert.equal(results.ex111Matched.stdout, text("a:fmt", "a:lint", "b:fmt", "c:fmt"));
  assert.equal(results.ex111Matched.stderr, "");
  assert.equal(results.ex111Matched.code, 0);
});

test("EX-111 CFG-001 an unquoted `!legacy` tagsFilter gets the quoting help", SLOW, async () => {
  await ready();
  const { stderr, code } = results.ex111Unquoted;
  assert.equal(code, 2);
  assert.match(stderr, /^error\[CFG-001\]: invalid YAML: .+\n {2}--> \/\.haz\/tasks\/lint\.yml:1:\d+\n/);
  assert.ok(stderr.includes('help: quote expressions like `"!legacy"`\n'), stderr);
  assert.ok(stderr.endsWith("\nfound 1 error\n"), stderr);
});

test(
  "EX-111 DISC-009 a `.yaml` overlay is ignored with a warning; CFG-023 an invalid overlay stem",
  SLOW,
  async () => {
    await ready();
    const { stderr, stdout, code } = results.ex111Names;
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.match(
      stderr,
      /^error\[CFG-023\]: invalid overlay name `my\.lint`: name `my\.lint` contains `\.`; allowed are ASCII letters, digits, `_` and `-`\n {2}--> \/\.haz\/tasks\/my\.lint\.yml\n/m,
    );
    assert.ok(
      stderr.includes("warning[DISC-009]: ignoring .haz/tasks/Lint.yaml: overlay files must end in `.yml`\n"),
      stderr,
    );
    assert.ok(stderr.endsWith("\nfound 1 error\n"), stderr);
  },
);

test("EX-116 CFG-003 unknown keys with did-you-mean, found 2 errors", SLOW, async () => {
  await ready();
  const expected = text(
    "error[CFG-003]: unknown key `comand` in task `build`",
    "  --> /web/haz.yml:3:5",
    "   |",
    " 3 |     comand: [tsc]",
    "   |     ^^^^^^",
    "help: did you mean `command`?",
    "",
    "error[CFG-003]: unknown key `weak_deps` in task `build`",
    "  --> /web/haz.yml:4:5",
    "   |",
    ' 4 |     weak_deps: ["~:gen"]',
    "   |     ^^^^^^^^^",
    "help: did you mean `weakDeps`?",
    "",
    "found 2 errors",
  );
  assertLoadErrors(results.ex116, expected);
});

test("EX-116 DIAG-007 a dropped task stays known: no REF-006 for a reference to it", SLOW, async () => {
  await ready();
  assert.equal(results.ex116Referenced.code, 2);
  assert.ok(!results.ex116Referenced.stderr.includes("REF-006"), results.ex116Referenced.stderr);
  assert.ok(results.ex116Referenced.stderr.endsWith("\nfound 2 errors\n"));
});

/** EX-117's five diagnostics, the CFG-001 parser detail replaced by `…`. */
const EX117_DIAGNOSTICS = [
  text(
    "error[CFG-001]: invalid YAML: …",
    "  --> /lib_a/haz.yml:2:1",
    "   |",
    " 2 |",
    "   | ^",
  ),
  text(
    "error[REF-006]: unresolved reference `ghost:build` in task `lib_b:build`: no project named `ghost`",
    "  --> /lib_b/haz.yml:1:41",
    "   |",
    " 1 | tasks: {build: {command: [make], deps: [ghost:build]}}",
    "   |                                         ^^^^^^^^^^^",
  ),
  text(
    "error[DAG-012]: reference `^:build` in task `lib_c:build` resolves to the task itself",
    "  --> /lib_c/haz.yml:1:41",
    "   |",
    ' 1 | tasks: {build: {command: [make], deps: ["^:build"]}}',
    "   |                                         ^^^^^^^^^",
    "help: use `^~:build` to exclude the own project",
  ),
  text(
    "error[DAG-010]: task `lib_d:gen` lists lib_b:build in both `deps` and `weakDeps`",
    "  --> /lib_d/haz.yml:1:84",
    "   |",
    " 1 | tasks: {gen: {command: [gen], outputs: [/out.txt], deps: [lib_b:build], weakDeps: [lib_b:build]}}",
    "   |                                                                                    ^^^^^^^^^^^",
    "help: keep only one of the two edges",
  ),
  text(
    "error[DAG-015]: output `/out.txt` is declared by 2 tasks: lib_d:gen, lib_e:gen",
    "  --> /lib_e/haz.yml:1:41",
    "   |",
    " 1 | tasks: {gen: {command: [gen], outputs: [/out.txt]}}",
    "   |                                         ^^^^^^^^",
    "note: also declared by lib_d:gen at /lib_d/haz.yml:1:41",
  ),
];

/** stderr with the parser's own wording after `invalid YAML: ` replaced by `…`. */
function maskYamlDetail(stderr: string): string {
  return stderr.replace(/^(error\[CFG-001\]: invalid YAML: ).+$/m, "$1…");
}

test(
  "EX-117 DIAG-006/007 check collects five errors from five files in phase-then-path order",
  SLOW,
  async () => {
    await ready();
    const { stderr, stdout, code } = results.ex117Check;
    assert.equal(maskYamlDetail(stderr), `${EX117_DIAGNOSTICS.join("\n")}\nfound 5 errors\n`);
    assert.equal(stdout, "");
    assert.equal(code, 2);
  },
);

test("EX-117 DIAG-007 run stops after phase 2: only the CFG-001 diagnostic, nothing runs", SLOW, async () => {
  await ready();
  const { stderr, stdout, code } = results.ex117Run;
  assert.equal(maskYamlDetail(stderr), `${EX117_DIAGNOSTICS[0]}\nfound 1 error\n`);
  assert.equal(stdout, "");
  assert.equal(code, 2);
});

test("EX-118 CFG-001 an unquoted glob: located on the alias, with the quoting help", SLOW, async () => {
  await ready();
  const { stderr, stdout, code } = results.ex118;
  assert.equal(
    maskYamlDetail(stderr),
    text(
      "error[CFG-001]: invalid YAML: …",
      "  --> /web/haz.yml:5:9",
      "   |",
      " 5 |       - **/*.ts",
      "   |         ^^^^^^^",
      'help: quote the pattern, e.g. `"**/*.ts"`',
      "",
      "found 1 error",
    ),
  );
  assert.equal(stdout, "");
  assert.equal(code, 2);
});

test("EX-201 DAG-003..005 overlay specificity: 6 tasks validated.", SLOW, async () => {
  await ready();
  assertValidated(results.ex201, "6 tasks validated.");
});

test("EX-201 DAG-004/005 the winners: own body, then the strictly more specific overlay", SLOW, async () => {
  await ready();
  assert.equal(
    results.ex201Winners.stdout,
    text(
      "api:fmt   ts",
      "api:test  ts",
      "cli:test  all",
      "web:fmt   own",
      "web:lint  lint",
      "web:test  ts",
    ),
  );
  assert.equal(results.ex201Winners.code, 0);
});

test(
  "EX-202 DAG-006 two overlays with the same matched set collide; the own body still wins",
  SLOW,
  async () => {
    await ready();
    assertLoadErrors(
      results.ex202,
      text(
        "error[DAG-006]: task `api:fmt` is defined by 2 overlays and none is the most specific: style, ts",
        "  --> /.haz/tasks/ts.yml:3:3",
        "   |",
        " 3 |   fmt: {command: [biome, format]}",
        "   |   ^^^",
        "note: overlay `style` matches: api, web",
        "note: overlay `ts` matches: api, web",
        "help: define `fmt` in api's haz.yml, or make one tagsFilter narrower",
        "",
        "found 1 error",
      ),
    );
  },
);

test("EX-202 DAG-006 incomparable matched sets collide only where both attach", SLOW, async () => {
  await ready();
  assertLoadErrors(
    results.ex202Incomparable,
    text(
      "error[DAG-006]: task `api:gen` is defined by 2 overlays and none is the most specific: backend, ts",
      "  --> /.haz/tasks/ts.yml:3:3",
      "   |",
      " 3 |   gen: {command: [gen, t]}",
      "   |   ^^^",
      "note: overlay `backend` matches: api, cli",
      "note: overlay `ts` matches: api, web",
      "help: define `gen` in api's haz.yml, or make one tagsFilter narrower",
      "",
      "found 1 error",
    ),
  );
});

test("EX-204 DAG-012 a self reference, with the excluding form as help", SLOW, async () => {
  await ready();
  assertLoadErrors(
    results.ex204,
    text(
      "error[DAG-012]: reference `^:build` in task `a:build` resolves to the task itself",
      "  --> /a/haz.yml:4:12",
      "   |",
      ' 4 |     deps: ["^:build"]',
      "   |            ^^^^^^^^^",
      "help: use `^~:build` to exclude the own project",
      "",
      "found 1 error",
    ),
  );
});

test("EX-204 `^~:build` is valid and gives the edge b:build → a:build", SLOW, async () => {
  await ready();
  assert.equal(results.ex204Excluding.stdout, "a:build\n");
  assert.equal(results.ex204Excluding.stderr, "");
  assert.equal(results.ex204Excluding.code, 0);
});

test("EX-205 DAG-014 a cycle through a soft edge, with the shortest cycle as note", SLOW, async () => {
  await ready();
  assertLoadErrors(
    results.ex205,
    text(
      "error[DAG-014]: dependency cycle between 2 tasks: p:a, p:b",
      "  --> /p/haz.yml:7:16",
      "   |",
      ' 7 |     weakDeps: ["~:a"]',
      "   |                ^^^^^",
      "note: cycle: p:a -[soft]-> p:b -[hard]-> p:a",
      "",
      "found 1 error",
    ),
  );
});

test("EX-205 DAG-014 a producer-only cycle, located on the successor's input pattern", SLOW, async () => {
  await ready();
  assertLoadErrors(
    results.ex205Producer,
    text(
      "error[DAG-014]: dependency cycle between 2 tasks: p:build, p:test",
      "  --> /p/haz.yml:3:33",
      "   |",
      ' 3 |   test: {command: [t], inputs: ["**"], outputs: [coverage]}',
      "   |                                 ^^^^",
      "note: cycle: p:build -[producer]-> p:test -[producer]-> p:build",
      "",
      "found 1 error",
    ),
  );
});

test("EX-206 DAG-015 two tasks declaring the same literal output", SLOW, async () => {
  await ready();
  assertLoadErrors(
    results.ex206,
    text(
      "error[DAG-015]: output `/shared/out.txt` is declared by 2 tasks: a:gen, b:gen",
      "  --> /b/haz.yml:4:15",
      "   |",
      " 4 |     outputs: [/shared/out.txt]",
      "   |               ^^^^^^^^^^^^^^^",
      "note: also declared by a:gen at /a/haz.yml:4:15",
      "",
      "found 1 error",
    ),
  );
});

test(
  "EX-206 DAG-015 a nested literal output is located on the inner one; DAG-016 globs pass at load",
  SLOW,
  async () => {
    await ready();
    assertLoadErrors(
      results.ex206Nested,
      text(
        "error[DAG-015]: output `/shared/out.txt` of b:gen lies inside output `/shared` of a:gen",
        "  --> /b/haz.yml:4:15",
        "   |",
        " 4 |     outputs: [/shared/out.txt]",
        "   |               ^^^^^^^^^^^^^^^",
        "",
        "found 1 error",
      ),
    );
    assertValidated(results.ex206Glob, "2 tasks validated.");
  },
);

test("EX-207 DAG-010 the same predecessor in deps and weakDeps", SLOW, async () => {
  await ready();
  assertLoadErrors(
    results.ex207,
    text(
      "error[DAG-010]: task `p:c` lists p:b in both `deps` and `weakDeps`",
      "  --> /p/haz.yml:4:54",
      "   |",
      ' 4 |   c: {command: [x], deps: ["~:a", "^:b"], weakDeps: ["~:b"]}',
      "   |                                                      ^^^^^",
      "help: keep only one of the two edges",
      "",
      "found 1 error",
    ),
  );
});

test("05 §9 ex 10 AUX-009 a valid workspace with 12 tasks: `12 tasks validated.`", SLOW, async () => {
  await ready();
  assertValidated(results.twelve, "12 tasks validated.");
});

test("SEL-012 one task is counted in the singular", SLOW, async () => {
  await ready();
  assertValidated(results.one, "1 task validated.");
});

test("DIAG-008 warnings alone keep exit 0 and print no closing line", SLOW, async () => {
  await ready();
  const { stdout, stderr, code } = results.warningOnly;
  assert.equal(
    stderr,
    text(
      "warning[DISC-006]: project pattern `tools/*` matches no directory containing haz.yml",
      "  --> /.haz/workspace.yml:1:15",
      "   |",
      ' 1 | projects: [a, "tools/*"]',
      "   |               ^^^^^^^^^",
      "",
    ),
  );
  assert.equal(stdout, "2 tasks validated.\n");
  assert.equal(code, 0);
});

test("05 §9 ex 11 check prints an unknown key and an unresolved reference from two files", SLOW, async () => {
  await ready();
  assertLoadErrors(
    results.ex11,
    text(
      "error[CFG-003]: unknown key `tgas` in haz.yml",
      "  --> /a/haz.yml:1:1",
      "   |",
      " 1 | tgas: [lib]",
      "   | ^^^^",
      "help: did you mean `tags`?",
      "",
      "error[REF-006]: unresolved reference `a:biuld` in task `b:build`: project `a` has no task `biuld`",
      "  --> /b/haz.yml:1:41",
      "   |",
      " 1 | tasks: {build: {command: [make], deps: [a:biuld]}}",
      "   |                                         ^^^^^^^",
      "help: did you mean `build`?",
      "",
      "found 2 errors",
    ),
  );
});

test("SEL-012 W1: the root has no bearing project (6), apps/web counts web's tasks (3)", SLOW, async () => {
  await ready();
  assertValidated(w1Results.root, "6 tasks validated.");
  assertValidated(w1Results.rootWorkspace, "6 tasks validated.");
  assertValidated(w1Results.web, "3 tasks validated.");
  assertValidated(w1Results.webAll, "3 tasks validated.");
  assertValidated(w1Results.webWs, "6 tasks validated.");
});
