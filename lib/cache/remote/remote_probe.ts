/**
 * The read-only remote checks of `haz why` and `haz cache info --remote` (07-remote-cache.md
 * REMOTE-095, REMOTE-096): a `HEAD` of one id, and the status-plus-token check.
 *
 * @module
 */

import { RemoteClient } from "./http_client.ts";
import { redactor, type RemoteConfig } from "./remote_config.ts";

function clientOf(config: RemoteConfig, userAgent: string): RemoteClient {
  return new RemoteClient({
    url: config.url,
    team: config.team,
    token: config.token ?? "",
    userAgent,
    timeoutMs: config.settings.timeoutMs,
    redact: redactor(config),
  });
}

/**
 * REMOTE-095: `present`, `absent` or `error: <problem>` for one id.
 *
 * @example
 * ```ts
 * await probeArtifact(config, key, "haz 0.1.0"); // "present"
 * ```
 */
export async function probeArtifact(config: RemoteConfig, id: string, userAgent: string): Promise<string> {
  const client = clientOf(config, userAgent);
  try {
    const found = await client.head(id);
    if (found.kind === "present" || found.kind === "absent") return found.kind;
    return found.kind === "problem" ? `error: ${found.problem}` : "error: aborted";
  } finally {
    client.close();
  }
}

/** Result of {@link checkRemote}: `error` is the line's text after `failed: `. */
export type RemoteCheck =
  | { readonly ok: true; readonly status: string; readonly ms: number }
  | { readonly ok: false; readonly status: string | null; readonly error: string };

const PROBE_ID = "0".repeat(64);

/**
 * REMOTE-096 steps 1–4: token set, `GET` status (must say `enabled`), `HEAD` of the all-zero id.
 *
 * @example
 * ```ts
 * const check = await checkRemote(config, "haz 0.1.0", () => performance.now());
 * check.ok; // true
 * ```
 */
export async function checkRemote(
  config: RemoteConfig,
  userAgent: string,
  now: () => number,
): Promise<RemoteCheck> {
  if (config.token === null) return { ok: false, status: null, error: "HAZ_REMOTE_CACHE_TOKEN is not set" };
  const started = now();
  const client = clientOf(config, userAgent);
  try {
    const status = await client.status();
    if (status.kind !== "status") {
      return {
        ok: false,
        status: null,
        error: `GET status: ${status.kind === "problem" ? status.problem : "aborted"}`,
      };
    }
    if (status.caching !== "enabled") {
      return { ok: false, status: status.caching, error: `caching is ${status.caching}` };
    }
    const probe = await client.head(PROBE_ID);
    if (probe.kind === "problem") {
      return { ok: false, status: status.caching, error: `HEAD probe: ${probe.problem}` };
    }
    if (probe.kind === "aborted") return { ok: false, status: status.caching, error: "HEAD probe: aborted" };
    return { ok: true, status: status.caching, ms: Math.round(now() - started) };
  } finally {
    client.close();
  }
}
