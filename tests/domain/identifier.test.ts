import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  checkEnvName,
  checkIdentifier,
  deriveProjectName,
  isIdentifier,
  utf8Length,
} from "../../lib/domain/identifier.ts";

const ALLOWED = "allowed are ASCII letters, digits, `_` and `-`";

describe("identifiers (§8)", () => {
  test("ID-001..003 accept lib_core, a, 3d, X-1, Build", () => {
    for (const name of ["lib_core", "a", "3d", "X-1", "Build", "a".repeat(64)]) {
      assert.equal(checkIdentifier(name), null, name);
      assert.equal(isIdentifier(name), true, name);
    }
  });

  test("ID-002 rejects -x and _x", () => {
    assert.deepEqual(checkIdentifier("-x"), {
      rule: "ID-002",
      message: "name `-x` must start with an ASCII letter or digit",
    });
    assert.deepEqual(checkIdentifier("_x"), {
      rule: "ID-002",
      message: "name `_x` must start with an ASCII letter or digit",
    });
  });

  test("ID-001 rejects a.b, naïve, a b naming the first bad character", () => {
    assert.deepEqual(checkIdentifier("a.b"), {
      rule: "ID-001",
      message: `name \`a.b\` contains \`.\`; ${ALLOWED}`,
    });
    assert.deepEqual(checkIdentifier("naïve"), {
      rule: "ID-001",
      message: `name \`naïve\` contains \`ï\`; ${ALLOWED}`,
    });
    assert.deepEqual(checkIdentifier("a b"), {
      rule: "ID-001",
      message: `name \`a b\` contains \` \`; ${ALLOWED}`,
    });
    assert.equal(isIdentifier("a:b"), false);
  });

  test("ID-003 rejects the empty name and 65 bytes", () => {
    assert.deepEqual(checkIdentifier(""), { rule: "ID-003", message: "name is empty" });
    const long = "a".repeat(65);
    assert.deepEqual(checkIdentifier(long), {
      rule: "ID-003",
      message: `name \`${long}\` is 65 bytes long; maximum is 64`,
    });
  });

  test("ID-003 counts UTF-8 bytes", () => {
    assert.equal(utf8Length("naïve"), 6);
    assert.equal(utf8Length("日本"), 6);
    assert.equal(utf8Length("😀"), 4);
    assert.equal(checkIdentifier("é".repeat(33))?.rule, "ID-003");
  });

  test("ID-004 identifiers are case-sensitive", () => {
    assert.equal(isIdentifier("Build"), true);
    assert.notEqual("Build", "build");
  });
});

describe("environment variable names (CFG-032/033)", () => {
  test("CFG-032 accepts _PRIVATE, LC_ALL, a1", () => {
    for (const name of ["_PRIVATE", "LC_ALL", "a1"]) assert.equal(checkEnvName(name), null, name);
  });

  test("CFG-032 rejects 1BAD, A-B, Ä and the empty name", () => {
    for (const name of ["1BAD", "A-B", "Ä", ""]) {
      assert.deepEqual(checkEnvName(name), {
        rule: "CFG-032",
        message: `\`${name}\` is not a valid environment variable name`,
      });
    }
  });

  test("CFG-033 allows 256 bytes and rejects 257", () => {
    assert.equal(checkEnvName("A".repeat(256)), null);
    assert.equal(checkEnvName("A".repeat(257))?.rule, "CFG-033");
  });
});

describe("ID-005 project name derivation", () => {
  test("ID-005 My App! → My-App, .config → config, 日本 → failure", () => {
    assert.equal(deriveProjectName("My App!"), "My-App");
    assert.equal(deriveProjectName(".config"), "config");
    assert.equal(deriveProjectName("日本"), null);
  });

  test("ID-005 collapses runs, drops leading _ and trailing -, truncates to 64", () => {
    assert.equal(deriveProjectName("__a  b..c--"), "a-b-c");
    assert.equal(deriveProjectName("---"), null);
    assert.equal(deriveProjectName(""), null);
    assert.equal(deriveProjectName("x".repeat(70)), "x".repeat(64));
    const derived = deriveProjectName("naïve app");
    assert.equal(derived, "na-ve-app");
    assert.equal(isIdentifier(derived!), true);
  });
});
