import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { invalidRefMessage, parseCliRef, parseTaskRef } from "../../lib/domain/task_ref.ts";

const ALLOWED = "allowed are ASCII letters, digits, `_` and `-`";

describe("file references (REF-001..005, REF-008)", () => {
  test("REF-002 ~:t is exact with the bearing project", () => {
    assert.deepEqual(parseTaskRef("~:build"), {
      ok: true,
      ref: { form: "exact", project: null, task: "build", text: "~:build" },
    });
  });

  test("REF-003 p:t is exact", () => {
    assert.deepEqual(parseTaskRef("lib-core:build"), {
      ok: true,
      ref: { form: "exact", project: "lib-core", task: "build", text: "lib-core:build" },
    });
  });

  test("REF-004 ^:t and REF-008 ^~:t", () => {
    assert.deepEqual(parseTaskRef("^:build"), {
      ok: true,
      ref: { form: "every", excludeOwn: false, task: "build", text: "^:build" },
    });
    assert.deepEqual(parseTaskRef("^~:build"), {
      ok: true,
      ref: { form: "every", excludeOwn: true, task: "build", text: "^~:build" },
    });
  });

  test("REF-005 [g]:t and REF-008 [g]~:t", () => {
    assert.deepEqual(parseTaskRef("[x]:build"), {
      ok: true,
      ref: { form: "tag", tag: "x", excludeOwn: false, task: "build", text: "[x]:build" },
    });
    assert.deepEqual(parseTaskRef("[x]~:build"), {
      ok: true,
      ref: { form: "tag", tag: "x", excludeOwn: true, task: "build", text: "[x]~:build" },
    });
  });

  test("REF-001 rejects `bad name:build` naming the project", () => {
    const parsed = parseTaskRef("bad name:build");
    assert.deepEqual(parsed, { ok: false, reason: `project: name \`bad name\` contains \` \`; ${ALLOWED}` });
    assert.equal(
      invalidRefMessage("bad name:build", parsed.ok ? "" : parsed.reason),
      `invalid task reference \`bad name:build\`: project: name \`bad name\` contains \` \`; ${ALLOWED}`,
    );
  });

  test("REF-001 rejects `:build` (empty project)", () => {
    assert.deepEqual(parseTaskRef(":build"), { ok: false, reason: "project: name is empty" });
  });

  test("REF-001 rejects `[x:build` naming the tag", () => {
    const parsed = parseTaskRef("[x:build");
    assert.equal(parsed.ok, false);
    assert.match(parsed.ok ? "" : parsed.reason, /^tag: /);
  });

  test("REF-001 names the failing task or tag component", () => {
    const reasons: Record<string, RegExp> = {
      "~:": /^task: name is empty$/,
      "p:": /^task: name is empty$/,
      "^:bad name": /^task: name `bad name` contains ` `/,
      "^~:-x": /^task: name `-x` must start/,
      "a:b:c": /^task: name `b:c` contains `:`/,
      "[]:build": /^tag: name is empty$/,
      "[-x]:build": /^tag: name `-x` must start/,
      "[x]~:": /^task: name is empty$/,
      "[x]build": /^expected `:` or `~:` after `\[x\]`$/,
      "~x:build": /^project: name `~x` contains `~`/,
      "^x:build": /^project: name `\^x` contains `\^`/,
      "build": /^missing `:`/,
      "": /empty/,
      " ~:build": /^project: name ` ~` contains ` `/,
      "~:build ": /^task: name `build ` contains ` `/,
    };
    for (const [text, reason] of Object.entries(reasons)) {
      const parsed = parseTaskRef(text);
      assert.equal(parsed.ok, false, text);
      assert.match(parsed.ok ? "" : parsed.reason, reason, text);
    }
  });
});

describe("command-line references (REF-010)", () => {
  test("REF-010 bare t is ~:t with a bearing project, text kept", () => {
    assert.deepEqual(parseCliRef("build", true), {
      ok: true,
      ref: { form: "exact", project: null, task: "build", text: "build" },
    });
  });

  test("REF-010 bare t is ^:t without a bearing project", () => {
    assert.deepEqual(parseCliRef("build", false), {
      ok: true,
      ref: { form: "every", excludeOwn: false, task: "build", text: "build" },
    });
  });

  test("REF-010 file forms parse the same on the command line", () => {
    for (const text of ["~:build", "a:build", "^:build", "^~:build", "[x]:build", "[x]~:build"]) {
      assert.deepEqual(parseCliRef(text, true), parseTaskRef(text), text);
      assert.deepEqual(parseCliRef(text, false), parseTaskRef(text), text);
    }
  });

  test("REF-001 EX-115 command-line rows are invalid", () => {
    assert.match(failure(parseCliRef("bad name:build", false)), /^project: /);
    assert.equal(failure(parseCliRef(":build", false)), "project: name is empty");
    assert.match(failure(parseCliRef("[x:build", true)), /^tag: /);
    assert.match(failure(parseCliRef("bad name", true)), /^task: name `bad name` contains ` `/);
    assert.match(failure(parseCliRef("", true)), /empty/);
  });
});

function failure(parsed: ReturnType<typeof parseTaskRef>): string {
  assert.equal(parsed.ok, false);
  return parsed.ok ? "" : parsed.reason;
}
