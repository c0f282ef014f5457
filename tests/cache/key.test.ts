import assert from "node:assert/strict";
import { rm, utimes, writeFile } from "node:fs/promises";
import process from "node:process";
import { describe, test } from "node:test";
import { loadHashAlgorithm, sha256 } from "../../lib/cache/hash_algorithm.ts";
import { bytesToHex } from "../../lib/cache/hex.ts";
import {
  buildCacheKey,
  encodeKeyComponents,
  inputsUnchanged,
  type KeyComponents,
  type KeyRequest,
} from "../../lib/cache/key.ts";
import type { TaskDefinition } from "../../lib/domain/workspace.ts";
import {
  cacheTask,
  EMPTY_SHA256,
  W1_BUILD,
  W1_FILES,
  W1_HELLO,
  W1_HELLO_KEY,
} from "../support/cache_fixtures.ts";
import { withWorkspaceFixture } from "../support/workspace_fixture.ts";

const LINUX = { os: "linux", arch: "x64" };
const MSG_DIGEST = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

const HELLO_COMPONENTS: KeyComponents = {
  action: { kind: "command", argv: ["cp", "msg.txt", "out.txt"] },
  workdir: "/app",
  outputs: ["/app/out.txt"],
  inputs: [{ path: "/app/msg.txt", digest: MSG_DIGEST }],
  predecessors: [],
  env: [{ name: "GREETING", value: "hi" }],
  platform: LINUX,
};

function hex(text: string): string {
  return text.replace(/[\s|]+/g, "");
}

function sha256Hex(bytes: Uint8Array): string {
  const hasher = sha256.create();
  hasher.update(bytes);
  return hasher.digestHex();
}

function request(root: string, task: TaskDefinition, extra: Partial<KeyRequest> = {}): KeyRequest {
  return {
    workspaceRoot: root,
    task,
    hostEnv: new Map([["GREETING", "hi"]]),
    predecessors: new Map(),
    hardPredecessors: [],
    hash: sha256,
    platform: LINUX,
    ...extra,
  };
}

async function keyOf(root: string, task: TaskDefinition, extra: Partial<KeyRequest> = {}): Promise<string> {
  const result = await buildCacheKey(request(root, task, extra));
  assert.ok(result.ok, result.ok ? "" : result.message);
  return result.key;
}

describe("CACHE-009 framing of the worked example (§5)", () => {
  test("CACHE-009 app:hello encodes to the 165 bytes of the table", () => {
    const encoded = encodeKeyComponents(HELLO_COMPONENTS, sha256);
    const expected = hex(
      `01 01 | 41 01 00000003 00000002 6370 00000007 6d73672e747874 00000007 6f75742e747874 |
      57 00000004 2f617070 | 4f 00000001 0000000c 2f6170702f6f75742e747874 |
      49 00000001 0000000c 2f6170702f6d73672e747874 ${MSG_DIGEST} | 50 00000000 |
      45 00000001 00000008 4752454554494e47 01 00000002 6869 | 53 00000005 6c696e7578 00000003 783634`,
    );
    assert.equal(encoded.length, 165);
    assert.equal(bytesToHex(encoded), expected);
    assert.equal(sha256Hex(encoded), W1_HELLO_KEY);
  });

  test("CACHE-009 app:build encodes to the 150 bytes of the second vector", () => {
    const encoded = encodeKeyComponents({
      action: { kind: "shell", shell: "sh", script: "echo built" },
      workdir: "/app",
      outputs: [],
      inputs: [],
      predecessors: [{ project: "app", task: "hello", stdout: EMPTY_SHA256, stderr: EMPTY_SHA256 }],
      env: [],
      platform: LINUX,
    }, sha256);
    const expected = hex(
      `01 01 | 41 02 00000002 7368 0000000a 6563686f206275696c74 | 57 00000004 2f617070 | 4f 00000000 |
      49 00000000 | 50 00000001 00000003 617070 00000005 68656c6c6f ${EMPTY_SHA256} ${EMPTY_SHA256} |
      45 00000000 | 53 00000005 6c696e7578 00000003 783634`,
    );
    assert.equal(encoded.length, 150);
    assert.equal(bytesToHex(encoded), expected);
    assert.equal(sha256Hex(encoded), "92e42e8fe340454c00452d4c1bd8ee1e7932a84c35bc2b7d24ea075dc27e34d4");
  });

  test("CACHE-009 ABSENT and empty values are framed differently", () => {
    const absent = encodeKeyComponents(
      { ...HELLO_COMPONENTS, env: [{ name: "GREETING", value: null }] },
      sha256,
    );
    const empty = encodeKeyComponents(
      { ...HELLO_COMPONENTS, env: [{ name: "GREETING", value: "" }] },
      sha256,
    );
    assert.ok(bytesToHex(absent).includes(hex("45 00000001 00000008 4752454554494e47 00 53")));
    assert.ok(bytesToHex(empty).includes(hex("45 00000001 00000008 4752454554494e47 01 00000000 53")));
    assert.equal(sha256Hex(absent), "ad33feea8f99353e35f2c3e604d2abbb1202e98e8352c2155afc43fe9d9f2703");
    assert.equal(sha256Hex(empty), "3449c922bb86c1c89977486ec3dd68d61426a3e1c6014dc65711838da9571c62");
  });

  test("CACHE-009 a lone surrogate is encoded as U+FFFD", () => {
    const lone = encodeKeyComponents({ ...HELLO_COMPONENTS, workdir: "/\ud800" }, sha256);
    const replaced = encodeKeyComponents({ ...HELLO_COMPONENTS, workdir: "/\ufffd" }, sha256);
    assert.deepEqual(lone, replaced);
  });

  test("CACHE-003 the prefix carries the hash id as its own byte", async () => {
    const blake3 = await loadHashAlgorithm("blake3");
    const encoded = encodeKeyComponents(HELLO_COMPONENTS, blake3);
    assert.deepEqual([...encoded.subarray(0, 2)], [0x01, 0x00]);
  });
});

describe("CACHE-004..008 derivation from a workspace (acceptance 1)", () => {
  test("CACHE-001 app:hello of W1 has the worked-example key and reports its input", async () => {
    await withWorkspaceFixture(W1_FILES, async (fixture) => {
      const result = await buildCacheKey(request(fixture.root, W1_HELLO));
      assert.ok(result.ok);
      assert.equal(result.key, W1_HELLO_KEY);
      assert.equal(result.inputs.length, 1);
      assert.equal(result.inputs[0].path, "/app/msg.txt");
      assert.equal(result.inputs[0].hostPath, fixture.path("app/msg.txt"));
      assert.equal(result.inputs[0].digest, MSG_DIGEST);
      assert.equal(result.inputs[0].size, 6);
    });
  });

  test("CACHE-008 GREETING unset, empty, and a changed input give the documented keys", async () => {
    await withWorkspaceFixture(W1_FILES, async (fixture) => {
      assert.equal(
        await keyOf(fixture.root, W1_HELLO, { hostEnv: new Map() }),
        "ad33feea8f99353e35f2c3e604d2abbb1202e98e8352c2155afc43fe9d9f2703",
      );
      assert.equal(
        await keyOf(fixture.root, W1_HELLO, { hostEnv: new Map([["GREETING", ""]]) }),
        "3449c922bb86c1c89977486ec3dd68d61426a3e1c6014dc65711838da9571c62",
      );
      await fixture.write({ "app/msg.txt": "hello!\n" });
      assert.equal(
        await keyOf(fixture.root, W1_HELLO),
        "a1d0062ec227658f0d629808cbe3c08a9c7e0b0882ca9959c452b8aa1d1e62d2",
      );
      await fixture.write({ "app/msg.txt": "hello\n" });
      assert.equal(await keyOf(fixture.root, W1_HELLO), W1_HELLO_KEY);
    });
  });

  test("CACHE-007 app:build after app:hello has the second vector's key", async () => {
    await withWorkspaceFixture(W1_FILES, async (fixture) => {
      const key = await keyOf(fixture.root, W1_BUILD, {
        predecessors: new Map([["app:hello", { stdout: EMPTY_SHA256, stderr: EMPTY_SHA256 }]]),
        hardPredecessors: ["app:hello"],
      });
      assert.equal(key, "92e42e8fe340454c00452d4c1bd8ee1e7932a84c35bc2b7d24ea075dc27e34d4");
    });
  });

  test("CACHE-027 platform darwin/arm64 gives another key; the default is this host's", async () => {
    await withWorkspaceFixture(W1_FILES, async (fixture) => {
      const darwin = await keyOf(fixture.root, W1_HELLO, { platform: { os: "darwin", arch: "arm64" } });
      assert.match(darwin, /^[0-9a-f]{64}$/);
      assert.notEqual(darwin, W1_HELLO_KEY);
      const host = await keyOf(fixture.root, W1_HELLO, { platform: undefined });
      const explicit = await keyOf(fixture.root, W1_HELLO, {
        platform: { os: process.platform, arch: process.arch },
      });
      assert.equal(host, explicit);
    });
  });

  test("CACHE-002 blake3 gives a different key and is deterministic", async () => {
    const blake3 = await loadHashAlgorithm("blake3");
    await withWorkspaceFixture(W1_FILES, async (fixture) => {
      const first = await keyOf(fixture.root, W1_HELLO, { hash: blake3 });
      const second = await keyOf(fixture.root, W1_HELLO, { hash: blake3 });
      assert.match(first, /^[0-9a-f]{64}$/);
      assert.notEqual(first, W1_HELLO_KEY);
      assert.equal(first, second);
    });
  });

  test("CACHE-005 command vs shell, and shell string vs mapping form", async () => {
    await withWorkspaceFixture(W1_FILES, async (fixture) => {
      const shellString = cacheTask({ action: { kind: "shell", shell: "sh", script: "x" } });
      const shellMapping = cacheTask({ name: "other", action: { kind: "shell", shell: "sh", script: "x" } });
      const command = cacheTask({ action: { kind: "command", argv: ["sh", "-c", "x"] } });
      const bash = cacheTask({ action: { kind: "shell", shell: "bash", script: "x" } });
      const a = await keyOf(fixture.root, shellString);
      assert.equal(a, await keyOf(fixture.root, shellMapping));
      assert.notEqual(a, await keyOf(fixture.root, command));
      assert.notEqual(a, await keyOf(fixture.root, bash));
    });
  });

  test("CACHE-025 CACHE-026 workdir and output patterns are part of the key (acceptance 10)", async () => {
    await withWorkspaceFixture({ ".haz/workspace.yml": "" }, async (fixture) => {
      const action = { kind: "command" as const, argv: ["sh", "-c", "echo x > out.txt"] };
      const a = cacheTask({ project: "a", name: "gen", action, inputs: [], outputs: ["out.txt"] });
      const b = cacheTask({ project: "b", name: "gen", action, inputs: [], outputs: ["out.txt"] });
      const other = cacheTask({ project: "a", name: "gen", action, inputs: [], outputs: ["out2.txt"] });
      const keyA = await keyOf(fixture.root, a);
      assert.notEqual(keyA, await keyOf(fixture.root, b));
      assert.notEqual(keyA, await keyOf(fixture.root, other));
    });
  });

  test("CACHE-001 task identity is not part of the key (acceptance 9)", async () => {
    await withWorkspaceFixture(W1_FILES, async (fixture) => {
      const renamed = { ...W1_HELLO, id: { project: "app", task: "again" }, key: "app:again" };
      assert.equal(await keyOf(fixture.root, renamed), W1_HELLO_KEY);
    });
  });

  test("CACHE-009 permuted inputs, env and deps give the same key (acceptance 8)", async () => {
    await withWorkspaceFixture({ ...W1_FILES, "app/b.txt": "b", "app/a.txt": "a" }, async (fixture) => {
      const digests = { stdout: EMPTY_SHA256, stderr: EMPTY_SHA256 };
      const predecessors = new Map([["lib:x", digests], ["app:y", digests]]);
      const one = cacheTask({
        inputs: ["a.txt", "b.txt"],
        fromHost: ["A", "B"],
        override: { X: "1", Y: "2" },
      });
      const two = cacheTask({
        inputs: ["b.txt", "a.txt"],
        fromHost: ["B", "A"],
        override: { Y: "2", X: "1" },
      });
      const first = await keyOf(fixture.root, one, { predecessors, hardPredecessors: ["lib:x", "app:y"] });
      const second = await keyOf(fixture.root, two, { predecessors, hardPredecessors: ["app:y", "lib:x"] });
      assert.equal(first, second);
    });
  });

  test("CACHE-008 override wins over the host; unlisted variables do not count (acceptance 7)", async () => {
    await withWorkspaceFixture(W1_FILES, async (fixture) => {
      const both = cacheTask({ fromHost: ["GREETING"], override: { GREETING: "fixed" } });
      const a = await keyOf(fixture.root, both, { hostEnv: new Map([["GREETING", "hi"]]) });
      const b = await keyOf(fixture.root, both, { hostEnv: new Map([["GREETING", "bye"], ["OTHER", "1"]]) });
      assert.equal(a, b);
      const changed = cacheTask({ fromHost: ["GREETING"], override: { GREETING: "other" } });
      assert.notEqual(a, await keyOf(fixture.root, changed));
    });
  });

  test("CACHE-006 metadata does not count, a renamed or added input does (acceptance 4)", async () => {
    await withWorkspaceFixture({ ...W1_FILES, "app/src/a.txt": "a" }, async (fixture) => {
      const globTask = cacheTask({ inputs: ["src/*.txt"] });
      const before = await keyOf(fixture.root, globTask);
      await utimes(fixture.path("app/src/a.txt"), new Date(1000), new Date(1000));
      assert.equal(await keyOf(fixture.root, globTask), before);
      await fixture.write({ "app/src/b.txt": "b" });
      assert.notEqual(await keyOf(fixture.root, globTask), before);
      const nothing = await buildCacheKey(request(fixture.root, cacheTask({ inputs: ["none/*.txt"] })));
      assert.ok(nothing.ok);
      assert.deepEqual(nothing.inputs, []);
    });
  });

  test("CACHE-006 two symlinks to one file are two contributions, read through the link", async () => {
    await withWorkspaceFixture({ ...W1_FILES, "app/l1": { symlink: "msg.txt" } }, async (fixture) => {
      const result = await buildCacheKey(request(fixture.root, cacheTask({ inputs: ["l1", "msg.txt"] })));
      assert.ok(result.ok);
      assert.deepEqual(result.inputs.map((input) => [input.path, input.digest]), [
        ["/app/l1", MSG_DIGEST],
        ["/app/msg.txt", MSG_DIGEST],
      ]);
    });
  });
});

describe("CACHE-029 derivation errors", () => {
  test("CACHE-029 a missing literal input names the path (acceptance 5)", async () => {
    await withWorkspaceFixture(W1_FILES, async (fixture) => {
      const result = await buildCacheKey(request(fixture.root, cacheTask({ inputs: ["missing.txt"] })));
      assert.deepEqual(result, { ok: false, message: "input `/app/missing.txt` does not exist" });
    });
  });

  test("CACHE-029 unknown predecessor digests are an internal error", async () => {
    await withWorkspaceFixture(W1_FILES, async (fixture) => {
      const result = await buildCacheKey(
        request(fixture.root, W1_BUILD, { hardPredecessors: ["app:hello"] }),
      );
      assert.equal(result.ok, false);
      assert.match(result.ok ? "" : result.message, /app:hello/);
    });
  });
});

describe("CACHE-035 inputs changed while the task ran", () => {
  test("CACHE-035 unchanged inputs pass; rewritten, touched or deleted ones do not", async () => {
    await withWorkspaceFixture(W1_FILES, async (fixture) => {
      const result = await buildCacheKey(request(fixture.root, W1_HELLO));
      assert.ok(result.ok);
      assert.equal(inputsUnchanged(W1_HELLO, result.inputs), true);
      await writeFile(fixture.path("app/msg.txt"), "hello, world\n");
      assert.equal(inputsUnchanged(W1_HELLO, result.inputs), false);
      await writeFile(fixture.path("app/msg.txt"), "hello\n");
      await utimes(fixture.path("app/msg.txt"), new Date(5000), new Date(5000));
      assert.equal(inputsUnchanged(W1_HELLO, result.inputs), false);
      await rm(fixture.path("app/msg.txt"));
      assert.equal(inputsUnchanged(W1_HELLO, result.inputs), false);
    });
  });

  test("CACHE-035 inputs matched by the task's own outputs are exempt", async () => {
    await withWorkspaceFixture({ ...W1_FILES, "app/src/a.ts": "a" }, async (fixture) => {
      const formatter = cacheTask({ inputs: ["src/*.ts"], outputs: ["src"] });
      const result = await buildCacheKey(request(fixture.root, formatter));
      assert.ok(result.ok);
      await writeFile(fixture.path("app/src/a.ts"), "formatted a");
      assert.equal(inputsUnchanged(formatter, result.inputs), true);
    });
  });
});
