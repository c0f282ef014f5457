/**
 * The readiness prober over `node:net` and `fetch` (SVC-100), the same on Deno, Bun and Node.
 *
 * @module
 */

import type { ServiceProber } from "../exec/service_prober.ts";
import { nodeNet } from "../util/builtin_modules.ts";

/**
 * Connects and closes at once (SVC-023); sends a GET without following redirects and discards the
 * body (SVC-024). Every failure is a "not yet".
 *
 * @example
 * ```ts
 * await netProber.tcp("127.0.0.1", 5432, 1000); // true while postgres listens
 * await netProber.http("http://127.0.0.1:3000/health", 2000); // 200
 * ```
 */
export const netProber: ServiceProber = {
  tcp(host: string, port: number, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = nodeNet().connect({ host, port });
      let settled = false;
      const done = (accepted: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        resolve(accepted);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      socket.once("connect", () => done(true));
      socket.once("error", () => done(false));
    });
  },
  async http(url: string, timeoutMs: number): Promise<number | null> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const response = await fetch(url, { redirect: "manual", signal: abort.signal });
      await response.body?.cancel();
      return response.status;
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  },
};
