/**
 * Validation of a task's `service` value (09-services-and-watch.md §1, SVC-001..009).
 *
 * @module
 */

import type { YAMLMap } from "yaml";
import {
  DEFAULT_MAX_RESTARTS,
  DEFAULT_READY_TIMEOUT_MS,
  type ReadyCondition,
  type ReadyPort,
  type ServiceSpec,
} from "../domain/service_spec.ts";
import {
  type FileChecker,
  mapEntries,
  type MapEntry,
  reportError,
  valueKind,
  type YamlValue,
} from "./file_checker.ts";
import { closedKeys, durationValue, enumValue, expectKinds, foundText, stringValue } from "./value_checks.ts";

const SERVICE_KEYS = ["ready", "on_exit", "max_restarts", "on_change"] as const;
const READY_KEYS = ["line", "port", "url", "timeout"] as const;
/** DIAG-009 synonyms of SVC-001. */
const SERVICE_SYNONYMS: Readonly<Record<string, string>> = {
  readywhen: "ready",
  ready_when: "ready",
  healthcheck: "ready",
  wait_for: "ready",
  restart: "on_exit",
  restart_policy: "on_exit",
  interruptible: "on_change",
  reload: "on_change",
};
const READY_SYNONYMS: Readonly<Record<string, string>> = {
  linematches: "line",
  pattern: "line",
  log: "line",
  stdout: "line",
};
const DNS_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const DECIMAL = /^\d{1,5}$/;
const MIN_TIMEOUT_SECONDS = 1;

/**
 * SVC-001..009: a `service` value as a {@link ServiceSpec}; null when it is `false` or has an error
 * (the caller tells them apart by the checker's error count).
 *
 * @example
 * ```ts
 * const spec = checkService(checker, entry.value, "dev");
 * spec?.onExit; // "fail" for `service: true`
 * ```
 */
export function checkService(checker: FileChecker, value: YamlValue, task: string): ServiceSpec | null {
  const kind = valueKind(checker, value);
  if (kind === "boolean") {
    return (value.node as { value: unknown }).value === true ? defaults(null) : null;
  }
  if (!expectKinds(checker, "service", value, ["boolean", "mapping"], "a boolean or a mapping")) return null;
  const known = closedKeys(
    checker,
    mapEntries(checker, value.node as YAMLMap),
    SERVICE_KEYS,
    `\`service\` of task \`${task}\``,
    SERVICE_SYNONYMS,
  );
  const readyEntry = known.get("ready");
  const ready = readyEntry ? checkReady(checker, readyEntry.value, task) : null;
  const onExitEntry = known.get("on_exit");
  const onExit = onExitEntry
    ? enumValue(checker, "on_exit", onExitEntry.value, ["fail", "restart"], "SVC-008")
    : "fail";
  const onChangeEntry = known.get("on_change");
  const onChange = onChangeEntry
    ? enumValue(checker, "on_change", onChangeEntry.value, ["restart", "keep"], "SVC-008")
    : "restart";
  const maxEntry = known.get("max_restarts");
  const maxRestarts = maxEntry
    ? checkMaxRestarts(checker, maxEntry, onExitEntry === undefined ? "fail" : onExit)
    : DEFAULT_MAX_RESTARTS;
  if (onExit === null || onChange === null || maxRestarts === null) return null;
  return { ready, onExit, onChange, maxRestarts };
}

function defaults(ready: ReadyCondition | null): ServiceSpec {
  return { ready, onExit: "fail", maxRestarts: DEFAULT_MAX_RESTARTS, onChange: "restart" };
}

/** SVC-003: at least one of `line`, `port`, `url`; SVC-007 timeout. */
function checkReady(checker: FileChecker, value: YamlValue, task: string): ReadyCondition | null {
  if (!expectKinds(checker, "ready", value, ["mapping"], "a mapping")) return null;
  const errorsBefore = checker.errorCount;
  const known = closedKeys(
    checker,
    mapEntries(checker, value.node as YAMLMap),
    READY_KEYS,
    `\`ready\` of task \`${task}\``,
    READY_SYNONYMS,
  );
  const line = known.get("line");
  const port = known.get("port");
  const url = known.get("url");
  const timeout = known.get("timeout");
  if (!line && !port && !url) {
    // An unknown key (a misspelt condition) already said what is wrong.
    if (checker.errorCount > errorsBefore) return null;
    reportError(checker, "SVC-003", "`ready` needs at least one of `line`, `port` or `url`", value.location);
    return null;
  }
  const condition: ReadyCondition = {
    line: line ? checkLine(checker, line.value) : null,
    port: port ? checkPort(checker, port.value) : null,
    url: url ? checkUrl(checker, url.value) : null,
    timeoutMs: timeout ? checkReadyTimeout(checker, timeout.value) ?? 0 : DEFAULT_READY_TIMEOUT_MS,
  };
  return condition;
}

/** SVC-004: an ECMAScript pattern compiled with the `u` flag. */
function checkLine(checker: FileChecker, value: YamlValue): RegExp | null {
  const pattern = stringValue(checker, "line", value);
  if (pattern === null) return null;
  if (pattern === "") {
    reportError(checker, "SVC-004", "`line` must not be empty", value.location);
    return null;
  }
  try {
    return new RegExp(pattern, "u");
  } catch (error) {
    reportError(
      checker,
      "SVC-004",
      `invalid regular expression in \`line\`: \`${pattern}\``,
      value.location,
      {
        notes: [error instanceof Error ? error.message : String(error)],
      },
    );
    return null;
  }
}

/** SVC-005: an integer port, or `host:port`. */
function checkPort(checker: FileChecker, value: YamlValue): ReadyPort | null {
  if (!expectKinds(checker, "port", value, ["integer", "string"], "an integer or a string")) return null;
  const written = (value.node as { value: unknown }).value;
  if (typeof written !== "string") {
    const port = Number(written);
    if (Number.isInteger(port) && port >= 1 && port <= 65535) return { host: null, port };
    reportError(
      checker,
      "SVC-005",
      `\`port\` must be from 1 to 65535, found ${foundText(checker, value)}`,
      value.location,
    );
    return null;
  }
  const parsed = parseHostPort(written);
  if (parsed !== null) return parsed;
  reportError(
    checker,
    "SVC-005",
    `\`port\` must be a port number or \`host:port\`, found \`${written}\``,
    value.location,
  );
  return null;
}

function parseHostPort(text: string): ReadyPort | null {
  const colon = text.lastIndexOf(":");
  if (colon <= 0) return null;
  const host = text.slice(0, colon);
  const portText = text.slice(colon + 1);
  if (!DECIMAL.test(portText)) return null;
  const port = Number(portText);
  if (port < 1 || port > 65535) return null;
  if (host.startsWith("[") && host.endsWith("]")) {
    const inner = host.slice(1, -1);
    return isIpv6(inner) ? { host: inner, port } : null;
  }
  return IPV4.test(host) || (DNS_NAME.test(host) && !/^[\d.]+$/.test(host)) ? { host, port } : null;
}

function isIpv6(text: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || !text.includes(":")) return false;
  try {
    return new URL(`http://[${text}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

/** SVC-006: an http:// or https:// URL. */
function checkUrl(checker: FileChecker, value: YamlValue): string | null {
  const text = stringValue(checker, "url", value);
  if (text === null) return null;
  let parsed: URL | null = null;
  try {
    parsed = new URL(text);
  } catch {
    parsed = null;
  }
  if (parsed !== null && (parsed.protocol === "http:" || parsed.protocol === "https:")) return parsed.href;
  reportError(
    checker,
    "SVC-006",
    `\`url\` must be an http:// or https:// URL, found \`${text}\``,
    value.location,
  );
  return null;
}

/** SVC-007: a duration of at least `1s`, in ms. */
function checkReadyTimeout(checker: FileChecker, value: YamlValue): number | null {
  const seconds = durationValue(checker, "timeout", value);
  if (seconds === null) return null;
  if (seconds >= MIN_TIMEOUT_SECONDS) return seconds * 1000;
  const written = String((value.node as { value: unknown }).value);
  reportError(
    checker,
    "SVC-007",
    `\`timeout\` must be at least \`1s\`, found \`${written}\``,
    value.location,
  );
  return null;
}

/** SVC-009: 1..100, and only with `on_exit: restart`. */
function checkMaxRestarts(
  checker: FileChecker,
  entry: MapEntry,
  onExit: "fail" | "restart" | null,
): number | null {
  const { value } = entry;
  if (!expectKinds(checker, "max_restarts", value, ["integer"], "an integer")) return null;
  const count = Number((value.node as { value: unknown }).value);
  if (count < 1 || count > 100) {
    reportError(
      checker,
      "SVC-009",
      `\`max_restarts\` must be an integer from 1 to 100, found ${foundText(checker, value)}`,
      value.location,
    );
    return null;
  }
  if (onExit === "fail") {
    reportError(checker, "SVC-009", "`max_restarts` needs `on_exit: restart`", entry.keyLocation);
    return null;
  }
  return count;
}
