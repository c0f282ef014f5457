/**
 * Reading one configuration file as UTF-8 text (01-workspace.md CFG-009): a BOM is dropped, invalid
 * UTF-8 or an unreadable file is an error located on the file only.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { type Diagnostic, errorDiagnostic } from "../domain/diagnostic.ts";
import { ioFailureReason } from "../util/io_failure_reason.ts";

/** The text of a configuration file, or its CFG-009 diagnostic. */
export type ConfigText = { ok: true; text: string } | { ok: false; diagnostic: Diagnostic };

/** One decoder for every file: a non-streaming `decode` starts afresh each time. */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads `hostPath` as UTF-8 (a leading BOM removed). Failures are CFG-009 diagnostics naming
 * `displayPath`, the workspace-absolute path. Synchronous: configuration files are small, and a
 * thousand promise round trips cost more than the reads.
 *
 * @example
 * ```ts
 * const read = readConfigText("/tmp/ws/web/haz.yml", "/web/haz.yml");
 * if (!read.ok) read.diagnostic.message; // e.g. "cannot read /web/haz.yml: permission denied"
 * ```
 */
export function readConfigText(hostPath: string, displayPath: string): ConfigText {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(hostPath);
  } catch (error) {
    return {
      ok: false,
      diagnostic: errorDiagnostic("CFG-009", `cannot read ${displayPath}: ${ioFailureReason(error)}`, {
        phase: 2,
        location: { path: displayPath },
      }),
    };
  }
  try {
    // The decoder drops a leading BOM (ignoreBOM: false) and rejects malformed sequences.
    return { ok: true, text: UTF8.decode(bytes) };
  } catch {
    return {
      ok: false,
      diagnostic: errorDiagnostic("CFG-009", `${displayPath} is not valid UTF-8`, {
        phase: 2,
        location: { path: displayPath },
      }),
    };
  }
}
