/**
 * End to end: the progress footer and colour on and off a terminal (04-execution.md §9.6 EXEC-109,
 * 05-cli.md CLI-010, CLI-011, §9 example 18). The pseudo-terminal comes from util-linux
 * `script -qec … /dev/null`; through it every `\n` arrives as `\r\n`, so the footer is recognised by
 * its erase sequence `\r ESC[2K` and its `[n/total]` text, not by a bare `\r`.
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { baseEnv, runHaz } from "../support/run_haz.ts";
import { spawnHaz } from "../support/spawn_haz.ts";
import { createWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";
import { oneAfterAnother } from "./run_support.ts";

const ESC = "\x1b";
const ERASE = "\r\x1b[2K";
/** A footer line of this two-task run: `[<terminal>/2] <elapsed> · <n> running…`. */
const FOOTER = /\[[0-2]\/2\] \d+\S* (?:\d+\S* )?· [0-2] running/;
const LONG = { timeout: 30_000 };
/** A colour sequence (Select Graphic Rendition). */
const SGR = new RegExp(`${ESC}\\[[0-9;]*m`, "g");

let fixture: WorkspaceFixture;

function withoutColour(text: string): string {
  return text.replace(SGR, "");
}

before(async () => {
  // Long enough for the footer's 100 ms ticker to draw several times; nothing cacheable, so the
  // concurrent runs below do not touch each other.
  fixture = await createWorkspaceFixture({
    ".haz/workspace.yml": "projects: [p]\n",
    "p/haz.yml": [
      "tasks:",
      "  a:",
      '    shell: "echo hello; sleep 0.4; echo oops >&2"',
      "  b:",
      '    command: [sleep, "0.3"]',
      "",
    ].join("\n"),
  });
});

after(() => fixture.remove());

async function inTerminal(env: Record<string, string | undefined>) {
  const haz = spawnHaz(["run", "--all"], {
    cwd: fixture.path("p"),
    env: { ...baseEnv(), ...env },
    terminal: true,
  });
  return await haz.exited;
}

describe("progress footer (EXEC-109, CLI-011) and colour (CLI-010)", () => {
  test(
    "05 §9 ex 18 piped: no ESC and no \\r on stdout or stderr; --color always: ESC[ but still no footer",
    LONG,
    async () => {
      const [plain, colored] = await oneAfterAnother([
        () => runHaz(["run", "--all"], { cwd: fixture.path("p") }),
        () => runHaz(["run", "--all", "--color", "always"], { cwd: fixture.path("p") }),
      ]);
      assert.equal(plain.code, 0);
      for (const text of [plain.stdout, plain.stderr]) {
        assert.equal(text.includes(ESC), false);
        assert.equal(text.includes("\r"), false);
      }
      assert.match(plain.stdout, /^✓ done p:a \(/m);
      assert.equal(plain.stderr, "[p:a] oops\n");

      assert.equal(colored.code, 0);
      assert.ok(colored.stdout.includes(`${ESC}[`), "status lines are coloured");
      assert.ok(colored.stderr.includes(`${ESC}[`), "the stderr prefix is coloured");
      for (const text of [colored.stdout, colored.stderr]) {
        assert.equal(text.includes("\r"), false);
        assert.equal(text.includes(`${ESC}[2K`), false);
        assert.doesNotMatch(text, FOOTER);
      }
    },
  );

  test(
    "05 §9 ex 18 PTY: NO_COLOR=1 draws the footer without colour; CI=true and TERM=dumb draw none",
    LONG,
    async () => {
      const [noColor, ci, dumb] = await oneAfterAnother([
        () => inTerminal({ NO_COLOR: "1" }),
        () => inTerminal({ CI: "true" }),
        () => inTerminal({ TERM: "dumb" }),
      ]);
      assert.equal(noColor.code, 0);
      assert.ok(noColor.stdout.includes(ERASE), "the footer is erased with \\r ESC[2K");
      assert.match(noColor.stdout, FOOTER);
      // The only escape sequence is the footer's erase: no colour.
      assert.equal(noColor.stdout.replaceAll(`${ESC}[2K`, "").includes(ESC), false);
      // The footer is erased for good before the epilogue, which ends the output.
      assert.ok(
        noColor.stdout.includes(`${ERASE}\r\nTasks: 2 completed\r\n Time: `),
        "erased before the epilogue",
      );
      assert.match(noColor.stdout, /\r\nTasks: 2 completed\r\n Time: \S+\r\n$/);

      for (const [name, result] of [["CI=true", ci], ["TERM=dumb", dumb]] as const) {
        assert.equal(result.code, 0, name);
        assert.equal(result.stdout.includes(`${ESC}[2K`), false, `${name}: no erase sequence`);
        assert.doesNotMatch(result.stdout, FOOTER, `${name}: no footer line`);
        // Still a terminal: colour is on in auto mode (CLI-010); the footer does not depend on it.
        assert.ok(result.stdout.includes(`${ESC}[`), `${name}: coloured`);
        assert.match(withoutColour(result.stdout), /\r\nTasks: 2 completed\r\n Time: \S+\r\n$/, name);
      }
    },
  );
});
