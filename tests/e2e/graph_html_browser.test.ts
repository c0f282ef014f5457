// End to end: the html graph (02-graph.md GRAPH-006) in a real browser. haz writes the page of W1, and
// headless Chromium loads it from a `file:` URL with networking features off, runs its script and
// dumps the resulting DOM; every node id of the selection must be drawn there, and the page's script
// must not throw. One screenshot checks that the page renders at all. Chromium is required: without it
// the tests fail (CI installs it with .ci/ensure_chromium.sh).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { type HazResult, runHaz } from "../support/run_haz.ts";
import type { WorkspaceFixture } from "../support/workspace_fixture.ts";
import { createW1Fixture, W1_TASKS } from "../support/w1_fixture.ts";

/** Every haz invocation of the file starts with the first test, which waits for all of them. */
const SLOW = { timeout: 120_000 };

/** What a Chromium run left. */
interface BrowserResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly error?: string;
}

/**
 * Runs headless Chromium on `page` with a fresh profile; `extra` selects what it produces. Console
 * messages of the page go to stderr (`--enable-logging=stderr --v=0`).
 */
async function chromium(page: string, extra: readonly string[]): Promise<BrowserResult> {
  const profile = await mkdtemp(join(tmpdir(), "haz-chromium-"));
  const args = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${profile}`,
    "--enable-logging=stderr",
    "--v=0",
    ...extra,
    `file://${page}`,
  ];
  try {
    return await new Promise<BrowserResult>((resolve) => {
      const child = spawn("chromium", args, { stdio: ["ignore", "pipe", "pipe"] });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
      child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
      child.on("error", (error) => {
        clearTimeout(timer);
        resolve({ code: null, stdout: "", stderr: "", error: error.message });
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({
          code,
          stdout: Buffer.concat(stdout).toString("utf8"),
          stderr: Buffer.concat(stderr).toString("utf8"),
        });
      });
    });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** Fails with a hint when Chromium could not be started or failed. */
function assertBrowserRan(result: BrowserResult): void {
  assert.equal(
    result.error,
    undefined,
    `chromium could not be started (${result.error}); install it with .ci/ensure_chromium.sh`,
  );
  assert.equal(result.code, 0, result.stderr);
}

/** The page's console errors (uncaught exceptions, console.error) from Chromium's log. */
function consoleErrors(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line.includes(":CONSOLE") && /Uncaught|error/i.test(line));
}

/** The DOM without its `<script>` elements, so the embedded json cannot stand in for drawn nodes. */
function drawing(dom: string): string {
  return dom.replace(/<script\b[\s\S]*?<\/script>/g, "");
}

/** Escapes `text` for use inside a RegExp. */
function literal(text: string): RegExp {
  return new RegExp(`>\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*<`);
}

/** The opening tag of the innermost `<g …>` around the first element whose text is `id`. */
function groupTagOf(dom: string, id: string): string {
  const at = dom.search(literal(id));
  assert.ok(at >= 0, `${id} is drawn`);
  const open = dom.lastIndexOf("<g ", at);
  return dom.slice(open, dom.indexOf(">", open) + 1);
}

let w1: WorkspaceFixture;
let scratch: string;
let exports: { workspace: HazResult; subset: HazResult };
let browser: { workspace: BrowserResult; subset: BrowserResult; screenshot: BrowserResult };

/** Writes the workspaces and runs every haz invocation of this file, concurrently. */
async function prepare(): Promise<void> {
  [w1, scratch] = await Promise.all([createW1Fixture(), mkdtemp(join(tmpdir(), "haz-html-"))]);
  const [workspace, subset] = await Promise.all([
    runHaz(["graph", "--workspace", "--format", "html", "-o", join(scratch, "w1.html")], { cwd: w1.root }),
    runHaz(["graph", "core:test", "--format", "html", "-o", join(scratch, "core_test.html")], {
      cwd: w1.root,
    }),
  ]);
  exports = { workspace, subset };
  const [workspacePage, subsetPage, screenshot] = await Promise.all([
    chromium(join(scratch, "w1.html"), ["--dump-dom"]),
    chromium(join(scratch, "core_test.html"), ["--dump-dom"]),
    chromium(join(scratch, "w1.html"), [`--screenshot=${join(scratch, "w1.png")}`, "--window-size=1400,900"]),
  ]);
  browser = { workspace: workspacePage, subset: subsetPage, screenshot };
}

let prepared: Promise<void> | undefined;

/** Starts {@link prepare} once; every test awaits the same run. Bun ignores hook timeouts, hence not `before`. */
function ready(): Promise<void> {
  prepared ??= prepare();
  return prepared;
}

after(async () => {
  await Promise.all([w1?.remove(), scratch && rm(scratch, { recursive: true, force: true })]);
});

test(
  "GRAPH-006 in Chromium: every node of `--workspace` is drawn with its id, the script runs cleanly",
  SLOW,
  async () => {
    await ready();
    assert.equal(exports.workspace.code, 0, exports.workspace.stderr);
    assertBrowserRan(browser.workspace);
    assert.deepEqual(consoleErrors(browser.workspace.stderr), []);
    const drawn = drawing(browser.workspace.stdout);
    for (const id of W1_TASKS) assert.match(drawn, literal(id), `${id} is drawn`);
  },
);

test(
  "GRAPH-006 in Chromium: parallel edges of different kinds (core:build → web:build hard and producer) take distinct paths",
  SLOW,
  async () => {
    await ready();
    const canvas = drawing(browser.workspace.stdout).match(/<svg id="canvas"[\s\S]*?<\/svg>/)?.[0] ?? "";
    const paths = [...canvas.matchAll(/<g class="edge (\w+)[^"]*"><path class="line" d="([^"]+)"/g)].map((
      match,
    ) => match[2]);
    assert.equal(paths.length, 7);
    assert.equal(new Set(paths).size, 7, `edge paths: ${paths.join(" | ")}`);
  },
);

test(
  "GRAPH-006 in Chromium: a selection draws its nodes; pulled-in nodes look different from selected",
  SLOW,
  async () => {
    await ready();
    assert.equal(exports.subset.code, 0, exports.subset.stderr);
    assertBrowserRan(browser.subset);
    assert.deepEqual(consoleErrors(browser.subset.stderr), []);
    const drawn = drawing(browser.subset.stdout);
    assert.notEqual(groupTagOf(drawn, "core:build"), groupTagOf(drawn, "core:test"));
    for (const absent of ["util:build", "web:build", "web:default", "web:deploy"]) {
      assert.doesNotMatch(drawn, literal(absent));
    }
  },
);

test("GRAPH-006 in Chromium: W1's page renders to a 1400×900 screenshot", SLOW, async () => {
  await ready();
  assertBrowserRan(browser.screenshot);
  assert.deepEqual(consoleErrors(browser.screenshot.stderr), []);
  const png = await readFile(join(scratch, "w1.png"));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [1400, 900]);
});
