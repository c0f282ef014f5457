/**
 * The remote cache URL and mode values (07-remote-cache.md REMOTE-011/012/018), shared by the
 * settings file and the environment variables.
 *
 * @module
 */

/** The four remote modes (REMOTE-012). */
export const REMOTE_MODES = ["read-write", "read", "write", "off"] as const;

/** One remote mode. */
export type RemoteMode = typeof REMOTE_MODES[number];

const MAX_URL_BYTES = 2048;

/**
 * REMOTE-011: an absolute http(s) URL with a host and no user info, query or fragment, at most 2048
 * bytes; returns it without one trailing `/`, or null when invalid.
 *
 * @example
 * ```ts
 * normaliseRemoteUrl("https://cache.example.com/"); // "https://cache.example.com"
 * normaliseRemoteUrl("https://u:p@cache.example.com"); // null
 * ```
 */
export function normaliseRemoteUrl(text: string): string | null {
  if (new TextEncoder().encode(text).length > MAX_URL_BYTES) return null;
  if (!/^https?:\/\/[^/?#]/i.test(text)) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.hostname === "" || url.username !== "" || url.password !== "") return null;
  if (text.includes("?") || text.includes("#")) return null;
  if (/^https?:\/\/[^/]*@/i.test(text)) return null;
  return text.endsWith("/") ? text.slice(0, -1) : text;
}

/**
 * Replaces the user-info part of a URL-like text by `***`, so a credential written into a URL never
 * reaches a diagnostic (REMOTE-011).
 *
 * @example
 * ```ts
 * hideUserInfo("https://ci:s3cret@cache.example.com"); // "https://***@cache.example.com"
 * ```
 */
export function hideUserInfo(text: string): string {
  return text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#]*@/, "$1***@");
}

/**
 * Whether a URL-like text carries a user name or password.
 *
 * @example
 * ```ts
 * hasUserInfo("https://ci@cache.example.com"); // true
 * ```
 */
export function hasUserInfo(text: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*@/.test(text);
}
