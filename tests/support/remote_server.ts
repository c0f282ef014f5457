/**
 * The real `turborepo-remote-cache` server for tests (07-remote-cache.md §13, REMOTE-130..134):
 * started with the Bun binary of `node_modules/.bin`, an environment built from nothing but the
 * listed variables, `PORT=0`, readiness from the JSON log line plus `GET /v8/artifacts/status`,
 * stopped by pid. Also the in-process fault-injecting proxy of REMOTE-133.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** A running server. */
export interface RemoteServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** The accepted token: `tok-SECRET-` and 32 random hex characters, easy to search for (REMOTE-025). */
  readonly token: string;
  /** The storage directory; artifacts live in `<storage>/<team>/<id>`. */
  readonly storage: string;
  readonly pid: number;
  /** Everything the server printed. */
  output(): string;
  stop(): Promise<void>;
}

/** Extra server variables for one scenario (REMOTE-131 last row). */
export interface RemoteServerOptions {
  readonly signatureKey?: string;
  readonly readOnly?: boolean;
  readonly bodyLimit?: number;
}

const READY_DEADLINE_MS = 30_000;

/**
 * A fresh random team name (REMOTE-133: one per test).
 *
 * @example
 * ```ts
 * randomTeam(); // "t-3fa91c0d7e22"
 * ```
 */
export function randomTeam(): string {
  return `t-${randomBytes(6).toString("hex")}`;
}

/**
 * Starts the server and waits for readiness (REMOTE-132); throws with the server's output on failure.
 *
 * @example
 * ```ts
 * const server = await startRemoteServer();
 * // … HAZ_REMOTE_CACHE_URL=server.url, HAZ_REMOTE_CACHE_TOKEN=server.token …
 * await server.stop();
 * ```
 */
export async function startRemoteServer(options: RemoteServerOptions = {}): Promise<RemoteServer> {
  const cli = join(repoRoot, "node_modules/turborepo-remote-cache/dist/cli.js");
  if (!existsSync(cli)) throw new Error(`the remote cache server is not installed: ${cli} (run npm ci)`);
  const storage = mkdtempSync(join(tmpdir(), "haz-remote-storage-"));
  const token = `tok-SECRET-${randomBytes(16).toString("hex")}`;
  const env: Record<string, string> = {
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: "0",
    TURBO_TOKEN: token,
    STORAGE_PROVIDER: "local",
    STORAGE_PATH: storage,
    STORAGE_PATH_USE_TMP_FOLDER: "false",
    LOG_LEVEL: "info",
  };
  if (options.signatureKey !== undefined) env.TURBO_REMOTE_CACHE_SIGNATURE_KEY = options.signatureKey;
  if (options.readOnly) env.READ_ONLY = "true";
  if (options.bodyLimit !== undefined) env.BODY_LIMIT = String(options.bodyLimit);
  const child = spawn(join(repoRoot, "node_modules/.bin/bun"), [cli], {
    env,
    cwd: storage,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => output += chunk.toString("utf8"));
  child.stderr!.on("data", (chunk: Buffer) => output += chunk.toString("utf8"));
  const stop = () => stopServer(child, storage);
  try {
    const port = await listeningPort(child, () => output);
    const url = `http://127.0.0.1:${port}`;
    const status = await fetch(`${url}/v8/artifacts/status?slug=ready`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = await status.json() as { status?: string };
    if (status.status !== 200 || body.status !== "enabled") {
      throw new Error(`status answered ${status.status} ${JSON.stringify(body)}`);
    }
    return { url, port, token, storage, pid: child.pid!, output: () => output, stop };
  } catch (error) {
    await stop();
    throw new Error(`the remote cache server did not start: ${(error as Error).message}\n${output}`);
  }
}

function listeningPort(child: ChildProcess, output: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("not ready within 30 s")), READY_DEADLINE_MS);
    const check = () => {
      for (const line of output().split("\n")) {
        let message: unknown;
        try {
          message = (JSON.parse(line) as { message?: unknown }).message;
        } catch {
          continue;
        }
        const match = typeof message === "string"
          ? /^Server listening at http:\/\/127\.0\.0\.1:(\d+)$/.exec(message)
          : null;
        if (match !== null) {
          clearTimeout(timer);
          child.stdout!.off("data", check);
          resolve(Number(match[1]));
          return;
        }
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}`));
    });
  });
}

/** REMOTE-134: SIGTERM to the pid, SIGKILL after 5 s, then the storage directory goes. */
async function stopServer(child: ChildProcess, storage: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    process.kill(child.pid!, "SIGTERM");
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, "SIGKILL");
    }, 5000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(storage, { recursive: true, force: true });
}

/** One request the proxy saw. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  /** Bytes of the request body. */
  readonly bodyBytes: number;
}

/** What the proxy does with a request: forward it, or a fault. */
export type ProxyAction =
  | {
    readonly kind: "forward";
    readonly delayMs?: number;
    /** Headers added to the forwarded request (the recorded request keeps what haz sent). */
    readonly headers?: Record<string, string>;
    /** A path prefix removed before forwarding (a remote URL with a path). */
    readonly stripPrefix?: string;
  }
  | { readonly kind: "black-hole" }
  | {
    readonly kind: "status";
    readonly status: number;
    readonly body?: string;
    readonly headers?: Record<string, string>;
  }
  | { readonly kind: "reset" };

/** The fault-injecting proxy of REMOTE-133. */
export interface FaultProxy {
  readonly url: string;
  readonly port: number;
  /** Requests in arrival order. */
  readonly requests: RecordedRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  /** Decides each request's fate; forwards by default. */
  decide: (request: RecordedRequest, index: number) => ProxyAction;
  close(): Promise<void>;
}

/**
 * Starts a proxy in front of `target` (`http://127.0.0.1:<port>`).
 *
 * @example
 * ```ts
 * const proxy = await startFaultProxy(server.url);
 * proxy.decide = (request) => request.method === "PUT" ? { kind: "status", status: 500 } : { kind: "forward" };
 * ```
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const proxy: FaultProxy = {
    url: "",
    port: 0,
    requests: [],
    connections: () => connections,
    decide: () => ({ kind: "forward" }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      const recorded: RecordedRequest = {
        method: request.method ?? "",
        url: request.url ?? "",
        headers: request.headers,
        bodyBytes: body.length,
      };
      proxy.requests.push(recorded);
      const action = proxy.decide(recorded, proxy.requests.length - 1);
      if (action.kind === "black-hole") return;
      if (action.kind === "reset") {
        request.socket.destroy();
        return;
      }
      if (action.kind === "status") {
        response.writeHead(action.status, { "content-type": "application/json", ...action.headers });
        response.end(action.body ?? "");
        return;
      }
      const forward = () => {
        const path = action.stripPrefix !== undefined && recorded.url.startsWith(action.stripPrefix)
          ? recorded.url.slice(action.stripPrefix.length)
          : recorded.url;
        const upstream = http.request(`${target}${path}`, {
          method: request.method,
          headers: { ...request.headers, host: new URL(target).host, ...action.headers },
        }, (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        });
        upstream.on("error", () => response.destroy());
        upstream.end(body);
      };
      if (action.delayMs) setTimeout(forward, action.delayMs);
      else forward();
    });
  });
  server.on("connection", (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  Object.assign(proxy, { url: `http://127.0.0.1:${port}`, port });
  return proxy;
}

/**
 * Every place a secret must not appear (REMOTE-025): returns the files (and `stdout`/`stderr`) that
 * contain one of `secrets`.
 *
 * @example
 * ```ts
 * assert.deepEqual(secretLeaks([token], { texts: { stdout, stderr }, dirs: [workspace.path(".haz")] }), []);
 * ```
 */
export function secretLeaks(
  secrets: readonly string[],
  where: {
    readonly texts?: Readonly<Record<string, string>>;
    readonly dirs?: readonly string[];
    readonly files?: readonly string[];
  },
): string[] {
  const leaks: string[] = [];
  const check = (name: string, bytes: Buffer) => {
    for (const secret of secrets) if (bytes.includes(Buffer.from(secret))) leaks.push(name);
  };
  for (const [name, text] of Object.entries(where.texts ?? {})) check(name, Buffer.from(text));
  const visit = (path: string) => {
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      return;
    }
    if (stat.isDirectory()) { for (const name of readdirSync(path)) visit(join(path, name)); }
    else if (stat.isFile()) check(path, readFileSync(path));
  };
  for (const dir of where.dirs ?? []) visit(dir);
  for (const file of where.files ?? []) visit(file);
  return leaks;
}
