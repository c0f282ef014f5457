import assert from "node:assert/strict";
import { chmodSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { after, test } from "node:test";
import { createWorkspaceFixture } from "../support/workspace_fixture.ts";
import { baseEnv, type HazResult, runHaz } from "../support/run_haz.ts";
import { spawnHaz } from "../support/spawn_haz.ts";
import {
  aliveAfter,
  markerScript,
  maskDurations,
  oneAfterAnother,
  overlaps,
  readIntervals,
  readLines,
  SLOW,
  waitForFile,
} from "./run_support.ts";

/** How long marker tasks sleep between their start and end lines. */
const MARKER_SECONDS = 0.5;

/** A task body (YAML flow mapping) that records its start and end in `$LOG`; `mutex` is YAML too. */
function markerTask(
  id: string,
  options: { mutex?: string; seconds?: number; partners?: readonly string[] } = {},
): string {
  const mutex = options.mutex === undefined ? "" : `, mutex: ${options.mutex}`;
  const script = markerScript(id, { seconds: options.seconds ?? MARKER_SECONDS, partners: options.partners });
  return `{shell: ${JSON.stringify(script)}, env: {from_host: [LOG]}${mutex}}`;
}

const fixture = await createWorkspaceFixture({
  ".haz/workspace.yml": [
    "projects: [p, e, r, s, g, m1, m2, ms, ca, cb, cw, h1, h2, q, ha, hb, hc, envp, deep/nested, bgp, pr]",
    "concurrency: {default: 1, tags: {heavy: 1, big: 1, io: 2}}",
    "env: {pass_through: [CI]}",
    "",
  ].join("\n"),
  ".haz/tasks/where.yml": "tagsFilter: nest\ntasks:\n  where: {command: [pwd]}\n",
  "p/haz.yml": [
    "tasks:",
    '  a: {shell: "exit 1"}',
    '  b: {command: ["true"], deps: ["~:a"]}',
    '  c: {command: ["true"], deps: ["~:b"]}',
    "  d: {command: [echo, dee]}",
    "",
  ].join("\n"),
  "e/haz.yml": [
    "tasks:",
    "  a: {command: [no-such-program]}",
    '  b: {command: ["true"], deps: ["~:a"]}',
    "",
  ].join("\n"),
  "r/haz.yml": [
    "tasks:",
    '  a: {shell: "exit 1"}',
    '  b: {shell: "sleep 0.4; exit 2"}',
    '  c: {command: ["true"], deps: ["~:a", "~:b"]}',
    '  d: {command: ["true"], deps: ["~:c"]}',
    "",
  ].join("\n"),
  "s/haz.yml": [
    "tasks:",
    '  x: {shell: "sleep 0.3; echo x >> \\"$LOG\\"; exit ${X_EXIT:-0}", env: {from_host: [LOG, X_EXIT]}}',
    '  y: {shell: "echo y >> \\"$LOG\\"", env: {from_host: [LOG]}, weakDeps: ["~:x"]}',
    '  z: {shell: "echo z >> \\"$LOG\\"", env: {from_host: [LOG]}, deps: ["~:x"]}',
    "",
  ].join("\n"),
  "g/haz.yml": [
    "tasks:",
    "  one: {command: [echo, one]}",
    "  two: {command: [echo, two]}",
    '  all: {deps: ["~:one", "~:two"]}',
    '  fail: {shell: "exit 3"}',
    '  fall: {deps: ["~:fail"]}',
    "",
  ].join("\n"),
  "m1/haz.yml": [
    "tasks:",
    `  migrate: ${markerTask("m1:migrate", { mutex: "db" })}`,
    `  seed: ${markerTask("m1:seed", { mutex: "db" })}`,
    `  lx: ${markerTask("m1:lx", { mutex: '"~:lk"', partners: ["m2:ly"] })}`,
    `  lz: ${markerTask("m1:lz", { mutex: '"~:lk"' })}`,
    "",
  ].join("\n"),
  "m2/haz.yml": [
    "tasks:",
    `  migrate: ${markerTask("m2:migrate", { mutex: "db" })}`,
    `  ly: ${markerTask("m2:ly", { mutex: '"~:lk"', partners: ["m1:lx"] })}`,
    "",
  ].join("\n"),
  "ms/haz.yml": [
    "tasks:",
    `  ra: ${markerTask("ms:ra", { mutex: "{name: rw, mode: shared}", partners: ["ms:rb"] })}`,
    `  rb: ${markerTask("ms:rb", { mutex: "{name: rw, mode: shared}", partners: ["ms:ra"] })}`,
    `  wc: ${markerTask("ms:wc", { mutex: "rw" })}`,
    "",
  ].join("\n"),
  "ca/haz.yml": [
    "tasks:",
    `  x: ${markerTask("ca:x", { seconds: 0.3 })}`,
    `  y: ${markerTask("ca:y", { seconds: 0.3 })}`,
    "",
  ].join("\n"),
  "cb/haz.yml": `tasks:\n  z: ${markerTask("cb:z", { seconds: 0.3 })}\n`,
  "cw/haz.yml": [
    "tasks:",
    `  x: ${markerTask("cw:x", { seconds: 0.1, partners: ["cw:y", "cw:z"] })}`,
    `  y: ${markerTask("cw:y", { seconds: 0.1, partners: ["cw:x", "cw:z"] })}`,
    `  z: ${markerTask("cw:z", { seconds: 0.1, partners: ["cw:x", "cw:y"] })}`,
    "",
  ].join("\n"),
  "h1/haz.yml": `tags: [heavy]\ntasks:\n  t: ${markerTask("h1:t", { partners: ["q:t"] })}\n`,
  "h2/haz.yml": `tags: [heavy]\ntasks:\n  t: ${markerTask("h2:t")}\n`,
  "q/haz.yml": `tasks:\n  t: ${markerTask("q:t", { partners: ["h1:t"] })}\n`,
  "ha/haz.yml": `tags: [big]\ntasks:\n  t: ${markerTask("ha:t", { partners: ["hc:t"] })}\n`,
  "hb/haz.yml": `tags: [big, io]\ntasks:\n  t: ${markerTask("hb:t")}\n`,
  "hc/haz.yml": `tags: [io]\ntasks:\n  t: ${markerTask("hc:t", { partners: ["ha:t"] })}\n`,
  "envp/haz.yml": [
    "tags: [nest]",
    "tasks:",
    "  show: {command: [env], env: {from_host: [NODE_ENV, MISSING], override: {FOO: bar}}}",
    "  prod: {command: [env], env: {from_host: [NODE_ENV], override: {NODE_ENV: prod}}}",
    "",
  ].join("\n"),
  "deep/nested/haz.yml": "tags: [nest]\ntasks:\n  pwd: {command: [pwd]}\n",
  // Bun loads `.env` from the working directory unless told not to; haz must not (PROC-004).
  ".env": "NODE_ENV=from-dotenv\nMISSING=from-dotenv\nCI=from-dotenv\n",
  "bgp/haz.yml": 'tasks:\n  bg: {shell: "sleep 300 & echo $! > ../bg.pid; echo done"}\n',
  "bin/hello": "#!/bin/sh\necho custom hello\n",
  "pr/tools/where.sh": '#!/bin/sh\necho "local $(pwd)"\n',
});
chmodSync(fixture.path("bin/hello"), 0o755);
chmodSync(fixture.path("pr/tools/where.sh"), 0o755);
await fixture.write({
  "pr/haz.yml": [
    "tasks:",
    `  hello: {command: [hello], env: {override: {PATH: ${JSON.stringify(fixture.path("bin"))}}}}`,
    `  nopath: {command: [env], env: {override: {PATH: ${JSON.stringify(fixture.path("empty"))}}}}`,
    "  local: {command: [./tools/where.sh]}",
    "",
  ].join("\n"),
});
after(() => fixture.remove());

/** The environment of a haz run whose marker tasks log to `log` (a path under the fixture). */
function logEnv(log: string, extra: Record<string, string> = {}): Record<string, string | undefined> {
  return { ...baseEnv(), LOG: fixture.path(log), ...extra };
}

test(
  "04 §11 ex 13 EXEC-010 EXEC-011 a failure skips hard descendants naming the root; others run",
  SLOW,
  async () => {
    const result = await runHaz(["run", "--all", "-j", "4"], { cwd: fixture.path("p") });
    assert.equal(result.code, 1);
    assert.equal(result.stderr, "");
    const lines = maskDurations(result.stdout).split("\n");
    const failed = lines.indexOf("✗ failed p:a (T): exit code 1");
    assert.ok(failed >= 0, result.stdout);
    assert.deepEqual(lines.slice(failed + 1, failed + 3), [
      "- skipped p:b: upstream p:a failed",
      "- skipped p:c: upstream p:a failed",
    ]);
    assert.deepEqual(
      lines.slice(0, 5).filter((line) => line.includes("p:d")),
      ["[p:d] dee", "✓ done p:d (T)"],
    );
    assert.deepEqual(lines.slice(5), ["", "Tasks: 1 completed, 1 failed, 2 skipped", " Time: T", ""]);
  },
);

test("04 §11 ex 14 a spawn error errors the task and skips its successors", SLOW, async () => {
  const result = await runHaz(["run", "e:b"], { cwd: fixture.root });
  assert.equal(result.code, 1);
  assert.equal(
    maskDurations(result.stdout),
    "✗ errored e:a (T): program not found: no-such-program\n" +
      "- skipped e:b: upstream e:a errored\n" +
      "\nTasks: 0 completed, 1 failed, 1 skipped\n Time: T\n",
  );
  assert.equal(result.stderr, "");
});

test("EXEC-011 with two failing roots the first one handled names the skips, once", SLOW, async () => {
  const result = await runHaz(["run", "r:d", "-j", "4"], { cwd: fixture.root });
  assert.equal(result.code, 1);
  assert.equal(
    maskDurations(result.stdout),
    "✗ failed r:a (T): exit code 1\n" +
      "- skipped r:c: upstream r:a failed\n" +
      "- skipped r:d: upstream r:a failed\n" +
      "✗ failed r:b (T): exit code 2\n" +
      "\nTasks: 0 completed, 2 failed, 2 skipped\n Time: T\n",
  );
});

test("04 §11 ex 18 EX-210 EXEC-101 soft edges order, never pull in and never cascade", SLOW, async () => {
  const [onlyY, ordered, failing] = await oneAfterAnother([
    () => runHaz(["run", "s:y"], { cwd: fixture.root, env: logEnv("soft1.log") }),
    () => runHaz(["run", "s:x", "s:y", "-j", "4"], { cwd: fixture.root, env: logEnv("soft2.log") }),
    () =>
      runHaz(["run", "s:x", "s:y", "s:z", "-j", "4"], {
        cwd: fixture.root,
        env: logEnv("soft3.log", { X_EXIT: "1" }),
      }),
  ]);
  assert.equal(onlyY.code, 0);
  assert.equal(maskDurations(onlyY.stdout), "✓ done s:y (T)\n\nTasks: 1 completed\n Time: T\n");
  assert.deepEqual(readLines(fixture.path("soft1.log")), ["y"]);

  assert.equal(ordered.code, 0);
  assert.deepEqual(readLines(fixture.path("soft2.log")), ["x", "y"]);
  assert.equal(
    maskDurations(ordered.stdout),
    "✓ done s:x (T)\n✓ done s:y (T)\n\nTasks: 2 completed\n Time: T\n",
  );

  assert.equal(failing.code, 1);
  assert.deepEqual(readLines(fixture.path("soft3.log")), ["x", "y"]);
  assert.equal(
    maskDurations(failing.stdout),
    "✗ failed s:x (T): exit code 1\n- skipped s:z: upstream s:x failed\n✓ done s:y (T)\n" +
      "\nTasks: 1 completed, 1 failed, 1 skipped\n Time: T\n",
  );
});

test(
  "EXEC-102 an aggregate completes without a process or duration; a failed predecessor skips it",
  SLOW,
  async () => {
    const result = await runHaz(["run", "g:all", "g:fall", "-j", "1"], { cwd: fixture.root });
    assert.equal(result.code, 1);
    assert.equal(
      maskDurations(result.stdout),
      [
        "✗ failed g:fail (T): exit code 3",
        "- skipped g:fall: upstream g:fail failed",
        "[g:one] one",
        "✓ done g:one (T)",
        "[g:two] two",
        "✓ done g:two (T)",
        "✓ done g:all",
        "",
        "Tasks: 3 completed, 1 failed, 1 skipped",
        " Time: T",
        "",
      ].join("\n"),
    );
  },
);

const SCHEDULED = ["m1:migrate", "m1:seed", "m2:migrate", "m1:lx", "m1:lz", "m2:ly"].concat(
  ["ms:ra", "ms:rb", "ms:wc", "h1:t", "h2:t", "q:t", "ha:t", "hb:t", "hc:t"],
);
let scheduling: Promise<HazResult> | undefined;

/** One run of every mutex and tag-cap task with slots to spare, shared by the tests that read its log. */
function schedulingRun(): Promise<HazResult> {
  scheduling ??= runHaz(["run", "-j", "16", ...SCHEDULED], {
    cwd: fixture.root,
    env: logEnv("scheduling.log"),
  });
  return scheduling;
}

test(
  "MUTEX-001..004 exclusive holders never overlap; ~: locks are per project; shared holders overlap",
  SLOW,
  async () => {
    const result = await schedulingRun();
    assert.equal(result.code, 0, result.stderr);
    const log = readLines(fixture.path("scheduling.log"));

    // 04 §11 ex 7: one global lock across projects, granted in canonical order.
    assert.deepEqual(log.filter((line) => line.endsWith("migrate") || line.endsWith("seed")), [
      "s m1:migrate",
      "e m1:migrate",
      "s m1:seed",
      "e m1:seed",
      "s m2:migrate",
      "e m2:migrate",
    ]);

    const spans = readIntervals(fixture.path("scheduling.log"));
    // 04 §11 ex 8: `~:lk` in m1 and in m2 are two locks.
    assert.ok(overlaps(spans.get("m1:lx")!, spans.get("m2:ly")!), "m1:lx and m2:ly overlap");
    assert.ok(!overlaps(spans.get("m1:lx")!, spans.get("m1:lz")!), "m1:lx and m1:lz never overlap");
    // 04 §11 ex 9: shared holders overlap each other, never the exclusive one.
    assert.ok(overlaps(spans.get("ms:ra")!, spans.get("ms:rb")!), "ms:ra and ms:rb overlap");
    assert.ok(!overlaps(spans.get("ms:ra")!, spans.get("ms:wc")!));
    assert.ok(!overlaps(spans.get("ms:rb")!, spans.get("ms:wc")!));

    // EXEC-017: the duration runs from the latest admission, so the two turns (2 × 0.5 s) that
    // m2:migrate spent parked are not in it: it stays below one second.
    assert.match(result.stdout, /\n✓ done m2:migrate \(\d+ms\)\n/);
  },
);

test(
  "EXEC-004 05 §4 the cap comes from -j, else HAZ_CONCURRENCY, else concurrency.default; 1 serialises",
  SLOW,
  async () => {
    const tasks = ["cb:z", "ca:y", "ca:x"];
    const [flag, variable] = await Promise.all([
      runHaz(["run", "-j", "1", ...tasks], {
        cwd: fixture.root,
        env: logEnv("cap_flag.log", { HAZ_CONCURRENCY: "3" }),
      }),
      runHaz(["run", "cw:x", "cw:y", "cw:z"], {
        cwd: fixture.root,
        env: logEnv("cap_env.log", { HAZ_CONCURRENCY: "3" }),
      }),
    ]);
    // After the first: two processes running the same tasks wait for each other (XPROC-002).
    const workspaceDefault = await runHaz(["run", ...tasks], {
      cwd: fixture.root,
      env: logEnv("cap_default.log"),
    });
    const serial = ["s ca:x", "e ca:x", "s ca:y", "e ca:y", "s cb:z", "e cb:z"];
    assert.equal(flag.code, 0);
    assert.deepEqual(readLines(fixture.path("cap_flag.log")), serial);
    assert.equal(workspaceDefault.code, 0);
    assert.deepEqual(readLines(fixture.path("cap_default.log")), serial);
    assert.equal(variable.code, 0);
    // HAZ_CONCURRENCY=3 beats the default 1: all three start before any ends.
    const kinds = readLines(fixture.path("cap_env.log")).map((line) => line[0]);
    assert.equal(kinds.join(""), "ssseee");
  },
);

test(
  "05 §9 ex 6 CLI-020 -j 0 and HAZ_CONCURRENCY=lots are usage errors naming the source",
  SLOW,
  async () => {
    const usage = [
      "",
      "usage: haz run [REF...] [--all | --workspace] [--git-changed | --git-staged | --git-changed-since REV]",
      "               [--dry-run [--json]] [--output-mode live|buffered] [-j N|auto] [--no-cache]",
      "               [--remote-cache off|read|write|read-write] [--shard I/N]",
      "               [--fail-fast] [--summary FILE] [--profile FILE]",
      "",
    ].join("\n");
    const [zero, lots] = await Promise.all([
      runHaz(["run", "-j", "0"], { cwd: fixture.root }),
      runHaz(["run"], { cwd: fixture.root, env: { ...baseEnv(), HAZ_CONCURRENCY: "lots" } }),
    ]);
    assert.equal(zero.code, 2);
    assert.equal(zero.stdout, "");
    assert.equal(
      zero.stderr,
      'haz run: error: invalid value for -j: "0" (expected an integer >= 1 or auto)\n' +
        "help: run 'haz run --help' to see every option\n" + usage,
    );
    assert.equal(lots.code, 2);
    assert.equal(lots.stdout, "");
    assert.equal(
      lots.stderr,
      'haz run: error: invalid value for HAZ_CONCURRENCY: "lots" (expected an integer >= 1 or auto)\n' +
        "help: run 'haz run --help' to see every option\n" + usage,
    );
  },
);

test("04 §11 ex 4 EXEC-005 a tag cap serialises tagged tasks only", SLOW, async () => {
  const result = await schedulingRun();
  assert.equal(result.code, 0, result.stderr);
  const spans = readIntervals(fixture.path("scheduling.log"));
  assert.ok(!overlaps(spans.get("h1:t")!, spans.get("h2:t")!), "h1:t and h2:t never overlap");
  assert.ok(overlaps(spans.get("q:t")!, spans.get("h1:t")!), "q:t overlaps h1:t");
});

test(
  "04 §11 ex 5 EXEC-006 a task waiting for a tag slot does not block later ready tasks",
  SLOW,
  async () => {
    const result = await schedulingRun();
    assert.equal(result.code, 0, result.stderr);
    const spans = readIntervals(fixture.path("scheduling.log"));
    assert.ok(overlaps(spans.get("hc:t")!, spans.get("ha:t")!), "hc:t (io) is admitted past hb:t");
    assert.ok(!overlaps(spans.get("hb:t")!, spans.get("ha:t")!), "hb:t waits for the big slot");
  },
);

/** Parses `[id] NAME=value` lines of an `env` task into a record. */
function childEnv(stdout: string, id: string): Record<string, string> {
  const prefix = `[${id}] `;
  const entries = stdout.split("\n").filter((line) => line.startsWith(prefix)).map((line) => {
    const text = line.slice(prefix.length);
    const equals = text.indexOf("=");
    return [text.slice(0, equals), text.slice(equals + 1)];
  });
  return Object.fromEntries(entries);
}

test(
  "CFG-040 EX-109 PROC-004 the child environment is exactly baseline + pass_through + from_host + override (a .env file is never loaded)",
  SLOW,
  async () => {
    const host = {
      PATH: process.env.PATH!,
      HOME: process.env.HOME ?? fixture.root,
      USER: "e2e-user",
      LOGNAME: "e2e-logname",
      SHELL: "/bin/e2e-sh",
      TMPDIR: fixture.path("tmp"),
      TERM: "e2e-term",
      LANG: "C",
      TZ: "UTC",
      LC_ALL: "C",
      LC_E2E: "lc-value",
      "LC_BAD-NAME": "not a valid name",
      [`LC_${"X".repeat(300)}`]: "name longer than 256 bytes",
      CI: "1",
      NODE_ENV: "dev",
      SECRET: "s",
      HAZ_CONCURRENCY: "2",
      NO_COLOR: "1",
    };
    const baseline = {
      PATH: host.PATH,
      HOME: host.HOME,
      USER: host.USER,
      LOGNAME: host.LOGNAME,
      SHELL: host.SHELL,
      TMPDIR: host.TMPDIR,
      TERM: host.TERM,
      LANG: host.LANG,
      TZ: host.TZ,
      LC_ALL: host.LC_ALL,
      LC_E2E: host.LC_E2E,
    };
    const minimal = { PATH: host.PATH, HOME: host.HOME };
    const [full, bare] = await oneAfterAnother([
      () => runHaz(["run", "-j", "1", "envp:show", "envp:prod"], { cwd: fixture.root, env: host }),
      () => runHaz(["run", "envp:show"], { cwd: fixture.root, env: minimal }),
    ]);
    assert.equal(full.code, 0, full.stderr);
    assert.deepEqual(childEnv(full.stdout, "envp:show"), {
      ...baseline,
      CI: "1",
      NODE_ENV: "dev",
      FOO: "bar",
    });
    assert.deepEqual(childEnv(full.stdout, "envp:prod"), { ...baseline, CI: "1", NODE_ENV: "prod" });
    assert.equal(bare.code, 0, bare.stderr);
    assert.deepEqual(childEnv(bare.stdout, "envp:show"), { ...minimal, FOO: "bar" });
  },
);

test(
  "CFG-041 a task runs in its project root, an overlay task in the project it is attached to",
  SLOW,
  async () => {
    const refs = ["nested:pwd", "nested:where", "envp:where"];
    const result = await runHaz(["-C", fixture.path("p"), "run", "-j", "1", ...refs], { cwd: tmpdir() });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split("\n").filter((line) => line.startsWith("["));
    assert.deepEqual(lines, [
      `[envp:where] ${fixture.path("envp")}`,
      `[nested:pwd] ${fixture.path("deep/nested")}`,
      `[nested:where] ${fixture.path("deep/nested")}`,
    ]);
  },
);

test(
  "04 §11 ex 27 PROC-006 a background straggler holding stdout neither delays the task nor survives",
  SLOW,
  async () => {
    const started = Date.now();
    const result = await runHaz(["run", "bgp:bg"], { cwd: fixture.root });
    const elapsed = Date.now() - started;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      maskDurations(result.stdout),
      "[bgp:bg] done\n✓ done bgp:bg (T)\n\nTasks: 1 completed\n Time: T\n",
    );
    const reported = /✓ done bgp:bg \((\d+)ms\)/.exec(result.stdout);
    assert.ok(reported !== null && Number(reported[1]) < 1000, `reported within 1 s: ${result.stdout}`);
    assert.ok(elapsed < 10_000, `haz finished in ${elapsed} ms`);
    const pid = Number(readFileSync(fixture.path("bg.pid"), "utf8"));
    assert.ok(pid > 0);
    assert.equal(await aliveAfter(pid, 2000), false, `background sleep ${pid} is dead`);
  },
);

test(
  "PROC-003 programs are looked up in the child's PATH; a path with / is relative to the project",
  SLOW,
  async () => {
    const result = await runHaz(["run", "-j", "1", "pr:hello", "pr:local", "pr:nopath"], {
      cwd: fixture.path("e"),
    });
    assert.equal(result.code, 1);
    assert.equal(
      maskDurations(result.stdout),
      "[pr:hello] custom hello\n✓ done pr:hello (T)\n" +
        `[pr:local] local ${fixture.path("pr")}\n✓ done pr:local (T)\n` +
        "✗ errored pr:nopath (T): program not found: env\n" +
        "\nTasks: 2 completed, 1 failed\n Time: T\n",
    );
  },
);

/** A script that sleeps, then writes `/shared/x.txt`. */
function writeShared(text: string, seconds: number): string {
  return `sleep ${seconds}; mkdir -p ../shared && echo ${text} > ../shared/x.txt`;
}

const overlap = await createWorkspaceFixture({
  ".haz/workspace.yml": "projects: [p, q, r, s, f]\n",
  "p/haz.yml": `tasks:\n  a: {shell: "${writeShared("p", 0)}", outputs: ["/shared/*.txt"]}\n`,
  "q/haz.yml": `tasks:\n  b: {shell: "${writeShared("q", 0.3)}", outputs: ["/shared/*.txt"]}\n`,
  "s/haz.yml": `tasks:\n  c: {shell: "${writeShared("s", 0.6)}", outputs: ["/shared/*.txt"]}\n`,
  "r/haz.yml": 'tasks:\n  c: {command: ["true"], deps: ["q:b"]}\n',
  "f/haz.yml": [
    "tasks:",
    '  x: {shell: "exit 1"}',
    '  long: {shell: "sleep 0.5; touch ../started; sleep 30"}',
    "",
  ].join("\n"),
});
after(() => overlap.remove());

test(
  "04 §11 ex 34 EXEC-020 EXEC-106 an output overlap is reported once and closes the gate; exit 1",
  SLOW,
  async () => {
    const result = await runHaz(["run", "-j", "1", "p:a", "q:b", "r:c"], { cwd: overlap.root });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      "error[EXEC-020]: output overlap: /shared/x.txt was materialised by p:a and q:b\n",
    );
    assert.equal(
      maskDurations(result.stdout),
      "✓ done p:a (T)\n✓ done q:b (T)\n- skipped r:c: run stopped by output overlap after q:b\n" +
        "\nTasks: 2 completed, 1 skipped\n Time: T\n",
    );
  },
);

test(
  "04 §11 ex 35 EXEC-020 a third producer of a path is reported against the first claimant",
  SLOW,
  async () => {
    const result = await runHaz(["run", "-j", "4", "p:a", "q:b", "r:c", "s:c"], { cwd: overlap.root });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      "error[EXEC-020]: output overlap: /shared/x.txt was materialised by p:a and q:b\n" +
        "error[EXEC-020]: output overlap: /shared/x.txt was materialised by p:a and s:c\n",
    );
    assert.equal(
      maskDurations(result.stdout),
      "✓ done p:a (T)\n✓ done q:b (T)\n- skipped r:c: run stopped by output overlap after q:b\n" +
        "✓ done s:c (T)\n" +
        "\nTasks: 3 completed, 1 skipped\n Time: T\n",
    );
  },
);

test(
  "05 §8 EXEC-021 run exit precedence: failure with overlap 1; summary failure turns only 0 into 2",
  SLOW,
  async () => {
    // One after the other: these runs share tasks, and two processes running one task wait for each
    // other (XPROC-002).
    const failedWithOverlap = await runHaz(["run", "-j", "1", "p:a", "q:b", "f:x"], { cwd: overlap.root });
    const summaryOnSuccess = await runHaz(["run", "r:c", "--summary", "missing-dir/s.json"], {
      cwd: overlap.root,
    });
    const summaryOnFailure = await runHaz(["run", "f:x", "--summary", "missing-dir/s.json"], {
      cwd: overlap.root,
    });
    assert.equal(failedWithOverlap.code, 1);
    assert.match(failedWithOverlap.stderr, /^error\[EXEC-020\]: output overlap: \/shared\/x\.txt/);
    assert.equal(summaryOnSuccess.code, 2);
    assert.match(summaryOnSuccess.stdout, /\nTasks: 2 completed\n/);
    assert.match(summaryOnSuccess.stderr, /^error: could not write summary to missing-dir\/s\.json: /);
    assert.equal(summaryOnFailure.code, 1);
    assert.match(summaryOnFailure.stderr, /^error: could not write summary to missing-dir\/s\.json: /);
  },
);

test("05 §8 EXEC-021 a signal beats an earlier task failure: 130", SLOW, async () => {
  const haz = spawnHaz(["run", "-j", "2", "f:x", "f:long"], { cwd: overlap.root });
  await waitForFile(overlap.path("started"));
  haz.signal("SIGINT");
  const result = await haz.exited;
  assert.equal(result.code, 130);
  assert.equal(
    maskDurations(result.stdout),
    "✗ failed f:x (T): exit code 1\n! cancelled f:long (T): stopped with SIGTERM\n" +
      "\nTasks: 0 completed, 1 failed, 1 cancelled\n Time: T\n",
  );
  assert.equal(
    result.stderr,
    "haz: received SIGINT, stopping running tasks (grace 5s); send it again to kill them now\n",
  );
});
