/**
 * Liveness checks for tests: scan /proc for processes whose command line carries a marker.
 * Zombies count as dead (04-execution.md §1.2).
 *
 * @module
 */

import { readdirSync, readFileSync } from "node:fs";

/**
 * Pids of living (non-zombie) processes whose argv contains `marker`.
 *
 * @example
 * ```ts
 * livingWithMarker("3000.123"); // [] once the sleeps are gone
 * ```
 */
export function livingWithMarker(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0");
      if (!argv.some((arg) => arg.includes(marker))) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, "latin1");
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      if (state !== "Z" && state !== "X") pids.push(Number(entry));
    } catch {
      // The process ended while we looked: it is not alive.
    }
  }
  return pids;
}

/**
 * Waits until no living process carries `marker`, polling; returns the survivors after `timeoutMs`.
 *
 * @example
 * ```ts
 * assert.deepEqual(await waitUntilGone("3000.123", 5000), []);
 * ```
 */
export async function waitUntilGone(marker: string, timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const living = livingWithMarker(marker);
    if (living.length === 0 || Date.now() > deadline) return living;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * A unique fractional sleep duration usable as a process marker (`sleep 3000.<digits>`).
 *
 * @example
 * ```ts
 * const marker = uniqueSleepMarker(); // "3000.48213907"
 * ```
 */
export function uniqueSleepMarker(): string {
  return `3000.${process.pid}${Math.floor(Math.random() * 1e6)}`;
}
