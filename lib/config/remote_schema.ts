/**
 * The schema of `cache.remote` in `.haz/workspace.yml` (07-remote-cache.md REMOTE-010..017).
 *
 * @module
 */

import { checkIdentifier } from "../domain/identifier.ts";
import { hasUserInfo, hideUserInfo, normaliseRemoteUrl, REMOTE_MODES } from "../domain/remote_url.ts";
import { DEFAULT_REMOTE_CACHE_SETTINGS, type RemoteCacheSettings } from "../domain/workspace.ts";
import {
  type FileChecker,
  type MappingSchema,
  reportError,
  type ValueReader,
  type YamlValue,
} from "./schema_walker.ts";
import {
  booleanValue,
  durationValue,
  enumOf,
  expectKinds,
  foundText,
  mappingOf,
  sizeValue,
  stringValue,
  valueKind,
} from "./value_types.ts";

const SECRET_HELP = "secrets are read from the environment (HAZ_REMOTE_CACHE_TOKEN, " +
  "HAZ_REMOTE_CACHE_SIGNATURE_KEY), never from a file";
const MAX_WAIT_SECONDS = 3600;
const MIN_SIZE = 1024;
const DEFAULTS = DEFAULT_REMOTE_CACHE_SETTINGS;

/** REMOTE-011: an http(s) URL without credentials, query or fragment; a password is hidden in the report. */
function urlValue(checker: FileChecker, key: string, value: YamlValue): string | null {
  const text = stringValue(checker, key, value);
  if (text === null) return null;
  const url = normaliseRemoteUrl(text);
  if (url !== null) return url;
  const credential = hasUserInfo(text);
  const location = credential && value.location.lineText !== undefined
    ? { ...value.location, lineText: value.location.lineText.replace(text, hideUserInfo(text)) }
    : value.location;
  reportError(
    checker,
    "REMOTE-011",
    "`url` must be an http or https URL without user name, password, query or fragment, found `" +
      `${hideUserInfo(text)}\``,
    location,
    credential
      ? { help: "put the token in the environment variable HAZ_REMOTE_CACHE_TOKEN, never in a file" }
      : {},
  );
  return null;
}

/** REMOTE-011: the team is an identifier (ID-001..003). */
function teamValue(checker: FileChecker, key: string, value: YamlValue): string | null {
  const text = stringValue(checker, key, value);
  if (text === null) return null;
  const problem = checkIdentifier(text);
  if (problem === null) return text;
  reportError(checker, problem.rule, `invalid team name \`${text}\`: ${problem.message}`, value.location);
  return null;
}

/** REMOTE-013: a duration from `minSeconds` to an hour, in milliseconds. */
function durationIn(minSeconds: number): ValueReader<number, unknown> {
  return (checker, key, value) => durationWithin(checker, key, value, minSeconds);
}

/** REMOTE-013 on one value. */
function durationWithin(
  checker: FileChecker,
  key: string,
  value: YamlValue,
  minSeconds: number,
): number | null {
  const seconds = durationValue(checker, key, value);
  if (seconds === null) return null;
  if (seconds >= minSeconds && seconds <= MAX_WAIT_SECONDS) return seconds * 1000;
  reportError(
    checker,
    "REMOTE-013",
    `\`${key}\` must be from \`${minSeconds}s\` to \`1h\`, found ${foundText(checker, value)}`,
    value.location,
  );
  return null;
}

/** An integer from `min` to `max` as a field type. */
function integerIn(min: number, max: number, rule: string): ValueReader<number, unknown> {
  return (checker, key, value) => integerWithin(checker, key, value, [min, max], rule);
}

/** An integer within `[min, max]`, `rule` outside. */
function integerWithin(
  checker: FileChecker,
  key: string,
  value: YamlValue,
  [min, max]: readonly [number, number],
  rule: string,
): number | null {
  if (!expectKinds(checker, key, value, ["integer"], "an integer")) return null;
  const number = Number((value.node as { value: unknown }).value);
  if (number >= min && number <= max) return number;
  reportError(
    checker,
    rule,
    `\`${key}\` must be an integer from ${min} to ${max}, found ${foundText(checker, value)}`,
    value.location,
  );
  return null;
}

/** REMOTE-015: a size of at least 1 KiB. */
function minimumSize(checker: FileChecker, key: string, value: YamlValue): number | null {
  const bytes = sizeValue(checker, key, value);
  if (bytes === null) return null;
  if (bytes >= MIN_SIZE) return bytes;
  const written = valueKind(checker, value) === "integer"
    ? `\`${foundText(checker, value)}\``
    : foundText(checker, value);
  reportError(
    checker,
    "REMOTE-015",
    `\`${key}\` must be at least \`1KiB\`, found ${written}`,
    value.location,
  );
  return null;
}

/** The fields of `cache.remote` as read (YAML key names). */
interface RemoteFields {
  url: string | null;
  team: string;
  mode: RemoteCacheSettings["mode"];
  signature: boolean;
  timeout: number;
  upload_wait: number;
  upload_concurrency: number;
  max_artifact_size: number;
  max_entry_size: number;
  compression_level: number;
}

/** `cache.remote`: every key with its type and default; secrets are refused with their own help. */
const REMOTE_MAPPING: MappingSchema<RemoteFields, unknown> = {
  context: () => "`remote`",
  fields: {
    url: { read: urlValue, default: DEFAULTS.url },
    team: { read: teamValue, default: DEFAULTS.team },
    mode: { read: enumOf(REMOTE_MODES, "REMOTE-012"), default: DEFAULTS.mode },
    signature: { read: booleanValue, default: DEFAULTS.signature },
    timeout: { read: durationIn(1), default: DEFAULTS.timeoutMs },
    upload_wait: { read: durationIn(0), default: DEFAULTS.uploadWaitMs },
    upload_concurrency: { read: integerIn(1, 64, "REMOTE-014"), default: DEFAULTS.uploadConcurrency },
    max_artifact_size: { read: minimumSize, default: DEFAULTS.maxArtifactSize },
    max_entry_size: { read: minimumSize, default: DEFAULTS.maxEntrySize },
    compression_level: { read: integerIn(0, 9, "REMOTE-016"), default: DEFAULTS.compressionLevel },
  },
  refused: {
    keys: ["token", "secret", "password", "key", "signature_key", "auth", "authorization"],
    help: SECRET_HELP,
  },
};

const readRemoteFields = mappingOf(REMOTE_MAPPING);

/**
 * Reads the `cache.remote` mapping; invalid keys keep their defaults (the load fails anyway).
 *
 * @example
 * ```ts
 * const remote = remoteValue(checker, "remote", value); // { url: "https://cache.example.com", team: "haz", … }
 * ```
 */
export function remoteValue(checker: FileChecker, key: string, value: YamlValue): RemoteCacheSettings | null {
  const fields = readRemoteFields(checker, key, value, null);
  if (fields === null) return null;
  return {
    url: fields.url,
    team: fields.team,
    mode: fields.mode,
    signature: fields.signature,
    timeoutMs: fields.timeout,
    uploadWaitMs: fields.upload_wait,
    uploadConcurrency: fields.upload_concurrency,
    maxArtifactSize: fields.max_artifact_size,
    maxEntrySize: fields.max_entry_size,
    compressionLevel: fields.compression_level,
  };
}
