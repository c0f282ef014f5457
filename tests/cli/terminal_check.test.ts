import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { descriptorIsTerminal } from "../../lib/cli/terminal_check.ts";

/** Opens `path`, runs `body` with the descriptor, closes it. */
function withDescriptor<T>(path: string, flags: string, body: (fd: number) => T): T {
  const fd = openSync(path, flags);
  try {
    return body(fd);
  } finally {
    closeSync(fd);
  }
}

describe("terminal check", () => {
  test("CLI-010 a file or /dev/null is no terminal, decided without asking the stream", () => {
    const dir = mkdtempSync(join(tmpdir(), "runperf-terminal-"));
    try {
      let asked = 0;
      const exact = () => {
        asked++;
        return true;
      };
      assert.equal(withDescriptor(join(dir, "out"), "w", (fd) => descriptorIsTerminal(fd, exact)), false);
      assert.equal(withDescriptor("/dev/null", "w", (fd) => descriptorIsTerminal(fd, exact)), false);
      assert.equal(asked, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("CLI-010 another character device is left to the exact check", () => {
    let asked = 0;
    const exact = () => {
      asked++;
      return false;
    };
    assert.equal(withDescriptor("/dev/zero", "r", (fd) => descriptorIsTerminal(fd, exact)), false);
    assert.equal(asked, 1);
    const yes = withDescriptor("/dev/zero", "r", (fd) => descriptorIsTerminal(fd, () => true));
    assert.equal(yes, true);
  });

  test("CLI-010 a descriptor that cannot be inspected is left to the exact check", () => {
    const notOpen = 987_654;
    assert.equal(descriptorIsTerminal(notOpen, () => false), false);
    assert.equal(descriptorIsTerminal(notOpen, () => true), true);
  });
});
