import assert from "node:assert/strict";
import { test } from "node:test";
import { SLOW } from "./run_support.ts";
import { cacheLineOf, exits, hazRemote, remoteEnv, remoteSuite, W1, warnings } from "./remote_support.ts";

const suite = remoteSuite({ proxy: true });
const { fresh, via } = suite;

async function methods(
  args: readonly string[],
  env: Record<string, string | undefined>,
  files = W1,
): Promise<{ methods: string[]; run: Awaited<ReturnType<typeof hazRemote>> }> {
  const workspace = await fresh(files);
  const start = suite.proxy.requests.length;
  const run = await hazRemote(workspace, ["run", "app:build", ...args], {
    env,
    secrets: [suite.server.token],
  });
  exits(run, 0);
  return {
    methods: [...new Set(suite.proxy.requests.slice(start).map((request) => request.method))].sort(),
    run,
  };
}

test(
  "REMOTE-020 scenario 6: read, write, off and --no-cache send what they allow; flag > env > config",
  SLOW,
  async () => {
    const target = via(suite.proxy.url);
    assert.deepEqual((await methods(["--remote-cache", "read"], remoteEnv(target))).methods, ["GET"]);
    assert.deepEqual((await methods(["--remote-cache", "write"], remoteEnv(target))).methods, ["PUT"]);
    assert.deepEqual((await methods(["--remote-cache", "off"], remoteEnv(target))).methods, []);
    const noCache = await methods(["--no-cache"], remoteEnv(target));
    assert.deepEqual(noCache.methods, []);
    assert.equal(cacheLineOf(noCache.run), "Cache: remote off: --no-cache");

    const configured = {
      ...W1,
      ".haz/workspace.yml":
        `projects: [app]\ncache:\n  remote:\n    url: http://127.0.0.1:9\n    team: fromfile\n    mode: off\n`,
    };
    const config = await methods([], remoteEnv(target, { HAZ_REMOTE_CACHE_URL: undefined }), configured);
    assert.equal(config.run.summary!.remoteCache!.modeSource, "config");
    assert.equal(cacheLineOf(config.run), "Cache: remote off: cache.remote.mode: off");
    const env = await methods([], remoteEnv(target, { HAZ_REMOTE_CACHE: "read" }), configured);
    assert.deepEqual(env.methods, ["GET"], "HAZ_REMOTE_CACHE_URL overrides the file's url");
    assert.equal(env.run.summary!.remoteCache!.modeSource, "env");
    assert.equal(
      env.run.summary!.remoteCache!.team,
      target.team,
      "HAZ_REMOTE_CACHE_TEAM overrides the file's team",
    );
    const flag = await methods(
      ["--remote-cache", "write"],
      remoteEnv(target, { HAZ_REMOTE_CACHE: "read" }),
      configured,
    );
    assert.deepEqual(flag.methods, ["PUT"]);
    assert.equal(flag.run.summary!.remoteCache!.modeSource, "flag");
    const off = await methods([], remoteEnv(target, { HAZ_REMOTE_CACHE: "off" }));
    assert.equal(cacheLineOf(off.run), "Cache: remote off: HAZ_REMOTE_CACHE=off");
    const byFlag = await methods(["--remote-cache", "off"], remoteEnv(target));
    assert.equal(cacheLineOf(byFlag.run), "Cache: remote off: --remote-cache off");
    const noRemote = await methods([], remoteEnv(null));
    assert.equal(cacheLineOf(noRemote.run), null);
    assert.equal(noRemote.run.summary!.remoteCache, null);
  },
);

test(
  "REMOTE-018 scenario 7: invalid flags and variables are usage errors before the workspace is read",
  SLOW,
  async () => {
    const nowhere = await fresh({ "empty.txt": "" });
    const cases: Array<[string[], Record<string, string>, string, string | null]> = [
      [
        ["--remote-cache", "reed"],
        {},
        'invalid value for --remote-cache: "reed" (expected off, read, write or read-write)',
        "help: did you mean 'read'?",
      ],
      [
        ["--shard", "0/2"],
        {},
        'invalid value for --shard: "0/2" (expected I/N with 1 <= I <= N <= 1000, e.g. 2/4)',
        null,
      ],
      [
        [],
        { HAZ_REMOTE_CACHE: "rw" },
        'invalid value for HAZ_REMOTE_CACHE: "rw" (expected off, read, write or read-write)',
        null,
      ],
      [
        [],
        { HAZ_REMOTE_CACHE_URL: "https://ci:s3cret@cache.example.com" },
        'invalid value for HAZ_REMOTE_CACHE_URL: "https://***@cache.example.com" (expected an http or https URL without user name, password, query or fragment)',
        null,
      ],
      [
        [],
        { HAZ_REMOTE_CACHE_TEAM: "my team" },
        'invalid value for HAZ_REMOTE_CACHE_TEAM: "my team" (expected 1 to 64 ASCII letters, digits, _ or -, starting with a letter or digit)',
        null,
      ],
      [
        ["--no-cache", "--remote-cache", "read"],
        {},
        "--no-cache cannot be combined with --remote-cache",
        null,
      ],
    ];
    for (const [args, env, message, help] of cases) {
      const run = await hazRemote(nowhere, ["run", "app:build", ...args], {
        env: remoteEnv(null, env),
        secrets: ["s3cret"],
      });
      exits(run, 2);
      assert.equal(run.stdout, "");
      assert.equal(run.stderr.split("\n")[0], `haz run: error: ${message}`, run.stderr);
      if (help !== null) assert.ok(run.stderr.includes(help), run.stderr);
    }
    for (const command of [["why", "app:hello"], ["cache", "info"]]) {
      const run = await hazRemote(nowhere, command, {
        env: remoteEnv(null, { HAZ_REMOTE_CACHE: "rw" }),
        secrets: [],
      });
      exits(run, 2);
      assert.match(run.stderr, /^haz [a-z ]+: error: invalid value for HAZ_REMOTE_CACHE: "rw"/);
    }
  },
);

test(
  "REMOTE-011 scenario 8: configuration errors of EX-701 and REMOTE-011..017 print their exact diagnostics",
  SLOW,
  async () => {
    const cases: Array<[string, string]> = [
      [
        "url: https://ci:s3cret@cache.example.com",
        "error[REMOTE-011]: `url` must be an http or https URL without user name, password, query or fragment, found `https://***@cache.example.com`",
      ],
      [
        "url: ftp://cache.example.com",
        "error[REMOTE-011]: `url` must be an http or https URL without user name, password, query or fragment, found `ftp://cache.example.com`",
      ],
      ["url: 7", "error[CFG-004]: `url` must be a string, found an integer"],
      ["token: abc", "error[CFG-003]: unknown key `token` in `remote`"],
      [
        'team: "my team"',
        "error[ID-001]: invalid team name `my team`: name `my team` contains ` `; allowed are ASCII letters, digits, `_` and `-`",
      ],
      [
        "mode: Read",
        "error[REMOTE-012]: `mode` must be `read-write`, `read`, `write` or `off`, found `Read`",
      ],
      [
        "timeout: 500ms",
        "error[CFG-034]: `timeout` must be a duration such as `90s`, `10m` or `7d`, found `500ms`",
      ],
      ["timeout: 2h", "error[REMOTE-013]: `timeout` must be from `1s` to `1h`, found `2h`"],
      ["upload_wait: 2h", "error[REMOTE-013]: `upload_wait` must be from `0s` to `1h`, found `2h`"],
      [
        "upload_concurrency: 65",
        "error[REMOTE-014]: `upload_concurrency` must be an integer from 1 to 64, found 65",
      ],
      [
        "max_artifact_size: 100",
        "error[REMOTE-015]: `max_artifact_size` must be at least `1KiB`, found `100`",
      ],
      [
        "compression_level: 10",
        "error[REMOTE-016]: `compression_level` must be an integer from 0 to 9, found 10",
      ],
    ];
    for (const [line, header] of cases) {
      const workspace = await fresh({
        ...W1,
        ".haz/workspace.yml": `projects: [app]\ncache:\n  remote:\n    ${line}\n`,
      });
      const run = await hazRemote(workspace, ["check"], { env: remoteEnv(null), secrets: [] });
      exits(run, 2);
      assert.ok(
        !run.stderr.includes("s3cret"),
        "REMOTE-011: the credential is not copied into the diagnostic",
      );
      assert.ok(run.stderr.split("\n").includes(header), `${line}\n${run.stderr}`);
      if (line.startsWith("url: https://ci")) {
        assert.ok(run.stderr.includes("url: https://***@cache.example.com"), run.stderr);
        assert.ok(
          run.stderr.includes(
            "help: put the token in the environment variable HAZ_REMOTE_CACHE_TOKEN, never in a file",
          ),
        );
      }
      if (line.startsWith("token")) {
        assert.ok(run.stderr.includes(
          "help: secrets are read from the environment (HAZ_REMOTE_CACHE_TOKEN, HAZ_REMOTE_CACHE_SIGNATURE_KEY), never from a file",
        ));
      }
      if (line === "mode: Read") assert.ok(run.stderr.includes("help: did you mean `read`?"), run.stderr);
    }
    const valid = await fresh({
      ...W1,
      ".haz/workspace.yml": [
        "projects: [app]",
        "cache:",
        "  remote:",
        "    url: https://cache.example.com",
        "    team: web-platform",
        "    mode: read",
        "    signature: true",
        "    timeout: 10s",
        "    upload_wait: 60s",
        "    upload_concurrency: 4",
        "    max_artifact_size: 100MiB",
        "    max_entry_size: 1GiB",
        "    compression_level: 1",
        "",
      ].join("\n"),
    });
    exits(await hazRemote(valid, ["check"], { env: remoteEnv(null), secrets: [] }), 0);
    assert.deepEqual(warnings(await hazRemote(valid, ["check"], { env: remoteEnv(null), secrets: [] })), []);
  },
);
