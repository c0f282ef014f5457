/**
 * The `service` part of a task body (09-services-and-watch.md §1): what makes a task a service, how
 * haz tells that it is up, and what happens when it exits.
 *
 * @module
 */

/** Where `ready.port` connects: an integer port tries `127.0.0.1` and `::1` (SVC-023). */
export interface ReadyPort {
  /** Host as written (brackets of an IPv6 literal removed); null for an integer port. */
  readonly host: string | null;
  readonly port: number;
}

/** `service.ready` (SVC-003..007). */
export interface ReadyCondition {
  /** `line`, compiled with the `u` flag (SVC-004); null when absent. */
  readonly line: RegExp | null;
  /** `port` (SVC-005); null when absent. */
  readonly port: ReadyPort | null;
  /** `url` (SVC-006); null when absent. */
  readonly url: string | null;
  /** `timeout` in ms (SVC-007), default 60 s. */
  readonly timeoutMs: number;
}

/** A validated `service` value (SVC-001). */
export interface ServiceSpec {
  /** null: up as soon as spawned (SVC-021). */
  readonly ready: ReadyCondition | null;
  /** SVC-028/029. */
  readonly onExit: "fail" | "restart";
  /** SVC-009, default 3. */
  readonly maxRestarts: number;
  /** WATCH-046. */
  readonly onChange: "restart" | "keep";
}

/** `ready.timeout` when absent (SVC-007). */
export const DEFAULT_READY_TIMEOUT_MS = 60_000;

/** `max_restarts` when absent (SVC-009). */
export const DEFAULT_MAX_RESTARTS = 3;

/**
 * The spec of `service: true` (SVC-001).
 *
 * @example
 * ```ts
 * const spec = defaultServiceSpec(); // { ready: null, onExit: "fail", maxRestarts: 3, onChange: "restart" }
 * ```
 */
export function defaultServiceSpec(): ServiceSpec {
  return { ready: null, onExit: "fail", maxRestarts: DEFAULT_MAX_RESTARTS, onChange: "restart" };
}
