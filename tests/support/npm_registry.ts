/**
 * A minimal npm registry on a loopback port, serving installed packages of `node_modules` as
 * packuments and tarballs, so that a test of `npm:` specifiers (Deno's `NPM_CONFIG_REGISTRY`)
 * sends no traffic beyond this machine.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";

/** A running registry. */
export interface NpmRegistry {
  /** The registry URL with a trailing slash, as `NPM_CONFIG_REGISTRY` takes it. */
  readonly url: string;
  /** Paths requested so far, in order. */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

interface Published {
  readonly packument: Record<string, unknown>;
  readonly tarball: Uint8Array;
}

/**
 * Serves each named package of `nodeModules` at the version installed there (unscoped packages
 * without dependencies, which is all the source of haz imports).
 *
 * @example
 * ```ts
 * const registry = await serveNpmRegistry("node_modules", ["yaml"]);
 * await fetch(`${registry.url}yaml`);
 * await registry.close();
 * ```
 */
export function serveNpmRegistry(nodeModules: string, names: readonly string[]): Promise<NpmRegistry> {
  const requests: string[] = [];
  const published = new Map<string, Published>();
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname);
    requests.push(path);
    const [, name, file] = path.split("/");
    const entry = published.get(name ?? "");
    if (entry && file === undefined) {
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(entry.packument));
    } else if (entry && file === "tarball.tgz") {
      response.writeHead(200, { "content-type": "application/octet-stream" }).end(entry.tarball);
    } else {
      response.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
    }
  });
  return new Promise((listening) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`;
      for (const name of names) published.set(name, publish(join(nodeModules, name), name, url));
      listening({
        url,
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

function publish(directory: string, name: string, registryUrl: string): Published {
  const manifest = JSON.parse(readFileSync(join(directory, "package.json"), "utf8"));
  // npm tarballs hold the package under `package/`.
  const tarball = execFileSync("tar", [
    "-czf",
    "-",
    "-C",
    directory,
    "--owner=0",
    "--group=0",
    "--transform",
    "s,^\\.,package,",
    ".",
  ], { maxBuffer: 64 * 1024 * 1024 });
  const version = manifest.version as string;
  const dist = {
    tarball: `${registryUrl}${name}/tarball.tgz`,
    shasum: createHash("sha1").update(tarball).digest("hex"),
    integrity: `sha512-${createHash("sha512").update(tarball).digest("base64")}`,
  };
  return {
    packument: { name, "dist-tags": { latest: version }, versions: { [version]: { ...manifest, dist } } },
    tarball,
  };
}
