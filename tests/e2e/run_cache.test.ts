import assert from "node:assert/strict";
import {
  chmodSync,
  existsSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { compareBytes } from "../../lib/domain/task_id.ts";
import { createWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";
import { baseEnv, type HazResult, runHaz } from "../support/run_haz.ts";
import { countSpawns, maskDurations, SLOW } from "./run_support.ts";

const HEX_KEY = /^[0-9a-f]{64}$/;

/** Every entry directory (`<shard>/<key>`) of a workspace's cache, sorted. */
function cacheEntries(workspace: WorkspaceFixture): string[] {
  const root = workspace.path(".haz/cache");
  if (!existsSync(root)) return [];
  return readdirSync(root).filter((shard) => /^[0-9a-f]{2}$/.test(shard)).flatMap((shard) =>
    readdirSync(join(root, shard)).filter((name) => HEX_KEY.test(name)).map((key) => `${shard}/${key}`)
  ).sort(compareBytes);
}

/** Every path under `.haz/cache` whose name starts with `.tmp-` or `.restore-`. */
function stagingLeftovers(workspace: WorkspaceFixture): string[] {
  const root = workspace.path(".haz/cache");
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true }).map(String).filter((path) =>
    /(^|\/)\.(tmp|restore)-/.test(path)
  );
}

/** The directory of the cache entry stored by `task`. */
function entryOf(workspace: WorkspaceFixture, task: string): string {
  const matches = cacheEntries(workspace).filter((entry) =>
    JSON.parse(readFileSync(workspace.path(`.haz/cache/${entry}/manifest.json`), "utf8")).task === task
  );
  assert.equal(matches.length, 1, `one entry stored by ${task}: ${matches.join(", ")}`);
  return workspace.path(`.haz/cache/${matches[0]}`);
}

/** stdout with durations masked, for exact comparisons. */
function shown(result: HazResult): string {
  return maskDurations(result.stdout);
}

const fixture = await createWorkspaceFixture({
  ".haz/workspace.yml":
    "projects: [app, lib, k, ev, pm, gen/a, gen/b, el, st, sym, rs, rp, bin]\nenv: {pass_through: [PT_VAR]}\n",
  "app/msg.txt": "hello\n",
  "app/src/a.txt": "same bytes\n",
  "lib/v.txt": "v1\n",
  "pm/a.txt": "a\n",
  "pm/b.txt": "b\n",
  "rs/in.txt": "original\n",
});
after(() => fixture.remove());
const LOG = fixture.path("spawns.log");
const spawns = (name: string) => countSpawns(LOG, name);
/** `echo <name> >> <log>`: the spawn counter of a task, outside every declared output. */
const logSpawn = (name: string) => `echo ${name} >> ${LOG}`;

const appYaml = (extraBuild = "") =>
  [
    "tasks:",
    "  hello:",
    `    shell: "${logSpawn("hello")}; cp msg.txt out.txt"`,
    "    inputs: [msg.txt]",
    "    outputs: [out.txt]",
    "    env: {from_host: [GREETING]}",
    `  glob: {shell: "${logSpawn("glob")}", inputs: ["src/*.txt"]}`,
    `  nomatch: {shell: "${logSpawn("nomatch")}", inputs: ["nothing/*.txt"]}`,
    `  missing: {shell: "${logSpawn("missing")}", inputs: [absent.txt]}`,
    '  after-missing: {shell: "true", deps: ["~:missing"]}',
    `  build: {shell: "${logSpawn("build")}", inputs: [], deps: ["lib:gen"]${extraBuild}}`,
    "",
  ].join("\n");

const kYaml = (s1: string, using: string, argv: string) =>
  [
    "tasks:",
    `  s1: {shell: "${logSpawn("k")}${s1}", inputs: []}`,
    `  s2: {shell: {using: ${using}, script: "${logSpawn("k")}"}, inputs: [], weakDeps: ["~:s1"]}`,
    `  c1: {command: [sh, -c, "${logSpawn("k")}${argv}"], inputs: [], weakDeps: ["~:s2"]}`,
    "",
  ].join("\n");

const evYaml = (override: string) =>
  [
    "tasks:",
    "  show:",
    `    shell: '${logSpawn("ev")}; echo "$OV $BOTH"'`,
    "    inputs: []",
    `    env: {from_host: [BOTH], override: {OV: ${override}, BOTH: fixed}}`,
    "",
  ].join("\n");

const pmYaml = (inputs: string, fromHost: string, override: string, deps: string) =>
  [
    "tasks:",
    '  one: {shell: "echo 1", inputs: []}',
    '  two: {shell: "echo 2", inputs: []}',
    "  perm:",
    `    shell: "${logSpawn("pm")}"`,
    `    inputs: [${inputs}]`,
    `    env: {from_host: [${fromHost}], override: {${override}}}`,
    `    deps: [${deps}]`,
    "",
  ].join("\n");

const genYaml = (outputs: string) => {
  const script = `${logSpawn("gen-x")}; echo x > out.txt`;
  return `tasks:\n  gen: {command: [sh, -c, "${script}"], inputs: [], outputs: [${outputs}]}\n`;
};

await fixture.write({
  "app/haz.yml": appYaml(),
  "lib/haz.yml": `tasks:\n  gen: {shell: "${logSpawn("gen")}; cat v.txt"}\n  side: {shell: "true"}\n`,
  "k/haz.yml": kYaml("", "sh", ""),
  "ev/haz.yml": evYaml("one"),
  "pm/haz.yml": pmYaml("a.txt, b.txt", "HA, HB", "OA: x, OB: y", '"~:one", "~:two"'),
  "gen/a/haz.yml": genYaml("out.txt"),
  "gen/b/haz.yml": genYaml("out.txt"),
  "el/haz.yml": [
    "tasks:",
    `  noin: {shell: "${logSpawn("noin")}"}`,
    `  empty: {shell: "${logSpawn("empty")}", inputs: []}`,
    `  off: {shell: "${logSpawn("off")}", inputs: [], cache: false}`,
    '  agg: {deps: ["~:noin"]}',
    "",
  ].join("\n"),
  "st/haz.yml": [
    "tasks:",
    `  fail: {shell: "${logSpawn("fail")}; exit 1", inputs: []}`,
    '  noout: {shell: "true", inputs: [], outputs: [never.txt]}',
    '  next: {shell: "true", deps: ["~:noout"]}',
    "",
  ].join("\n"),
  "sym/haz.yml": [
    "tasks:",
    "  t:",
    `    shell: "${logSpawn("sym")}; echo data > out.txt; ln -sf out.txt latest"`,
    "    inputs: []",
    "    outputs: [out.txt, latest]",
    "",
  ].join("\n"),
  "rs/haz.yml": `tasks:\n  t: {shell: "${logSpawn("rs")}; echo more >> in.txt", inputs: [in.txt]}\n`,
  "rp/haz.yml": [
    "tasks:",
    "  t:",
    `    shell: "${
      logSpawn("rp")
    }; mkdir -p dist/sub; printf 'x\\\\n' > dist/sub/a.sh; chmod 754 dist/sub/a.sh"`,
    "    inputs: []",
    "    outputs: [dist]",
    "",
  ].join("\n"),
  "bin/haz.yml":
    "tasks:\n  t: {shell: \"printf 'a\\\\nb'; printf '\\\\000\\\\001\\\\376\\\\377' >&2\", inputs: []}\n",
});

test("03 §14 ex 2-4 a repeated run hits without spawning; content, not metadata, decides", SLOW, async () => {
  const env = { ...baseEnv(), GREETING: "hi" };
  const run = () => runHaz(["run", "app:hello"], { cwd: fixture.root, env });
  const first = await run();
  assert.equal(first.code, 0);
  assert.equal(shown(first), "✓ done app:hello (T)\n\nTasks: 1 completed\n Time: T\n");
  const second = await run();
  assert.equal(second.code, 0);
  assert.equal(shown(second), "◉ cached app:hello (T)\n\nTasks: 1 completed (1 cached)\n Time: T\n");
  assert.equal(second.stderr, "");
  assert.equal(spawns("hello"), 1);

  // ex 3: one changed byte misses; changing it back hits the old entry.
  writeFileSync(fixture.path("app/msg.txt"), "hellO\n");
  assert.match(shown(await run()), /^✓ done app:hello/);
  writeFileSync(fixture.path("app/msg.txt"), "hello\n");
  assert.match(shown(await run()), /^◉ cached app:hello/);
  assert.equal(spawns("hello"), 2);
  assert.equal(readFileSync(fixture.path("app/out.txt"), "utf8"), "hello\n");

  // ex 4: touch and chmod keep the key.
  utimesSync(fixture.path("app/msg.txt"), new Date(2001, 0, 1), new Date(2001, 0, 1));
  chmodSync(fixture.path("app/msg.txt"), 0o600);
  assert.match(shown(await run()), /^◉ cached app:hello/);
  assert.equal(spawns("hello"), 2);
});

test(
  "03 §14 ex 4 renaming a globbed input or adding a match misses; an empty glob is fine",
  SLOW,
  async () => {
    const run = () => runHaz(["run", "-j", "1", "app:glob", "app:nomatch"], { cwd: fixture.root });
    const first = await run();
    assert.equal(first.code, 0);
    assert.equal(
      shown(first),
      "✓ done app:glob (T)\n✓ done app:nomatch (T)\n\nTasks: 2 completed\n Time: T\n",
    );
    renameSync(fixture.path("app/src/a.txt"), fixture.path("app/src/b.txt"));
    const renamed = await run();
    assert.match(shown(renamed), /^✓ done app:glob \(T\)\n◉ cached app:nomatch \(T\)\n/);
    writeFileSync(fixture.path("app/src/c.txt"), "new\n");
    const added = await run();
    assert.match(shown(added), /^✓ done app:glob \(T\)\n◉ cached app:nomatch \(T\)\n/);
    assert.equal(spawns("glob"), 3);
    assert.equal(spawns("nomatch"), 1);
  },
);

test(
  "03 §14 ex 5 CACHE-029 a missing literal input errors the task and skips its descendants",
  SLOW,
  async () => {
    const before = cacheEntries(fixture);
    const result = await runHaz(["run", "app:after-missing"], { cwd: fixture.root });
    assert.equal(result.code, 1);
    assert.equal(
      shown(result),
      "✗ errored app:missing (T): input `/app/absent.txt` does not exist\n" +
        "- skipped app:after-missing: upstream app:missing errored\n" +
        "\nTasks: 0 completed, 1 failed, 1 skipped\n Time: T\n",
    );
    assert.equal(spawns("missing"), 0);
    assert.deepEqual(cacheEntries(fixture), before);
  },
);

test(
  "04 §11 ex 21 03 §14 ex 11 ex 15 predecessor streams feed the key; soft edges do not",
  SLOW,
  async () => {
    const run = (...refs: string[]) => runHaz(["run", "-j", "1", ...refs], { cwd: fixture.root });
    const first = await run("app:build");
    assert.equal(
      shown(first),
      "[lib:gen] v1\n✓ done lib:gen (T)\n✓ done app:build (T)\n\nTasks: 2 completed\n Time: T\n",
    );
    const second = await run("app:build");
    assert.equal(
      shown(second),
      "[lib:gen] v1\n✓ done lib:gen (T)\n◉ cached app:build (T)\n\nTasks: 2 completed (1 cached)\n Time: T\n",
    );
    assert.deepEqual([spawns("gen"), spawns("build")], [2, 1]);

    writeFileSync(fixture.path("lib/v.txt"), "v2\n");
    const third = await run("app:build");
    assert.match(shown(third), /\n✓ done app:build \(T\)\n/);
    assert.deepEqual([spawns("gen"), spawns("build")], [3, 2]);

    await fixture.write({ "app/haz.yml": appYaml(', weakDeps: ["lib:side"]') });
    const withSoftEdge = await run("app:build", "lib:side");
    assert.equal(withSoftEdge.code, 0);
    assert.match(shown(withSoftEdge), /\n◉ cached app:build \(T\)\n/);
    assert.deepEqual([spawns("gen"), spawns("build")], [4, 2]);
  },
);

test("03 §14 ex 6 CACHE-005 the action is part of the key; shell forms share one", SLOW, async () => {
  const run = () => runHaz(["run", "-j", "4", "k:s1", "k:s2", "k:c1"], { cwd: fixture.root });
  const first = await run();
  assert.equal(
    shown(first),
    "✓ done k:s1 (T)\n◉ cached k:s2 (T)\n✓ done k:c1 (T)\n\nTasks: 3 completed (1 cached)\n Time: T\n",
  );
  assert.equal(spawns("k"), 2);
  await fixture.write({ "k/haz.yml": kYaml("; true", "bash", " ") });
  const changed = await run();
  assert.equal(
    shown(changed),
    "✓ done k:s1 (T)\n✓ done k:s2 (T)\n✓ done k:c1 (T)\n\nTasks: 3 completed\n Time: T\n",
  );
  assert.equal(spawns("k"), 5);
});

test(
  "03 §14 ex 7 CACHE-008 only from_host and override values enter the key; the child sees the override",
  SLOW,
  async () => {
    const run = (vars: Record<string, string>) =>
      runHaz(["run", "ev:show"], { cwd: fixture.root, env: { ...baseEnv(), ...vars } });
    const first = await run({ UNLISTED: "1", TZ: "UTC", PT_VAR: "1", BOTH: "host-1" });
    assert.equal(shown(first), "[ev:show] one fixed\n✓ done ev:show (T)\n\nTasks: 1 completed\n Time: T\n");
    const varied = await run({ UNLISTED: "2", TZ: "Europe/Paris", PT_VAR: "2", BOTH: "host-2" });
    assert.equal(
      shown(varied),
      "[ev:show] one fixed\n◉ cached ev:show (T)\n\nTasks: 1 completed (1 cached)\n Time: T\n",
    );
    await fixture.write({ "ev/haz.yml": evYaml("two") });
    const overridden = await run({ UNLISTED: "2", TZ: "Europe/Paris", PT_VAR: "2", BOTH: "host-2" });
    assert.equal(
      shown(overridden),
      "[ev:show] two fixed\n✓ done ev:show (T)\n\nTasks: 1 completed\n Time: T\n",
    );
    assert.equal(spawns("ev"), 2);
  },
);

test("03 §14 ex 8 permuted inputs, from_host, override and deps keep the key", SLOW, async () => {
  const env = { ...baseEnv(), HA: "a", HB: "b" };
  const first = await runHaz(["run", "pm:perm"], { cwd: fixture.root, env });
  assert.equal(first.code, 0);
  await fixture.write({ "pm/haz.yml": pmYaml("b.txt, a.txt", "HB, HA", "OB: y, OA: x", '"~:two", "~:one"') });
  const permuted = await runHaz(["run", "pm:perm"], { cwd: fixture.root, env });
  assert.match(shown(permuted), /\n◉ cached pm:perm \(T\)\n\nTasks: 3 completed \(3 cached\)\n/);
  assert.equal(spawns("pm"), 1);
});

test(
  "03 §14 ex 10 CACHE-025 equal tasks in two projects get their own entries and outputs",
  SLOW,
  async () => {
    const before = cacheEntries(fixture).length;
    const first = await runHaz(["run", "a:gen", "b:gen"], { cwd: fixture.root });
    assert.equal(first.code, 0);
    assert.equal(spawns("gen-x"), 2);
    assert.equal(cacheEntries(fixture).length, before + 2);

    rmSync(fixture.path("gen/a/out.txt"));
    rmSync(fixture.path("gen/b/out.txt"));
    const onlyA = await runHaz(["run", "a:gen"], { cwd: fixture.root });
    assert.match(shown(onlyA), /^◉ cached a:gen \(T\)\n/);
    assert.equal(readFileSync(fixture.path("gen/a/out.txt"), "utf8"), "x\n");
    assert.equal(existsSync(fixture.path("gen/b/out.txt")), false);

    await fixture.write({ "gen/a/haz.yml": genYaml('"out.*"') });
    const outputsChanged = await runHaz(["run", "a:gen"], { cwd: fixture.root });
    assert.match(shown(outputsChanged), /^✓ done a:gen \(T\)\n/);
    assert.equal(spawns("gen-x"), 3);
  },
);

test("03 §14 ex 13 CACHE-024 only tasks with an action, inputs and cache on are cached", SLOW, async () => {
  const before = cacheEntries(fixture).length;
  const run = () => runHaz(["run", "-j", "1", "el:agg", "el:empty", "el:off"], { cwd: fixture.root });
  await run();
  const second = await run();
  assert.equal(
    shown(second),
    "◉ cached el:empty (T)\n✓ done el:noin (T)\n✓ done el:agg\n✓ done el:off (T)\n" +
      "\nTasks: 4 completed (1 cached)\n Time: T\n",
  );
  assert.deepEqual([spawns("noin"), spawns("empty"), spawns("off")], [2, 1, 2]);
  assert.equal(cacheEntries(fixture).length, before + 1);
});

test(
  "03 §14 ex 16 ex 18 CACHE-018 CACHE-032 failed runs and missing outputs store nothing",
  SLOW,
  async () => {
    const before = cacheEntries(fixture);
    const run = () => runHaz(["run", "-j", "1", "st:fail", "st:next"], { cwd: fixture.root });
    await run();
    const second = await run();
    assert.equal(second.code, 1);
    assert.equal(
      shown(second),
      "✗ failed st:fail (T): exit code 1\n" +
        "✗ errored st:noout (T): declared output `/st/never.txt` was not produced\n" +
        "- skipped st:next: upstream st:noout errored\n" +
        "\nTasks: 0 completed, 2 failed, 1 skipped\n Time: T\n",
    );
    assert.equal(spawns("fail"), 2);
    assert.deepEqual(cacheEntries(fixture), before);
    assert.deepEqual(stagingLeftovers(fixture), []);
  },
);

test("03 §14 ex 20 CACHE-013 a symlink output is recorded as a link and restored as one", SLOW, async () => {
  const first = await runHaz(["run", "sym:t"], { cwd: fixture.root });
  assert.equal(first.code, 0);
  const manifest = JSON.parse(readFileSync(join(entryOf(fixture, "sym:t"), "manifest.json"), "utf8"));
  assert.deepEqual(manifest.outputs[0], { path: "/sym/latest", kind: "symlink", target: "out.txt" });
  rmSync(fixture.path("sym/latest"));
  const hit = await runHaz(["run", "sym:t"], { cwd: fixture.root });
  assert.match(shown(hit), /^◉ cached sym:t \(T\)\n/);
  assert.equal(readlinkSync(fixture.path("sym/latest")), "out.txt");
  assert.equal(spawns("sym"), 1);
});

test("03 §14 ex 22 CACHE-035 an input rewritten during the run is not stored", SLOW, async () => {
  const before = cacheEntries(fixture);
  const result = await runHaz(["run", "rs:t"], { cwd: fixture.root });
  assert.equal(result.code, 0);
  assert.equal(shown(result), "✓ done rs:t (T)\n\nTasks: 1 completed\n Time: T\n");
  assert.equal(result.stderr, "warning: rs:t: result not cached: inputs changed while the task ran\n");
  assert.deepEqual(cacheEntries(fixture), before);
  assert.deepEqual(stagingLeftovers(fixture), []);
});

test(
  "03 §14 ex 23 CACHE-020 CACHE-037 a hit recreates deleted outputs with their mode; equal ones keep mtimes",
  SLOW,
  async () => {
    const output = fixture.path("rp/dist/sub/a.sh");
    assert.equal((await runHaz(["run", "rp:t"], { cwd: fixture.root })).code, 0);
    const past = new Date(2001, 0, 1);
    utimesSync(output, past, past);
    const untouched = await runHaz(["run", "rp:t"], { cwd: fixture.root });
    assert.match(shown(untouched), /^◉ cached rp:t \(T\)\n/);
    assert.equal(statSync(output).mtimeMs, past.getTime());

    rmSync(fixture.path("rp/dist"), { recursive: true });
    const restored = await runHaz(["run", "rp:t"], { cwd: fixture.root });
    assert.match(shown(restored), /^◉ cached rp:t \(T\)\n/);
    assert.equal(readFileSync(output, "utf8"), "x\n");
    assert.equal(statSync(output).mode & 0o777, 0o754);
    assert.equal(spawns("rp"), 1);
  },
);

test(
  "03 §14 ex 24 CACHE-023 a hit replays unterminated stdout and binary stderr like the fresh run",
  SLOW,
  async () => {
    const liveFresh = await runHaz(["run", "bin:t"], { cwd: fixture.root });
    const [liveHit, bufferedFresh, bufferedHit] = await Promise.all([
      runHaz(["run", "bin:t"], { cwd: fixture.root }),
      runHaz(["run", "bin:t", "--no-cache", "--output-mode", "buffered"], { cwd: fixture.root }),
      runHaz(["run", "bin:t", "--output-mode", "buffered"], { cwd: fixture.root }),
    ]);
    const binary = "\x00\x01\uFFFD\uFFFD";
    assert.equal(
      shown(liveFresh),
      "[bin:t] a\n[bin:t] b\n✓ done bin:t (T)\n\nTasks: 1 completed\n Time: T\n",
    );
    assert.equal(liveFresh.stderr, `[bin:t] ${binary}\n`);
    assert.equal(
      shown(liveHit),
      shown(liveFresh).replace("✓ done", "◉ cached").replace("completed", "completed (1 cached)"),
    );
    assert.equal(liveHit.stderr, liveFresh.stderr);
    assert.equal(shown(bufferedFresh), "✓ done bin:t (T)\na\nb\n\nTasks: 1 completed\n Time: T\n");
    assert.equal(bufferedFresh.stderr, `${binary}\n`);
    assert.equal(shown(bufferedHit), "◉ cached bin:t (T)\na\nb\n\nTasks: 1 completed (1 cached)\n Time: T\n");
    assert.equal(bufferedHit.stderr, bufferedFresh.stderr);
    const entry = entryOf(fixture, "bin:t");
    assert.deepEqual([...readFileSync(join(entry, "stdout"))], [...Buffer.from("a\nb")]);
    assert.deepEqual([...readFileSync(join(entry, "stderr"))], [0x00, 0x01, 0xfe, 0xff]);
  },
);

const isolated = await createWorkspaceFixture({
  ".haz/workspace.yml": "projects: [p]\n",
});
after(() => isolated.remove());
const ISOLATED_LOG = isolated.path("spawns.log");
await isolated.write({
  "p/haz.yml": `tasks:\n  t: {shell: "echo t >> ${ISOLATED_LOG}", inputs: []}\n`,
});

/** Every path under `.haz/cache` with its size and mtime, to compare trees. */
function cacheTree(workspace: WorkspaceFixture): string[] {
  const root = workspace.path(".haz/cache");
  return readdirSync(root, { recursive: true }).map(String).sort(compareBytes).map((path) => {
    const stat = statSync(join(root, path));
    return `${path} ${stat.size} ${stat.mtimeMs}`;
  });
}

test(
  "03 §14 ex 14 CACHE-040 EXEC-107 --no-cache never creates the cache; --dry-run leaves it unchanged",
  SLOW,
  async () => {
    const tree = cacheTree(fixture);
    const [noCache, dryRun] = await Promise.all([
      runHaz(["run", "p:t", "--no-cache"], { cwd: isolated.root }),
      runHaz(["run", "app:hello", "--dry-run"], { cwd: fixture.root }),
    ]);
    assert.equal(noCache.code, 0);
    assert.equal(shown(noCache), "✓ done p:t (T)\n\nTasks: 1 completed\n Time: T\n");
    assert.equal(countSpawns(ISOLATED_LOG, "t"), 1);
    assert.equal(existsSync(isolated.path(".haz/cache")), false);
    assert.equal(dryRun.code, 0);
    assert.equal(dryRun.stdout, "app:hello  selected    cacheable\nwould run 1 task\n");
    assert.deepEqual(cacheTree(fixture), tree);
  },
);

test("03 §14 ex 19 CACHE-033 a cache that cannot be written warns once and keeps exit 0", SLOW, async () => {
  rmSync(isolated.path(".haz/cache"), { recursive: true, force: true });
  // Every shard is made unwritable: read-only for a normal user; root ignores modes, so there
  // each shard is a regular file in the way instead.
  const asRoot = process.getuid?.() === 0;
  const shards: Record<string, string | { directory: true }> = {};
  for (let byte = 0; byte < 256; byte++) {
    shards[`.haz/cache/${byte.toString(16).padStart(2, "0")}`] = asRoot ? "" : { directory: true };
  }
  await isolated.write(shards);
  if (!asRoot) {
    for (const shard of Object.keys(shards)) chmodSync(isolated.path(shard), 0o555);
  }
  try {
    const result = await runHaz(["run", "p:t"], { cwd: isolated.root });
    assert.equal(result.code, 0);
    assert.equal(shown(result), "✓ done p:t (T)\n\nTasks: 1 completed\n Time: T\n");
    assert.match(result.stderr, /^warning: p:t: result not cached: .+\n$/);
  } finally {
    if (!asRoot) {
      for (const shard of Object.keys(shards)) chmodSync(isolated.path(shard), 0o755);
    }
  }
});
