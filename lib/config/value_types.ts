/**
 * The value types the file schemas are written in (01-workspace.md §2): each reads one value, checking
 * its kind (CFG-004), null (CFG-005), duplicate entries (CFG-007), scalars as strings and U+0000
 * (CFG-008), enumerations with "did you mean" (DIAG-009), durations (CFG-034) and sizes (CFG-035);
 * `mappingOf` reads a nested mapping through its own schema.
 *
 * @module
 */

import { isMap, isScalar, isSeq, type YAMLMap, type YAMLSeq } from "yaml";
import type { DiagnosticLocation } from "../domain/diagnostic.ts";
import { parseDuration } from "../domain/duration.ts";
import { checkEnvEntry } from "../domain/env_pattern.ts";
import { parseSize } from "../domain/size.ts";
import { didYouMean } from "../util/did_you_mean.ts";
import {
  type FileChecker,
  listItems,
  type MappingSchema,
  reportError,
  type ValueReader,
  walkMapping,
  type YamlValue,
} from "./schema_walker.ts";
import { describeKind, kindOf, sourceText, type YamlKind } from "./yaml_source.ts";

/** A string taken from a list, with where it was written. */
export interface LocatedString {
  readonly text: string;
  readonly location: DiagnosticLocation;
}

/** Options of {@linkcode stringList}. */
export interface StringListOptions {
  /** CFG-008: accept plain numbers and booleans as their source text (`command`). */
  readonly coerceScalars?: boolean;
  /** Extra help for an element of the wrong kind (e.g. an unquoted `[tag]:task`). */
  readonly elementHelp?: (item: YamlValue) => string | undefined;
}

const NULL_HELP_COLLECTION = "omit the key, or write `[]` / `{}`";
const NULL_HELP_SCALAR = "omit the key";

/**
 * The CFG-004 message `` `<key>` must be <expected>, found <actual> ``.
 *
 * @example
 * ```ts
 * typeMessage("tags", "a list of strings", "integer"); // "`tags` must be a list of strings, found an integer"
 * ```
 */
export function typeMessage(key: string, expected: string, found: YamlKind): string {
  return `\`${key}\` must be ${expected}, found ${describeKind(found)}`;
}

/**
 * Joins allowed values for a message: "`a` or `b`", "`a`, `b` or `c`".
 *
 * @example
 * ```ts
 * formatAlternatives(["live", "buffered"]); // "`live` or `buffered`"
 * ```
 */
export function formatAlternatives(values: readonly string[]): string {
  const quoted = values.map((value) => `\`${value}\``);
  return quoted.length <= 1 ? quoted.join("") : `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`;
}

/**
 * How a rejected value is printed after "found": strings in backticks, other scalars as written.
 *
 * @example
 * ```ts
 * foundText(checker, value); // "`buffer`" or "0"
 * ```
 */
export function foundText(checker: FileChecker, value: YamlValue): string {
  const node = value.node;
  if (node !== null && isScalar(node) && typeof node.value === "string") return `\`${node.value}\``;
  return node === null ? "null" : sourceText(checker.file, node);
}

/**
 * CFG-004/005: reports a value whose kind is not one of `kinds` (null is CFG-005, with help) and
 * tells whether it was acceptable.
 *
 * @example
 * ```ts
 * if (expectKinds(checker, "cache", value, ["boolean"], "a boolean")) { … }
 * ```
 */
export function expectKinds(
  checker: FileChecker,
  key: string,
  value: YamlValue,
  kinds: readonly YamlKind[],
  expected: string,
  options: { readonly rule?: string; readonly help?: string } = {},
): boolean {
  const kind = valueKind(checker, value);
  if (kinds.includes(kind)) return true;
  if (kind === "null") {
    const collection = kinds.includes("list") || kinds.includes("mapping");
    reportError(checker, "CFG-005", typeMessage(key, expected, kind), value.location, {
      help: collection ? NULL_HELP_COLLECTION : NULL_HELP_SCALAR,
    });
    return false;
  }
  reportError(checker, options.rule ?? "CFG-004", typeMessage(key, expected, kind), value.location, {
    ...(options.help === undefined ? {} : { help: options.help }),
  });
  return false;
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
 * A nested mapping (CFG-004/005) read through its own schema: every field, defaults filled in.
 *
 * @example
 * ```ts
 * const readOutput = mappingOf({ context: () => "`output`", fields: { mode: { read: enumOf(["live", "buffered"], "CFG-030"), default: "live" } } });
 * readOutput(checker, "output", value, null); // { mode: "buffered" } for `output: {mode: buffered}`
 * ```
 */
export function mappingOf<S, C>(schema: MappingSchema<S, C>): ValueReader<S, C> {
  return (checker, key, value, context) => {
    if (!expectKinds(checker, key, value, ["mapping"], "a mapping")) return null;
    return walkMapping(checker, schema, value.node as YAMLMap, context).values;
  };
}

/** CFG-008: no string may contain U+0000. */
function checkNul(checker: FileChecker, key: string, text: string, location: DiagnosticLocation): boolean {
  if (!text.includes("\u0000")) return true;
  reportError(checker, "CFG-008", `\`${key}\` must not contain the character U+0000`, location);
  return false;
}

/**
 * A string value without coercion (CFG-004/005/008); null when invalid.
 *
 * @example
 * ```ts
 * const description = stringValue(checker, "description", value);
 * ```
 */
export function stringValue(checker: FileChecker, key: string, value: YamlValue): string | null {
  if (!expectKinds(checker, key, value, ["string"], "a string")) return null;
  const text = String((value.node as { value: unknown }).value);
  return checkNul(checker, key, text, value.location) ? text : null;
}

/**
 * A string where CFG-008 accepts plain numbers and booleans as their exact source text.
 *
 * @example
 * ```ts
 * // `PORT: 0x50` → "0x50"
 * const port = coercedString(checker, "PORT", value);
 * ```
 */
export function coercedString(checker: FileChecker, key: string, value: YamlValue): string | null {
  const kind = valueKind(checker, value);
  if (kind === "integer" || kind === "number" || kind === "boolean") {
    return sourceText(checker.file, value.node!);
  }
  return stringValue(checker, key, value);
}

/**
 * A list of strings (CFG-004/005/008): the valid elements in order. A wrong element is located on itself
 * and named by the list's key. Returns null when the value is not a list at all.
 *
 * @example
 * ```ts
 * const tags = stringList(checker, "tags", value);
 * ```
 */
export function stringList(
  checker: FileChecker,
  key: string,
  value: YamlValue,
  options: StringListOptions = {},
): LocatedString[] | null {
  if (!expectKinds(checker, key, value, ["list"], "a list of strings")) return null;
  const strings: LocatedString[] = [];
  for (const item of listItems(checker, value.node as YAMLSeq)) {
    const kind = valueKind(checker, item);
    if (options.coerceScalars && (kind === "integer" || kind === "number" || kind === "boolean")) {
      strings.push({ text: sourceText(checker.file, item.node!), location: item.location });
      continue;
    }
    if (kind !== "string") {
      const help = options.elementHelp?.(item);
      reportError(checker, "CFG-004", typeMessage(key, "a list of strings", kind), item.location, {
        ...(help === undefined ? {} : { help }),
      });
      continue;
    }
    const text = String((item.node as { value: unknown }).value);
    if (checkNul(checker, key, text, item.location)) strings.push({ text, location: item.location });
  }
  return strings;
}

/**
 * CFG-007: reports the second and later of equal entries (compared by `identity`) and returns the
 * first occurrences.
 *
 * @example
 * ```ts
 * const unique = withoutDuplicates(checker, "tags", tags, (tag) => tag.text);
 * ```
 */
export function withoutDuplicates<T extends LocatedString>(
  checker: FileChecker,
  key: string,
  items: readonly T[],
  identity: (item: T) => string,
): T[] {
  // One entry cannot repeat (most lists hold one).
  if (items.length < 2) return [...items];
  const seen = new Set<string>();
  const unique: T[] = [];
  for (const item of items) {
    const id = identity(item);
    if (seen.has(id)) {
      reportError(checker, "CFG-007", `duplicate entry \`${item.text}\` in \`${key}\``, item.location);
      continue;
    }
    seen.add(id);
    unique.push(item);
  }
  return unique;
}

/**
 * A string from a fixed set, reported under `rule` when outside it (with DIAG-009 help) and as CFG-004
 * when not a string.
 *
 * @example
 * ```ts
 * enumValue(checker, "mode", value, ["live", "buffered"], "CFG-030"); // "buffered" or null
 * ```
 */
export function enumValue<T extends string>(
  checker: FileChecker,
  key: string,
  value: YamlValue,
  allowed: readonly T[],
  rule: string,
): T | null {
  const text = stringValue(checker, key, value);
  if (text === null) return null;
  if ((allowed as readonly string[]).includes(text)) return text as T;
  const candidate = didYouMean(text, allowed);
  reportError(
    checker,
    rule,
    `\`${key}\` must be ${formatAlternatives(allowed)}, found ${foundText(checker, value)}`,
    value.location,
    candidate === null ? {} : { help: `did you mean \`${candidate}\`?` },
  );
  return null;
}

/**
 * Whether a value is a collection written in flow style starting with `[` (an unquoted `[tag]:task`).
 *
 * @example
 * ```ts
 * startsWithBracket(checker, item); // true for `[lib]:build` inside a flow list
 * ```
 */
export function startsWithBracket(checker: FileChecker, value: YamlValue): boolean {
  const node = value.node;
  if (node === null || !(isMap(node) || isSeq(node))) return false;
  return sourceText(checker.file, value.written ?? node).startsWith("[");
}

/**
 * CFG-034: a duration string, in seconds; a YAML integer gets the "add a unit" help.
 *
 * @example
 * ```ts
 * durationValue(checker, "max_age", value); // 604800 for `7d`
 * ```
 */
export function durationValue(checker: FileChecker, key: string, value: YamlValue): number | null {
  if (valueKind(checker, value) === "integer") {
    reportError(
      checker,
      "CFG-034",
      `\`${key}\` must be a duration string, found an integer`,
      value.location,
      { help: "add a unit, e.g. `300s`" },
    );
    return null;
  }
  if (!expectKinds(checker, key, value, ["string"], "a string")) return null;
  const seconds = parseDuration(String((value.node as { value: unknown }).value));
  if (seconds !== null) return seconds;
  reportError(
    checker,
    "CFG-034",
    `\`${key}\` must be a duration such as \`90s\`, \`10m\` or \`7d\`, found ${foundText(checker, value)}`,
    value.location,
    { help: "write digits and one unit: s, m, h, d or w" },
  );
  return null;
}

/**
 * A list of environment variable names or `PREFIX*` wildcards (CFG-032/033 each, ADOPT-101, CFG-007
 * duplicates).
 *
 * @example
 * ```ts
 * envNameList(checker, "pass_through", value); // ["CI"]
 * ```
 */
export function envNameList(checker: FileChecker, key: string, value: YamlValue): string[] {
  const names = stringList(checker, key, value) ?? [];
  const valid = names.filter((name) => {
    const problem = checkEnvEntry(name.text);
    if (problem !== null) reportError(checker, problem.rule, problem.message, name.location);
    return problem === null;
  });
  return withoutDuplicates(checker, key, valid, (name) => name.text).map((name) => name.text);
}

/**
 * CFG-035: a size, a YAML integer ≥ 0 or a string with an optional unit, at most 2^53−1 bytes.
 *
 * @example
 * ```ts
 * sizeValue(checker, "max_size", value); // 10737418240 for `10GiB`
 * ```
 */
export function sizeValue(checker: FileChecker, key: string, value: YamlValue): number | null {
  if (!expectKinds(checker, key, value, ["string", "integer"], "a string or an integer")) return null;
  const raw = (value.node as { value: unknown }).value;
  const bytes = valueKind(checker, value) === "integer" ? Number(raw) : parseSize(String(raw));
  if (bytes !== null && Number.isSafeInteger(bytes) && bytes >= 0 && bytes <= Number.MAX_SAFE_INTEGER) {
    return bytes;
  }
  reportError(
    checker,
    "CFG-035",
    `\`${key}\` must be a size such as \`1024\`, \`500MB\` or \`10GiB\`, found ${foundText(checker, value)}`,
    value.location,
    { help: "write digits and an optional unit: B, KB, MB, GB, KiB, MiB, GiB or TiB" },
  );
  return null;
}

/**
 * A string from a fixed set, as a field type (see {@linkcode enumValue}).
 *
 * @example
 * ```ts
 * const mode = { read: enumOf(["live", "buffered"], "CFG-030"), default: "live" };
 * ```
 */
export function enumOf<T extends string>(allowed: readonly T[], rule: string): ValueReader<T, unknown> {
  return (checker, key, value) => enumValue(checker, key, value, allowed, rule);
}

/**
 * A boolean (CFG-004/005).
 *
 * @example
 * ```ts
 * const cache = { read: booleanValue, default: true };
 * ```
 */
export function booleanValue(checker: FileChecker, key: string, value: YamlValue): boolean | null {
  if (!expectKinds(checker, key, value, ["boolean"], "a boolean")) return null;
  return (value.node as { value: unknown }).value === true;
}

/**
 * A duration of at least `minSeconds`, in milliseconds: CFG-034 for its form, `rule` below the
 * minimum (a task's `timeout` is CFG-022, a service's `ready.timeout` SVC-007).
 *
 * @example
 * ```ts
 * const timeout = { read: durationAtLeast(1, "CFG-022"), default: null };
 * ```
 */
export function durationAtLeast(minSeconds: number, rule: string): ValueReader<number, unknown> {
  return (checker, key, value) => {
    const seconds = durationValue(checker, key, value);
    if (seconds === null) return null;
    if (seconds >= minSeconds) return seconds * 1000;
    const written = String((value.node as { value: unknown }).value);
    reportError(
      checker,
      rule,
      `\`${key}\` must be at least \`${minSeconds}s\`, found \`${written}\``,
      value.location,
    );
    return null;
  };
}
