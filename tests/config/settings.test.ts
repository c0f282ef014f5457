import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadSettings } from "../../lib/config/load_settings.ts";
import { loadConfig } from "../../lib/config/load_config.ts";
import { DEFAULT_REMOTE_CACHE_SETTINGS, type WorkspaceSettings } from "../../lib/domain/workspace.ts";
import { type FixtureEntry, withWorkspaceFixture } from "../support/workspace_fixture.ts";
import { diagnosticLines as lines } from "../support/config_fixture.ts";

/** Loads only the settings file (AUX-017). */
function settingsOf(workspaceYml: string, extra: Record<string, FixtureEntry> = {}) {
  return withWorkspaceFixture(
    { ".haz/workspace.yml": workspaceYml, ...extra },
    (fx) => loadSettings(fx.root),
  );
}

/** The single-line settings file `<key>: <value>`'s diagnostics. */
async function problems(text: string): Promise<string[]> {
  const loaded = await settingsOf(`${text}\n`);
  return lines(loaded.diagnostics);
}

/** `1:<column>` of `needle` in `text`. */
function at(text: string, needle: string): string {
  const index = text.indexOf(needle);
  assert.ok(index >= 0, needle);
  return `1:${index + 1}`;
}

async function settings(text: string): Promise<WorkspaceSettings> {
  const loaded = await settingsOf(`${text}\n`);
  assert.ok(loaded.ok, JSON.stringify(loaded.diagnostics));
  return loaded.ok ? loaded.settings : assert.fail();
}

describe(".haz/workspace.yml", () => {
  test("AUX-017 loadSettings reads only workspace.yml: broken haz.yml files do not matter", async () => {
    const loaded = await settingsOf('projects: [web, "apps/*"]\ncache: {hash: blake3}\n', {
      "web/haz.yml": "tasks: [",
    });
    assert.ok(loaded.ok);
    if (loaded.ok) {
      assert.equal(loaded.settings.hash, "blake3");
      assert.deepEqual(loaded.diagnostics, []);
    }
  });

  test("AUX-017 invalid workspace.yml or no workspace fails loadSettings", async () => {
    const invalid = await settingsOf("projects: [/abs]\n");
    assert.equal(invalid.ok, false);
    assert.deepEqual(invalid.diagnostics.map((d) => d.rule), ["DISC-004"]);
    const none = await withWorkspaceFixture({ "x/y": "" }, (fx) => loadSettings(fx.path("x")));
    assert.deepEqual(none.diagnostics.map((d) => d.rule), ["DISC-001"]);
  });

  test("CFG-003 the settings mappings are closed; an empty file gives the defaults", async () => {
    assert.deepEqual(await settings(""), {
      concurrency: { default: "auto", tags: new Map() },
      outputMode: "live",
      cancelGraceMs: 5000,
      hash: "sha256",
      clean: { maxAgeSeconds: null, maxSizeBytes: null },
      passThrough: [],
      remote: DEFAULT_REMOTE_CACHE_SETTINGS,
    });
    const text = "{project: [], cache: {clean: {maxAge: 7d}}, execution: {grace: 1}}";
    assert.deepEqual(await problems(text), [
      "CFG-003 " + at(text, "project") +
      " unknown key `project` in .haz/workspace.yml | did you mean `projects`?",
      "CFG-003 " + at(text, "maxAge") + " unknown key `maxAge` in `clean` | did you mean `max_age`?",
      "CFG-003 " + at(text, "grace") + " unknown key `grace` in `execution`",
    ]);
  });

  test("CFG-027 cache.hash is sha256 or blake3", async () => {
    assert.equal((await settings("cache: {hash: blake3}")).hash, "blake3");
    const text = "cache: {hash: SHA256}";
    assert.deepEqual(await problems(text), [
      "CFG-027 " + at(text, "SHA") +
      " `hash` must be `sha256` or `blake3`, found `SHA256` | did you mean `sha256`?",
    ]);
  });

  test("CFG-028 concurrency.default: `auto` or an integer >= 1", async () => {
    assert.equal((await settings("concurrency: {default: 4}")).concurrency.default, 4);
    const negative = "concurrency: {default: -2}";
    assert.deepEqual(await problems(negative), [
      "CFG-028 " + at(negative, "-2") + " `default` must be `auto` or an integer >= 1, found -2",
    ]);
    const typo = "concurrency: {default: Auto}";
    assert.deepEqual(await problems(typo), [
      "CFG-004 " + at(typo, "Auto") +
      " `default` must be `auto` or an integer, found a string | did you mean `auto`?",
    ]);
    const quoted = 'concurrency: {default: "4"}';
    assert.deepEqual(await problems(quoted), [
      "CFG-004 " + at(quoted, '"4"') + " `default` must be `auto` or an integer, found a string" +
      " | write `4` without quotes",
    ]);
    const float = "concurrency: {default: 2.0}";
    assert.deepEqual(await problems(float), [
      "CFG-004 " + at(float, "2.0") + " `default` must be `auto` or an integer, found a number",
    ]);
  });

  test("CFG-029 concurrency.tags: identifier keys, integer caps >= 1", async () => {
    assert.deepEqual([...(await settings("concurrency: {tags: {heavy: 1, b-2: 3}}")).concurrency.tags], [
      ["heavy", 1],
      ["b-2", 3],
    ]);
    const text = "concurrency: {tags: {x: 0, y: two, a.b: 1}}";
    assert.deepEqual(await problems(text), [
      "CFG-029 " + at(text, "0") + " `x` must be an integer >= 1, found 0",
      "CFG-004 " + at(text, "two") + " `y` must be an integer, found a string",
      "ID-001 " + at(text, "a.b") +
      " invalid tag name `a.b`: name `a.b` contains `.`; allowed are ASCII letters, digits, `_` and `-`",
    ]);
  });

  test("CFG-030 output.mode is live or buffered, case-sensitive, with did-you-mean", async () => {
    assert.equal((await settings("output: {mode: buffered}")).outputMode, "buffered");
    const text = "output: {mode: buffer}";
    assert.deepEqual(await problems(text), [
      "CFG-030 " + at(text, "buffer") +
      " `mode` must be `live` or `buffered`, found `buffer` | did you mean `buffered`?",
    ]);
    assert.equal((await problems("output: {mode: Live}")).length, 1);
  });

  test("CFG-031 execution.cancel_grace: finite number of seconds in [0, 86400]", async () => {
    assert.equal((await settings("execution: {cancel_grace: 0}")).cancelGraceMs, 0);
    assert.equal((await settings("execution: {cancel_grace: 86400}")).cancelGraceMs, 86400000);
    assert.equal((await settings("execution: {cancel_grace: 0.25}")).cancelGraceMs, 250);
    for (const value of [".inf", ".nan", "-1", "86400.5"]) {
      const text = `execution: {cancel_grace: ${value}}`;
      assert.deepEqual(await problems(text), [
        "CFG-031 " + at(text, value) + " `cancel_grace` must be a finite number from 0 to 86400, found " +
        value,
      ]);
    }
    const string = 'execution: {cancel_grace: "5s"}';
    assert.deepEqual(await problems(string), [
      "CFG-004 " + at(string, '"5s"') + " `cancel_grace` must be a number, found a string",
    ]);
  });

  test("CFG-034 cache.clean.max_age is a duration string", async () => {
    assert.equal((await settings("cache: {clean: {max_age: 90s}}")).clean.maxAgeSeconds, 90);
    const integer = "cache: {clean: {max_age: 7}}";
    assert.deepEqual(await problems(integer), [
      "CFG-034 " + at(integer, "7}") +
      " `max_age` must be a duration string, found an integer | add a unit, e.g. `300s`",
    ]);
    const compound = "cache: {clean: {max_age: 1h30m}}";
    assert.deepEqual(await problems(compound), [
      "CFG-034 " + at(compound, "1h30m") +
      " `max_age` must be a duration such as `90s`, `10m` or `7d`, found `1h30m`" +
      " | write digits and one unit: s, m, h, d or w",
    ]);
  });

  test("CFG-035 cache.clean.max_size: integer bytes or a size string", async () => {
    assert.equal((await settings("cache: {clean: {max_size: 1024}}")).clean.maxSizeBytes, 1024);
    assert.equal((await settings("cache: {clean: {max_size: 500MB}}")).clean.maxSizeBytes, 500000000);
    for (const value of ["1.5GB", "10gb", '"10 GB"', "10TB", "-1", "9007199254740992"]) {
      const text = `cache: {clean: {max_size: ${value}}}`;
      const found = await problems(text);
      assert.equal(found.length, 1, value);
      assert.ok(
        found[0].startsWith("CFG-035 " + at(text, value) + " `max_size` must be a size such as"),
        found[0],
      );
    }
    const list = "cache: {clean: {max_size: [1]}}";
    assert.deepEqual(await problems(list), [
      "CFG-004 " + at(list, "[1]") + " `max_size` must be a string or an integer, found a list",
    ]);
  });

  test("CFG-036 env.pass_through: valid names (CFG-032/033), no duplicates (CFG-007)", async () => {
    assert.deepEqual((await settings("env: {pass_through: [CI, SSH_AUTH_SOCK, _X]}")).passThrough, [
      "CI",
      "SSH_AUTH_SOCK",
      "_X",
    ]);
    const text = "env: {pass_through: [CI, 1BAD, CI, Ä]}";
    assert.deepEqual(await problems(text), [
      "CFG-032 " + at(text, "1BAD") + " `1BAD` is not a valid environment variable name",
      "CFG-007 " + at(text, "CI, Ä") + " duplicate entry `CI` in `pass_through`",
      "CFG-032 " + at(text, "Ä") + " `Ä` is not a valid environment variable name",
    ]);
  });

  test("ID-006 a concurrency.tags key that no project carries is a warning with did-you-mean", async () => {
    const loaded = await withWorkspaceFixture({
      ".haz/workspace.yml": "projects: [a]\nconcurrency: {tags: {heavyy: 1, heavy: 2}}\n",
      "a/haz.yml": "tags: [heavy]\n",
    }, (fx) => loadConfig(fx.root));
    assert.deepEqual(
      loaded.diagnostics.map((d) => [d.severity, d.rule, d.message, d.help, d.location?.column]),
      [["warning", "ID-006", "no project carries the tag `heavyy`", "did you mean `heavy`?", 22]],
    );
  });
});
