import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { closestWithin, didYouMean, editDistance, TASK_KEY_SYNONYMS } from "../../lib/util/did_you_mean.ts";

const TASK_KEYS = [
  "command",
  "shell",
  "inputs",
  "outputs",
  "deps",
  "weakDeps",
  "mutex",
  "env",
  "description",
  "cache",
  "timeout",
];

describe("editDistance", () => {
  test("DIAG-009 optimal string alignment distance", () => {
    assert.equal(editDistance("", ""), 0);
    assert.equal(editDistance("abc", ""), 3);
    assert.equal(editDistance("", "abc"), 3);
    assert.equal(editDistance("comand", "command"), 1);
    assert.equal(editDistance("kitten", "sitting"), 3);
    assert.equal(editDistance("ab", "ba"), 1);
    // OSA, unlike unrestricted Damerau-Levenshtein, does not edit a transposed pair again.
    assert.equal(editDistance("ca", "abc"), 3);
    assert.equal(editDistance("😀a", "a😀"), 1);
  });
});

describe("didYouMean (DIAG-009)", () => {
  test("DIAG-009 comand → command", () => {
    assert.equal(didYouMean("comand", TASK_KEYS), "command");
  });

  test("DIAG-009 weak_deps → weakDeps by normalised equality", () => {
    assert.equal(didYouMean("weak_deps", TASK_KEYS), "weakDeps");
    assert.equal(didYouMean("WEAK-DEPS", TASK_KEYS), "weakDeps");
  });

  test("DIAG-009 buffer → buffered (distance 2 ≤ ⌊8/3⌋)", () => {
    assert.equal(didYouMean("buffer", ["live", "buffered"]), "buffered");
  });

  test("DIAG-009 distance limit is max(1, ⌊len(candidate)/3⌋)", () => {
    assert.equal(didYouMean("ab", ["env"]), null);
    assert.equal(didYouMean("en", ["env"]), "env");
    assert.equal(didYouMean("dep", ["deps"]), "deps");
    assert.equal(didYouMean("dp", ["deps"]), null);
    assert.equal(didYouMean("xyz", TASK_KEYS), null);
    assert.equal(didYouMean("anything", []), null);
  });

  test("DIAG-009 compares lower-cased texts", () => {
    assert.equal(didYouMean("Comand", TASK_KEYS), "command");
  });

  test("DIAG-009 ties go to the earlier candidate", () => {
    assert.equal(didYouMean("bat", ["cat", "hat"]), "cat");
    assert.equal(didYouMean("bat", ["hat", "cat"]), "hat");
    assert.equal(didYouMean("a_b", ["AB", "a-b"]), "AB");
  });

  test("DIAG-009 synonyms: dependencies → deps, cmd → command, script → shell", () => {
    const options = { synonyms: TASK_KEY_SYNONYMS };
    assert.equal(didYouMean("dependencies", TASK_KEYS, options), "deps");
    assert.equal(didYouMean("needs", TASK_KEYS, options), "deps");
    assert.equal(didYouMean("cmd", TASK_KEYS, options), "command");
    assert.equal(didYouMean("run", TASK_KEYS, options), "command");
    assert.equal(didYouMean("script", TASK_KEYS, options), "shell");
    assert.equal(didYouMean("Sources", TASK_KEYS, options), "inputs");
    assert.equal(didYouMean("files", TASK_KEYS, options), "inputs");
    assert.equal(didYouMean("artifacts", TASK_KEYS, options), "outputs");
    assert.equal(didYouMean("dependencies", TASK_KEYS), null);
    assert.equal(didYouMean("dependencies", ["command"], options), null);
    assert.equal(didYouMean("constructor", TASK_KEYS, options), null);
  });
});

describe("closestWithin (CLI-020)", () => {
  test("CLI-020 suggests within edit distance 2", () => {
    assert.equal(closestWithin("--dryrun", ["--json", "--dry-run"], 2), "--dry-run");
    assert.equal(closestWithin("rnu", ["run", "check"], 2), "run");
    assert.equal(closestWithin("chekc", ["run", "check"], 2), "check");
    assert.equal(closestWithin("frobnicate", ["run", "check"], 2), null);
    assert.equal(closestWithin("qury", ["query", "clear"], 2), "query");
  });

  test("CLI-020 distance 3 is too far; ties go to the earlier candidate", () => {
    assert.equal(closestWithin("abcd", ["wxyd"], 2), null);
    assert.equal(closestWithin("bat", ["cat", "hat"], 2), "cat");
    assert.equal(closestWithin("bat", ["cxt", "hat"], 2), "hat");
  });
});
