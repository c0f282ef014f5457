/**
 * The diagnostics collector for one configuration file and positioned access to its mappings and
 * lists: keys as text, CFG-006 for repeated keys, aliases followed, every value with its location.
 *
 * @module
 */

import { isScalar, type Node, type YAMLMap, type YAMLSeq } from "yaml";
import {
  type Diagnostic,
  type DiagnosticLocation,
  errorDiagnostic,
  warningDiagnostic,
} from "../domain/diagnostic.ts";
import { kindOf, locateNode, resolveAlias, sourceText, type YamlFile, type YamlKind } from "./yaml_source.ts";

/** Collects the diagnostics of one file (phase 2 unless told otherwise). */
export interface FileChecker {
  readonly file: YamlFile;
  readonly diagnostics: Diagnostic[];
  /** Errors reported so far; a validator compares it before and after to know whether it failed. */
  errorCount: number;
}

/** Extra parts of a diagnostic. */
export interface ReportExtra {
  readonly help?: string;
  readonly notes?: readonly string[];
  readonly phase?: number;
}

/** A value in a mapping or list: the node as written, the node it stands for, and where it is. */
export interface YamlValue {
  /** Null when nothing is written at all (`{a}`). */
  readonly written: Node | null;
  /** The node after following an alias. */
  readonly node: Node | null;
  /** On the node as written; on the key when the value is empty. */
  readonly location: DiagnosticLocation;
}

/** One key of a mapping with its value. */
export interface MapEntry {
  /** The key as text: a string's value, or the source text of any other scalar. */
  readonly key: string;
  readonly keyLocation: DiagnosticLocation;
  readonly value: YamlValue;
}

/**
 * Starts collecting diagnostics for `file`.
 *
 * @example
 * ```ts
 * const checker = createFileChecker(file);
 * reportError(checker, "CFG-004", "`tags` must be a list of strings, found a string", location);
 * checker.errorCount; // 1
 * ```
 */
export function createFileChecker(file: YamlFile): FileChecker {
  return { file, diagnostics: [], errorCount: 0 };
}

/** Builds the optional parts without `undefined` members. */
function extraParts(location: DiagnosticLocation | undefined, extra: ReportExtra) {
  return {
    phase: extra.phase ?? 2,
    ...(location === undefined ? {} : { location }),
    ...(extra.help === undefined ? {} : { help: extra.help }),
    ...(extra.notes === undefined ? {} : { notes: extra.notes }),
  };
}

/**
 * Records an error diagnostic.
 *
 * @example
 * ```ts
 * reportError(checker, "CFG-006", "duplicate key `tags`", keyLocation);
 * ```
 */
export function reportError(
  checker: FileChecker,
  rule: string,
  message: string,
  location: DiagnosticLocation | undefined,
  extra: ReportExtra = {},
): void {
  checker.diagnostics.push(errorDiagnostic(rule, message, extraParts(location, extra)));
  checker.errorCount++;
}

/**
 * Records a warning diagnostic.
 *
 * @example
 * ```ts
 * reportWarning(checker, "ID-006", "no project carries the tag `heavy`", keyLocation);
 * ```
 */
export function reportWarning(
  checker: FileChecker,
  rule: string,
  message: string,
  location: DiagnosticLocation | undefined,
  extra: ReportExtra = {},
): void {
  checker.diagnostics.push(warningDiagnostic(rule, message, extraParts(location, extra)));
}

/**
 * The text of a key: a string's value, the source text of any other scalar (`1`, `true`), or the first
 * line of a collection's source.
 *
 * @example
 * ```ts
 * // key `1:` → "1"; key `"a b":` → "a b"
 * ```
 */
export function keyText(file: YamlFile, key: Node | null): string {
  if (key === null) return "";
  const node = resolveAlias(file, key);
  if (isScalar(node)) {
    return typeof node.value === "string" ? node.value : sourceText(file, node);
  }
  return sourceText(file, node).split("\n")[0];
}

/**
 * Wraps a written node as a value; an empty value is located at `fallback` (its key).
 *
 * @example
 * ```ts
 * const value = valueOf(checker.file, pair.value as Node | null, keyLocation);
 * ```
 */
export function valueOf(file: YamlFile, written: Node | null, fallback: DiagnosticLocation): YamlValue {
  if (written === null) return { written, node: null, location: fallback };
  const node = resolveAlias(file, written);
  const empty = isScalar(written) && written.range && written.range[0] === written.range[1];
  return { written, node, location: empty ? fallback : locateNode(file, written) };
}

/**
 * The kind of a value (CFG-004 words via `describeKind`).
 *
 * @example
 * ```ts
 * valueKind(checker, value); // "list"
 * ```
 */
export function valueKind(checker: FileChecker, value: YamlValue): YamlKind {
  return kindOf(checker.file, value.node);
}

/**
 * The entries of a mapping in source order. A key repeated is CFG-006 on its second occurrence,
 * and only the first occurrence is returned (`onRepeat` hears of the others).
 *
 * @example
 * ```ts
 * for (const entry of mapEntries(checker, root)) entry.key;
 * ```
 */
export function mapEntries(
  checker: FileChecker,
  map: YAMLMap,
  onRepeat?: (entry: MapEntry) => void,
): MapEntry[] {
  const seen = new Set<string>();
  const entries: MapEntry[] = [];
  for (const pair of map.items) {
    const keyNode = (pair.key ?? null) as Node | null;
    const key = keyText(checker.file, keyNode);
    const keyLocation = keyNode === null ? locateNode(checker.file, map) : locateNode(checker.file, keyNode);
    const entry = {
      key,
      keyLocation,
      value: valueOf(checker.file, (pair.value ?? null) as Node | null, keyLocation),
    };
    if (seen.has(key)) {
      reportError(checker, "CFG-006", `duplicate key \`${key}\``, keyLocation);
      onRepeat?.(entry);
      continue;
    }
    seen.add(key);
    entries.push(entry);
  }
  return entries;
}

/**
 * The items of a list, each with its location.
 *
 * @example
 * ```ts
 * listItems(checker, seq).map((item) => item.location.column);
 * ```
 */
export function listItems(checker: FileChecker, seq: YAMLSeq): YamlValue[] {
  const listLocation = locateNode(checker.file, seq);
  return seq.items.map((item) => valueOf(checker.file, (item ?? null) as Node | null, listLocation));
}
