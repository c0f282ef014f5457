/**
 * Host signal subscription for the CLI (04-execution.md §1.1 `HostSignals`).
 *
 * @module
 */

import type { HostSignal, HostSignals } from "../exec/process.ts";

/**
 * Subscribes through `process.on`, which Deno, Bun and Node all implement (the compiled Bun binary
 * handles signals natively).
 *
 * @example
 * ```ts
 * const off = processSignals.on("SIGINT", () => control.cancel({ kind: "signal", signal: "SIGINT" }));
 * off();
 * ```
 */
export const processSignals: HostSignals = {
  on(sig: HostSignal, handler: () => void) {
    process.on(sig, handler);
    return () => {
      process.off(sig, handler);
    };
  },
};
