/**
 * The readiness probe port (09-services-and-watch.md §11.2, SVC-100): one implementation over
 * `node:net` and `fetch` in `lib/runtime/`, a fake driven by the fake clock in tests.
 *
 * @module
 */

/**
 * Answers the TCP and HTTP checks of `ready.port` and `ready.url` (SVC-023, SVC-024).
 *
 * @example
 * ```ts
 * const open = await prober.tcp("127.0.0.1", 5432, 1000); // true once postgres listens
 * const status = await prober.http("http://127.0.0.1:3000/health", 2000); // 200, or null
 * ```
 */
export interface ServiceProber {
  /** true when a TCP connection to host:port is accepted within timeoutMs; the connection is closed at once. */
  tcp(host: string, port: number, timeoutMs: number): Promise<boolean>;
  /** The status of a GET (redirects not followed), or null on a network error or timeout. */
  http(url: string, timeoutMs: number): Promise<number | null>;
}
