/**
 * A TCP port that is free on 127.0.0.1 right now (the OS picks it).
 *
 * @module
 */

import { createServer } from "node:net";

/**
 * Binds port 0, reads the port the OS chose and releases it.
 *
 * @example
 * ```ts
 * const port = await freePort(); // 41234
 * ```
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
