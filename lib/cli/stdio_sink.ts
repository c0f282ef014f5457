/**
 * Ordered sinks over the process's stdout and stderr that never fail the run (04-execution.md §9:
 * a broken pipe drops later writes silently) and can be flushed before exiting.
 *
 * @module
 */

import type { Writable } from "node:stream";
import type { Sink } from "./command_context.ts";

/** A sink that can be awaited until everything written has been handed to the OS. */
export interface FlushableSink extends Sink {
  flush(): Promise<void>;
}

/**
 * Wraps `process.stdout` or `process.stderr`.
 *
 * @example
 * ```ts
 * const out = stdioSink(process.stdout);
 * out.write(new TextEncoder().encode("hi\n"));
 * await out.flush();
 * ```
 */
export function stdioSink(stream: Writable): FlushableSink {
  let broken = false;
  let pending = Promise.resolve();
  stream.on("error", () => {
    broken = true;
  });
  return {
    write(bytes) {
      if (broken || bytes.byteLength === 0) return;
      pending = new Promise((resolve) => {
        try {
          stream.write(bytes, () => resolve());
        } catch {
          broken = true;
          resolve();
        }
      });
    },
    flush: () => pending,
  };
}

/**
 * Encodes text for a sink.
 *
 * @example
 * ```ts
 * writeText(sink, "done\n");
 * ```
 */
export function writeText(sink: Sink, text: string): void {
  sink.write(new TextEncoder().encode(text));
}
