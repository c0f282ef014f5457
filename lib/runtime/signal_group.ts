/**
 * Group signalling shared by the adapters (PROC-001): `process.kill(-pgid, sig)` on every runtime.
 *
 * @module
 */

import type { Signal } from "../exec/process.ts";

/**
 * Sends `sig` to every member of process group `pgid`; false when the group is gone (ESRCH).
 *
 * @example
 * ```ts
 * signalProcessGroup(12345, "SIGTERM"); // false when group 12345 no longer exists
 * ```
 */
export function signalProcessGroup(pgid: number, sig: Signal): boolean {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === "ESRCH") return false;
    throw error;
  }
}
