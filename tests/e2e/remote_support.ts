/**
 * Helpers of the remote cache end-to-end tests (07-remote-cache.md §14): W1 workspaces standing for
 * machines, haz runs pointed at a server or a proxy with their summary and profile, and the secrets
 * scan every such run gets (REMOTE-025).
 *
 * @module
 */

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before } from "node:test";
import { baseEnv, type HazResult, runHaz } from "../support/run_haz.ts";
import {
  type FaultProxy,
  randomTeam,
  type RemoteServer,
  type RemoteServerOptions,
  secretLeaks,
  startFaultProxy,
  startRemoteServer,
} from "../support/remote_server.ts";
import {
  createWorkspaceFixture,
  type FixtureEntry,
  type WorkspaceFixture,
} from "../support/workspace_fixture.ts";

/** W1 of 03-cache.md §5: `app:hello` copies a file, `app:build` echoes. */
export const W1: Readonly<Record<string, FixtureEntry>> = {
  ".haz/workspace.yml": "projects: [app]\n",
  "app/haz.yml": [
    "tasks:",
    "  hello:",
    "    command: [cp, msg.txt, out.txt]",
    "    inputs: [msg.txt]",
    "    outputs: [out.txt]",
    "  build:",
    '    shell: "echo built"',
    "    inputs: []",
    '    deps: ["~:hello"]',
    "",
  ].join("\n"),
  "app/msg.txt": "hello\n",
};

/** Where haz finds the server and what it sends (REMOTE-018). */
export interface RemoteTarget {
  readonly url: string;
  readonly token: string;
  readonly team: string;
}

/** A finished remote run with its reports. */
export interface RemoteRun extends HazResult {
  /** The parsed summary (`haz run` only), else null. */
  readonly summary:
    | Record<string, unknown> & {
      remoteCache: Record<string, any> | null;
      tasks: Array<Record<string, any>>;
      warnings: Array<Record<string, any>>;
    }
    | null;
  readonly profile: { traceEvents: Array<Record<string, any>> } | null;
}

/**
 * A workspace standing for one machine.
 *
 * @example
 * ```ts
 * const a = await machine(); // W1
 * ```
 */
export function machine(entries: Readonly<Record<string, FixtureEntry>> = W1): Promise<WorkspaceFixture> {
  return createWorkspaceFixture(entries);
}

/**
 * The environment of a run against `target`, plus `extra` (undefined removes a variable).
 *
 * @example
 * ```ts
 * remoteEnv(target, { HAZ_REMOTE_CACHE: "read" });
 * ```
 */
export function remoteEnv(
  target: RemoteTarget | null,
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  const env = baseEnv();
  for (const name of Object.keys(env)) if (name.startsWith("HAZ_REMOTE_CACHE")) delete env[name];
  if (target !== null) {
    env.HAZ_REMOTE_CACHE_URL = target.url;
    env.HAZ_REMOTE_CACHE_TOKEN = target.token;
    env.HAZ_REMOTE_CACHE_TEAM = target.team;
  }
  return { ...env, ...extra };
}

/**
 * Runs haz in `workspace`; `haz run` also writes a summary and a profile. Every output, report and
 * file under `.haz/` is scanned for `secrets` (REMOTE-025) before the result is returned.
 *
 * @example
 * ```ts
 * const run = await hazRemote(a, ["run", "app:build"], { env: remoteEnv(target), secrets: [target.token] });
 * ```
 */
export async function hazRemote(
  workspace: WorkspaceFixture,
  args: readonly string[],
  options: { readonly env: Record<string, string | undefined>; readonly secrets: readonly string[] },
): Promise<RemoteRun> {
  const summaryFile = join(workspace.root, ".haz", "summary.json");
  const profileFile = join(workspace.root, ".haz", "profile.json");
  const reports = args[0] === "run" && !args.includes("--dry-run") && !args.includes("--help");
  const argv = reports ? [...args, "--summary", summaryFile, "--profile", profileFile] : [...args];
  const result = await runHaz(argv, { cwd: workspace.root, env: options.env });
  const leaks = secretLeaks(options.secrets, {
    texts: { stdout: result.stdout, stderr: result.stderr },
    dirs: [join(workspace.root, ".haz")],
  });
  assert.deepEqual(leaks, [], "REMOTE-025: a secret appears in haz's output or files");
  const read = (file: string) => reports && existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null;
  return { ...result, summary: read(summaryFile), profile: read(profileFile) };
}

/**
 * The `warning:` lines of stderr.
 *
 * @example
 * ```ts
 * warnings(run); // ["warning: remote cache off for the rest of this run: GET app:hello: …"]
 * ```
 */
export function warnings(run: HazResult): string[] {
  return run.stderr.split("\n").filter((line) => line.startsWith("warning:"));
}

/**
 * The epilogue's `Cache:` line, or null.
 *
 * @example
 * ```ts
 * cacheLineOf(run); // "Cache: 2 remote hits (1.1 KiB), 0 uploaded (0 B)"
 * ```
 */
export function cacheLineOf(run: HazResult): string | null {
  return run.stdout.split("\n").find((line) => line.startsWith("Cache: ")) ?? null;
}

/**
 * Asserts the exit code, showing both streams on a mismatch.
 *
 * @example
 * ```ts
 * exits(run, 0);
 * ```
 */
export function exits(run: HazResult, code: number): void {
  assert.equal(run.code, code, `exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
}

/** What a remote test file shares: its server, its fault proxy, its workspaces and its targets. */
export interface RemoteSuite {
  /** The file's server, started before its first test. */
  readonly server: RemoteServer;
  /** The fault proxy in front of `server`; only with `proxy: true`. */
  readonly proxy: FaultProxy;
  /** A workspace standing for one machine, removed after the file's last test. */
  fresh(entries?: Readonly<Record<string, FixtureEntry>>): Promise<WorkspaceFixture>;
  /** A target at `url` with the server's token unless `token` is given. */
  via(url: string, team?: string, token?: string): RemoteTarget;
}

/**
 * Registers the before/after hooks of a remote test file: one server (and, with `proxy`, a fault proxy
 * in front of it) for all its tests, and the removal of every workspace `fresh` made.
 *
 * @example
 * ```ts
 * const remote = remoteSuite({ proxy: true });
 * test("…", async () => {
 *   const a = await remote.fresh();
 *   await hazRemote(a, ["run", "app:build"], { env: remoteEnv(remote.via(remote.proxy.url)), secrets: [] });
 * });
 * ```
 */
export function remoteSuite(
  options: { readonly proxy?: boolean; readonly server?: RemoteServerOptions } = {},
): RemoteSuite {
  let server: RemoteServer | undefined;
  let proxy: FaultProxy | undefined;
  const workspaces: WorkspaceFixture[] = [];
  before(async () => {
    server = await startRemoteServer(options.server);
    if (options.proxy) proxy = await startFaultProxy(server.url);
  });
  after(async () => {
    await proxy?.close();
    await server?.stop();
    await Promise.all(workspaces.map((workspace) => workspace.remove()));
  });
  const suite: RemoteSuite = {
    get server() {
      assert.ok(server, "the remote server is started in before()");
      return server;
    },
    get proxy() {
      assert.ok(proxy, "the fault proxy is started in before() with `proxy: true`");
      return proxy;
    },
    async fresh(entries = W1) {
      const workspace = await machine(entries);
      workspaces.push(workspace);
      return workspace;
    },
    via(url, team = randomTeam(), token = suite.server.token) {
      return { url, token, team };
    },
  };
  return suite;
}
