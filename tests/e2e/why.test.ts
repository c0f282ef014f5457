/**
 * End-to-end tests of `haz why` (03-cache.md §13.5, AUX-013..016; 05-cli.md §5.2) against the real CLI:
 * the worked example W1 of 03-cache.md §5, every report section, the undetermined-key diagnostics and
 * the read-only guarantee.
 *
 * @module
 */

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import process from "node:process";
import { after, before, describe, test } from "node:test";
import { W1_HELLO_KEY } from "../support/cache_fixtures.ts";
import { baseEnv, runHaz } from "../support/run_haz.ts";

import { createWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";
import {
  assertExit,
  CACHE_W1_FILES,
  lines,
  ON_REFERENCE_PLATFORM,
  sha256Hex,
  SLOW,
  snapshotTree,
} from "./cache_support.ts";

/** The §5 key vectors hold for linux/x64 only (the platform is part of the key). */
const PLATFORM_SKIP = ON_REFERENCE_PLATFORM ? false : "the §5 key vectors are for linux/x64";
const PLATFORM_LINE = `platform: ${process.platform} ${process.arch}`;

const W1_BUILD_KEY = "92e42e8fe340454c00452d4c1bd8ee1e7932a84c35bc2b7d24ea075dc27e34d4";

function envWith(extra: Record<string, string | undefined>): Record<string, string | undefined> {
  return { ...baseEnv(), GREETING: undefined, ...extra };
}

function fingerprint(value: string): string {
  return sha256Hex(value).slice(0, 12);
}

describe("haz why on W1 (03-cache.md §5)", () => {
  let w1: WorkspaceFixture;
  before(async () => {
    w1 = await createWorkspaceFixture(CACHE_W1_FILES);
  });
  after(async () => {
    await w1.remove();
  });

  const helloReport = (key: string, cache: string, env: string) =>
    lines(
      "task: app:hello",
      'action: command ["cp","msg.txt","out.txt"]',
      "workdir: /app",
      PLATFORM_LINE,
      "hash: sha256",
      `key: ${key}`,
      `cache: ${cache}`,
      "inputs:",
      "  /app/msg.txt",
      "outputs:",
      "  /app/out.txt",
      "env.from_host:",
      `  GREETING ${env}`,
    );

  test("03 §14 ex 44 / AUX-015 why app:hello in fresh W1 prints exactly the example", {
    ...SLOW,
    skip: PLATFORM_SKIP,
  }, async () => {
    const [atRoot, bare] = await Promise.all([
      runHaz(["why", "app:hello"], { cwd: w1.root, env: envWith({ GREETING: "hi" }) }),
      runHaz(["why", "hello"], { cwd: w1.path("app"), env: envWith({ GREETING: "hi" }) }),
    ]);
    assertExit(atRoot, 0);
    assert.equal(atRoot.stderr, "");
    assert.equal(
      atRoot.stdout,
      lines(
        "task: app:hello",
        'action: command ["cp","msg.txt","out.txt"]',
        "workdir: /app",
        "platform: linux x64",
        "hash: sha256",
        "key: db175af06e7ee466b8f5d44dd2150002e3c318297427850efe8c84a4bea0e142",
        "cache: miss: no entry",
        "inputs:",
        "  /app/msg.txt",
        "outputs:",
        "  /app/out.txt",
        "env.from_host:",
        "  GREETING (set, fingerprint 8f434346648f)",
      ),
    );
    assertExit(bare, 0);
    assert.equal(bare.stdout, atRoot.stdout, "AUX-013: a bare `t` inside a project means `~:t`");
    assert.deepEqual(
      await readdir(w1.path(".haz")),
      ["workspace.yml"],
      "AUX-018: why never creates .haz/cache",
    );
  });

  test("03 §14 ex 1 / AUX-015 GREETING unset and empty: their keys and env lines", {
    ...SLOW,
    skip: PLATFORM_SKIP,
  }, async () => {
    const [unset, empty] = await Promise.all([
      runHaz(["why", "app:hello"], { cwd: w1.root, env: envWith({}) }),
      runHaz(["why", "app:hello"], { cwd: w1.root, env: envWith({ GREETING: "" }) }),
    ]);
    assertExit(unset, 0);
    assert.equal(
      unset.stdout,
      helloReport(
        "ad33feea8f99353e35f2c3e604d2abbb1202e98e8352c2155afc43fe9d9f2703",
        "miss: no entry",
        "(absent)",
      ),
    );
    assertExit(empty, 0);
    assert.equal(
      empty.stdout,
      helloReport(
        "3449c922bb86c1c89977486ec3dd68d61426a3e1c6014dc65711838da9571c62",
        "miss: no entry",
        `(set, fingerprint ${fingerprint("")})`,
      ),
    );
  });

  test(
    "03 §14 ex 46 / AUX-014 why app:build before any run: undetermined, stderr names app:hello, exit 2",
    SLOW,
    async () => {
      const result = await runHaz(["why", "app:build"], { cwd: w1.root, env: envWith({ GREETING: "hi" }) });
      assertExit(result, 2);
      assert.equal(
        result.stdout,
        lines(
          "task: app:build",
          'action: shell sh "echo built"',
          "workdir: /app",
          PLATFORM_LINE,
          "hash: sha256",
          "key: undetermined",
          "cache: undetermined",
          "deps:",
          "  app:hello (miss: no entry)",
        ),
      );
      assert.equal(
        result.stderr,
        lines(
          "error: cannot derive the cache key of app:build: hard predecessor app:hello has no recorded result (miss: no entry)",
          "help: run 'haz run app:build' once; afterwards its predecessors' results are cached",
        ),
      );
      assert.equal(existsSync(w1.path(".haz/cache")), false, "AUX-018: why never creates .haz/cache");
    },
  );

  test("03 §14 ex 46 after haz run app:build: cache: hit, exit 0; AUX-018 the cache tree stays identical", {
    ...SLOW,
    skip: PLATFORM_SKIP,
  }, async () => {
    const env = envWith({ GREETING: "hi" });
    assertExit(await runHaz(["run", "app:build"], { cwd: w1.root, env }), 0);
    const before = await snapshotTree(w1.path(".haz"));
    const [build, hello] = await Promise.all([
      runHaz(["why", "app:build"], { cwd: w1.root, env }),
      runHaz(["why", "app:hello"], { cwd: w1.root, env }),
    ]);
    assertExit(build, 0);
    assert.equal(build.stderr, "");
    assert.equal(
      build.stdout,
      lines(
        "task: app:build",
        'action: shell sh "echo built"',
        "workdir: /app",
        PLATFORM_LINE,
        "hash: sha256",
        `key: ${W1_BUILD_KEY}`,
        "cache: hit",
        "deps:",
        "  app:hello (hit)",
      ),
    );
    assertExit(hello, 0);
    assert.equal(hello.stdout, helloReport(W1_HELLO_KEY, "hit", "(set, fingerprint 8f434346648f)"));
    assert.deepEqual(
      await snapshotTree(w1.path(".haz")),
      before,
      "CACHE-039 #8: listing, contents and mtimes",
    );
  });

  test("03 §14 ex 3 / AUX-016 a changed input: miss: no entry with the §5 variant key, exit 0", {
    ...SLOW,
    skip: PLATFORM_SKIP,
  }, async () => {
    const env = envWith({ GREETING: "hi" });
    await w1.write({ "app/msg.txt": "hello!\n" });
    try {
      const [hello, build] = await Promise.all([
        runHaz(["why", "app:hello"], { cwd: w1.root, env }),
        runHaz(["why", "app:build"], { cwd: w1.root, env }),
      ]);
      assertExit(hello, 0);
      assert.equal(
        hello.stdout,
        helloReport(
          "a1d0062ec227658f0d629808cbe3c08a9c7e0b0882ca9959c452b8aa1d1e62d2",
          "miss: no entry",
          "(set, fingerprint 8f434346648f)",
        ),
      );
      assertExit(build, 2);
      assert.ok(build.stdout.endsWith("deps:\n  app:hello (miss: no entry)\n"), build.stdout);
    } finally {
      await w1.write({ "app/msg.txt": "hello\n" });
    }
  });
});

/** Projects listed out of canonical order; globs overlap so one input has two producers. */
const SECTIONS_FILES = {
  ".haz/workspace.yml": "projects: [tools, lib, app]\n",
  "tools/haz.yml": lines(
    "tasks:",
    "  stamp:",
    '    shell: "true"',
    "    inputs: []",
    '    outputs: ["/lib/dist/*.js"]',
  ),
  "lib/haz.yml": lines(
    "tasks:",
    "  compile:",
    '    command: [sh, -c, "echo compiled > dist/lib.js"]',
    '    inputs: ["src/**"]',
    '    outputs: ["dist/**"]',
    "  build:",
    '    shell: "echo lib build"',
  ),
  "app/haz.yml": lines(
    "tasks:",
    "  build:",
    '    shell: "echo build"',
    '    inputs: ["/lib/dist/*.js", "src/*.ts", config.json]',
    '    outputs: ["src/*.ts"]',
    "  full:",
    '    shell: {using: bash, script: "echo \\"full\\" > a.txt; cp a.txt b.txt"}',
    "    inputs: [config.json]",
    "    outputs: [b.txt, a.txt]",
    '    deps: ["~:agg"]',
    '    weakDeps: ["tools:stamp", "lib:compile"]',
    '    mutex: {name: "~:db", mode: shared}',
    "    env:",
    "      from_host: [ZED, ABSENT_VAR, BOTH]",
    '      override: {NEW: "a \\"q\\"", BOTH: x}',
    "  agg:",
    '    deps: ["~:plain"]',
    "  plain:",
    '    shell: "echo plain"',
    "  nocache:",
    '    shell: "echo nocache"',
    "    inputs: []",
    "    cache: false",
    '  chain_a: {shell: "echo a", inputs: []}',
    '  chain_b: {shell: "echo b", inputs: [], deps: ["~:chain_a"]}',
    '  chain_c: {shell: "echo c", inputs: [], deps: ["~:plain", "~:chain_b"]}',
    '  lonely: {shell: "echo lonely", inputs: [missing.txt, config.json]}',
    '  after: {shell: "echo after", inputs: [], deps: ["~:lonely"]}',
  ),
  "app/config.json": "{}\n",
  "app/src/a.ts": "export {};\n",
  "lib/src/l.ts": "export {};\n",
  "lib/dist/lib.js": "compiled\n",
};

describe("haz why: report sections and undetermined keys", () => {
  let ws: WorkspaceFixture;
  const env = envWith({ ZED: "zed-secret", ABSENT_VAR: undefined, BOTH: "both-secret" });
  const why = (ref: string, cwd?: string) => runHaz(["why", ref], { cwd: cwd ?? ws.root, env });
  const head = (task: string, action: string, key: string, cache: string) => [
    `task: ${task}`,
    `action: ${action}`,
    "workdir: /app",
    PLATFORM_LINE,
    "hash: sha256",
    `key: ${key}`,
    `cache: ${cache}`,
  ];
  /** The key line of a report, checked to be 64 lowercase hex. */
  const keyOf = (report: string): string => {
    const key = /^key: (.*)$/m.exec(report)?.[1] ?? "";
    assert.match(key, /^[0-9a-f]{64}$/);
    return key;
  };

  before(async () => {
    ws = await createWorkspaceFixture(SECTIONS_FILES);
  });
  after(async () => {
    await ws.remove();
  });

  test(
    "03 §14 ex 47 / AUX-015 (produced by …) in task-id order, the target included; absent sections",
    SLOW,
    async () => {
      const result = await why("app:build");
      assertExit(result, 0);
      assert.equal(result.stderr, "");
      assert.equal(
        result.stdout,
        lines(
          ...head("app:build", 'shell sh "echo build"', keyOf(result.stdout), "miss: no entry"),
          "inputs:",
          "  /app/config.json",
          "  /app/src/a.ts (produced by app:build)",
          "  /lib/dist/lib.js (produced by lib:compile, tools:stamp)",
          "outputs:",
          "  /app/src/*.ts",
        ),
      );
    },
  );

  test(
    "AUX-015 every section: deps, weakDeps, mutex, env.from_host (set/absent/overridden), env.override",
    SLOW,
    async () => {
      const result = await why("app:full");
      assertExit(result, 0);
      assert.equal(
        result.stdout,
        lines(
          ...head(
            "app:full",
            'shell bash "echo \\"full\\" > a.txt; cp a.txt b.txt"',
            keyOf(result.stdout),
            "miss: no entry",
          ),
          "inputs:",
          "  /app/config.json",
          "outputs:",
          "  /app/a.txt",
          "  /app/b.txt",
          "deps:",
          "  app:agg (aggregate task)",
          "weakDeps:",
          "  lib:compile",
          "  tools:stamp",
          "mutex: ~:db (shared)",
          "env.from_host:",
          "  ABSENT_VAR (absent)",
          "  BOTH (overridden)",
          `  ZED (set, fingerprint ${fingerprint("zed-secret")})`,
          "env.override:",
          '  BOTH="x"',
          '  NEW="a \\"q\\""',
        ),
      );
      assert.equal(/secret/.test(result.stdout), false, "host values are never printed");
    },
  );

  test(
    "03 §14 ex 13 / CACHE-024 not cacheable: key -, the first failing condition, exit 0",
    SLOW,
    async () => {
      const [aggregate, noInputs, cacheFalse] = await Promise.all([
        why("app:agg"),
        why("app:plain"),
        why("app:nocache"),
      ]);
      assertExit(aggregate, 0);
      assert.equal(
        aggregate.stdout,
        lines(
          ...head("app:agg", "none (aggregate task)", "-", "not cacheable: aggregate task (no action)"),
          "deps:",
          "  app:plain (not cacheable: no inputs declared)",
        ),
      );
      assertExit(noInputs, 0);
      assert.equal(
        noInputs.stdout,
        lines(...head("app:plain", 'shell sh "echo plain"', "-", "not cacheable: no inputs declared")),
      );
      assertExit(cacheFalse, 0);
      assert.equal(
        cacheFalse.stdout,
        lines(...head("app:nocache", 'shell sh "echo nocache"', "-", "not cacheable: cache: false")),
      );
      for (const result of [aggregate, noInputs, cacheFalse]) assert.equal(result.stderr, "");
    },
  );

  test(
    "AUX-014 undetermined key: root causes in task-id order, (undetermined) deps, exit 2",
    SLOW,
    async () => {
      const result = await why("app:chain_c");
      assertExit(result, 2);
      assert.equal(
        result.stdout,
        lines(
          ...head("app:chain_c", 'shell sh "echo c"', "undetermined", "undetermined"),
          "deps:",
          "  app:chain_b (undetermined)",
          "  app:plain (not cacheable: no inputs declared)",
        ),
      );
      const prefix = "error: cannot derive the cache key of app:chain_c: hard predecessor";
      assert.equal(
        result.stderr,
        lines(
          `${prefix} app:chain_a has no recorded result (miss: no entry)`,
          `${prefix} app:plain has no recorded result (not cacheable: no inputs declared)`,
          "help: run 'haz run app:chain_c' once; afterwards its predecessors' results are cached",
        ),
      );
    },
  );

  test(
    "AUX-014 CACHE-029: a missing literal input is (missing); the target's own failure and a predecessor's",
    SLOW,
    async () => {
      const [lonely, successor] = await Promise.all([why("app:lonely"), why("app:after")]);
      assertExit(lonely, 2);
      assert.equal(
        lonely.stdout,
        lines(
          ...head("app:lonely", 'shell sh "echo lonely"', "undetermined", "undetermined"),
          "inputs:",
          "  /app/config.json",
          "  /app/missing.txt (missing)",
        ),
      );
      assert.equal(
        lonely.stderr,
        "error: cannot derive the cache key of app:lonely: input `/app/missing.txt` does not exist\n",
      );
      assertExit(successor, 2);
      assert.equal(
        successor.stdout,
        lines(
          ...head("app:after", 'shell sh "echo after"', "undetermined", "undetermined"),
          "deps:",
          "  app:lonely (undetermined)",
        ),
      );
      assert.equal(
        successor.stderr,
        lines(
          "error: cannot derive the cache key of app:after: hard predecessor app:lonely has no recorded result " +
            "(key undetermined: input `/app/missing.txt` does not exist)",
          "help: run 'haz run app:after' once; afterwards its predecessors' results are cached",
        ),
      );
    },
  );

  test(
    "03 §14 ex 45 / SEL-011 ambiguous and empty fan-out forms; REF-006; a bare name inside a project",
    SLOW,
    async () => {
      const [caret, bare, none, unknown, inside] = await Promise.all([
        why("^:build"),
        why("build"),
        why("^:nope"),
        why("app:nope"),
        why("build", ws.path("lib")),
      ]);
      const help = "help: use the exact form `<project>:<task>`";
      for (const [result, ref] of [[caret, "^:build"], [bare, "build"]] as const) {
        assertExit(result, 2);
        assert.equal(result.stdout, "");
        assert.equal(
          result.stderr,
          lines(
            `error[SEL-011]: \`${ref}\` matches 2 tasks: app:build, lib:build`,
            help,
            "",
            "found 1 error",
          ),
        );
      }
      assertExit(none, 2);
      assert.equal(none.stderr, lines("error[SEL-011]: `^:nope` matches no task", help, "", "found 1 error"));
      assertExit(unknown, 2);
      assert.equal(
        unknown.stderr,
        lines(
          "error[REF-006]: unresolved reference `app:nope`: project `app` has no task `nope`",
          "",
          "found 1 error",
        ),
      );
      assertExit(inside, 0);
      assert.ok(inside.stdout.startsWith("task: lib:build\n"), inside.stdout);
      assert.equal(existsSync(ws.path(".haz/cache")), false, "AUX-018: why never creates .haz/cache");
    },
  );

  test(
    "AUX-014 after a run: hits feed the key, but a non-cacheable predecessor keeps it undetermined",
    SLOW,
    async () => {
      assertExit(await runHaz(["run", "app:chain_c", "app:full"], { cwd: ws.root, env }), 0);
      const [chain, full] = await Promise.all([why("app:chain_c"), why("app:full")]);
      assertExit(chain, 2);
      assert.ok(
        chain.stdout.endsWith(
          "deps:\n  app:chain_b (hit)\n  app:plain (not cacheable: no inputs declared)\n",
        ),
        chain.stdout,
      );
      assert.equal(
        chain.stderr,
        lines(
          "error: cannot derive the cache key of app:chain_c: hard predecessor app:plain has no recorded result " +
            "(not cacheable: no inputs declared)",
          "help: run 'haz run app:chain_c' once; afterwards its predecessors' results are cached",
        ),
      );
      assertExit(full, 0);
      assert.match(full.stdout, /\ncache: hit\n/);
    },
  );
});
