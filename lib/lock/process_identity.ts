/**
 * Who holds a lock file (XPROC-004): a process id plus that process's start time, so that a pid
 * reused by an unrelated process is told apart from the haz process that took the lock.
 *
 * Linux: the start time is field 22 of `/proc/<pid>/stat` (clock ticks since boot). Elsewhere it is
 * unknown (`-`) and liveness falls back to `process.kill(pid, 0)`.
 *
 * @module
 */

import { readFileSync } from "node:fs";

/** A process as recorded in a lock: pid and start time (`-` when the host cannot tell). */
export interface ProcessIdentity {
  readonly pid: number;
  readonly start: string;
}

/** Marks a start time the host cannot tell. */
const UNKNOWN_START = "-";

let own: ProcessIdentity | null = null;

/**
 * This process's identity, read once.
 *
 * @example
 * ```ts
 * currentProcessIdentity(); // { pid: 4242, start: "1234567" } on Linux
 * ```
 */
export function currentProcessIdentity(): ProcessIdentity {
  own ??= { pid: process.pid, start: startTimeOf("self") ?? UNKNOWN_START };
  return own;
}

/**
 * Whether the recorded process still runs: the pid exists, is not a zombie, and (when both are
 * known) started at the recorded time.
 *
 * @example
 * ```ts
 * isRunning(currentProcessIdentity()); // true
 * isRunning({ pid: 999999999, start: "1" }); // false
 * ```
 */
export function isRunning(identity: ProcessIdentity): boolean {
  if (!Number.isSafeInteger(identity.pid) || identity.pid <= 0) return false;
  const stat = procStat(String(identity.pid));
  if (stat === "unsupported") return signalProbe(identity.pid);
  if (stat === null) return false;
  const fields = statFields(stat);
  // A SIGKILLed holder its parent has not reaped yet is a zombie: it holds nothing any more.
  if (fields[0] === "Z" || fields[0] === "X") return false;
  return identity.start === UNKNOWN_START || fields[19] === identity.start;
}

/** Field 22 of `/proc/<pid>/stat`; null when the host has no `/proc` or the process is gone. */
function startTimeOf(pid: string): string | null {
  const stat = procStat(pid);
  return stat === null || stat === "unsupported" ? null : statFields(stat)[19] ?? null;
}

/** The text of `/proc/<pid>/stat`; null when the process is gone; "unsupported" without `/proc`. */
function procStat(pid: string): string | null | "unsupported" {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return hasProc() ? null : "unsupported";
  }
}

let procPresent: boolean | null = null;

function hasProc(): boolean {
  if (procPresent === null) {
    try {
      readFileSync("/proc/self/stat");
      procPresent = true;
    } catch {
      procPresent = false;
    }
  }
  return procPresent;
}

/** The fields after the command name (which may hold spaces and parentheses): state is [0]. */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** Liveness without `/proc`: signal 0 reaches the process (EPERM: it exists, owned by another user). */
function signalProbe(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}
