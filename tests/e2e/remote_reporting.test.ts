import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { test } from "node:test";
import { randomTeam, startFaultProxy } from "../support/remote_server.ts";
import { spawnHaz } from "../support/spawn_haz.ts";
import { maskDurations, SLOW } from "./run_support.ts";
import { cacheLineOf, exits, hazRemote, remoteEnv, remoteSuite, W1, warnings } from "./remote_support.ts";

const suite = remoteSuite({ proxy: true });
const { fresh, via } = suite;

/** W1 plus `app:other`, which A never runs: on B it is a miss and an upload. */
const W1_PLUS = {
  ...W1,
  "app/haz.yml": `${W1["app/haz.yml"]}  other:\n    shell: "echo other"\n    inputs: []\n`,
};

test(
  "REMOTE-091 scenario 27: status lines, the Tasks: split and Cache: lines for mixed, read-only and write-only runs",
  SLOW,
  async () => {
    const target = via(suite.server.url);
    const secrets = [suite.server.token];
    const a = await fresh(W1_PLUS);
    exits(await hazRemote(a, ["run", "app:hello"], { env: remoteEnv(target), secrets }), 0);
    const b = await fresh(W1_PLUS);
    exits(
      await hazRemote(b, ["run", "app:build", "--remote-cache", "off"], { env: remoteEnv(target), secrets }),
      0,
    );
    await b.write({ "app/msg.txt": "hello\n" });
    const { rmSync } = await import("node:fs");
    for (const shard of readdirSync(b.path(".haz/cache")).filter((name) => /^[0-9a-f]{2}$/.test(name))) {
      for (const entry of readdirSync(b.path(`.haz/cache/${shard}`))) {
        const manifest = b.path(`.haz/cache/${shard}/${entry}/manifest.json`);
        if (
          existsSync(manifest) &&
          (await import("node:fs")).readFileSync(manifest, "utf8").includes('"app:hello"')
        ) {
          rmSync(b.path(`.haz/cache/${shard}/${entry}`), { recursive: true });
        }
      }
    }
    const mixed = await hazRemote(b, ["run", "app:build", "app:other"], { env: remoteEnv(target), secrets });
    exits(mixed, 0);
    const shown = maskDurations(mixed.stdout);
    assert.ok(shown.includes("◉ cached app:hello (T): from remote cache\n"), shown);
    assert.ok(shown.includes("◉ cached app:build (T)\n"), shown);
    assert.ok(shown.includes("✓ done app:other (T)\n"), shown);
    assert.ok(shown.includes("Tasks: 3 completed (2 cached: 1 local, 1 remote)\n"), shown);
    const lookups = mixed.summary!.remoteCache!.lookups;
    const uploads = mixed.summary!.remoteCache!.uploads;
    assert.deepEqual([lookups.requested, lookups.hits, lookups.misses], [2, 1, 1]);
    assert.deepEqual([uploads.due, uploads.uploaded], [1, 1]);
    assert.match(cacheLineOf(mixed)!, /^Cache: 1 remote hit \(\d+ B\), 1 uploaded \(\d+ B\)$/);
    const tasks = Object.fromEntries(mixed.summary!.tasks.map((task) => [task.id, task]));
    assert.deepEqual(
      [tasks["app:hello"].hitFrom, tasks["app:build"].hitFrom, tasks["app:other"].hitFrom],
      ["remote", "local", null],
    );
    assert.equal(tasks["app:hello"].remote.lookup, "hit");
    assert.ok(tasks["app:hello"].remote.download.bytes > 0);
    assert.equal(tasks["app:build"].remote.lookup, "not-requested");
    assert.equal(tasks["app:other"].remote.lookup, "miss");
    assert.equal(tasks["app:other"].remote.upload, "uploaded");
    assert.equal(typeof tasks["app:hello"].timing.downloadMs, "number");
    const events = mixed.profile!.traceEvents;
    assert.ok(events.some((event) => event.name === "download" && event.cat === "phase"));
    const pair = events.filter((event) => event.name === "upload" && event.cat === "remote-upload");
    assert.deepEqual(pair.map((event) => event.ph), ["b", "e"]);
    assert.equal(pair[1].args.outcome, "uploaded");

    const c = await fresh(W1_PLUS);
    const readOnly = await hazRemote(c, ["run", "app:other", "--remote-cache", "read"], {
      env: remoteEnv(target),
      secrets,
    });
    assert.equal(
      cacheLineOf(readOnly),
      `Cache: 1 remote hit (${readOnly.summary!.remoteCache!.lookups.bytes} B), uploads off (read-only)`,
    );
    const d = await fresh(W1_PLUS);
    const writeOnly = await hazRemote(d, ["run", "app:other", "--remote-cache", "write"], {
      env: remoteEnv(target),
      secrets,
    });
    assert.match(cacheLineOf(writeOnly)!, /^Cache: lookups off \(write-only\), 1 uploaded \(\d+ B\)$/);
  },
);

test(
  "REMOTE-076 scenario 28: the end-of-run wait abandons after upload_wait, waits when it can, and skips cancelled runs",
  SLOW,
  async () => {
    const slow = await startFaultProxy(suite.server.url);
    slow.decide = (request) =>
      request.method === "PUT" ? { kind: "forward", delayMs: 3000 } : { kind: "forward" };
    try {
      const config = (wait: string) => ({
        ...W1,
        "app/haz.yml": 'tasks:\n  one:\n    shell: "echo one"\n    inputs: []\n',
        ".haz/workspace.yml": `projects: [app]\ncache:\n  remote:\n    upload_wait: ${wait}\n`,
      });
      const short = await fresh(config("1s"));
      const started = performance.now();
      const abandoned = await hazRemote(short, ["run", "app:one"], {
        env: remoteEnv(via(slow.url)),
        secrets: [suite.server.token],
      });
      const took = performance.now() - started;
      exits(abandoned, 0);
      assert.deepEqual(warnings(abandoned), ["warning: remote cache: 1 upload abandoned after waiting 1s"]);
      assert.ok(
        took < 2900 + 1500,
        `exits about 1 s after the last task, not after the 3 s upload: ${took} ms`,
      );
      assert.equal(abandoned.summary!.remoteCache!.uploads.abandoned, 1);
      assert.ok(
        abandoned.summary!.warnings.some((warning) =>
          warning.kind === "not-uploaded" &&
          warning.message === "app:one: not uploaded: abandoned after waiting 1s"
        ),
      );

      const long = await fresh(config("10s"));
      const waited = await hazRemote(long, ["run", "app:one"], {
        env: remoteEnv(via(slow.url)),
        secrets: [suite.server.token],
      });
      exits(waited, 0);
      assert.equal(waited.summary!.remoteCache!.uploads.uploaded, 1);
      assert.ok(waited.summary!.remoteCache!.uploads.waitMs >= 2000);

      const interrupted = await fresh(config("30s"));
      const child = spawnHaz(["run", "app:one"], {
        cwd: interrupted.root,
        env: remoteEnv(via(slow.url, randomTeam())),
      });
      await child.waitForLine("stdout", "✓ done app:one", 20_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const sentAt = child.signal("SIGINT");
      const result = await child.exited;
      assert.equal(result.code, 0, result.stderr);
      assert.ok(result.exitedAt - sentAt < 2000, `exits at once: ${result.exitedAt - sentAt} ms`);
      assert.ok(!result.stderr.includes("abandoned"), result.stderr);

      const failing = await fresh({
        ...config("30s"),
        "app/haz.yml":
          'tasks:\n  one:\n    shell: "echo one"\n    inputs: []\n  bad:\n    shell: "sleep 0.5; exit 1"\n',
      });
      const before = performance.now();
      const cancelled = await hazRemote(failing, ["run", "app:one", "app:bad", "--fail-fast"], {
        env: remoteEnv(via(slow.url)),
        secrets: [suite.server.token],
      });
      exits(cancelled, 1);
      assert.ok(performance.now() - before < 2900, "a --fail-fast cancelled run does not wait");
      assert.deepEqual(warnings(cancelled), []);
    } finally {
      await slow.close();
    }
  },
);

test(
  "REMOTE-095 scenario 30: why's remote line: present, absent, local hit, and a refused port",
  SLOW,
  async () => {
    const target = via(suite.server.url);
    const secrets = [suite.server.token];
    const a = await fresh();
    exits(await hazRemote(a, ["run", "app:hello"], { env: remoteEnv(target), secrets }), 0);
    const b = await fresh();
    const remoteLine = (run: { stdout: string }) =>
      run.stdout.split("\n").find((line) => line.startsWith("remote:"));
    const present = await hazRemote(b, ["why", "app:hello"], { env: remoteEnv(target), secrets });
    exits(present, 0);
    assert.equal(remoteLine(present), "remote: present");
    assert.equal(present.stdout.split("\n")[7], "remote: present", "the eighth line, after cache:");
    assert.equal(existsSync(b.path(".haz/cache")), false, "why never imports");
    await b.write({ "app/msg.txt": "other\n" });
    assert.equal(
      remoteLine(await hazRemote(b, ["why", "app:hello"], { env: remoteEnv(target), secrets })),
      "remote: absent",
    );
    assert.equal(
      remoteLine(await hazRemote(a, ["why", "app:hello"], { env: remoteEnv(target), secrets })),
      "remote: not checked (local hit)",
    );
    const refused = await hazRemote(b, ["why", "app:hello"], {
      env: remoteEnv(via("http://127.0.0.1:9")),
      secrets,
    });
    exits(refused, 0);
    assert.equal(remoteLine(refused), "remote: error: connection refused by http://127.0.0.1:9");
    assert.equal(
      remoteLine(
        await hazRemote(b, ["why", "app:hello"], {
          env: remoteEnv(target, { HAZ_REMOTE_CACHE_TOKEN: undefined }),
          secrets,
        }),
      ),
      "remote: off: HAZ_REMOTE_CACHE_TOKEN is not set",
    );
  },
);

test(
  "REMOTE-096 scenario 31: cache info with and without a remote, --remote checks, --json",
  SLOW,
  async () => {
    const secrets = [suite.server.token];
    const a = await fresh();
    const plain = await hazRemote(a, ["cache", "info"], { env: remoteEnv(null), secrets });
    exits(plain, 0);
    assert.equal(plain.stdout.trim().split("\n").length, 6);
    const missing = await hazRemote(a, ["cache", "info", "--remote"], { env: remoteEnv(null), secrets });
    exits(missing, 2);
    assert.equal(missing.stdout.trim().split("\n").length, 6, "the report comes first");
    assert.equal(
      missing.stderr,
      "error: cache info: no remote cache is configured (set cache.remote.url or HAZ_REMOTE_CACHE_URL)\n",
    );
    const target = via(suite.server.url, "web-platform");
    const shown = await hazRemote(a, ["cache", "info"], { env: remoteEnv(target), secrets });
    exits(shown, 0);
    assert.deepEqual(shown.stdout.trim().split("\n").slice(6), [
      `remote: ${suite.server.url} (team web-platform)`,
      "remote mode: read-write (default)",
      "remote signature: off",
    ]);
    const good = await hazRemote(a, ["cache", "info", "--remote"], { env: remoteEnv(target), secrets });
    exits(good, 0);
    assert.match(
      good.stdout.trim().split("\n")[9],
      /^remote check: ok \(status enabled, token accepted, \d+ms\)$/,
    );
    const wrong = await hazRemote(a, ["cache", "info", "--remote"], {
      env: remoteEnv({ ...target, token: "tok-SECRET-wrong" }),
      secrets: [...secrets, "tok-SECRET-wrong"],
    });
    exits(wrong, 2);
    assert.equal(
      wrong.stdout.trim().split("\n")[9],
      "remote check: failed: HEAD probe: HTTP 401: the server rejected HAZ_REMOTE_CACHE_TOKEN",
    );
    const refused = await hazRemote(a, ["cache", "info", "--remote"], {
      env: remoteEnv(via("http://127.0.0.1:9")),
      secrets,
    });
    exits(refused, 2);
    assert.equal(
      refused.stdout.trim().split("\n")[9],
      "remote check: failed: GET status: connection refused by http://127.0.0.1:9",
    );
    const json = await hazRemote(a, ["cache", "info", "--json", "--remote"], {
      env: remoteEnv(target, { HAZ_REMOTE_CACHE: "read" }),
      secrets,
    });
    exits(json, 0);
    const remote = JSON.parse(json.stdout).remote;
    assert.deepEqual({ ...remote, check: { ...remote.check, ms: 0 } }, {
      url: suite.server.url,
      team: "web-platform",
      token_set: true,
      mode: "read",
      mode_source: "env",
      off_reason: null,
      signature: false,
      check: { ok: true, status: "enabled", ms: 0, error: null },
    });
    assert.equal(
      JSON.parse(
        plain.stdout === ""
          ? "{}"
          : (await hazRemote(a, ["cache", "info", "--json"], { env: remoteEnv(null), secrets })).stdout,
      ).remote,
      null,
    );
  },
);
