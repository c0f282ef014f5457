import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { humanBytes } from "../../lib/domain/size.ts";
import { randomTeam, startFaultProxy } from "../support/remote_server.ts";
import type { WorkspaceFixture } from "../support/workspace_fixture.ts";
import { maskDurations, SLOW } from "./run_support.ts";
import { cacheLineOf, exits, hazRemote, remoteEnv, remoteSuite } from "./remote_support.ts";

const suite = remoteSuite({ proxy: true });
const { fresh, via } = suite;

function requestsSince(start: number): string[] {
  return suite.proxy.requests.slice(start).map((request) =>
    `${request.method} ${request.url.replace(/[0-9a-f]{64}/, "<id>")}`
  );
}

function entryDirs(workspace: WorkspaceFixture): string[] {
  const root = workspace.path(".haz/cache");
  if (!existsSync(root)) return [];
  return readdirSync(root).filter((shard) => /^[0-9a-f]{2}$/.test(shard)).flatMap((shard) =>
    readdirSync(join(root, shard)).filter((name) => /^[0-9a-f]{64}$/.test(name)).map((key) =>
      join(root, shard, key)
    )
  );
}

test(
  "REMOTE-060 scenario 1: A uploads W1, B restores both tasks from the remote, then hits locally with no request",
  SLOW,
  async () => {
    const team = randomTeam();
    const target = via(suite.proxy.url, team);
    const secrets = [suite.server.token];
    const a = await fresh();
    let start = suite.proxy.requests.length;
    const first = await hazRemote(a, ["run", "app:build"], { env: remoteEnv(target), secrets });
    exits(first, 0);
    assert.deepEqual(requestsSince(start).sort(), [
      `GET /v8/artifacts/<id>?slug=${team}`,
      `GET /v8/artifacts/<id>?slug=${team}`,
      `PUT /v8/artifacts/<id>?slug=${team}`,
      `PUT /v8/artifacts/<id>?slug=${team}`,
    ]);
    const uploaded = first.summary!.remoteCache!.uploads;
    assert.equal(uploaded.uploaded, 2);
    assert.equal(
      cacheLineOf(first),
      `Cache: 0 remote hits (0 B), 2 uploaded (${humanBytes(uploaded.bytes)})`,
    );

    const b = await fresh();
    const before = Math.floor(Date.now() / 1000);
    start = suite.proxy.requests.length;
    const second = await hazRemote(b, ["run", "app:build"], { env: remoteEnv(target), secrets });
    exits(second, 0);
    assert.equal(
      maskDurations(second.stdout),
      [
        "◉ cached app:hello (T): from remote cache",
        "[app:build] built",
        "◉ cached app:build (T): from remote cache",
        "",
        "Tasks: 2 completed (2 cached: 0 local, 2 remote)",
        " Time: T",
        `Cache: 2 remote hits (${humanBytes(second.summary!.remoteCache!.lookups.bytes)}), 0 uploaded (0 B)`,
        "",
      ].join("\n"),
    );
    assert.equal(second.stderr, "");
    assert.equal(requestsSince(start).length, 2);
    assert.equal(readFileSync(b.path("app/out.txt"), "utf8"), "hello\n");
    assert.equal(statSync(b.path("app/out.txt")).mode & 0o777, statSync(a.path("app/out.txt")).mode & 0o777);
    const imported = entryDirs(b);
    assert.equal(imported.length, 2);
    for (const entry of imported) {
      const manifest = JSON.parse(readFileSync(join(entry, "manifest.json"), "utf8"));
      assert.ok(manifest.created_at_unix >= before, "created_at_unix is B's import time");
    }
    const tasks = Object.fromEntries(second.summary!.tasks.map((task) => [task.id, task]));
    assert.equal(tasks["app:hello"].hitFrom, "remote");
    assert.equal(tasks["app:hello"].remote.lookup, "hit");
    assert.ok(
      second.profile!.traceEvents.some((event) => event.name === "download" && event.cat === "phase"),
    );

    start = suite.proxy.requests.length;
    const connections = suite.proxy.connections();
    const third = await hazRemote(b, ["run", "app:build"], { env: remoteEnv(target), secrets });
    exits(third, 0);
    assert.match(third.stdout, /Tasks: 2 completed \(2 cached\)\n/);
    assert.deepEqual(requestsSince(start), [], "REMOTE-061 a fully local-hit run sends no request");
    assert.equal(suite.proxy.connections(), connections, "scenario 4: and opens no connection");
  },
);

test("REMOTE-062 scenario 3: two tasks with one key download their artifact once", SLOW, async () => {
  const same = {
    ".haz/workspace.yml": "projects: [app]\n",
    "app/haz.yml":
      'tasks:\n  one:\n    shell: "echo same"\n    inputs: []\n  two:\n    shell: "echo same"\n    inputs: []\n',
  };
  const team = randomTeam();
  const target = via(suite.proxy.url, team);
  const a = await fresh(same);
  exits(
    await hazRemote(a, ["run", "app:one"], { env: remoteEnv(target), secrets: [suite.server.token] }),
    0,
  );
  const b = await fresh(same);
  const start = suite.proxy.requests.length;
  const run = await hazRemote(b, ["run", "app:one", "app:two"], {
    env: remoteEnv(target),
    secrets: [suite.server.token],
  });
  exits(run, 0);
  assert.deepEqual(requestsSince(start), [`GET /v8/artifacts/<id>?slug=${team}`]);
  assert.match(run.stdout, /Tasks: 2 completed \(2 cached: [01] local, [12] remote\)/);
});

test(
  "REMOTE-062 scenario 3: a task re-admitted after a mutex park does not ask for its id again",
  SLOW,
  async () => {
    const parked = {
      ".haz/workspace.yml": "projects: [app]\n",
      "app/haz.yml": [
        "tasks:",
        '  one: {shell: "sleep 0.5; echo one", inputs: [], mutex: db}',
        '  two: {shell: "sleep 0.5; echo two", inputs: [], mutex: db}',
        "",
      ].join("\n"),
    };
    const team = randomTeam();
    const a = await fresh(parked);
    const start = suite.proxy.requests.length;
    const run = await hazRemote(a, ["run", "app:one", "app:two", "-j", "2"], {
      env: remoteEnv(via(suite.proxy.url, team), { HAZ_REMOTE_CACHE: "read" }),
      secrets: [suite.server.token],
    });
    exits(run, 0);
    const gets = suite.proxy.requests.slice(start).filter((request) => request.method === "GET");
    assert.equal(gets.length, 2, "one GET per id, none for the re-admission");
    assert.equal(new Set(gets.map((request) => request.url)).size, 2);
  },
);

test("REMOTE-031 scenario 24: request headers, the query and a URL with a path prefix", SLOW, async () => {
  const team = randomTeam();
  const prefixed = via(`${suite.proxy.url}/cache/`, team);
  const previous = suite.proxy.decide;
  suite.proxy.decide = () => ({ kind: "forward", stripPrefix: "/cache" });
  try {
    const a = await fresh();
    const start = suite.proxy.requests.length;
    const run = await hazRemote(a, ["run", "app:build"], {
      env: remoteEnv(prefixed),
      secrets: [suite.server.token],
    });
    exits(run, 0);
    const seen = suite.proxy.requests.slice(start);
    assert.equal(seen.length, 4);
    const manifests = new Map<string, number>();
    for (const entry of entryDirs(a)) {
      const manifest = JSON.parse(readFileSync(join(entry, "manifest.json"), "utf8"));
      manifests.set(manifest.key, manifest.duration_ms);
    }
    for (const request of seen) {
      const url = new URL(request.url, "http://x");
      assert.match(url.pathname, /^\/cache\/v8\/artifacts\/[0-9a-f]{64}$/);
      assert.equal(url.search, `?slug=${team}`);
      assert.equal(request.headers.authorization, `Bearer ${suite.server.token}`);
      assert.match(String(request.headers["user-agent"]), /^haz \d+\.\d+\.\d+/);
      if (request.method === "PUT") {
        assert.equal(request.headers["content-type"], "application/octet-stream");
        assert.equal(Number(request.headers["content-length"]), request.bodyBytes);
        assert.equal(request.headers["transfer-encoding"], undefined);
        const id = url.pathname.split("/").at(-1)!;
        assert.equal(request.headers["x-artifact-duration"], String(manifests.get(id)));
        assert.equal(request.headers["x-artifact-tag"], undefined);
      }
    }
    assert.ok(!suite.proxy.requests.some((request) => /events|status/.test(request.url)));
  } finally {
    suite.proxy.decide = previous;
  }
});

test(
  "REMOTE-033 scenario 25: a GET redirected to another origin succeeds without the token; a PUT redirect trips",
  SLOW,
  async () => {
    const team = randomTeam();
    const cdn = await startFaultProxy(suite.server.url);
    cdn.decide = () => ({ kind: "forward", headers: { authorization: `Bearer ${suite.server.token}` } });
    const previous = suite.proxy.decide;
    try {
      const a = await fresh();
      exits(
        await hazRemote(a, ["run", "app:build"], {
          env: remoteEnv(via(suite.server.url, team)),
          secrets: [suite.server.token],
        }),
        0,
      );
      suite.proxy.decide = (request) =>
        request.method === "GET"
          ? { kind: "status", status: 302, headers: { location: `${cdn.url}${request.url}` } }
          : { kind: "status", status: 307, headers: { location: `${cdn.url}${request.url}` } };
      const b = await fresh();
      const run = await hazRemote(b, ["run", "app:build"], {
        env: remoteEnv(via(suite.proxy.url, team)),
        secrets: [suite.server.token],
      });
      exits(run, 0);
      assert.match(run.stdout, /2 remote hits/);
      assert.equal(cdn.requests.length, 2);
      for (const request of cdn.requests) assert.equal(request.headers.authorization, undefined);

      await b.write({ "app/msg.txt": "changed\n" });
      const put = await hazRemote(b, ["run", "app:hello"], {
        env: remoteEnv(via(suite.proxy.url, team), { HAZ_REMOTE_CACHE: "write" }),
        secrets: [suite.server.token],
      });
      exits(put, 0);
      assert.deepEqual(put.stderr.split("\n").filter(Boolean), [
        "warning: remote cache off for the rest of this run: PUT app:hello: unexpected redirect (HTTP 307)",
      ]);
    } finally {
      suite.proxy.decide = previous;
      await cdn.close();
    }
  },
);

test(
  "REMOTE-041 scenario 26: a stored artifact is a gzip ustar archive tar lists with its four members in order",
  SLOW,
  async () => {
    const team = randomTeam();
    const a = await fresh();
    exits(
      await hazRemote(a, ["run", "app:hello"], {
        env: remoteEnv(via(suite.server.url, team)),
        secrets: [suite.server.token],
      }),
      0,
    );
    const [id] = readdirSync(join(suite.server.storage, team));
    const listing = execFileSync("tar", ["-tzf", join(suite.server.storage, team, id)], {
      encoding: "utf8",
    });
    assert.deepEqual(listing.trim().split("\n"), [
      "manifest.json",
      "stdout",
      "stderr",
      "outputs/5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03",
    ]);
  },
);
