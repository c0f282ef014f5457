/**
 * Ordered sinks over the process's stdout and stderr that never fail the run (04-execution.md §9:
 * a broken pipe drops later writes silently) and can be flushed before exiting.
 *
 * @module
 */

import { writeSync } from "node:fs";
import type { Writable } from "node:stream";
import type { Sink } from "../exec/output/sink.ts";

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

/** What a fresh pipe holds on Linux: direct writes up to this total never wait for the reader. */
const DIRECT_WRITE_BYTES = 64 * 1024;

/**
 * A sink over a standard descriptor that writes its first bytes directly with `writeSync`, without
 * creating the runtime's stream (which costs a large part of the start-up of `--version` or
 * `--help`), and hands over to `stdioSink(openStream())` for good after 64 KiB or at the first write
 * that fails or would block. Order is kept: direct writes complete before the stream exists.
 *
 * @example
 * ```ts
 * const out = stdioFdSink(1, () => process.stdout);
 * out.write(new TextEncoder().encode("haz 0.1.0\n"));
 * await out.flush();
 * ```
 */
export function stdioFdSink(fd: number, openStream: () => Writable): FlushableSink {
  let directBudget = DIRECT_WRITE_BYTES;
  let stream: FlushableSink | null = null;
  return {
    write(bytes) {
      if (bytes.byteLength === 0) return;
      let rest = bytes;
      if (stream === null && bytes.byteLength <= directBudget) {
        directBudget -= bytes.byteLength;
        let offset = 0;
        try {
          while (offset < bytes.byteLength) offset += writeSync(fd, bytes, offset);
          return;
        } catch {
          // EAGAIN on a non-blocking descriptor, EPIPE, …: the stream takes over and owns the error.
          rest = bytes.subarray(offset);
        }
      }
      stream ??= stdioSink(openStream());
      stream.write(rest);
    },
    flush: () => stream?.flush() ?? Promise.resolve(),
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
