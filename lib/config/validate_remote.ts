/**
 * `cache.remote` in `.haz/workspace.yml` (07-remote-cache.md REMOTE-010..017).
 *
 * @module
 */

import { checkIdentifier } from "../domain/identifier.ts";
import { hasUserInfo, hideUserInfo, normaliseRemoteUrl, REMOTE_MODES } from "../domain/remote_url.ts";
import { DEFAULT_REMOTE_CACHE_SETTINGS, type RemoteCacheSettings } from "../domain/workspace.ts";
import { type FileChecker, type MapEntry, reportError, valueKind, type YamlValue } from "./file_checker.ts";
import {
  closedKeys,
  durationValue,
  enumValue,
  expectKinds,
  foundText,
  mappingValue,
  sizeValue,
  stringValue,
} from "./value_checks.ts";

const KEYS = [
  "url",
  "team",
  "mode",
  "signature",
  "timeout",
  "upload_wait",
  "upload_concurrency",
  "max_artifact_size",
  "max_entry_size",
  "compression_level",
];
const SECRET_KEYS = ["token", "secret", "password", "key", "signature_key", "auth", "authorization"];
const SECRET_HELP = "secrets are read from the environment (HAZ_REMOTE_CACHE_TOKEN, " +
  "HAZ_REMOTE_CACHE_SIGNATURE_KEY), never from a file";
const MAX_WAIT_SECONDS = 3600;
const MIN_SIZE = 1024;

/**
 * Validates the `cache.remote` mapping; invalid keys keep their defaults (the load fails anyway).
 *
 * @example
 * ```ts
 * const remote = checkRemote(checker, value); // { url: "https://cache.example.com", team: "haz", … }
 * ```
 */
export function checkRemote(checker: FileChecker, value: YamlValue): RemoteCacheSettings {
  const entries = mappingValue(checker, "remote", value);
  if (entries === null) return DEFAULT_REMOTE_CACHE_SETTINGS;
  const ordinary: MapEntry[] = [];
  for (const entry of entries) {
    if (SECRET_KEYS.includes(entry.key)) {
      reportError(checker, "CFG-003", `unknown key \`${entry.key}\` in \`remote\``, entry.keyLocation, {
        help: SECRET_HELP,
      });
    } else {
      ordinary.push(entry);
    }
  }
  const known = closedKeys(checker, ordinary, KEYS, "`remote`");
  const get = (key: string) => known.get(key)?.value;
  const settings = { ...DEFAULT_REMOTE_CACHE_SETTINGS };
  const url = get("url");
  if (url) settings.url = urlValue(checker, url);
  const team = get("team");
  if (team) settings.team = teamValue(checker, team) ?? settings.team;
  const mode = get("mode");
  if (mode) settings.mode = enumValue(checker, "mode", mode, REMOTE_MODES, "REMOTE-012");
  const signature = get("signature");
  if (signature && expectKinds(checker, "signature", signature, ["boolean"], "a boolean")) {
    settings.signature = (signature.node as { value: boolean }).value === true;
  }
  const timeout = get("timeout");
  if (timeout) settings.timeoutMs = durationIn(checker, "timeout", timeout, 1) ?? settings.timeoutMs;
  const wait = get("upload_wait");
  if (wait) settings.uploadWaitMs = durationIn(checker, "upload_wait", wait, 0) ?? settings.uploadWaitMs;
  const concurrency = get("upload_concurrency");
  if (concurrency) {
    settings.uploadConcurrency =
      integerIn(checker, "upload_concurrency", concurrency, [1, 64], "REMOTE-014") ??
        settings.uploadConcurrency;
  }
  for (
    const [key, field] of [["max_artifact_size", "maxArtifactSize"], [
      "max_entry_size",
      "maxEntrySize",
    ]] as const
  ) {
    const size = get(key);
    if (size) settings[field] = minimumSize(checker, key, size) ?? settings[field];
  }
  const level = get("compression_level");
  if (level) {
    settings.compressionLevel = integerIn(checker, "compression_level", level, [0, 9], "REMOTE-016") ??
      settings.compressionLevel;
  }
  return settings;
}

function urlValue(checker: FileChecker, value: YamlValue): string | null {
  const text = stringValue(checker, "url", value);
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

function teamValue(checker: FileChecker, value: YamlValue): string | null {
  const text = stringValue(checker, "team", value);
  if (text === null) return null;
  const problem = checkIdentifier(text);
  if (problem === null) return text;
  reportError(checker, problem.rule, `invalid team name \`${text}\`: ${problem.message}`, value.location);
  return null;
}

function durationIn(checker: FileChecker, key: string, value: YamlValue, minSeconds: number): number | null {
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

function integerIn(
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
