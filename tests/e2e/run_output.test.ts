import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { after, test } from "node:test";
import { createWorkspaceFixture } from "../support/workspace_fixture.ts";
import { baseEnv, runHaz, spawnHazProcess } from "../support/run_haz.ts";
import { maskDurations, oneAfterAnother, SLOW } from "./run_support.ts";

const FIVE_MIB = 5 * 1024 * 1024;
const LONG_LINE = 70_000;

const fixture = await createWorkspaceFixture({
  ".haz/workspace.yml": "projects: [p]\n",
  "p/haz.yml": [
    "tasks:",
    '  a: {shell: "echo one; sleep 0.2; printf two; echo oops >&2"}',
    '  b1: {shell: "echo a1; sleep 0.2; echo a2; echo e1 >&2; sleep 0.2; printf a3"}',
    '  b2: {shell: "sleep 0.1; echo b1; sleep 0.2; echo b2; sleep 0.2; echo b3; echo e2 >&2; sleep 0.3"}',
    // Prints 5 MiB, then records the spill files haz holds in $TMPDIR while the task still runs.
    "  big:",
    "    shell: >-",
    "      yes 0123456789abcde | head -c 5242880;",
    '      sleep 0.3; ls -l "$TMPDIR" > ../spill_listing.txt',
    "  t: {command: [echo, hi], inputs: []}",
    '  many: {shell: "seq 1 20000; sleep 0.3; echo done > ../many.done"}',
    "  raw: {shell: \"printf 'a\\\\rb\\\\n'; printf '\\\\033[1mbold\\\\033[0m\\\\n'\"}",
    `  long: {shell: "printf '%0${LONG_LINE}d' 0 | tr 0 x"}`,
    "  chunks: {shell: \"printf hel; sleep 0.1; printf 'lo\\\\nwor'; sleep 0.1; printf 'ld\\\\n'\"}",
    "",
  ].join("\n"),
});
after(() => fixture.remove());

const ESC = "\x1b";

test(
  "04 §11 ex 38 EXEC-016 live: prefixed lines, a partial last line gets its newline, stderr apart",
  SLOW,
  async () => {
    const result = await runHaz(["run", "p:a"], { cwd: fixture.root });
    assert.equal(result.code, 0);
    assert.equal(
      maskDurations(result.stdout),
      "[p:a] one\n[p:a] two\n✓ done p:a (T)\n\nTasks: 1 completed\n Time: T\n",
    );
    assert.equal(result.stderr, "[p:a] oops\n");
  },
);

test("EXEC-016 live: bytes pass through unchanged; a held line is cut at 64 KiB", SLOW, async () => {
  const result = await runHaz(["run", "-j", "1", "p:raw", "p:long", "p:chunks"], { cwd: fixture.root });
  assert.equal(result.code, 0);
  const expected = "[p:chunks] hello\n[p:chunks] world\n✓ done p:chunks (T)\n" +
    `[p:long] ${"x".repeat(65_536)}\n[p:long] ${"x".repeat(LONG_LINE - 65_536)}\n✓ done p:long (T)\n` +
    `[p:raw] a\rb\n[p:raw] ${ESC}[1mbold${ESC}[0m\n✓ done p:raw (T)\n` +
    "\nTasks: 3 completed\n Time: T\n";
  const actual = maskDurations(result.stdout);
  assert.ok(actual === expected, `unexpected stdout: ${JSON.stringify(actual.replace(/x{100,}/g, "x…"))}`);
});

test("04 §11 ex 40 EXEC-016 buffered: one unit per task in terminal order, no prefixes", SLOW, async () => {
  const result = await runHaz(["run", "-j", "2", "--output-mode", "buffered", "p:b1", "p:b2"], {
    cwd: fixture.root,
  });
  assert.equal(result.code, 0);
  assert.equal(
    maskDurations(result.stdout),
    "✓ done p:b1 (T)\na1\na2\na3\n✓ done p:b2 (T)\nb1\nb2\nb3\n\nTasks: 2 completed\n Time: T\n",
  );
  assert.equal(result.stderr, "e1\ne2\n");
});

test(
  "04 §11 ex 41 EXEC-108 buffered: 5 MiB arrive exactly; the spill file exists during the run only",
  SLOW,
  async () => {
    const tmp = fixture.path("tmp");
    mkdirSync(tmp);
    const result = await runHaz(["run", "--output-mode", "buffered", "p:big"], {
      cwd: fixture.root,
      env: { ...baseEnv(), TMPDIR: tmp },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "");
    const statusLine = /^✓ done p:big \([^)]*\)\n/.exec(result.stdout);
    assert.ok(statusLine !== null, result.stdout.slice(0, 200));
    const start = Buffer.byteLength(statusLine[0]);
    const body = result.stdoutBytes.subarray(start, start + FIVE_MIB);
    assert.ok(body.equals(Buffer.from("0123456789abcde\n".repeat(FIVE_MIB / 16))), "exact 5 MiB");
    assert.match(
      maskDurations(result.stdoutBytes.subarray(start + FIVE_MIB).toString("utf8")),
      /^\nTasks: 1 completed\n Time: T\n$/,
    );
    const listing = readFileSync(fixture.path("spill_listing.txt"), "utf8");
    assert.match(listing, /^-rw------- .* haz-\d+-[^ ]+\.out$/m, listing);
    assert.deepEqual(readdirSync(tmp), []);
  },
);

test("04 §11 ex 42 CACHE-019 a hit replays its output in live and buffered mode", SLOW, async () => {
  const fresh = await runHaz(["run", "p:t"], { cwd: fixture.root });
  assert.equal(maskDurations(fresh.stdout), "[p:t] hi\n✓ done p:t (T)\n\nTasks: 1 completed\n Time: T\n");
  const [live, buffered] = await Promise.all([
    runHaz(["run", "p:t"], { cwd: fixture.root }),
    runHaz(["run", "p:t", "--output-mode", "buffered"], { cwd: fixture.root }),
  ]);
  assert.equal(live.code, 0);
  assert.equal(
    maskDurations(live.stdout),
    "[p:t] hi\n◉ cached p:t (T)\n\nTasks: 1 completed (1 cached)\n Time: T\n",
  );
  assert.equal(buffered.code, 0);
  assert.equal(
    maskDurations(buffered.stdout),
    "◉ cached p:t (T)\nhi\n\nTasks: 1 completed (1 cached)\n Time: T\n",
  );
});

/** FNV-1a 32-bit over the UTF-8 bytes of `text`. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

/** The `38;2;R;G;B` parameters of HSL(hue, 60 %, 65 %), channels rounded to the nearest integer. */
function taskColour(id: string): string {
  const hue = fnv1a(id) % 360;
  const chroma = (1 - Math.abs(2 * 0.65 - 1)) * 0.6;
  const x = chroma * (1 - Math.abs(((hue / 60) % 2) - 1));
  const m = 0.65 - chroma / 2;
  const sector = Math.floor(hue / 60);
  const [r, g, b] = [
    [chroma, x, 0],
    [x, chroma, 0],
    [0, chroma, x],
    [0, x, chroma],
    [x, 0, chroma],
    [chroma, 0, x],
  ][sector];
  return [r, g, b].map((channel) => Math.round((channel + m) * 255)).join(";");
}

const SGR_SEQUENCE = new RegExp(`${ESC}\\[[0-9;]*m`, "g");
const stripSgr = (text: string) => text.replace(SGR_SEQUENCE, "");

test(
  "04 §11 ex 43 05 §9 ex 18 CLI-010 piped: no ESC and no \\r; FORCE_COLOR / --color colour without a footer",
  SLOW,
  async () => {
    const noColourEnv = { ...baseEnv(), TERM: "xterm-256color" };
    const [piped, forcedOff, forced, always, never, forcedOverNoColor] = await oneAfterAnother([
      () => runHaz(["run", "p:a"], { cwd: fixture.root, env: noColourEnv }),
      () => runHaz(["run", "p:a"], { cwd: fixture.root, env: { ...noColourEnv, FORCE_COLOR: "0" } }),
      () => runHaz(["run", "p:a"], { cwd: fixture.root, env: { ...noColourEnv, FORCE_COLOR: "1" } }),
      () => runHaz(["run", "p:a", "--color", "always"], { cwd: fixture.root, env: noColourEnv }),
      () =>
        runHaz(["run", "p:a", "--color", "never"], {
          cwd: fixture.root,
          env: { ...noColourEnv, FORCE_COLOR: "1" },
        }),
      () =>
        runHaz(["run", "p:a"], {
          cwd: fixture.root,
          env: { ...noColourEnv, FORCE_COLOR: "1", NO_COLOR: "1" },
        }),
    ]);
    for (const result of [piped, forcedOff, never]) {
      assert.equal(result.code, 0);
      assert.ok(!result.stdout.includes(ESC) && !result.stderr.includes(ESC), "no ESC");
      assert.ok(!result.stdout.includes("\r") && !result.stderr.includes("\r"), "no \\r");
    }
    const prefix = `${ESC}[38;2;${taskColour("p:a")}m[p:a]${ESC}[0m `;
    for (const result of [forced, always, forcedOverNoColor]) {
      assert.equal(result.code, 0);
      assert.ok(!result.stdout.includes("\r") && !result.stderr.includes("\r"), "no footer");
      assert.ok(!result.stdout.includes(`${ESC}[2K`), "no erase sequence");
      assert.equal(maskDurations(stripSgr(result.stdout)), maskDurations(piped.stdout));
      assert.equal(stripSgr(result.stderr), piped.stderr);
      assert.ok(result.stdout.startsWith(`${prefix}one\n${prefix}two\n`), JSON.stringify(result.stdout));
      assert.equal(result.stderr, `${prefix}oops\n`);
      const status = result.stdout.split("\n")[2];
      assert.match(status, new RegExp(`^${ESC}\\[[0-9;]+m✓ done${ESC}\\[0m `), JSON.stringify(status));
      assert.ok(status.includes(`${ESC}[38;2;${taskColour("p:a")}mp:a${ESC}[0m`), JSON.stringify(status));
    }
  },
);

test(
  "04 §9 a reader that goes away stops neither the run nor its exit code (haz run | head)",
  SLOW,
  async () => {
    const child = spawnHazProcess(["run", "p:many"], { cwd: fixture.root });
    child.stdout!.once("data", () => child.stdout!.destroy());
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => stderr += chunk);
    const code = await new Promise((resolve) => child.on("close", (exitCode) => resolve(exitCode)));
    assert.equal(code, 0, stderr);
    assert.equal(stderr, "");
    // Written by the task 0.3 s after its output: haz waited for it instead of dying on EPIPE.
    assert.equal(readFileSync(fixture.path("many.done"), "utf8"), "done\n");
  },
);
