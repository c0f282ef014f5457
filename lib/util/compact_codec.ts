/**
 * A compact text encoding of a value graph (plain objects, arrays, `Map`, `Set`, `RegExp`, strings,
 * numbers, booleans, `null`, `undefined`, bigints), used by the workspace snapshot (06-architecture.md PERF-001).
 *
 * The value is flattened into one JSON array (a "tape"): strings, booleans and `null` stand for
 * themselves, every other value starts with a numeric tag. An object's key list (its shape) is written
 * once and referred to by number afterwards, and an object met again is written as a reference to its
 * first occurrence, so shared parts stay shared after decoding. A few hundred thousand small objects
 * encode several times faster than with a structured-clone serializer, which writes every key of every
 * object and walks each object through the engine's generic property machinery.
 *
 * @module
 */

const NUMBER = 0;
const UNDEFINED = 1;
const ARRAY = 2;
const NEW_SHAPE = 3;
const KNOWN_SHAPE = 4;
const MAP = 5;
const SET = 6;
const REFERENCE = 7;
const BIGINT = 8;
/** NaN, ±Infinity and -0, which JSON cannot hold as numbers. */
const SPECIAL_NUMBER = 9;
const REGEXP = 10;

type TapeEntry = string | number | boolean | null;

/**
 * Encodes `value` as text that {@linkcode decodeCompact} turns back into an equal value graph. Throws a
 * `TypeError` on anything else than the kinds listed in the module documentation (other class
 * instances, functions, symbols).
 *
 * @example
 * ```ts
 * const text = encodeCompact({ tasks: new Map([["a", { deps: [] }]]) });
 * decodeCompact(text); // { tasks: Map { "a" => { deps: [] } } }
 * ```
 */
export function encodeCompact(value: unknown): string {
  const tape: TapeEntry[] = [];
  const ids = new Map<object, number>();
  const shapes = new Map<string, number>();
  const write = (item: unknown): void => {
    switch (typeof item) {
      case "string":
      case "boolean":
        tape.push(item);
        return;
      case "number":
        if (Number.isFinite(item) && !Object.is(item, -0)) tape.push(NUMBER, item);
        else tape.push(SPECIAL_NUMBER, String(Object.is(item, -0) ? "-0" : item));
        return;
      case "undefined":
        tape.push(UNDEFINED);
        return;
      case "bigint":
        tape.push(BIGINT, item.toString());
        return;
      case "object":
        break;
      default:
        throw new TypeError(`encodeCompact: cannot encode a ${typeof item}`);
    }
    if (item === null) {
      tape.push(null);
      return;
    }
    const known = ids.get(item);
    if (known !== undefined) {
      tape.push(REFERENCE, known);
      return;
    }
    ids.set(item, ids.size);
    if (Array.isArray(item)) {
      tape.push(ARRAY, item.length);
      for (let index = 0; index < item.length; index++) write(item[index]);
      return;
    }
    if (item instanceof Map) {
      tape.push(MAP, item.size);
      for (const [key, entry] of item) {
        write(key);
        write(entry);
      }
      return;
    }
    if (item instanceof Set) {
      tape.push(SET, item.size);
      for (const entry of item) write(entry);
      return;
    }
    if (item instanceof RegExp) {
      tape.push(REGEXP, item.source, item.flags);
      return;
    }
    const prototype = Object.getPrototypeOf(item);
    if (prototype !== Object.prototype && prototype !== null) {
      throw new TypeError("encodeCompact: cannot encode a class instance");
    }
    const keys = Object.keys(item);
    const shapeKey = keys.join("\0");
    const shape = shapes.get(shapeKey);
    if (shape === undefined) {
      shapes.set(shapeKey, shapes.size);
      tape.push(NEW_SHAPE, keys.length);
      for (const key of keys) tape.push(key);
    } else {
      tape.push(KNOWN_SHAPE, shape);
    }
    const record = item as Record<string, unknown>;
    for (const key of keys) write(record[key]);
  };
  write(value);
  return JSON.stringify(tape);
}

/**
 * Decodes text written by {@linkcode encodeCompact}. Throws on text it did not write.
 *
 * @example
 * ```ts
 * decodeCompact(encodeCompact([1n, new Set(["x"])])); // [1n, Set { "x" }]
 * ```
 */
export function decodeCompact(text: string): unknown {
  const tape = JSON.parse(text) as TapeEntry[];
  if (!Array.isArray(tape)) throw new TypeError("decodeCompact: not a tape");
  const objects: unknown[] = [];
  const shapes: string[][] = [];
  let cursor = 0;
  const count = (): number => {
    const entry = tape[cursor++];
    if (typeof entry !== "number") throw new TypeError("decodeCompact: corrupt tape");
    return entry;
  };
  const object = (keys: readonly string[]): Record<string, unknown> => {
    const record: Record<string, unknown> = {};
    objects.push(record);
    for (const key of keys) {
      // An own `__proto__` key (JSON can make one) must stay a key, not become the prototype.
      if (key === "__proto__") {
        Object.defineProperty(record, key, {
          value: read(),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else record[key] = read();
    }
    return record;
  };
  const read = (): unknown => {
    if (cursor >= tape.length) throw new TypeError("decodeCompact: truncated tape");
    const entry = tape[cursor++];
    if (typeof entry !== "number") return entry;
    switch (entry) {
      case NUMBER:
        return count();
      case UNDEFINED:
        return undefined;
      case ARRAY: {
        const items: unknown[] = new Array(count());
        objects.push(items);
        for (let index = 0; index < items.length; index++) items[index] = read();
        return items;
      }
      case NEW_SHAPE: {
        const keys: string[] = new Array(count());
        for (let index = 0; index < keys.length; index++) keys[index] = String(tape[cursor++]);
        shapes.push(keys);
        return object(keys);
      }
      case KNOWN_SHAPE: {
        const keys = shapes[count()];
        if (keys === undefined) throw new TypeError("decodeCompact: unknown shape");
        return object(keys);
      }
      case MAP: {
        const map = new Map<unknown, unknown>();
        objects.push(map);
        const size = count();
        for (let index = 0; index < size; index++) {
          const key = read();
          map.set(key, read());
        }
        return map;
      }
      case SET: {
        const set = new Set<unknown>();
        objects.push(set);
        const size = count();
        for (let index = 0; index < size; index++) set.add(read());
        return set;
      }
      case REFERENCE: {
        const id = count();
        if (id >= objects.length) throw new TypeError("decodeCompact: dangling reference");
        return objects[id];
      }
      case BIGINT:
        return BigInt(String(tape[cursor++]));
      case SPECIAL_NUMBER:
        return Number(String(tape[cursor++]));
      case REGEXP: {
        const pattern = new RegExp(String(tape[cursor]), String(tape[cursor + 1]));
        cursor += 2;
        objects.push(pattern);
        return pattern;
      }
      default:
        throw new TypeError("decodeCompact: corrupt tape");
    }
  };
  const value = read();
  if (cursor !== tape.length) throw new TypeError("decodeCompact: trailing data");
  return value;
}
