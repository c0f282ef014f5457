import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { test } from "node:test";
import { randomTeam, startFaultProxy, startRemoteServer } from "../support/remote_server.ts";
import { SLOW } from "./run_support.ts";
import { cacheLineOf, exits, hazRemote, remoteEnv, remoteSuite, warnings } from "./remote_support.ts";

const suite = remoteSuite({ proxy: true });
const { fresh, via } = suite;

/** Twenty independent cacheable tasks in one project. */
function twenty(): Record<string, string> {
  const tasks = Array.from(
    { length: 20 },
    (_, i) => `  t${i}:\n    shell: "echo task ${i}"\n    inputs: []\n`,
  );
  return { ".haz/workspace.yml": "projects: [app]\n", "app/haz.yml": `tasks:\n${tasks.join("")}` };
}

/** The outcome of each task, to compare with a run without remote (REMOTE-083). */
function outcomes(run: { summary: { tasks: Array<Record<string, unknown>> } | null }) {
  return run.summary!.tasks.map((task) => `${task.id} ${task.outcome}`);
}

test(
  "REMOTE-020 scenario 9: without a token every task runs, no request, no warning, one Cache: line",
  SLOW,
  async () => {
    const a = await fresh();
    const start = suite.proxy.requests.length;
    const run = await hazRemote(a, ["run", "app:build"], {
      env: remoteEnv(via(suite.proxy.url), { HAZ_REMOTE_CACHE_TOKEN: undefined }),
      secrets: [suite.server.token],
    });
    exits(run, 0);
    assert.equal(suite.proxy.requests.length, start);
    assert.deepEqual(warnings(run), []);
    assert.equal(cacheLineOf(run), "Cache: remote off: HAZ_REMOTE_CACHE_TOKEN is not set");
    assert.equal(run.summary!.remoteCache!.offReason, "HAZ_REMOTE_CACHE_TOKEN is not set");
    assert.equal(run.summary!.remoteCache!.tokenSet, false);
  },
);

test(
  "REMOTE-081 scenario 10: a wrong token trips the remote once for 20 tasks, no request after the 401",
  SLOW,
  async () => {
    const wrong = "tok-SECRET-wrong-0123456789";
    const a = await fresh(twenty());
    const start = suite.proxy.requests.length;
    const run = await hazRemote(a, ["run", "--all", "-j", "4"], {
      env: remoteEnv(via(suite.proxy.url, randomTeam(), wrong)),
      secrets: [suite.server.token, wrong],
    });
    exits(run, 0);
    const lines = warnings(run);
    assert.equal(lines.length, 1, run.stderr);
    assert.match(
      lines[0],
      /^warning: remote cache off for the rest of this run: GET app:t\d+: HTTP 401: the server rejected HAZ_REMOTE_CACHE_TOKEN$/,
    );
    const seen = suite.proxy.requests.slice(start);
    assert.ok(
      seen.length >= 1 && seen.length <= 4,
      `at most the requests in flight at the 401: ${seen.length}`,
    );
    assert.equal(run.summary!.tasks.filter((task) => task.outcome === "succeeded").length, 20);
    assert.match(cacheLineOf(run)!, /; remote off after an error$/);
    assert.equal(run.summary!.remoteCache!.trip.message, lines[0].slice("warning: ".length));
  },
);

test(
  "REMOTE-081 scenario 11: a refused port and an unknown host trip with their exact problems",
  SLOW,
  async () => {
    const closed: Server = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", () => resolve()));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const a = await fresh();
    const refused = await hazRemote(a, ["run", "app:build"], {
      env: remoteEnv(via(`http://127.0.0.1:${port}`)),
      secrets: [suite.server.token],
    });
    exits(refused, 0);
    assert.deepEqual(warnings(refused), [
      `warning: remote cache off for the rest of this run: GET app:hello: connection refused by http://127.0.0.1:${port}`,
    ]);
    const b = await fresh();
    const unknown = await hazRemote(b, ["run", "app:build"], {
      env: remoteEnv(via("http://nohost.invalid")),
      secrets: [suite.server.token],
    });
    exits(unknown, 0);
    assert.deepEqual(warnings(unknown), [
      "warning: remote cache off for the rest of this run: GET app:hello: host nohost.invalid not found",
    ]);
    assert.deepEqual(outcomes(unknown), outcomes(refused));
  },
);

test(
  "REMOTE-083 scenario 12 / acceptance 3: a black hole costs one timeout for 20 tasks, then no request",
  SLOW,
  async () => {
    const hole = await startFaultProxy(suite.server.url);
    hole.decide = () => ({ kind: "black-hole" });
    try {
      const a = await fresh({
        ...twenty(),
        ".haz/workspace.yml": "projects: [app]\ncache:\n  remote:\n    timeout: 1s\n",
      });
      const started = performance.now();
      const run = await hazRemote(a, ["run", "--all", "-j", "4"], {
        env: remoteEnv(via(hole.url)),
        secrets: [suite.server.token],
      });
      const elapsed = performance.now() - started;
      exits(run, 0);
      const lines = warnings(run);
      assert.equal(lines.length, 1, run.stderr);
      assert.match(
        lines[0],
        /^warning: remote cache off for the rest of this run: GET app:t\d+: no response for 1s$/,
      );
      assert.ok(
        hole.requests.length <= 4,
        `only the requests in flight at the trip: ${hole.requests.length}`,
      );
      const baseline = await fresh(twenty());
      const started2 = performance.now();
      exits(
        await hazRemote(baseline, ["run", "--all", "-j", "4"], {
          env: remoteEnv(null),
          secrets: [suite.server.token],
        }),
        0,
      );
      const plain = performance.now() - started2;
      assert.ok(elapsed < plain + 1000 + 4000, `one timeout, not one per task: ${elapsed} ms vs ${plain} ms`);
      assert.equal(run.summary!.tasks.filter((task) => task.outcome === "succeeded").length, 20);
    } finally {
      await hole.close();
    }
  },
);

test(
  "REMOTE-080 scenario 13: a 500 for the first PUT trips; queued uploads are not uploaded; trip names task and id",
  SLOW,
  async () => {
    const previous = suite.proxy.decide;
    let failed = false;
    suite.proxy.decide = (request) => {
      if (request.method === "PUT" && !failed) {
        failed = true;
        return { kind: "status", status: 500, body: '{"message":"Internal Server Error"}' };
      }
      return { kind: "forward" };
    };
    try {
      const a = await fresh(twenty());
      const run = await hazRemote(a, ["run", "--all", "-j", "2"], {
        env: remoteEnv(via(suite.proxy.url)),
        secrets: [suite.server.token],
      });
      exits(run, 0);
      const lines = warnings(run);
      assert.equal(lines.length, 1, run.stderr);
      assert.match(
        lines[0],
        /^warning: remote cache off for the rest of this run: PUT app:t\d+: HTTP 500: Internal Server Error$/,
      );
      assert.match(cacheLineOf(run)!, /, \d+ not uploaded; remote off after an error$/);
      const trip = run.summary!.remoteCache!.trip;
      assert.match(trip.task, /^app:t\d+$/);
      assert.match(trip.id, /^[0-9a-f]{64}$/);
      const uploads = run.summary!.remoteCache!.uploads;
      assert.equal(uploads.uploaded + uploads.notUploaded, uploads.due);
      assert.ok(uploads.notUploaded >= 1);
      const off = run.profile!.traceEvents.filter((event) => event.name === "remote-off");
      assert.equal(off.length, 1, "scenario 29: the trip is an instant event of the profile");
      assert.deepEqual([off[0].ph, off[0].cat, off[0].s], ["i", "haz", "g"]);
      assert.equal(off[0].args.reason, trip.message);
    } finally {
      suite.proxy.decide = previous;
    }
  },
);

test("REMOTE-080 scenario 14: a read-only server turns uploads off; downloads still hit", SLOW, async () => {
  const team = randomTeam();
  const readOnly = await startRemoteServer({ readOnly: true });
  try {
    const a = await fresh();
    exits(
      await hazRemote(a, ["run", "app:hello"], {
        env: remoteEnv(via(suite.server.url, team)),
        secrets: [suite.server.token],
      }),
      0,
    );
    // The read-only instance serves the same storage through its own directory: copy A's artifact there.
    const { cpSync } = await import("node:fs");
    cpSync(`${suite.server.storage}/${team}`, `${readOnly.storage}/${team}`, { recursive: true });
    const b = await fresh();
    const run = await hazRemote(b, ["run", "app:build"], {
      env: remoteEnv(via(readOnly.url, team, readOnly.token)),
      secrets: [suite.server.token, readOnly.token],
    });
    exits(run, 0);
    assert.deepEqual(warnings(run), [
      "warning: remote cache uploads off for the rest of this run: PUT app:build: HTTP 403: Remote cache is running in read-only mode",
    ]);
    assert.match(run.stdout, /◉ cached app:hello \(.*\): from remote cache/);
    assert.match(
      cacheLineOf(run)!,
      /^Cache: 1 remote hit \(.*\), 0 uploaded \(0 B\), 1 not uploaded; uploads off after an error$/,
    );
  } finally {
    await readOnly.stop();
  }
});

test(
  "REMOTE-074 scenario 15: an artifact above the server's BODY_LIMIT is not uploaded, smaller ones are",
  SLOW,
  async () => {
    const small = await startRemoteServer({ bodyLimit: 2048 });
    try {
      const big = Array.from({ length: 4000 }, (_, i) => (i * 7919 % 65536).toString(36)).join(" ");
      const a = await fresh({
        ".haz/workspace.yml": "projects: [app]\n",
        "app/haz.yml":
          'tasks:\n  big:\n    command: [cat, big.txt]\n    inputs: [big.txt]\n  tiny:\n    shell: "echo tiny"\n    inputs: []\n',
        "app/big.txt": big,
      });
      const run = await hazRemote(a, ["run", "app:big", "app:tiny", "--remote-cache", "write"], {
        env: remoteEnv(via(small.url, randomTeam(), small.token)),
        secrets: [small.token],
      });
      exits(run, 0);
      assert.deepEqual(warnings(run), [
        "warning: app:big: not uploaded: the server refused its size (HTTP 413: Request body is too large)",
      ]);
      assert.match(
        cacheLineOf(run)!,
        /^Cache: lookups off \(write-only\), 1 uploaded \(.*\), 1 not uploaded$/,
      );
    } finally {
      await small.stop();
    }
  },
);

test(
  "REMOTE-073 scenario 16: max_artifact_size and max_entry_size stop an upload before it is sent",
  SLOW,
  async () => {
    const big = "x".repeat(5000);
    const files = (limit: string) => ({
      ".haz/workspace.yml":
        `projects: [app]\ncache:\n  remote:\n    ${limit}: 1KiB\n    compression_level: 0\n`,
      "app/haz.yml": "tasks:\n  big:\n    command: [cat, big.txt]\n    inputs: [big.txt]\n",
      "app/big.txt": big,
    });
    for (
      const [limit, reason] of [
        [
          "max_entry_size",
          /^warning: app:big: not uploaded: entry is 5\.\d KiB, above cache\.remote\.max_entry_size \(1\.0 KiB\)$/,
        ],
        [
          "max_artifact_size",
          /^warning: app:big: not uploaded: artifact is \d+\.\d KiB, above cache\.remote\.max_artifact_size \(1\.0 KiB\)$/,
        ],
      ] as const
    ) {
      const a = await fresh(files(limit));
      const start = suite.proxy.requests.length;
      const run = await hazRemote(a, ["run", "app:big"], {
        env: remoteEnv(via(suite.proxy.url)),
        secrets: [suite.server.token],
      });
      exits(run, 0);
      const lines = warnings(run);
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0], reason);
      assert.deepEqual(suite.proxy.requests.slice(start).map((request) => request.method), ["GET"]);
    }
  },
);

test("REMOTE-025 scenario 20: a server message echoing the token is printed redacted", SLOW, async () => {
  const previous = suite.proxy.decide;
  suite.proxy.decide = (request) => ({
    kind: "status",
    status: 400,
    body: JSON.stringify({ message: `bad ${String(request.headers.authorization)}` }),
  });
  try {
    const a = await fresh();
    const run = await hazRemote(a, ["run", "app:hello"], {
      env: remoteEnv(via(suite.proxy.url)),
      secrets: [suite.server.token],
    });
    exits(run, 0);
    assert.deepEqual(warnings(run), [
      "warning: remote cache off for the rest of this run: GET app:hello: HTTP 400: bad Bearer <redacted>",
    ]);
  } finally {
    suite.proxy.decide = previous;
  }
});
