/**
 * End to end: `haz watch` on the real CLI (09-services-and-watch.md §14 scenarios 41–54, [bin]).
 * Tasks append markers to files outside the workspace; waits have deadlines of 20 s and "nothing
 * happens" checks wait 3 s after the last expected marker.
 */

import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test, type TestContext } from "node:test";
import { uniqueSleepMarker, waitUntilGone } from "../support/process_table.ts";
import { hazCommand, runHaz, shellQuote } from "../support/run_haz.ts";
import { type HazChild, spawnHaz } from "../support/spawn_haz.ts";
import { createWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";
import { heldWebService, markedTask, withMarkedWorkspace } from "../support/marked_workspace.ts";

const LONG = { timeout: 90_000 };
/**
 * HAZ_WATCH_REPEAT=N (CI sets 20 for the compiled executable): each scenario runs N times at once,
 * on N workspaces, and passes only when every run passes (acceptance 1 of issue 17: the [bin] watch
 * scenarios repeated without a flake). Unset: once.
 */
const REPEAT = Math.max(1, Number(process.env.HAZ_WATCH_REPEAT ?? "1") || 1);

/** Registers a scenario, repeated as {@link REPEAT} says. */
function scenario(name: string, body: (t: TestContext) => Promise<void>): void {
  if (REPEAT === 1) return void test(name, LONG, body);
  test(`${name} (${REPEAT} at once)`, { timeout: 300_000 }, async (t) => {
    const results = await Promise.allSettled(Array.from({ length: REPEAT }, () => body(t)));
    const failures = results.flatMap((result, index) =>
      result.status === "rejected"
        ? [`run ${index + 1}: ${(result.reason as Error)?.stack ?? result.reason}`]
        : []
    );
    assert.deepEqual(failures, [], `${failures.length} of ${REPEAT} runs failed`);
  });
}
const D = String.raw`(?:\d+h(?: \d+m)?|\d+m(?: \d+s)?|\d+s(?: \d+ms)?|\d+ms)`;
const marks = realpathSync(mkdtempSync(join(tmpdir(), "haz-watch-marks-")));
after(() => rmSync(marks, { recursive: true, force: true }));
let markCounter = 0;

function markFile(): string {
  markCounter += 1;
  return join(marks, `m${markCounter}`);
}

function markLines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, "utf8").split("\n").filter((line) => line !== "") : [];
}

async function waitForMarks(path: string, count: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (markLines(path).length < count) {
    if (Date.now() > deadline) throw new Error(`${path}: ${markLines(path).length} of ${count} marks`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until haz said `waiting for changes` `count` times: the cycle before it has settled. */
async function waitingAgain(haz: HazChild, count: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  const said = () => haz.lines("stderr").filter((line) => line === "haz watch: waiting for changes").length;
  while (said() < count) {
    if (Date.now() > deadline) throw new Error(`haz said "waiting for changes" ${said()} of ${count} times`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 3000));

/** A workspace with project `p`, its tasks written as given, MARK set to a fresh marker file. */
async function workspace(tasks: string, extra: Record<string, string> = {}) {
  const mark = markFile();
  const fx = await createWorkspaceFixture({
    ".haz/workspace.yml": "projects: [p]\n",
    "p/haz.yml": `tasks:\n${tasks.replaceAll("$MARKFILE", mark)}`,
    "p/src/a.txt": "a\n",
    ...extra,
  });
  return { fx, mark };
}

/** Starts `haz watch`, waits for the first cycle, runs `body`, then stops it with SIGINT. */
async function watching(
  fx: WorkspaceFixture,
  args: readonly string[],
  body: (haz: HazChild) => Promise<void>,
) {
  const haz = spawnHaz(["watch", ...args], { cwd: fx.root });
  try {
    await haz.waitForLine("stderr", "haz watch: waiting for changes");
    await body(haz);
  } finally {
    haz.signal("SIGINT");
  }
  return await haz.exited;
}

describe("haz watch (09-services-and-watch.md §14, [bin])", () => {
  scenario(
    "WATCH-003 WATCH-080 scenario 41: first cycle, a change, a second cycle, Ctrl-C → 130",
    async () => {
      const { fx, mark } = await workspace(
        '  build:\n    shell: "echo run >> $MARKFILE"\n    inputs: ["src/**"]\n',
      );
      try {
        const result = await watching(fx, ["p:build"], async (haz) => {
          await waitForMarks(mark, 1);
          await writeFile(fx.path("p/src/a.txt"), "changed\n");
          await waitForMarks(mark, 2);
          await haz.waitForLine("stdout", "── cycle 2: /p/src/a.txt changed");
          await waitingAgain(haz, 2);
        });
        assert.equal(result.code, 130, result.stderr);
        assert.match(
          result.stderr,
          /^haz watch: watching \d+ directories for 1 task; press Ctrl-C to stop$/m,
        );
        assert.match(result.stdout, /^── cycle 1: initial run$/m);
        assert.match(result.stdout, new RegExp(`^Cycle 1: 1 completed in ${D}$`, "m"));
        assert.match(result.stderr, /^haz watch: stopped after 2 cycles$/m);
        // WATCH-084: idle (no cycle, no service), the signal just ends the loop.
        assert.doesNotMatch(result.stderr, /stopping tasks and services/);
      } finally {
        await fx.remove();
      }
    },
  );

  scenario("WATCH-030 scenario 42: 200 files written in one go make one more run", async () => {
    const { fx, mark } = await workspace(
      '  build:\n    shell: "echo run >> $MARKFILE"\n    inputs: ["src/**"]\n',
    );
    try {
      await watching(fx, ["p:build"], async () => {
        await waitForMarks(mark, 1);
        // In one go: synchronous writes, not 200 turns of the event loop of a loaded test process.
        for (let index = 0; index < 200; index++) {
          writeFileSync(fx.path(`p/src/new-${index}.txt`), `${index}\n`);
        }
        await waitForMarks(mark, 2);
        await settle();
        assert.equal(markLines(mark).length, 2);
      });
    } finally {
      await fx.remove();
    }
  });

  scenario(
    "WATCH-022 scenario 43: a README, a declared output and node_modules trigger no run",
    async () => {
      // p:docs reads every .txt and .js file: it proves the watcher saw the files that run nothing.
      const { fx, mark } = await workspace(
        '  build:\n    shell: "mkdir -p dist; echo run >> $MARKFILE"\n    inputs: ["src/**"]\n    outputs: [dist]\n  docs:\n    shell: "echo docs >> $MARKFILE.docs"\n    inputs: ["**/*.txt", "**/*.js"]\n',
      );
      try {
        await watching(fx, ["p:build", "p:docs"], async (haz) => {
          await waitForMarks(mark, 1);
          await waitForMarks(`${mark}.docs`, 1);
          await mkdir(fx.path("p/node_modules/x"), { recursive: true });
          await writeFile(fx.path("p/README.md"), "x");
          await writeFile(fx.path("p/dist/out.txt"), "x");
          await writeFile(fx.path("p/node_modules/x/y.js"), "x");
          await settle();
          assert.equal(markLines(mark).length, 1);
          assert.equal(markLines(`${mark}.docs`).length, 1);
          assert.deepEqual(haz.lines("stdout").filter((line) => line.startsWith("── cycle")), [
            "── cycle 1: initial run",
          ]);
          // The loop still sees changes: a new text file runs p:docs.
          await writeFile(fx.path("p/notes.txt"), "x");
          await waitForMarks(`${mark}.docs`, 2);
          await waitingAgain(haz, 2);
          // WATCH-041: src/a.txt with its current bytes: no run and no cycle header.
          const lines = haz.lines("stdout").length;
          await writeFile(fx.path("p/src/a.txt"), "a\n");
          await settle();
          assert.equal(markLines(mark).length, 1);
          assert.deepEqual(
            haz.lines("stdout").slice(lines).filter((line) => line.startsWith("── cycle")),
            [],
          );
        });
      } finally {
        await fx.remove();
      }
    },
  );

  scenario(
    "WATCH-043 scenario 44: an edit that changes nothing downstream ends in cache hits",
    async () => {
      const mark = markFile();
      const fx = await createWorkspaceFixture({
        ".haz/workspace.yml": "projects: [lib, app]\n",
        "lib/haz.yml":
          `tasks:\n  gen:\n    shell: "echo constant; echo gen >> ${mark}"\n    inputs: ["src/**"]\n`,
        "lib/src/a.ts": "// one\n",
        "app/haz.yml":
          'tasks:\n  build:\n    command: [echo, built]\n    deps: ["lib:gen"]\n    inputs: []\n',
      });
      try {
        const result = await watching(fx, ["app:build"], async (haz) => {
          await waitForMarks(mark, 1);
          await writeFile(fx.path("lib/src/a.ts"), "// two\n");
          await waitForMarks(mark, 2);
          await haz.waitForLine("stdout", /^Cycle 2: /);
        });
        const cycle2 = result.stdout.slice(result.stdout.indexOf("── cycle 2"));
        assert.match(cycle2, new RegExp(`^✓ done lib:gen \\(${D}\\)$`, "m"));
        assert.match(cycle2, new RegExp(`^◉ cached app:build \\(${D}\\)$`, "m"));
      } finally {
        await fx.remove();
      }
    },
  );

  scenario(
    "WATCH-045 scenario 46: a change while a task runs queues one more run; nothing is killed",
    async () => {
      const { fx, mark } = await workspace(
        '  slow:\n    shell: "echo start >> $MARKFILE; sleep 3; echo end >> $MARKFILE"\n    inputs: ["src/**"]\n',
      );
      try {
        const haz = spawnHaz(["watch", "p:slow"], { cwd: fx.root });
        try {
          await waitForMarks(mark, 1);
          await writeFile(fx.path("p/src/a.txt"), "changed\n");
          await waitForMarks(mark, 4);
          await settle();
        } finally {
          haz.signal("SIGINT");
        }
        assert.equal((await haz.exited).code, 130);
        assert.deepEqual(markLines(mark), ["start", "end", "start", "end"]);
      } finally {
        await fx.remove();
      }
    },
  );

  scenario("WATCH-102 scenario 47: new nested directories are watched", async () => {
    const { fx, mark } = await workspace(
      '  build:\n    shell: "echo run >> $MARKFILE"\n    inputs: ["src/**"]\n',
    );
    try {
      await watching(fx, ["p:build"], async () => {
        await waitForMarks(mark, 1);
        await runShell("mkdir -p p/src/deep/er && echo x > p/src/deep/er/f.txt", fx.root);
        await waitForMarks(mark, 2);
        await new Promise((resolve) => setTimeout(resolve, 2000));
        await writeFile(fx.path("p/src/deep/er/g.txt"), "g\n");
        await waitForMarks(mark, 3);
      });
    } finally {
      await fx.remove();
    }
  });

  scenario("WATCH-023 scenario 48: a git checkout of 250 files ends with the branch's listing", async (t) => {
    if (!gitAvailable()) return t.skip("git is not available");
    const entries: Record<string, string> = {};
    for (let index = 0; index < 150; index++) entries[`p/src/f${index}.txt`] = `main ${index}\n`;
    // Not cached: a hit would replay the listing without writing the marker again.
    const { fx, mark } = await workspace(
      '  list:\n    shell: "find src -type f | sort | xargs sha256sum > $MARKFILE"\n    inputs: ["src/**"]\n    cache: false\n',
      { ...entries, ".gitignore": ".haz/cache/\n.haz/locks/\n" },
    );
    const git = (script: string) => runShell(script, fx.root);
    const listing = () =>
      execFileSync("sh", ["-c", "find src -type f | sort | xargs sha256sum"], {
        cwd: fx.path("p"),
        encoding: "utf8",
      });
    const marker = () => existsSync(mark) ? readFileSync(mark, "utf8") : "";
    const waitForListing = async (expected: string) => {
      const deadline = Date.now() + 20_000;
      while (marker() !== expected) {
        if (Date.now() > deadline) throw new Error(`the marker is not the branch's listing:\n${marker()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    try {
      const commit = "git -c user.name=haz -c user.email=haz@example.invalid commit -qm";
      await git(`git init -q -b main . && git add -A && ${commit} main`);
      await git(
        "git checkout -q -b other && mkdir -p p/src/added && " +
          "for i in $(seq 0 99); do echo other $i > p/src/added/n$i.txt; done && " +
          "for i in $(seq 0 49); do rm p/src/f$i.txt; done && " +
          "for i in $(seq 50 149); do echo changed $i > p/src/f$i.txt; done && " +
          `git add -A && ${commit} other && git checkout -q main`,
      );
      const main = listing();
      await watching(fx, ["p:list"], async () => {
        await waitForListing(main);
        await git("git checkout -q other");
        const other = listing();
        assert.notEqual(other, main);
        await waitForListing(other);
        await settle();
        assert.equal(marker(), other);
        await git("git checkout -q main");
        await waitForListing(main);
        await settle();
        assert.equal(marker(), main);
      });
    } finally {
      await fx.remove();
    }
  });

  scenario("WATCH-021 scenario 49: a task without inputs reacts to its project only", async () => {
    const mark = markFile();
    const fx = await createWorkspaceFixture({
      ".haz/workspace.yml": "projects: [p, q]\n",
      "p/haz.yml": `tasks:\n  t:\n    shell: "echo run >> ${mark}"\n`,
      "p/x.txt": "x\n",
      "q/haz.yml": "tasks:\n  u:\n    command: [echo, u]\n",
      "q/x.txt": "x\n",
      "p/.cache/keep": "",
      "p/node_modules/keep": "",
    });
    try {
      await watching(fx, ["p:t"], async () => {
        await waitForMarks(mark, 1);
        await writeFile(fx.path("p/x.txt"), "changed\n");
        await waitForMarks(mark, 2);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        await writeFile(fx.path("p/.cache/y"), "y");
        await writeFile(fx.path("p/node_modules/z"), "z");
        await writeFile(fx.path("q/x.txt"), "changed\n");
        await settle();
        assert.equal(markLines(mark).length, 2);
      });
    } finally {
      await fx.remove();
    }
  });

  scenario(
    "WATCH-001 WATCH-085 scenario 53: usage errors, bad --debounce and no workspace exit 2",
    async () => {
      const { fx } = await workspace("  build:\n    command: [echo]\n");
      try {
        const git = await runHaz(["watch", "--git-changed"], { cwd: fx.root });
        assert.equal(git.code, 2);
        assert.match(git.stderr, /unknown option --git-changed/);
        for (const value of ["abc", "20000"]) {
          const bad = await runHaz(["watch", "--debounce", value, "p:build"], { cwd: fx.root });
          assert.equal(bad.code, 2);
          assert.ok(
            bad.stderr.startsWith(
              `haz watch: error: invalid value for --debounce: "${value}" (expected an integer from 0 to 10000)\n`,
            ),
            bad.stderr,
          );
        }
        const outside = realpathSync(mkdtempSync(join(tmpdir(), "haz-watch-outside-")));
        try {
          const none = await runHaz(["watch"], { cwd: outside });
          assert.equal(none.code, 2);
          assert.match(none.stderr, /DISC-001/);
        } finally {
          rmSync(outside, { recursive: true, force: true });
        }
      } finally {
        await fx.remove();
      }
    },
  );

  scenario("WATCH-025 scenario 54: the startup notice counts the watched directories", async () => {
    const entries: Record<string, string> = { "p/src/sub/a.txt": "a", ".git/HEAD": "ref" };
    for (let index = 0; index < 49; index++) entries[`p/node_modules/m${index}/x`] = "x";
    const { fx } = await workspace('  build:\n    command: [echo, built]\n    inputs: ["src/**"]\n', entries);
    try {
      const result = await watching(fx, ["p:build"], () => Promise.resolve());
      assert.match(result.stderr, /^haz watch: watching 5 directories for 1 task; press Ctrl-C to stop$/m);
    } finally {
      await fx.remove();
    }
  });

  scenario(
    "WATCH-046 scenario 45: a service restarts when its predecessor changes, unless on_change: keep",
    async () => {
      for (const onChange of ["restart", "keep"]) {
        const mark = markFile();
        const marker = uniqueSleepMarker();
        const fx = await createWorkspaceFixture({
          ".haz/workspace.yml": "projects: [lib, app]\n",
          "lib/haz.yml": 'tasks:\n  build:\n    shell: "cat src/*"\n    inputs: ["src/**"]\n',
          "lib/src/a.txt": "one\n",
          "app/haz.yml": [
            "tasks:",
            "  serve:",
            `    shell: "echo spawn >> ${mark}; echo up; sleep ${marker}"`,
            '    deps: ["lib:build"]',
            `    service: {ready: {line: up}, on_change: ${onChange}}`,
            "",
          ].join("\n"),
        });
        try {
          const result = await watching(fx, ["app:serve"], async (haz) => {
            await waitForMarks(mark, 1);
            await writeFile(fx.path("lib/src/a.txt"), "two\n");
            if (onChange === "restart") {
              await waitForMarks(mark, 2);
              await haz.waitForLine("stdout", /^Cycle 2: /);
            } else {
              await haz.waitForLine("stdout", /^Cycle 2: /);
              await settle();
            }
          });
          assert.equal(result.code, 130, result.stderr);
          assert.equal(markLines(mark).length, onChange === "restart" ? 2 : 1, onChange);
          assert.equal(result.stdout.match(/^▲ ready app:serve/gm)?.length, onChange === "restart" ? 2 : 1);
          if (onChange === "restart") {
            const lines = result.stdout.split("\n");
            const restarting = lines.indexOf("↻ restarting app:serve: lib:build changed");
            assert.ok(restarting > lines.indexOf("── cycle 2: /lib/src/a.txt changed"), result.stdout);
            assert.ok(restarting < lines.findLastIndex((line) => line.startsWith("▲ ready app:serve")));
            assert.match(result.stdout, /^Cycle 2: 1 completed, 1 restarted in /m);
          }
          assert.deepEqual(await waitUntilGone(marker, 5000), []);
        } finally {
          await fx.remove();
        }
      }
    },
  );

  scenario(
    "WATCH-084 WATCH-046 scenario 52: a watched service stops at SIGTERM; one that fails starts again on a change",
    async () => {
      const marker = uniqueSleepMarker();
      const { fx } = await workspace(
        `  web:\n    shell: "echo up; sleep ${marker}"\n    inputs: ["src/**"]\n    service: {ready: {line: up}}\n`,
      );
      try {
        const haz = spawnHaz(["watch", "p:web"], { cwd: fx.root });
        await haz.waitForLine("stderr", "haz watch: waiting for changes");
        haz.signal("SIGTERM");
        const result = await haz.exited;
        assert.equal(result.code, 143, result.stderr);
        assert.match(
          result.stderr,
          /^haz: received SIGTERM, stopping tasks and services \(grace 5s\); send it again/m,
        );
        assert.match(result.stdout, new RegExp(`^■ stopped p:web \\(${D}\\)$`, "m"));
        assert.deepEqual(await waitUntilGone(marker, 5000), []);
      } finally {
        await fx.remove();
      }
      const crash = await workspace(
        '  web:\n    shell: "echo spawn >> $MARKFILE; echo up; sleep 2; exit 1"\n    inputs: ["src/**"]\n    service: {ready: {line: up}}\n',
      );
      try {
        const result = await watching(crash.fx, ["p:web"], async (haz) => {
          await haz.waitForLine(
            "stderr",
            "haz watch: p:web is down; it starts again when its inputs or predecessors change",
          );
          await writeFile(crash.fx.path("p/src/a.txt"), "changed\n");
          await waitForMarks(crash.mark, 2);
        });
        assert.equal(result.code, 130);
        assert.match(
          result.stdout,
          new RegExp(`^✗ failed p:web \\(${D}\\): exited with code 1 while running$`, "m"),
        );
      } finally {
        await crash.fx.remove();
      }
    },
  );

  scenario(
    "WATCH-048 scenario 50: a task writing its own inputs runs 3 times, then waits for an idle change",
    async () => {
      const { fx, mark } = await workspace(
        '  stamp:\n    shell: "echo run >> $MARKFILE; echo $$ > src/stamp.txt"\n    inputs: ["src/**"]\n',
      );
      try {
        const result = await watching(fx, ["p:stamp"], async (haz) => {
          await waitForMarks(mark, 3);
          await haz.waitForLine("stderr", /changed its own inputs in 3 cycles in a row/);
          await settle();
          assert.equal(markLines(mark).length, 3);
          await writeFile(fx.path("p/src/other.txt"), "x\n");
          await waitForMarks(mark, 4);
        });
        const warnings = result.stderr.split("\n").filter((line) => line.includes("changed its own inputs"));
        assert.deepEqual(warnings, [
          "warning: p:stamp changed its own inputs in 3 cycles in a row (/p/src/stamp.txt); it will not run again until a change arrives while it is idle",
        ]);
      } finally {
        await fx.remove();
      }
    },
  );

  scenario(
    "WATCH-090 scenario 55 [linux]: the inotify limit is a diagnostic, exit 2, nothing runs",
    async (t) => {
      if (!userNamespaces()) return t.skip("unprivileged user namespaces are not available");
      const entries: Record<string, string> = {};
      for (let index = 0; index < 100; index++) entries[`p/src/d${index}/keep`] = "";
      const { fx, mark } = await workspace(
        '  build:\n    shell: "echo run >> $MARKFILE"\n    inputs: ["src/**"]\n',
        entries,
      );
      try {
        const command = [...hazCommand(), "watch", "p:build"].map(shellQuote).join(" ");
        const result = await runShellCapture(
          `echo 20 > /proc/sys/user/max_inotify_watches && exec ${command}`,
          fx.root,
        );
        assert.equal(result.code, 2, result.stderr);
        assert.match(
          result.stderr,
          /^error\[WATCH-090\]: cannot watch \/\S*: the system limit on watched directories was reached$/m,
        );
        assert.match(result.stderr, /^note: this selection needs 10\d watched directories$/m);
        assert.match(
          result.stderr,
          /^help: raise the limit \(Linux: sysctl fs\.inotify\.max_user_watches=524288\)/m,
        );
        assert.match(result.stderr, /^found 1 error$/m);
        assert.deepEqual(markLines(mark), []);
      } finally {
        await fx.remove();
      }
    },
  );

  scenario(
    "XPROC-001 XPROC-002 a watch cycle waits for the task lock another haz process holds, then runs",
    async () => {
      const marker = uniqueSleepMarker();
      await withMarkedWorkspace({
        s: (mark) => heldWebService(mark, marker),
        t: (mark) => markedTask("e2e", [`shell: "echo e2e >> \\"$MARK\\""`, 'deps: ["s:web"]'], mark),
      }, async (fx, mark) => {
        const first = spawnHaz(["run", "s:web"], { cwd: fx.root });
        await first.waitForLine("stdout", /^▲ ready s:web/);
        const watch = spawnHaz(["watch", "t:e2e"], { cwd: fx.root });
        try {
          await watch.waitForLine("stderr", `note: s:web waits for haz process ${first.pid}, which holds it`);
          await settle();
          assert.deepEqual(markLines(mark), ["spawn"]);
          first.signal("SIGINT");
          assert.equal((await first.exited).code, 130);
          await waitForMarks(mark, 3);
          assert.deepEqual(markLines(mark), ["spawn", "spawn", "e2e"]);
          await watch.waitForLine("stderr", "haz watch: waiting for changes");
        } finally {
          watch.signal("SIGINT");
        }
        const result = await watch.exited;
        assert.equal(result.code, 130, result.stderr);
        assert.match(result.stdout, /^✓ done t:e2e/m);
        assert.deepEqual(await waitUntilGone(marker, 5000), []);
      });
    },
  );

  scenario(
    "WATCH-049 scenario 51: an edited haz.yml reloads; a broken one holds every change until fixed",
    async () => {
      const { fx, mark } = await workspace(
        '  build:\n    shell: "echo one >> $MARKFILE"\n    inputs: ["src/**"]\n',
      );
      try {
        const result = await watching(fx, ["p:build"], async (haz) => {
          await waitForMarks(mark, 1);
          await writeFile(
            fx.path("p/haz.yml"),
            `tasks:\n  build:\n    shell: "echo two >> ${mark}"\n    inputs: ["src/**"]\n`,
          );
          await waitForMarks(mark, 2);
          await haz.waitForLine("stdout", "── cycle 2: configuration changed: /p/haz.yml");
          await writeFile(fx.path("p/haz.yml"), "tasks:\n  build: [\n");
          await haz.waitForLine("stderr", "haz watch: the configuration has errors; waiting for a fix");
          await writeFile(fx.path("p/src/a.txt"), "changed\n");
          await settle();
          assert.equal(markLines(mark).length, 2);
          await writeFile(
            fx.path("p/haz.yml"),
            `tasks:\n  build:\n    shell: "echo three >> ${mark}"\n    inputs: ["src/**"]\n`,
          );
          await waitForMarks(mark, 3);
        });
        assert.deepEqual(markLines(mark), ["one", "two", "three"]);
        assert.match(result.stderr, /^found 1 error$/m);
      } finally {
        await fx.remove();
      }
    },
  );
});

/** Whether git runs here (scenario 48). */
function gitAvailable(): boolean {
  try {
    execFileSync("git", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Whether `unshare -Ur` may set a user namespace's inotify limit here (Linux only). */
function userNamespaces(): boolean {
  try {
    execFileSync("unshare", ["-Ur", "sh", "-c", "echo 20 > /proc/sys/user/max_inotify_watches"], {
      stdio: "ignore",
    });
    return true;
  } catch {
    return false;
  }
}

/** Runs a script in a user namespace and captures its exit code and streams. */
function runShellCapture(script: string, cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("unshare", ["-Ur", "sh", "-c", script], { cwd, stdio: ["ignore", "ignore", "pipe"] });
    const stderr: Buffer[] = [];
    child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr: Buffer.concat(stderr).toString("utf8") }));
  });
}

async function runShell(script: string, cwd: string): Promise<void> {
  const { execFileSync } = await import("node:child_process");
  execFileSync("sh", ["-c", script], { cwd });
}
