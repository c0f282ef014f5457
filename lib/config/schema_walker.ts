/**
 * The one walk of a configuration file (01-workspace.md §2): a mapping's keys are indexed once
 * (CFG-006 for repeated keys, CFG-003 for keys its schema does not declare, DIAG-009 help), then each
 * declared field is read once by the reader its schema names, with the schema's default when absent.
 * Also the diagnostics collector of one file. Positions are computed only when a diagnostic or a
 * result needs them: most values of a valid file never need one.
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
import { didYouMean } from "../util/did_you_mean.ts";
import { locateNode, resolveAlias, sourceText, type YamlFile } from "./yaml_source.ts";

/** The `invalid` set of a mapping whose values were all valid. */
const NO_KEYS: ReadonlySet<string> = new Set();

/** Collects the diagnostics of one file (phase 2 unless told otherwise). */
export interface FileChecker {
  readonly file: YamlFile;
  readonly diagnostics: Diagnostic[];
  /** Errors reported so far; a reader compares it before and after to know whether it failed. */
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
 * Reads one value: checks its kind (CFG-004/005) and its own rules, and converts it; null when it is
 * invalid (the reader has reported why).
 */
export type ValueReader<T, C> = (checker: FileChecker, key: string, value: YamlValue, context: C) => T | null;

/** One declared key: how its value is read and what it is when absent (or invalid). */
export interface FieldSchema<T, C> {
  readonly read: ValueReader<T, C>;
  readonly default: T;
}

/** The fields of a mapping, in schema order (DIAG-009 prefers the earlier key on ties). */
export type Fields<S, C> = { readonly [K in keyof S]: FieldSchema<S[K], C> };

/** The declarative description of one mapping of a configuration file. */
export interface MappingSchema<S, C> {
  /** How CFG-003 names the mapping: `haz.yml`, `` `cache` ``, `` task `build` ``. */
  readonly context: (context: C) => string;
  readonly fields: Fields<S, C>;
  /** DIAG-009 synonyms for the "did you mean" help of an unknown key. */
  readonly synonyms?: Readonly<Record<string, string>>;
  /** Keys refused with a help of their own (CFG-003), e.g. secrets that belong in the environment. */
  readonly refused?: { readonly keys: readonly string[]; readonly help: string };
}

/** A mapping indexed against its schema. */
export interface IndexedMapping {
  /** The declared keys present, first occurrences only, in source order. */
  readonly present: Map<string, MapEntry>;
}

/** The fields of a mapping as read. */
export interface ReadMapping<S> {
  /** Every field: the value read, or the default when absent or invalid. */
  readonly values: S;
  /** The declared keys present (after any rule removed some), in source order. */
  readonly present: ReadonlyMap<string, MapEntry>;
  /** Present keys whose value was invalid. */
  readonly invalid: ReadonlySet<string>;
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

/** Where an empty value is located instead (its key, or its list). */
interface FallbackLocation {
  fallbackLocation(): DiagnosticLocation;
}

/** A value whose location is computed on first use. */
class LocatedValue implements YamlValue {
  readonly written: Node | null;
  readonly node: Node | null;
  readonly #file: YamlFile;
  readonly #fallback: FallbackLocation;
  #location: DiagnosticLocation | undefined;

  constructor(file: YamlFile, written: Node | null, fallback: FallbackLocation) {
    this.#file = file;
    this.written = written;
    this.node = written === null ? null : resolveAlias(file, written);
    this.#fallback = fallback;
  }

  get location(): DiagnosticLocation {
    if (this.#location === undefined) {
      const written = this.written;
      const empty = written === null ||
        (isScalar(written) && written.range && written.range[0] === written.range[1]);
      this.#location = empty ? this.#fallback.fallbackLocation() : locateNode(this.#file, written!);
    }
    return this.#location;
  }
}

/** A mapping entry whose key location is computed on first use; its empty value is located on the key. */
class LocatedEntry implements MapEntry, FallbackLocation {
  readonly key: string;
  readonly value: YamlValue;
  readonly #file: YamlFile;
  readonly #keyNode: Node;
  #keyLocation: DiagnosticLocation | undefined;

  constructor(file: YamlFile, key: string, keyNode: Node, written: Node | null) {
    this.#file = file;
    this.key = key;
    this.#keyNode = keyNode;
    this.value = new LocatedValue(file, written, this);
  }

  get keyLocation(): DiagnosticLocation {
    this.#keyLocation ??= locateNode(this.#file, this.#keyNode);
    return this.#keyLocation;
  }

  fallbackLocation(): DiagnosticLocation {
    return this.keyLocation;
  }
}

/**
 * Wraps a written node as a value; an empty value is located at `fallback` (its key or its list).
 *
 * @example
 * ```ts
 * const value = valueOf(checker.file, pair.value as Node | null, () => keyLocation);
 * ```
 */
export function valueOf(file: YamlFile, written: Node | null, fallback: () => DiagnosticLocation): YamlValue {
  return new LocatedValue(file, written, { fallbackLocation: fallback });
}

/**
 * The entries of a mapping in source order. A key repeated is CFG-006 on its second occurrence, and
 * only the first occurrence is returned (`onRepeat` hears of the others).
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
  const file = checker.file;
  for (const pair of map.items) {
    const keyNode = (pair.key ?? null) as Node | null;
    const key = keyText(file, keyNode);
    const entry = new LocatedEntry(file, key, keyNode ?? map, (pair.value ?? null) as Node | null);
    if (seen.has(key)) {
      reportError(checker, "CFG-006", `duplicate key \`${key}\``, entry.keyLocation);
      onRepeat?.(entry);
      continue;
    }
    seen.add(key);
    entries.push(entry);
  }
  return entries;
}

/**
 * The items of a list, each located on itself (an empty item on the list).
 *
 * @example
 * ```ts
 * listItems(checker, seq).map((item) => item.location.column);
 * ```
 */
export function listItems(checker: FileChecker, seq: YAMLSeq): YamlValue[] {
  const file = checker.file;
  let listLocation: DiagnosticLocation | undefined;
  const fallback = { fallbackLocation: () => listLocation ??= locateNode(file, seq) };
  return seq.items.map((item) => new LocatedValue(file, (item ?? null) as Node | null, fallback));
}

/**
 * Indexes a mapping against its schema in one pass over its keys: CFG-006 for a repeated key,
 * CFG-003 (with DIAG-009 help) for a key the schema does not declare. A null map (an empty file)
 * has no keys.
 *
 * @example
 * ```ts
 * const { present } = indexMapping(checker, TASK_BODY, body, { projectRoot: "/web", task: "build" });
 * present.has("command"); // true for `build: {command: [tsc]}`
 * ```
 */
export function indexMapping<S, C>(
  checker: FileChecker,
  schema: MappingSchema<S, C>,
  map: YAMLMap | null,
  context: C,
  onRepeat?: (entry: MapEntry) => void,
): IndexedMapping {
  const present = new Map<string, MapEntry>();
  if (map === null) return { present };
  for (const entry of mapEntries(checker, map, onRepeat)) {
    if (Object.hasOwn(schema.fields, entry.key)) {
      present.set(entry.key, entry);
      continue;
    }
    if (schema.refused?.keys.includes(entry.key)) {
      reportError(
        checker,
        "CFG-003",
        `unknown key \`${entry.key}\` in ${schema.context(context)}`,
        entry.keyLocation,
        {
          help: schema.refused.help,
        },
      );
      continue;
    }
    const synonyms = schema.synonyms;
    const declared = Object.keys(schema.fields);
    const candidate = didYouMean(entry.key, declared, synonyms === undefined ? {} : { synonyms });
    reportError(
      checker,
      "CFG-003",
      `unknown key \`${entry.key}\` in ${schema.context(context)}`,
      entry.keyLocation,
      {
        ...(candidate === null ? {} : { help: `did you mean \`${candidate}\`?` }),
      },
    );
  }
  return { present };
}

/**
 * Reads every field of an indexed mapping once, in schema order: a present key through its reader
 * (its default when invalid), an absent key as its default. Fields in `preset` were read already.
 *
 * @example
 * ```ts
 * const { values } = readFields(checker, TASK_BODY, present, context, { service });
 * values.cache; // true when `cache` is absent
 * ```
 */
export function readFields<S, C>(
  checker: FileChecker,
  schema: MappingSchema<S, C>,
  present: ReadonlyMap<string, MapEntry>,
  context: C,
  preset: Partial<S> = {},
): ReadMapping<S> {
  const values = {} as Record<string, unknown>;
  // Most mappings have no invalid key: they share one empty set.
  let invalid: Set<string> | undefined;
  const fields = schema.fields as Record<string, FieldSchema<unknown, C>>;
  for (const key in fields) {
    const field = fields[key];
    if (Object.hasOwn(preset, key)) {
      values[key] = (preset as Record<string, unknown>)[key];
      continue;
    }
    const entry = present.get(key);
    if (entry === undefined) {
      values[key] = field.default;
      continue;
    }
    const read = field.read(checker, key, entry.value, context);
    if (read === null) (invalid ??= new Set()).add(key);
    values[key] = read ?? field.default;
  }
  return { values: values as S, present, invalid: invalid ?? NO_KEYS };
}

/**
 * Indexes and reads a mapping in one go (no rule between the two steps).
 *
 * @example
 * ```ts
 * walkMapping(checker, SETTINGS_FILE, root, null).values.output.mode; // "live" when absent
 * ```
 */
export function walkMapping<S, C>(
  checker: FileChecker,
  schema: MappingSchema<S, C>,
  map: YAMLMap | null,
  context: C,
): ReadMapping<S> {
  return readFields(checker, schema, indexMapping(checker, schema, map, context).present, context);
}
