/**
 * Identifiers and environment variable names (01-workspace.md §8: ID-001..005, CFG-032/033).
 *
 * @module
 */

/** Why a text is not an identifier; `message` is the §8 text, e.g. ``name `a b` contains ` `; …``. */
export interface NameProblem {
  readonly rule: "ID-001" | "ID-002" | "ID-003";
  readonly message: string;
}

/** Why a text is not an environment variable name. */
export interface EnvNameProblem {
  readonly rule: "CFG-032" | "CFG-033";
  readonly message: string;
}

/** ID-003: the maximum length of an identifier in UTF-8 bytes. */
export const MAX_IDENTIFIER_BYTES = 64;

/** CFG-033: the maximum length of an environment variable name in bytes. */
export const MAX_ENV_NAME_BYTES = 256;

const IDENTIFIER_CHARACTER = /^[A-Za-z0-9_-]$/;
const VALID_ASCII_IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const LETTER_OR_DIGIT = /^[A-Za-z0-9]$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Counts the UTF-8 bytes of a text.
 *
 * @example
 * ```ts
 * utf8Length("naïve"); // 6
 * ```
 */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const character of text) {
    const codePoint = character.codePointAt(0)!;
    bytes += codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/**
 * Checks ID-001..003 and returns the first problem, or null for a valid identifier.
 * Length is checked first, then the characters, then the first character.
 *
 * @example
 * ```ts
 * checkIdentifier("lib_core"); // null
 * checkIdentifier("-x")?.rule; // "ID-002"
 * ```
 */
export function checkIdentifier(name: string): NameProblem | null {
  // The usual case in one test: ASCII only (one byte per character), allowed characters, allowed start.
  if (name.length <= MAX_IDENTIFIER_BYTES && VALID_ASCII_IDENTIFIER.test(name)) return null;
  if (name === "") return { rule: "ID-003", message: "name is empty" };
  const bytes = utf8Length(name);
  if (bytes > MAX_IDENTIFIER_BYTES) {
    return {
      rule: "ID-003",
      message: `name \`${name}\` is ${bytes} bytes long; maximum is ${MAX_IDENTIFIER_BYTES}`,
    };
  }
  for (const character of name) {
    if (!IDENTIFIER_CHARACTER.test(character)) {
      return {
        rule: "ID-001",
        message:
          `name \`${name}\` contains \`${character}\`; allowed are ASCII letters, digits, \`_\` and \`-\``,
      };
    }
  }
  if (!LETTER_OR_DIGIT.test(name[0])) {
    return { rule: "ID-002", message: `name \`${name}\` must start with an ASCII letter or digit` };
  }
  return null;
}

/**
 * Whether a text satisfies ID-001..003.
 *
 * @example
 * ```ts
 * isIdentifier("X-1"); // true
 * isIdentifier("a.b"); // false
 * ```
 */
export function isIdentifier(name: string): boolean {
  return checkIdentifier(name) === null;
}

/**
 * Checks CFG-032 (`[A-Za-z_][A-Za-z0-9_]*`) and CFG-033 (at most 256 bytes).
 *
 * @example
 * ```ts
 * checkEnvName("LC_ALL"); // null
 * checkEnvName("A-B")?.message; // "`A-B` is not a valid environment variable name"
 * ```
 */
export function checkEnvName(name: string): EnvNameProblem | null {
  if (!ENV_NAME.test(name)) {
    return { rule: "CFG-032", message: `\`${name}\` is not a valid environment variable name` };
  }
  // The pattern admits ASCII only, so the string length is the byte length.
  if (name.length > MAX_ENV_NAME_BYTES) {
    return {
      rule: "CFG-033",
      message:
        `environment variable name \`${name}\` is ${name.length} bytes long; maximum is ${MAX_ENV_NAME_BYTES}`,
    };
  }
  return null;
}

/**
 * ID-005 (`haz init` only): derives a project name from a directory basename, or null when nothing is left.
 *
 * @example
 * ```ts
 * deriveProjectName("My App!"); // "My-App"
 * deriveProjectName("日本"); // null
 * ```
 */
export function deriveProjectName(basename: string): string | null {
  let replaced = "";
  for (const character of basename) {
    replaced += IDENTIFIER_CHARACTER.test(character) ? character : "-";
  }
  const collapsed = replaced.replace(/-+/g, "-");
  const firstLetterOrDigit = collapsed.search(/[A-Za-z0-9]/);
  if (firstLetterOrDigit < 0) return null;
  const trimmed = collapsed.slice(firstLetterOrDigit).replace(/-+$/, "");
  // Every remaining character is ASCII, so slicing by UTF-16 units truncates by bytes.
  const truncated = trimmed.slice(0, MAX_IDENTIFIER_BYTES);
  return truncated === "" ? null : truncated;
}
