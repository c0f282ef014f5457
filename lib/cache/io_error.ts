/**
 * Small helpers to inspect errors thrown by `node:fs` (codes and messages differ little between
 * Deno and Bun, but both attach a `code`).
 *
 * @module
 */

/**
 * The `code` of a system error (`ENOENT`, `EEXIST`, …), or null.
 *
 * @example
 * ```ts
 * errorCode(Object.assign(new Error("gone"), { code: "ENOENT" })); // "ENOENT"
 * ```
 */
export function errorCode(error: unknown): string | null {
  if (typeof error !== "object" || error === null || !("code" in error)) return null;
  return typeof error.code === "string" ? error.code : null;
}

/**
 * A one-line message for any thrown value.
 *
 * @example
 * ```ts
 * errorMessage(new Error("disk full")); // "disk full"
 * ```
 */
export function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, " ");
}

/**
 * True when the error says that the path (or one of its parents) does not exist.
 *
 * @example
 * ```ts
 * isNotFound(Object.assign(new Error("gone"), { code: "ENOENT" })); // true
 * ```
 */
export function isNotFound(error: unknown): boolean {
  return errorCode(error) === "ENOENT";
}
