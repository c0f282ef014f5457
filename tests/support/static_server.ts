/**
 * A static HTTP server for the distribution tests: serves a directory on a random loopback port
 * with the content types a plain web server would send (TypeScript as `application/typescript`),
 * so that `deno run <url>`, `deno install <url>` and `install.sh` meet what they meet on the web.
 *
 * @module
 */

import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";

const contentTypes: Record<string, string> = {
  ".ts": "application/typescript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".sh": "text/x-shellscript; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".tgz": "application/gzip",
};

/**
 * The content type served for a file name: by extension, `text/plain` for `SHA256SUMS` and
 * `application/octet-stream` for anything else (the executables).
 *
 * @example
 * ```ts
 * contentTypeFor("cli.ts"); // "application/typescript; charset=utf-8"
 * ```
 */
export function contentTypeFor(name: string): string {
  if (name.endsWith("SHA256SUMS")) return "text/plain; charset=utf-8";
  return contentTypes[extname(name)] ?? "application/octet-stream";
}

/** A running static server. */
export interface StaticServer {
  /** The base URL, without a trailing slash: `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Paths requested so far, in order. */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

/**
 * Serves the files below `root` (GET and HEAD; 404 for anything missing or outside `root`).
 *
 * @example
 * ```ts
 * const server = await serveStatic("dist/release");
 * await fetch(`${server.url}/SHA256SUMS`);
 * await server.close();
 * ```
 */
export function serveStatic(directory: string): Promise<StaticServer> {
  const root = resolve(directory);
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname);
    requests.push(path);
    const file = normalize(join(root, path));
    let size = -1;
    try {
      const stat = statSync(file);
      if (stat.isFile()) size = stat.size;
    } catch {
      size = -1;
    }
    if (size < 0 || !file.startsWith(root + sep)) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    response.writeHead(200, { "content-type": contentTypeFor(file), "content-length": size });
    if (request.method === "HEAD") response.end();
    else createReadStream(file).pipe(response);
  });
  return new Promise((listening) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      listening({
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
