import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checksum32, stateDirOf, writeStateFile } from "../../lib/util/state_file.ts";
import { withWorkspaceFixture } from "../support/workspace_fixture.ts";

describe("state files", () => {
  test("PERF-001 the checksum does not depend on where the bytes sit in their buffer", () => {
    const bytes = Uint8Array.from({ length: 103 }, (_, index) => (index * 37) % 256);
    const expected = checksum32(bytes);
    for (let offset = 1; offset < 8; offset++) {
      const shifted = Buffer.alloc(bytes.length + offset);
      shifted.set(bytes, offset);
      assert.equal(checksum32(shifted.subarray(offset)), expected, `offset ${offset}`);
    }
    const changed = bytes.slice();
    changed[101] ^= 1;
    assert.notEqual(checksum32(changed), expected);
    assert.notEqual(checksum32(new Uint8Array(103)), expected);
  });

  test("PERF-001 a state file is written whole into .haz/state, which git is told to ignore", async () => {
    await withWorkspaceFixture({ ".haz/workspace.yml": "" }, (fixture) => {
      assert.equal(writeStateFile(fixture.root, "x", new TextEncoder().encode("one")), true);
      assert.equal(writeStateFile(fixture.root, "x", new TextEncoder().encode("two")), true);
      const directory = stateDirOf(fixture.root);
      assert.equal(readFileSync(join(directory, "x"), "utf8"), "two");
      assert.equal(readFileSync(join(directory, ".gitignore"), "utf8").split("\n")[1], "*");
      assert.ok(existsSync(directory));
    });
  });

  test("PERF-001 an unwritable state directory is no error: nothing is written", async () => {
    await withWorkspaceFixture(
      { ".haz/workspace.yml": "", ".haz/state": "a file, not a directory" },
      (fixture) => {
        assert.equal(writeStateFile(fixture.root, "x", new Uint8Array([1])), false);
      },
    );
  });
});
