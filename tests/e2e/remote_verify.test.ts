import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { test } from "node:test";
import { artifactTag } from "../../lib/cache/remote/signature.ts";
import { BLOCK, paddingOf, parseUstarHeader, ustarHeader } from "../../lib/cache/remote/ustar.ts";
import { randomTeam, startRemoteServer } from "../support/remote_server.ts";
import { SLOW } from "./run_support.ts";
import { cacheLineOf, exits, hazRemote, remoteEnv, remoteSuite, W1, warnings } from "./remote_support.ts";

const suite = remoteSuite();
const { fresh, via } = suite;

interface Member {
  name: string;
  data: Uint8Array;
}

function unpack(archive: Uint8Array): Member[] {
  const members: Member[] = [];
  let offset = 0;
  while (offset + BLOCK <= archive.length) {
    const parsed = parseUstarHeader(archive.subarray(offset, offset + BLOCK));
    if (typeof parsed === "string") break;
    offset += BLOCK;
    members.push({ name: parsed.name, data: archive.subarray(offset, offset + parsed.size) });
    offset += parsed.size + paddingOf(parsed.size);
  }
  return members;
}

function pack(members: readonly Member[], sizes: Record<string, number> = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const member of members) {
    parts.push(ustarHeader(member.name, sizes[member.name] ?? member.data.length), member.data);
    parts.push(new Uint8Array(paddingOf(member.data.length)));
  }
  parts.push(new Uint8Array(2 * BLOCK));
  return gzipSync(Buffer.concat(parts));
}

function editManifest(members: Member[], edit: (manifest: Record<string, any>) => void): Member[] {
  const manifest = JSON.parse(new TextDecoder().decode(members[0].data));
  edit(manifest);
  return [
    { name: "manifest.json", data: new TextEncoder().encode(JSON.stringify(manifest, null, 2) + "\n") },
    ...members.slice(1),
  ];
}

/** The stored artifact of `app:hello` (its manifest names the task). */
function helloArtifact(team: string): string {
  for (const name of readdirSync(join(suite.server.storage, team))) {
    if (!/^[0-9a-f]{64}$/.test(name)) continue;
    const path = join(suite.server.storage, team, name);
    if (unpack(gunzipSync(readFileSync(path)))[0].data.toString().includes('"app:hello"')) return path;
  }
  throw new Error("no artifact of app:hello");
}

test(
  "REMOTE-044 scenario 17: every tampered artifact is rejected with its reason, run fresh and replaced",
  SLOW,
  async () => {
    const team = randomTeam();
    const target = via(suite.server.url, team);
    const secrets = [suite.server.token];
    const a = await fresh();
    exits(await hazRemote(a, ["run", "app:build"], { env: remoteEnv(target), secrets }), 0);
    const path = helloArtifact(team);
    const pristine = readFileSync(path);
    const members = unpack(gunzipSync(pristine));
    const flipped = members.map((member) =>
      member.name.startsWith("outputs/")
        ? { ...member, data: Uint8Array.from(member.data, (b, i) => i === 0 ? b ^ 1 : b) }
        : member
    );
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ["flipped blob byte", pack(flipped), /^outputs\/5891b5b5[0-9a-f]+ does not match the manifest$/],
      ["truncated", pristine.subarray(0, pristine.length - 20), /^not a haz artifact: /],
      ["gzip of garbage", gzipSync(Buffer.from("garbage ".repeat(100))), /^not a haz artifact: /],
      // Two PUTs of one id at once on the reference server: the shorter body, then the longer one's tail.
      ["torn", Buffer.concat([pristine, pristine.subarray(-5)]), /^not a haz artifact: /],
      [
        "extra member",
        pack([...members, { name: "extra", data: new Uint8Array(3) }]),
        /^not a haz artifact: unexpected member `extra`$/,
      ],
      [
        "misordered",
        pack([members[0], members[2], members[1], members[3]]),
        /^not a haz artifact: expected member `stdout`, found `stderr`$/,
      ],
      [
        "escaping path",
        pack(editManifest(members, (m) => m.outputs[0].path = "/app/../../etc/x")),
        /^invalid manifest: /,
      ],
      [
        "path under .haz",
        pack(editManifest(members, (m) => m.outputs[0].path = "/.haz/x")),
        /^invalid manifest: /,
      ],
      [
        "undeclared path",
        pack(editManifest(members, (m) => m.outputs[0].path = "/app/other.txt")),
        /^invalid manifest: output `\/app\/other.txt` is not a declared output of app:hello$/,
      ],
      ["wrong key", pack(editManifest(members, (m) => m.key = "0".repeat(64))), /^invalid manifest: /],
      [
        "stdout of the wrong size",
        pack(editManifest(members, (m) => m.stdout.size = 5)),
        /^stdout does not match the manifest$/,
      ],
      [
        "2 GiB blob",
        pack(editManifest(members, (m) => m.outputs[0].size = 2 ** 31)),
        /^entry is larger than cache\.remote\.max_entry_size \(1\.0 GiB\)$/,
      ],
    ];
    for (const [name, body, reason] of cases) {
      writeFileSync(path, body);
      const b = await fresh();
      const run = await hazRemote(b, ["run", "app:build"], { env: remoteEnv(target), secrets });
      exits(run, 0);
      const lines = warnings(run);
      assert.equal(lines.length, 1, `${name}: ${run.stderr}`);
      const prefix = "warning: app:hello: remote artifact rejected: ";
      assert.ok(lines[0].startsWith(prefix), lines[0]);
      assert.match(lines[0].slice(prefix.length), reason, name);
      assert.match(run.stdout, /✓ done app:hello/, name);
      assert.match(
        run.stdout,
        /◉ cached app:build \(.*\): from remote cache/,
        `${name}: other tasks still hit`,
      );
      assert.equal(readFileSync(b.path("app/out.txt"), "utf8"), "hello\n");
      assert.ok(!existsSync(join(b.root, "..", "etc", "x")) && !existsSync(b.path(".haz/x")));
      assert.equal(run.summary!.remoteCache!.lookups.rejected, 1);
      const replaced = readFileSync(path);
      assert.ok(!replaced.equals(Buffer.from(body)), `${name}: B's upload replaced the bad artifact`);
      assert.equal(unpack(gunzipSync(replaced)).length, 4);
    }
  },
);

test(
  "REMOTE-045 scenario 18: gzip bombs are rejected at step 5 or 6 without writing their bulk",
  SLOW,
  async () => {
    const team = randomTeam();
    const target = via(suite.server.url, team);
    const a = await fresh();
    exits(
      await hazRemote(a, ["run", "app:hello"], { env: remoteEnv(target), secrets: [suite.server.token] }),
      0,
    );
    const path = helloArtifact(team);
    const members = unpack(gunzipSync(readFileSync(path)));
    const zeros = new Uint8Array(256 * 1024 * 1024);
    const bomb = (declared: number) => {
      const manifest = editManifest(members, (m) => m.outputs[0].size = declared)[0];
      const blob = members[3];
      const parts = [
        ustarHeader(manifest.name, manifest.data.length),
        manifest.data,
        new Uint8Array(paddingOf(manifest.data.length)),
        ustarHeader("stdout", 0),
        ustarHeader("stderr", 0),
        ustarHeader(blob.name, declared),
        blob.data,
        zeros,
      ];
      return gzipSync(Buffer.concat(parts), { level: 9 });
    };
    for (
      const [declared, reason] of [
        [2 ** 34, /^entry is larger than cache\.remote\.max_entry_size/],
        [6, /^(not a haz artifact|outputs\/[0-9a-f]+ does not match the manifest)/],
      ] as const
    ) {
      writeFileSync(path, bomb(declared));
      const b = await fresh();
      const run = await hazRemote(b, ["run", "app:hello", "--remote-cache", "read"], {
        env: remoteEnv(target),
        secrets: [suite.server.token],
      });
      exits(run, 0);
      const lines = warnings(run);
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0].replace("warning: app:hello: remote artifact rejected: ", ""), reason);
      const written = (dir: string): number =>
        readdirSync(dir, { withFileTypes: true }).reduce(
          (sum, entry) =>
            sum +
            (entry.isDirectory() ? written(join(dir, entry.name)) : statSync(join(dir, entry.name)).size),
          0,
        );
      assert.ok(written(b.path(".haz/cache")) < 64 * 1024, "only the fresh run's entry remains");
    }
  },
);

test(
  "REMOTE-052 scenario 19: signatures verify with one key, trip with another or without tags, and need 32 bytes",
  SLOW,
  async () => {
    const key = "0123456789abcdef0123456789abcdef-SECRET";
    const signing = await startRemoteServer({ signatureKey: "any value" });
    try {
      const files = {
        ...W1,
        ".haz/workspace.yml": "projects: [app]\ncache:\n  remote:\n    signature: true\n",
      };
      const team = randomTeam();
      const target = via(signing.url, team, signing.token);
      const secrets = [signing.token, key];
      const a = await fresh(files);
      const up = await hazRemote(a, ["run", "app:build"], {
        env: remoteEnv(target, { HAZ_REMOTE_CACHE_SIGNATURE_KEY: key }),
        secrets,
      });
      exits(up, 0);
      const ids = readdirSync(join(signing.storage, team)).filter((name) => /^[0-9a-f]{64}$/.test(name));
      assert.equal(ids.length, 2);
      for (const id of ids) {
        const tag = readFileSync(join(signing.storage, team, `${id}.tag`), "utf8");
        assert.equal(tag, artifactTag({ key, id, team }, readFileSync(join(signing.storage, team, id))));
      }
      const b = await fresh(files);
      const hit = await hazRemote(b, ["run", "app:build"], {
        env: remoteEnv(target, { HAZ_REMOTE_CACHE_SIGNATURE_KEY: key }),
        secrets,
      });
      exits(hit, 0);
      assert.match(hit.stdout, /2 remote hits/);
      const c = await fresh(files);
      const other = "another-key-of-at-least-32-bytes-SECRET";
      const wrong = await hazRemote(c, ["run", "app:build"], {
        env: remoteEnv(target, { HAZ_REMOTE_CACHE_SIGNATURE_KEY: other }),
        secrets: [...secrets, other],
      });
      exits(wrong, 0);
      assert.deepEqual(warnings(wrong), [
        "warning: remote cache off for the rest of this run: GET app:hello: artifact signature does not verify (is HAZ_REMOTE_CACHE_SIGNATURE_KEY the same on every machine?)",
      ]);
      const plainTeam = randomTeam();
      const d = await fresh(files);
      exits(
        await hazRemote(d, ["run", "app:hello", "--remote-cache", "write"], {
          env: remoteEnv(via(suite.server.url, plainTeam), { HAZ_REMOTE_CACHE_SIGNATURE_KEY: key }),
          secrets: [suite.server.token, key],
        }),
        0,
      );
      const e = await fresh(files);
      const untagged = await hazRemote(e, ["run", "app:hello"], {
        env: remoteEnv(via(suite.server.url, plainTeam), { HAZ_REMOTE_CACHE_SIGNATURE_KEY: key }),
        secrets: [suite.server.token, key],
      });
      assert.deepEqual(warnings(untagged), [
        "warning: remote cache off for the rest of this run: GET app:hello: artifact carries no signature (x-artifact-tag missing)",
      ]);
      const short = "k".repeat(31);
      const f = await fresh(files);
      const tooShort = await hazRemote(f, ["run", "app:hello"], {
        env: remoteEnv(target, { HAZ_REMOTE_CACHE_SIGNATURE_KEY: short }),
        secrets: [signing.token, short],
      });
      exits(tooShort, 0);
      assert.equal(
        cacheLineOf(tooShort),
        "Cache: remote off: HAZ_REMOTE_CACHE_SIGNATURE_KEY is shorter than 32 bytes",
      );
    } finally {
      await signing.stop();
    }
  },
);

test(
  "REMOTE-110 scenario 2: symlinks, empty and 0755 files, binary stdout and 3 MiB of stderr survive a remote hit",
  SLOW,
  async () => {
    const team = randomTeam();
    const target = via(suite.server.url, team);
    const files = {
      ".haz/workspace.yml": "projects: [app]\n",
      "app/haz.yml": [
        "tasks:",
        "  make:",
        "    shell: \"printf '' > empty; printf '#!/bin/sh\\\\n' > run.sh; chmod 755 run.sh; ln -sf run.sh link; printf 'bin\\\\001\\\\377'; head -c 3145728 /dev/zero | tr '\\\\0' e >&2\"",
        "    inputs: []",
        "    outputs: [empty, run.sh, link]",
        "",
      ].join("\n"),
    };
    const a = await fresh(files);
    const live = await hazRemote(a, ["run", "app:make", "--output-mode", "buffered"], {
      env: remoteEnv(target),
      secrets: [suite.server.token],
    });
    exits(live, 0);
    for (const mode of ["live", "buffered"]) {
      const b = await fresh(files);
      const run = await hazRemote(b, ["run", "app:make", "--output-mode", mode], {
        env: remoteEnv(target),
        secrets: [suite.server.token],
      });
      exits(run, 0);
      assert.match(run.stdout, /from remote cache/);
      assert.equal(statSync(b.path("app/empty")).size, 0);
      assert.equal(statSync(b.path("app/run.sh")).mode & 0o777, 0o755);
      assert.equal((await import("node:fs")).readlinkSync(b.path("app/link")), "run.sh");
      assert.ok(run.stdoutBytes.includes(Buffer.from([0x62, 0x69, 0x6e, 0x01, 0xff])));
      assert.equal((run.stderr.match(/e/g) ?? []).length >= 3 * 1024 * 1024, true);
    }
  },
);
