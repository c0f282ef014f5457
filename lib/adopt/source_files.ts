/**
 * Reading the source files of an import (08-adoption.md ADOPT-004): JSON, JSONC and YAML, each failure
 * an `error: cannot read <path>: <reason>` line.
 *
 * @module
 */

import { readFileSync, statSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { hostPath } from "../util/directory_walk.ts";
import { ioFailureReason } from "../util/io_failure_reason.ts";
import { parseJsonc } from "../util/jsonc.ts";

/** A parsed source document, or the error line that reports it. */
export type SourceRead =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: string };

/** Plain JSON object type of parsed documents. */
export type JsonObject = Record<string, unknown>;

/**
 * Reads `<dir>/<path>` as JSON (JSONC when the name ends in `c`, YAML for `.yaml`).
 *
 * @example
 * ```ts
 * const read = readSourceFile("/repo", "turbo.json");
 * if (!read.ok) read.error; // "error: cannot read turbo.json: Unexpected token …"
 * ```
 */
export function readSourceFile(dir: string, path: string): SourceRead {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
      readFileSync(hostPath(dir, path)),
    );
  } catch (error) {
    const reason = error instanceof TypeError ? "not valid UTF-8" : ioFailureReason(error);
    return { ok: false, error: `error: cannot read ${path}: ${reason}` };
  }
  if (path.endsWith(".yaml") || path.endsWith(".yml")) {
    try {
      return { ok: true, value: parseYaml(text) ?? {} };
    } catch (error) {
      return { ok: false, error: `error: cannot read ${path}: ${firstLine(reasonOf(error))}` };
    }
  }
  if (path.endsWith("c")) {
    const parsed = parseJsonc(text);
    return parsed.ok ? parsed : { ok: false, error: `error: cannot read ${path}: ${parsed.message}` };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: `error: cannot read ${path}: ${reasonOf(error)}` };
  }
}

/**
 * Whether `<dir>/<path>` is a regular file (or a symlink to one).
 *
 * @example
 * ```ts
 * sourceFileExists("/repo", "pnpm-lock.yaml"); // true
 * ```
 */
export function sourceFileExists(dir: string, path: string): boolean {
  try {
    return statSync(hostPath(dir, path)).isFile();
  } catch {
    return false;
  }
}

/**
 * The value as a JSON object, or an empty one.
 *
 * @example
 * ```ts
 * asObject({ a: 1 }); // { a: 1 }
 * asObject([1]); // {}
 * ```
 */
export function asObject(value: unknown): JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? value as JsonObject : {};
}

/**
 * The string entries of a value that should be a list of strings (others are skipped).
 *
 * @example
 * ```ts
 * stringList(["a", 1, "b"]); // ["a", "b"]
 * stringList(undefined); // []
 * ```
 */
export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function firstLine(text: string): string {
  return text.split("\n")[0];
}
