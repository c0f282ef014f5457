/**
 * The wire protocol (07-remote-cache.md REMOTE-030..035) over `node:http`/`node:https`: one request
 * per call, `Content-Length` uploads streamed from a file, downloads streamed to a file, an
 * inactivity timeout, redirects for reads only, and every failure as its REMOTE-081 `<problem>` text.
 *
 * @module
 */

import { createReadStream, createWriteStream, writeFileSync, type WriteStream } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import { formatDuration } from "../../util/format_duration.ts";

/** Where and how to reach the server. */
export interface RemoteEndpoint {
  /** The remote URL without a trailing `/` (REMOTE-011). */
  readonly url: string;
  readonly team: string;
  readonly token: string;
  readonly userAgent: string;
  /** REMOTE-035 inactivity limit. */
  readonly timeoutMs: number;
  /** Replaces secrets in any text that comes from outside haz (REMOTE-025). */
  readonly redact: (text: string) => string;
}

/** A failed request: its REMOTE-081 `<problem>` and the HTTP status when there was one. */
export interface RequestProblem {
  readonly kind: "problem";
  readonly problem: string;
  readonly status: number | null;
  readonly message: string | null;
}

/** Where {@link RemoteClient.download} puts a body. */
export interface DownloadTarget {
  /** The file a body is streamed into (REMOTE-063). */
  readonly file: string;
  /** `max_artifact_size`: the download is aborted once more bytes arrive (REMOTE-044 step 1). */
  readonly maxBytes: number;
  /**
   * Return a body of at most {@link SMALL_BODY_BYTES} in memory instead of writing `file`: the import
   * reads it from there, which spares a file created, read back and deleted per artifact.
   */
  readonly holdSmall: boolean;
}

/** Result of {@link RemoteClient.download}. */
export type DownloadResult =
  | {
    readonly kind: "found";
    readonly bytes: number;
    readonly tags: readonly string[];
    /** The body when it was held in memory (`holdSmall`); null when it is in the target file. */
    readonly body: Uint8Array | null;
  }
  | { readonly kind: "missing" }
  | { readonly kind: "too-large" }
  | { readonly kind: "aborted" }
  /** The body could not be written locally: not a server problem (REMOTE-065). */
  | { readonly kind: "not-written"; readonly message: string }
  | RequestProblem;

/** Result of {@link RemoteClient.upload}. */
export type UploadResult =
  | { readonly kind: "uploaded" }
  | { readonly kind: "aborted" }
  | RequestProblem;

/** Result of {@link RemoteClient.head}. */
export type HeadResult =
  | { readonly kind: "present" }
  | { readonly kind: "absent" }
  | { readonly kind: "aborted" }
  | RequestProblem;

/** Result of {@link RemoteClient.status}. */
export type StatusResult =
  | { readonly kind: "status"; readonly caching: string }
  | { readonly kind: "aborted" }
  | RequestProblem;

const MAX_REDIRECTS = 5;
/** Bodies up to this size are held in memory and written at once (bounded memory all the same). */
const SMALL_BODY_BYTES = 256 * 1024;
const MAX_ERROR_BODY = 64 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

class Aborted extends Error {}

interface Exchange {
  readonly response: http.IncomingMessage;
  /** Resets the inactivity timer; call on progress. */
  readonly touch: () => void;
  readonly done: () => void;
  /** Registers what to do when the timer, an abort or a trip ends the exchange. */
  readonly onFailure: (listener: (error: Error) => void) => void;
}

/**
 * A client of one server; every request in flight can be aborted at once (a trip, REMOTE-080).
 *
 * @example
 * ```ts
 * const client = new RemoteClient(endpoint);
 * const found = await client.download(id, { file: "/tmp/artifact", maxBytes: 100 << 20, holdSmall: true }, signal);
 * client.close();
 * ```
 */
export class RemoteClient {
  readonly #endpoint: RemoteEndpoint;
  readonly #agents = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true }),
  };
  readonly #inFlight = new Set<(error: Error) => void>();

  /** A client of `endpoint`. */
  constructor(endpoint: RemoteEndpoint) {
    this.#endpoint = endpoint;
  }

  /** The artifact URL of REMOTE-030. */
  artifactUrl(id: string): string {
    return `${this.#endpoint.url}/v8/artifacts/${id}?slug=${this.#endpoint.team}`;
  }

  /** `GET` an artifact into `target`, aborting once more than `target.maxBytes` arrive. */
  async download(id: string, target: DownloadTarget, signal?: AbortSignal): Promise<DownloadResult> {
    try {
      const exchange = await this.#send("GET", this.artifactUrl(id), { signal });
      const { response } = exchange;
      if (response.statusCode === 404) {
        await this.#drain(exchange);
        return { kind: "missing" };
      }
      if (response.statusCode !== 200) return await this.#statusProblem(exchange);
      const tag = response.headers["x-artifact-tag"];
      const tags = tag === undefined ? [] : Array.isArray(tag) ? tag : [tag];
      const received = await this.#receive(exchange, target);
      return received === null ? { kind: "too-large" } : { kind: "found", ...received, tags };
    } catch (error) {
      if (error instanceof LocalFailure) return { kind: "not-written", message: error.message };
      return this.#failure(error, this.artifactUrl(id));
    }
  }

  /** `PUT` the file `path` of `length` bytes with `Content-Length` (REMOTE-031, REMOTE-074). */
  async upload(
    id: string,
    file: {
      readonly path: string;
      readonly length: number;
      readonly durationMs: number;
      readonly tag: string | null;
    },
    signal?: AbortSignal,
  ): Promise<UploadResult> {
    const headers: Record<string, string> = {
      "content-type": "application/octet-stream",
      "content-length": String(file.length),
      "x-artifact-duration": String(file.durationMs),
    };
    if (file.tag !== null) headers["x-artifact-tag"] = file.tag;
    try {
      const exchange = await this.#send("PUT", this.artifactUrl(id), {
        signal,
        headers,
        bodyPath: file.path,
      });
      const status = exchange.response.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        await this.#drain(exchange);
        return { kind: "uploaded" };
      }
      return await this.#statusProblem(exchange);
    } catch (error) {
      return this.#failure(error, this.artifactUrl(id));
    }
  }

  /** `HEAD` an artifact (REMOTE-095/096). */
  async head(id: string): Promise<HeadResult> {
    try {
      const exchange = await this.#send("HEAD", this.artifactUrl(id), {});
      const status = exchange.response.statusCode;
      if (status === 200 || status === 404) {
        await this.#drain(exchange);
        return { kind: status === 200 ? "present" : "absent" };
      }
      return await this.#statusProblem(exchange);
    } catch (error) {
      return this.#failure(error, this.artifactUrl(id));
    }
  }

  /** `GET` the status URL (REMOTE-096). */
  async status(): Promise<StatusResult> {
    const url = `${this.#endpoint.url}/v8/artifacts/status?slug=${this.#endpoint.team}`;
    try {
      const exchange = await this.#send("GET", url, {});
      if (exchange.response.statusCode !== 200) return await this.#statusProblem(exchange);
      const body = await this.#readSmall(exchange);
      let status: unknown = null;
      try {
        status = (JSON.parse(body) as { status?: unknown })?.status;
      } catch {
        status = null;
      }
      if (typeof status !== "string") {
        return {
          kind: "problem",
          problem: "HTTP 200: no caching status in the answer",
          status: 200,
          message: null,
        };
      }
      return { kind: "status", caching: this.#endpoint.redact(status) };
    } catch (error) {
      return this.#failure(error, url);
    }
  }

  /** Aborts every request in flight. */
  abortAll(): void {
    for (const fail of [...this.#inFlight]) fail(new Aborted());
  }

  /** Aborts what is in flight and closes idle connections. */
  close(): void {
    this.abortAll();
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }

  async #send(
    method: "GET" | "PUT" | "HEAD",
    url: string,
    options: { signal?: AbortSignal; headers?: Record<string, string>; bodyPath?: string },
  ): Promise<Exchange> {
    const origin = new URL(this.#endpoint.url).origin;
    let target = url;
    for (let redirects = 0;; redirects++) {
      const exchange = await this.#exchange(method, target, origin, options);
      const status = exchange.response.statusCode ?? 0;
      if (!REDIRECTS.has(status)) return exchange;
      await this.#drain(exchange);
      if (method === "PUT") throw new StatusFailure(`unexpected redirect (HTTP ${status})`);
      if (redirects === MAX_REDIRECTS) throw new StatusFailure("too many redirects");
      const location = exchange.response.headers.location;
      let next: URL | null = null;
      try {
        next = location === undefined ? null : new URL(location, target);
      } catch {
        next = null;
      }
      if (next === null || (next.protocol !== "http:" && next.protocol !== "https:")) {
        throw new StatusFailure(`unexpected redirect (HTTP ${status})`);
      }
      target = next.href;
    }
  }

  #exchange(
    method: string,
    target: string,
    origin: string,
    options: { signal?: AbortSignal; headers?: Record<string, string>; bodyPath?: string },
  ): Promise<Exchange> {
    const url = new URL(target);
    const secure = url.protocol === "https:";
    const headers: Record<string, string> = { "user-agent": this.#endpoint.userAgent, ...options.headers };
    // REMOTE-026: the token goes to the configured origin only.
    if (url.origin === origin) headers.authorization = `Bearer ${this.#endpoint.token}`;
    return new Promise<Exchange>((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new Aborted());
        return;
      }
      const request = (secure ? https : http).request(url, {
        method,
        headers,
        agent: secure ? this.#agents.https : this.#agents.http,
      });
      let timer: ReturnType<typeof setTimeout> | null = null;
      let settled = false;
      const failureListeners: Array<(error: Error) => void> = [];
      const socketListeners: Array<() => void> = [];
      const stop = () => {
        if (timer !== null) clearTimeout(timer);
        timer = null;
        this.#inFlight.delete(fail);
        for (const remove of socketListeners.splice(0)) remove();
        options.signal?.removeEventListener("abort", onAbort);
      };
      const fail = (error: Error) => {
        stop();
        for (const listener of failureListeners) listener(error);
        request.destroy(error);
        if (!settled) {
          settled = true;
          reject(error);
        }
      };
      const touch = () => {
        if (timer !== null) clearTimeout(timer);
        timer = setTimeout(() => fail(new TimeoutFailure()), this.#endpoint.timeoutMs);
      };
      const onAbort = () => fail(new Aborted());
      this.#inFlight.add(fail);
      options.signal?.addEventListener("abort", onAbort);
      touch();
      request.on("error", (error) => {
        stop();
        if (!settled) {
          settled = true;
          reject(error);
        }
      });
      request.on("socket", (socket) => {
        // A kept-alive socket is already connected; only a new one reports progress here.
        if (socket.connecting) {
          socket.once("connect", touch);
          socketListeners.push(() => socket.off("connect", touch));
        }
      });
      request.on("response", (response) => {
        touch();
        settled = true;
        resolve({ response, touch, done: stop, onFailure: (listener) => failureListeners.push(listener) });
      });
      if (options.bodyPath === undefined) {
        request.end();
        return;
      }
      const body = createReadStream(options.bodyPath, { highWaterMark: 64 * 1024 });
      body.on("data", touch);
      body.on("error", (error) => fail(error));
      body.pipe(request);
    });
  }

  /**
   * Streams a 200 body into a file; null when more than `maxBytes` arrived (aborted then). A body of
   * at most {@link SMALL_BODY_BYTES} is held, then returned (`holdSmall`) or written with one call:
   * most artifacts are a few KiB.
   */
  #receive(
    exchange: Exchange,
    target: DownloadTarget,
  ): Promise<{ bytes: number; body: Uint8Array | null } | null> {
    const { response } = exchange;
    const { file: destination, maxBytes } = target;
    return new Promise<{ bytes: number; body: Uint8Array | null } | null>((resolve, reject) => {
      let file: WriteStream | null = null;
      const held: Uint8Array[] = [];
      let bytes = 0;
      let finished = false;
      const finish = (value: number | null, error?: Error) => {
        if (finished) return;
        finished = true;
        socket?.off("close", onClose);
        exchange.done();
        if (error !== undefined) {
          file?.destroy();
          reject(error);
        } else if (value === null) {
          response.destroy();
          file?.destroy();
          resolve(null);
        } else if (file === null && target.holdSmall) {
          resolve({ bytes: value, body: Buffer.concat(held) });
        } else if (file === null) {
          try {
            writeFileSync(destination, Buffer.concat(held), { flag: "wx", mode: 0o644 });
            resolve({ bytes: value, body: null });
          } catch (failure) {
            reject(new LocalFailure(failure as Error));
          }
        } else {
          file.end(() => resolve({ bytes: value, body: null }));
        }
      };
      const openFile = (): WriteStream => {
        const stream = createWriteStream(destination, { flags: "wx", mode: 0o644 });
        stream.on("error", (error) => {
          response.destroy();
          finish(null, new LocalFailure(error));
        });
        for (const chunk of held.splice(0)) stream.write(chunk);
        return stream;
      };
      response.on("data", (chunk: Uint8Array) => {
        exchange.touch();
        bytes += chunk.length;
        if (bytes > maxBytes) {
          finish(null);
          return;
        }
        if (file === null && bytes <= SMALL_BODY_BYTES) {
          held.push(chunk);
          return;
        }
        file ??= openFile();
        if (!file.write(chunk)) {
          response.pause();
          file.once("drain", () => response.resume());
        }
      });
      response.on("end", () => finish(bytes));
      response.on("error", (error) => finish(null, error));
      response.on("aborted", () => finish(null, new Error("aborted")));
      const socket = response.socket;
      const onClose = () => {
        if (!response.complete) {
          finish(null, Object.assign(new Error("connection closed"), { code: "ECONNRESET" }));
        }
      };
      socket?.on("close", onClose);
      exchange.onFailure((error) => finish(null, error));
    });
  }

  #readSmall(exchange: Exchange): Promise<string> {
    const { response } = exchange;
    return new Promise<string>((resolve) => {
      const chunks: Uint8Array[] = [];
      let length = 0;
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        exchange.done();
        if (!response.complete) response.destroy();
        resolve(new TextDecoder().decode(Buffer.concat(chunks)));
      };
      response.on("data", (chunk: Uint8Array) => {
        exchange.touch();
        if (length < MAX_ERROR_BODY) chunks.push(chunk.subarray(0, MAX_ERROR_BODY - length));
        length += chunk.length;
        if (length >= MAX_ERROR_BODY) finish();
      });
      response.on("end", finish);
      response.on("error", finish);
      response.on("close", finish);
    });
  }

  async #drain(exchange: Exchange): Promise<void> {
    await this.#readSmall(exchange);
  }

  async #statusProblem(exchange: Exchange): Promise<RequestProblem> {
    const status = exchange.response.statusCode ?? 0;
    const body = await this.#readSmall(exchange);
    if (status === 401) {
      return {
        kind: "problem",
        problem: "HTTP 401: the server rejected HAZ_REMOTE_CACHE_TOKEN",
        status,
        message: null,
      };
    }
    const message = serverMessage(body, this.#endpoint.redact);
    return {
      kind: "problem",
      problem: message === null ? `HTTP ${status}` : `HTTP ${status}: ${message}`,
      status,
      message,
    };
  }

  #failure(error: unknown, url: string): RequestProblem | { readonly kind: "aborted" } {
    if (error instanceof Aborted) return { kind: "aborted" };
    if (error instanceof StatusFailure) {
      return { kind: "problem", problem: error.message, status: null, message: null };
    }
    if (error instanceof TimeoutFailure) {
      return {
        kind: "problem",
        problem: `no response for ${formatDuration(this.#endpoint.timeoutMs)}`,
        status: null,
        message: null,
      };
    }
    const code = (error as { code?: unknown } | null)?.code;
    const parsed = new URL(url);
    let problem: string;
    if (code === "ECONNREFUSED") problem = `connection refused by ${parsed.origin}`;
    else if (code === "ENOTFOUND" || code === "EAI_AGAIN") problem = `host ${parsed.hostname} not found`;
    else if (typeof code === "string" && /^[A-Z0-9_]+$/.test(code)) problem = `network error ${code}`;
    else problem = "network error";
    return { kind: "problem", problem: this.#endpoint.redact(problem), status: null, message: null };
  }
}

class StatusFailure extends Error {}

class TimeoutFailure extends Error {}

/** A local file error while downloading: not a server problem (REMOTE-065). */
class LocalFailure extends Error {
  /** Wraps the file-system error. */
  constructor(cause: Error) {
    super(cause.message, { cause });
  }
}

/**
 * REMOTE-032: a JSON error body's `message`, first 200 code points, control characters as spaces,
 * redacted; null when there is none.
 *
 * @example
 * ```ts
 * serverMessage('{"message":"Request body is too large"}', (t) => t); // "Request body is too large"
 * ```
 */
export function serverMessage(body: string, redact: (text: string) => string): string | null {
  let message: unknown;
  try {
    message = (JSON.parse(body) as { message?: unknown } | null)?.message;
  } catch {
    return null;
  }
  if (typeof message !== "string" || message === "") return null;
  const cleaned = [...message].slice(0, 200).map((char) => isControl(char) ? " " : char).join("");
  return redact(cleaned);
}

function isControl(char: string): boolean {
  const code = char.codePointAt(0)!;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}
