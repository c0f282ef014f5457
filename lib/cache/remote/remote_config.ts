/**
 * The effective remote of one invocation (07-remote-cache.md REMOTE-018, REMOTE-020): URL, team,
 * mode with its source or off reason, and the secrets.
 *
 * @module
 */

import { normaliseRemoteUrl, type RemoteMode } from "../../domain/remote_url.ts";
import type { RemoteCacheSettings } from "../../domain/workspace.ts";

/** Where the requested mode came from (REMOTE-020 step 3). */
export type ModeSource = "flag" | "env" | "config" | "default";

/** A configured remote with its effective mode. */
export interface RemoteConfig {
  readonly url: string;
  readonly team: string;
  /** Effective at start; `off` carries `offReason`. */
  readonly mode: RemoteMode;
  readonly modeSource: ModeSource;
  readonly offReason: string | null;
  readonly tokenSet: boolean;
  /** The bearer token; null when unset. Secret (REMOTE-025). */
  readonly token: string | null;
  readonly signature: boolean;
  /** The signing key; null when unset. Secret (REMOTE-025). */
  readonly signatureKey: string | null;
  readonly settings: RemoteCacheSettings;
}

/** Inputs of {@link resolveRemoteConfig}. */
export interface RemoteConfigInputs {
  readonly settings: RemoteCacheSettings;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `--remote-cache`, or null. */
  readonly flag: RemoteMode | null;
  /** `--no-cache` (REMOTE-020 step 2). */
  readonly noCache: boolean;
}

const MIN_KEY_BYTES = 32;

/**
 * REMOTE-020: null without a configured remote; otherwise the mode decided by the first step that
 * yields `off`. The variables were validated during argument parsing.
 *
 * @example
 * ```ts
 * const remote = resolveRemoteConfig({ settings, env: process.env, flag: null, noCache: false });
 * remote?.mode; // "read-write"
 * ```
 */
export function resolveRemoteConfig(inputs: RemoteConfigInputs): RemoteConfig | null {
  const env = (name: string) => {
    const value = inputs.env[name];
    return value === undefined || value === "" ? null : value;
  };
  const envUrl = env("HAZ_REMOTE_CACHE_URL");
  const url = envUrl !== null ? normaliseRemoteUrl(envUrl) : inputs.settings.url;
  if (url === null) return null;
  const token = env("HAZ_REMOTE_CACHE_TOKEN");
  const signatureKey = env("HAZ_REMOTE_CACHE_SIGNATURE_KEY");
  const envMode = env("HAZ_REMOTE_CACHE") as RemoteMode | null;
  const [requested, modeSource]: [RemoteMode, ModeSource] = inputs.flag !== null
    ? [inputs.flag, "flag"]
    : envMode !== null
    ? [envMode, "env"]
    : inputs.settings.mode !== null
    ? [inputs.settings.mode, "config"]
    : ["read-write", "default"];
  const base = {
    url,
    team: env("HAZ_REMOTE_CACHE_TEAM") ?? inputs.settings.team,
    modeSource,
    tokenSet: token !== null,
    token,
    signature: inputs.settings.signature,
    signatureKey,
    settings: inputs.settings,
  };
  const off = (offReason: string): RemoteConfig => ({ ...base, mode: "off", offReason });
  if (inputs.noCache) return off("--no-cache");
  if (requested === "off") {
    return off(
      modeSource === "flag"
        ? "--remote-cache off"
        : modeSource === "env"
        ? "HAZ_REMOTE_CACHE=off"
        : "cache.remote.mode: off",
    );
  }
  if (token === null) return off("HAZ_REMOTE_CACHE_TOKEN is not set");
  if (!/^[\x21-\x7e]+$/.test(token)) return off("HAZ_REMOTE_CACHE_TOKEN is not a valid HTTP header value");
  if (inputs.settings.signature) {
    if (signatureKey === null) {
      return off("HAZ_REMOTE_CACHE_SIGNATURE_KEY is not set (cache.remote.signature is true)");
    }
    if (new TextEncoder().encode(signatureKey).length < MIN_KEY_BYTES) {
      return off("HAZ_REMOTE_CACHE_SIGNATURE_KEY is shorter than 32 bytes");
    }
  }
  return { ...base, mode: requested, offReason: null };
}

/**
 * REMOTE-025: replaces every occurrence of the token and the key in a text from outside haz.
 *
 * @example
 * ```ts
 * redactor(config)("bad token tok-123"); // "bad token <redacted>"
 * ```
 */
export function redactor(config: Pick<RemoteConfig, "token" | "signatureKey">): (text: string) => string {
  const secrets = [config.token, config.signatureKey].filter((value): value is string => !!value);
  return (text) => secrets.reduce((result, secret) => result.split(secret).join("<redacted>"), text);
}
