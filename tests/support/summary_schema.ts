/**
 * Strict validators for the documents `haz run` writes: the run summary `RunSummaryV1`
 * (05-cli.md §4.5, CLI-040) and the Chrome trace `ProfileV1` (§4.6, CLI-041).
 *
 * Each validator returns the list of problems it found (empty = valid), each naming the JSON path,
 * so a failing assertion shows every deviation at once. Objects must carry exactly the specified
 * members: haz writes no others, so an unknown member is reported as a problem too.
 *
 * @module
 */

import { compareBytes } from "../../lib/domain/task_id.ts";

type Json = unknown;
type Problems = string[];

const HEX64 = /^[0-9a-f]{64}$/;
const TASK_ID = /^[^:]+:[^:]+$/;
const RFC3339_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const HOST_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"];
const EXIT_CODES = [0, 1, 2, 129, 130, 143];
const PHASES = ["lookup", "restore", "exec", "drain", "store"];
const ERROR_KINDS = [
  "key-derivation",
  "restore",
  "spawn",
  "wait",
  "stream-read",
  "signal",
  "output-resolution",
  "output-missing",
  "output-unsupported",
  "output-invalid-path",
];

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isInteger(value: Json, min = 0): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min;
}

/** Checks that `value` is an object with exactly `keys`; reports missing and unknown members. */
function exactKeys(
  problems: Problems,
  path: string,
  value: Json,
  keys: readonly string[],
): value is Record<string, Json> {
  if (!isObject(value)) {
    problems.push(`${path}: expected an object, found ${JSON.stringify(value)}`);
    return false;
  }
  for (const key of keys) if (!(key in value)) problems.push(`${path}.${key}: missing`);
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) problems.push(`${path}.${key}: unknown member`);
  }
  return true;
}

function expect(problems: Problems, path: string, value: Json, ok: boolean, what: string): void {
  if (!ok) problems.push(`${path}: expected ${what}, found ${JSON.stringify(value)}`);
}

function oneOf(problems: Problems, path: string, value: Json, allowed: readonly Json[]): void {
  expect(problems, path, value, allowed.includes(value), `one of ${JSON.stringify(allowed)}`);
}

function str(problems: Problems, path: string, value: Json, pattern?: RegExp): void {
  expect(
    problems,
    path,
    value,
    typeof value === "string" && (pattern === undefined || pattern.test(value)),
    pattern ? `a string matching ${pattern}` : "a string",
  );
}

function int(problems: Problems, path: string, value: Json, min = 0): void {
  expect(problems, path, value, isInteger(value, min), `an integer >= ${min}`);
}

/** Runs `check` unless `value` is null (a nullable member). */
function unlessNull(value: Json, check: () => void): void {
  if (value !== null) check();
}

function stringArray(problems: Problems, path: string, value: Json, pattern?: RegExp): value is string[] {
  if (!Array.isArray(value)) {
    problems.push(`${path}: expected an array, found ${JSON.stringify(value)}`);
    return false;
  }
  value.forEach((item, index) => str(problems, `${path}[${index}]`, item, pattern));
  return value.every((item) => typeof item === "string");
}

function sortedUnique(
  problems: Problems,
  path: string,
  values: readonly string[],
  compare: (a: string, b: string) => number,
): void {
  for (let i = 1; i < values.length; i++) {
    if (compare(values[i - 1], values[i]) >= 0) {
      problems.push(`${path}: not strictly ascending at ${i}: ${values[i - 1]}, ${values[i]}`);
    }
  }
}

/** Canonical order on printed ids: project bytewise, then task bytewise. */
function comparePrinted(a: string, b: string): number {
  const [pa, ta] = a.split(":");
  const [pb, tb] = b.split(":");
  return compareBytes(pa, pb) || compareBytes(ta, tb);
}

function streamDigest(problems: Problems, path: string, value: Json): void {
  if (!exactKeys(problems, path, value, ["hash", "bytes"])) return;
  str(problems, `${path}.hash`, value.hash, HEX64);
  int(problems, `${path}.bytes`, value.bytes);
}

function exitStatus(problems: Problems, path: string, value: Json): void {
  if (!exactKeys(problems, path, value, ["code", "signal"])) return;
  const { code, signal } = value;
  expect(problems, `${path}.code`, code, code === null || isInteger(code), "null or an integer >= 0");
  expect(
    problems,
    `${path}.signal`,
    signal,
    signal === null || (typeof signal === "string" && /^SIG[A-Z0-9]+$/.test(signal)),
    "null or a signal name",
  );
  expect(problems, path, value, (code === null) !== (signal === null), "exactly one of code and signal");
}

function failure(problems: Problems, path: string, value: Json): void {
  if (!isObject(value)) {
    return void problems.push(`${path}: expected an object, found ${JSON.stringify(value)}`);
  }
  if (value.kind === "exit-code") {
    if (exactKeys(problems, path, value, ["kind", "code"])) int(problems, `${path}.code`, value.code, 1);
  } else if (value.kind === "signal") {
    if (exactKeys(problems, path, value, ["kind", "signal"])) {
      str(problems, `${path}.signal`, value.signal, /^SIG[A-Z0-9]+$/);
    }
  } else if (value.kind === "timeout") {
    if (exactKeys(problems, path, value, ["kind", "limitMs", "lastSignal"])) {
      int(problems, `${path}.limitMs`, value.limitMs, 1000);
      oneOf(problems, `${path}.lastSignal`, value.lastSignal, ["SIGTERM", "SIGKILL"]);
    }
  } else if (value.kind === "not-ready") {
    if (exactKeys(problems, path, value, ["kind", "limitMs"])) {
      int(problems, `${path}.limitMs`, value.limitMs, 1000);
    }
  } else if (value.kind === "exited-before-ready" || value.kind === "exited-while-running") {
    if (exactKeys(problems, path, value, ["kind", "code", "signal"])) {
      exitStatus(problems, path, { code: value.code, signal: value.signal });
    }
  } else {
    oneOf(problems, `${path}.kind`, value.kind, [
      "exit-code",
      "signal",
      "timeout",
      "not-ready",
      "exited-before-ready",
      "exited-while-running",
    ]);
  }
}

/** SVC-085: `service` of a task summary. */
function serviceSummary(problems: Problems, path: string, value: Json): void {
  if (!exactKeys(problems, path, value, ["upMs", "restarts", "stop", "kept"])) return;
  unlessNull(value.upMs, () => int(problems, `${path}.upMs`, value.upMs));
  int(problems, `${path}.restarts`, value.restarts);
  oneOf(problems, `${path}.stop`, value.stop, ["unneeded", "cancelled", "removed", null]);
  expect(problems, `${path}.kept`, value.kept, typeof value.kept === "boolean", "a boolean");
}

function cause(problems: Problems, path: string, value: Json): void {
  if (!isObject(value)) {
    return void problems.push(`${path}: expected an object, found ${JSON.stringify(value)}`);
  }
  const kind = value.kind;
  if (
    ["upstream-failed", "upstream-errored", "runtime-cycle", "upstream-cancelled"].includes(kind as string)
  ) {
    if (exactKeys(problems, path, value, ["kind", "root"])) {
      str(problems, `${path}.root`, value.root, TASK_ID);
    }
  } else if (kind === "admission-closed") {
    if (exactKeys(problems, path, value, ["kind", "root", "violation"])) {
      str(problems, `${path}.root`, value.root, TASK_ID);
      oneOf(problems, `${path}.violation`, value.violation, ["runtime-cycle", "output-overlap"]);
    }
  } else if (kind === "run-cancelled" || kind === "unneeded") {
    exactKeys(problems, path, value, ["kind"]);
  } else if (kind === "signaled-in-flight") {
    if (exactKeys(problems, path, value, ["kind", "lastSignal", "escalation"])) {
      oneOf(problems, `${path}.lastSignal`, value.lastSignal, ["SIGTERM", "SIGKILL"]);
      oneOf(problems, `${path}.escalation`, value.escalation, ["none", "grace-expired", "forced"]);
    }
  } else {
    problems.push(`${path}.kind: unknown cause ${JSON.stringify(kind)}`);
  }
}

const TASK_KEYS = [
  "id",
  "project",
  "task",
  "selected",
  "outcome",
  "source",
  "hitFrom",
  "cacheable",
  "notCacheableReason",
  "key",
  "stored",
  "exitStatus",
  "failure",
  "error",
  "cause",
  "stdout",
  "stderr",
  "outputs",
  "remote",
  "timing",
  "service",
];
const TIMING_KEYS = [
  "readyMs",
  "startMs",
  "endMs",
  "admissions",
  "mutexWaitMs",
  "lookupMs",
  "downloadMs",
  "restoreMs",
  "execMs",
  "drainMs",
  "storeMs",
];

function taskSummary(problems: Problems, path: string, value: Json): void {
  if (!exactKeys(problems, path, value, TASK_KEYS)) return;
  const t = value;
  str(problems, `${path}.id`, t.id, TASK_ID);
  str(problems, `${path}.project`, t.project);
  str(problems, `${path}.task`, t.task);
  expect(problems, `${path}.id`, t.id, t.id === `${t.project}:${t.task}`, `"${t.project}:${t.task}"`);
  expect(problems, `${path}.selected`, t.selected, typeof t.selected === "boolean", "a boolean");
  oneOf(problems, `${path}.outcome`, t.outcome, ["succeeded", "failed", "errored", "skipped", "cancelled"]);
  oneOf(problems, `${path}.source`, t.source, ["cache-hit", "fresh-run", "aggregate", "service", null]);
  oneOf(problems, `${path}.hitFrom`, t.hitFrom, ["local", "remote", null]);
  expect(
    problems,
    `${path}.hitFrom`,
    t.hitFrom,
    (t.hitFrom !== null) === (t.source === "cache-hit"),
    "non-null iff a hit",
  );
  unlessNull(t.remote, () => {
    if (
      !exactKeys(problems, `${path}.remote`, t.remote, [
        "lookup",
        "download",
        "upload",
        "uploadBytes",
        "uploadMs",
      ])
    ) {
      return;
    }
    const remote = t.remote as Record<string, Json>;
    oneOf(problems, `${path}.remote.lookup`, remote.lookup, [
      "hit",
      "miss",
      "rejected",
      "not-imported",
      "aborted",
      "not-requested",
    ]);
    oneOf(problems, `${path}.remote.upload`, remote.upload, [
      "uploaded",
      "not-uploaded",
      "abandoned",
      "not-due",
    ]);
  });
  unlessNull(t.service, () => serviceSummary(problems, `${path}.service`, t.service));
  expect(problems, `${path}.cacheable`, t.cacheable, typeof t.cacheable === "boolean", "a boolean");
  oneOf(problems, `${path}.notCacheableReason`, t.notCacheableReason, [
    "no-cache-flag",
    "service",
    "aggregate",
    "no-inputs",
    "cache-false",
    "service-without-inputs",
    null,
  ]);
  expect(
    problems,
    `${path}.notCacheableReason`,
    t.notCacheableReason,
    (t.notCacheableReason === null) === (t.cacheable === true),
    "null iff cacheable",
  );
  unlessNull(t.key, () => str(problems, `${path}.key`, t.key, HEX64));
  expect(problems, `${path}.stored`, t.stored, typeof t.stored === "boolean", "a boolean");
  unlessNull(t.exitStatus, () => exitStatus(problems, `${path}.exitStatus`, t.exitStatus));
  unlessNull(t.failure, () => failure(problems, `${path}.failure`, t.failure));
  unlessNull(t.error, () => {
    if (!exactKeys(problems, `${path}.error`, t.error, ["kind", "message"])) return;
    const error = t.error as Record<string, Json>;
    oneOf(problems, `${path}.error.kind`, error.kind, ERROR_KINDS);
    str(problems, `${path}.error.message`, error.message);
  });
  unlessNull(t.cause, () => cause(problems, `${path}.cause`, t.cause));
  unlessNull(t.stdout, () => streamDigest(problems, `${path}.stdout`, t.stdout));
  unlessNull(t.stderr, () => streamDigest(problems, `${path}.stderr`, t.stderr));
  if (stringArray(problems, `${path}.outputs`, t.outputs, /^\//)) {
    sortedUnique(problems, `${path}.outputs`, t.outputs, compareBytes);
  }
  if (exactKeys(problems, `${path}.timing`, t.timing, TIMING_KEYS)) {
    const timing = t.timing;
    for (const key of TIMING_KEYS) {
      const value = timing[key];
      if (key === "readyMs" || key === "startMs") {
        expect(
          problems,
          `${path}.timing.${key}`,
          value,
          value === null || isInteger(value),
          "null or an integer >= 0",
        );
      } else {
        int(problems, `${path}.timing.${key}`, value);
      }
    }
    expect(
      problems,
      `${path}.timing.startMs`,
      timing.startMs,
      (timing.startMs === null) === (timing.admissions === 0),
      "null iff admissions = 0",
    );
  }
  consistency(problems, path, t);
}

/** Cross-field rules: what each outcome carries (04-execution.md §2, 05-cli.md §4.5). */
function consistency(problems: Problems, path: string, t: Record<string, Json>): void {
  const cause = isObject(t.cause) ? t.cause.kind : null;
  const rule = (ok: boolean, text: string) => {
    if (!ok) problems.push(`${path}: ${t.outcome} task ${text}`);
  };
  switch (t.outcome) {
    case "succeeded":
      rule(t.source !== null, "needs a source");
      rule(t.failure === null && t.error === null && t.cause === null, "has no failure, error or cause");
      rule(t.stdout !== null && t.stderr !== null, "has stream digests");
      rule(
        (t.source === "fresh-run") === (t.exitStatus !== null) || t.source === "service",
        "has an exit status iff it ran fresh",
      );
      rule(
        t.source !== "aggregate" || (t.key === null && t.stored === false),
        "aggregate has no key and stores nothing",
      );
      break;
    case "failed":
      rule(t.source === "fresh-run" || t.source === "service", "ran fresh");
      rule(t.failure !== null && t.error === null && t.cause === null, "has a failure and nothing else");
      rule(t.stored === false && (t.outputs as unknown[]).length === 0, "stores and materialises nothing");
      rule(t.exitStatus !== null, "has an exit status");
      break;
    case "errored":
      rule(
        t.source === null && t.failure === null && t.cause === null && t.error !== null,
        "has only an error",
      );
      rule(t.stored === false, "stores nothing");
      break;
    case "skipped":
      rule(
        ["upstream-failed", "upstream-errored", "runtime-cycle", "admission-closed", "unneeded"].includes(
          cause as string,
        ),
        "has a skip cause",
      );
      rule(
        t.source === null && t.failure === null && t.error === null && t.exitStatus === null,
        "carries no run data",
      );
      rule(t.stdout === null && t.stderr === null && t.stored === false, "has no streams");
      break;
    case "cancelled":
      rule(
        ["upstream-cancelled", "run-cancelled", "signaled-in-flight"].includes(cause as string),
        "has a cancel cause",
      );
      rule(
        t.source === null && t.failure === null && t.error === null && t.stored === false,
        "carries no result",
      );
      rule(
        (cause === "signaled-in-flight") === (t.exitStatus !== null),
        "has an exit status iff it was signalled",
      );
      rule(
        (cause === "signaled-in-flight") === (t.stdout !== null && t.stderr !== null),
        "has streams iff it was signalled",
      );
      break;
  }
}

function violation(problems: Problems, path: string, value: Json): void {
  if (!isObject(value)) {
    return void problems.push(`${path}: expected an object, found ${JSON.stringify(value)}`);
  }
  if (value.kind === "runtime-cycle") {
    if (!exactKeys(problems, path, value, ["kind", "rule", "nodes", "closingEdge"])) return;
    oneOf(problems, `${path}.rule`, value.rule, ["EXEC-019"]);
    if (stringArray(problems, `${path}.nodes`, value.nodes, TASK_ID)) {
      sortedUnique(problems, `${path}.nodes`, value.nodes, comparePrinted);
    }
    if (exactKeys(problems, `${path}.closingEdge`, value.closingEdge, ["producer", "consumer", "path"])) {
      const edge = value.closingEdge;
      str(problems, `${path}.closingEdge.producer`, edge.producer, TASK_ID);
      str(problems, `${path}.closingEdge.consumer`, edge.consumer, TASK_ID);
      str(problems, `${path}.closingEdge.path`, edge.path, /^\//);
    }
  } else if (value.kind === "output-overlap") {
    if (!exactKeys(problems, path, value, ["kind", "rule", "first", "second", "path"])) return;
    oneOf(problems, `${path}.rule`, value.rule, ["EXEC-020"]);
    str(problems, `${path}.first`, value.first, TASK_ID);
    str(problems, `${path}.second`, value.second, TASK_ID);
    str(problems, `${path}.path`, value.path, /^\//);
  } else {
    oneOf(problems, `${path}.kind`, value.kind, ["runtime-cycle", "output-overlap"]);
  }
}

function cancelBlock(problems: Problems, path: string, value: Json): void {
  if (!isObject(value)) {
    return void problems.push(`${path}: expected null or an object, found ${JSON.stringify(value)}`);
  }
  const common = ["reason", "atMs", "forced"];
  if (value.reason === "signal") {
    if (exactKeys(problems, path, value, [...common, "signal"])) {
      oneOf(problems, `${path}.signal`, value.signal, HOST_SIGNALS);
    }
  } else if (value.reason === "fail-fast") {
    if (exactKeys(problems, path, value, [...common, "root"])) {
      str(problems, `${path}.root`, value.root, TASK_ID);
    }
  } else if (value.reason === "programmatic") {
    exactKeys(problems, path, value, common);
  } else {
    return oneOf(problems, `${path}.reason`, value.reason, ["signal", "fail-fast", "programmatic"]);
  }
  int(problems, `${path}.atMs`, value.atMs);
  expect(problems, `${path}.forced`, value.forced, typeof value.forced === "boolean", "a boolean");
}

/**
 * Validates a parsed `--summary` file against RunSummaryV1: every member, its type and allowed
 * values, the task list (canonical order, each id once), the counts against the tasks, and the
 * exit code against the cancel reason.
 *
 * @example
 * ```ts
 * const summary = JSON.parse(await readFile("s.json", "utf8"));
 * assert.deepEqual(validateRunSummary(summary), []);
 * ```
 */
export function validateRunSummary(value: Json): string[] {
  const problems: Problems = [];
  const keys = [
    "kind",
    "version",
    "haz",
    "argv",
    "workspaceRoot",
    "startedAt",
    "durationMs",
    "exitCode",
    "cancel",
    "settings",
    "remoteCache",
    "counts",
    "tasks",
    "invariantViolations",
    "warnings",
  ];
  if (!exactKeys(problems, "$", value, keys)) return problems;
  const s = value;
  oneOf(problems, "$.kind", s.kind, ["haz-run-summary"]);
  oneOf(problems, "$.version", s.version, [1]);
  if (exactKeys(problems, "$.haz", s.haz, ["version", "runtime", "runtimeVersion", "os", "arch"])) {
    str(problems, "$.haz.version", s.haz.version, /\S/);
    oneOf(problems, "$.haz.runtime", s.haz.runtime, ["bun", "deno", "node"]);
    str(problems, "$.haz.runtimeVersion", s.haz.runtimeVersion, /\S/);
    str(problems, "$.haz.os", s.haz.os, /\S/);
    str(problems, "$.haz.arch", s.haz.arch, /\S/);
  }
  stringArray(problems, "$.argv", s.argv);
  str(problems, "$.workspaceRoot", s.workspaceRoot, /^\//);
  str(problems, "$.startedAt", s.startedAt, RFC3339_UTC_MS);
  if (typeof s.startedAt === "string" && Number.isNaN(Date.parse(s.startedAt))) {
    problems.push("$.startedAt: not a date");
  }
  int(problems, "$.durationMs", s.durationMs);
  oneOf(problems, "$.exitCode", s.exitCode, EXIT_CODES);
  unlessNull(s.cancel, () => cancelBlock(problems, "$.cancel", s.cancel));
  if (isObject(s.cancel) && s.cancel.reason === "signal") {
    const code = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 }[s.cancel.signal as string];
    expect(problems, "$.exitCode", s.exitCode, s.exitCode === code, `${code} after ${s.cancel.signal}`);
  } else if (s.cancel !== null) {
    oneOf(problems, "$.exitCode", s.exitCode, [1, 2]);
  }
  if (
    exactKeys(problems, "$.settings", s.settings, [
      "concurrency",
      "tagCaps",
      "outputMode",
      "cancelGraceMs",
      "failFast",
      "cacheEnabled",
      "hash",
      "shard",
    ])
  ) {
    const settings = s.settings;
    int(problems, "$.settings.concurrency", settings.concurrency, 1);
    if (isObject(settings.tagCaps)) {
      for (const [tag, cap] of Object.entries(settings.tagCaps)) {
        int(problems, `$.settings.tagCaps.${tag}`, cap, 1);
      }
    } else {
      problems.push(`$.settings.tagCaps: expected an object, found ${JSON.stringify(settings.tagCaps)}`);
    }
    oneOf(problems, "$.settings.outputMode", settings.outputMode, ["live", "buffered"]);
    int(problems, "$.settings.cancelGraceMs", settings.cancelGraceMs);
    expect(
      problems,
      "$.settings.failFast",
      settings.failFast,
      typeof settings.failFast === "boolean",
      "a boolean",
    );
    expect(
      problems,
      "$.settings.cacheEnabled",
      settings.cacheEnabled,
      typeof settings.cacheEnabled === "boolean",
      "a boolean",
    );
    oneOf(problems, "$.settings.hash", settings.hash, ["sha256", "blake3"]);
    unlessNull(settings.shard, () => {
      if (exactKeys(problems, "$.settings.shard", settings.shard, ["index", "count"])) {
        int(problems, "$.settings.shard.index", (settings.shard as Record<string, Json>).index, 1);
      }
    });
  }
  unlessNull(s.remoteCache, () => {
    exactKeys(problems, "$.remoteCache", s.remoteCache, [
      "url",
      "team",
      "tokenSet",
      "signature",
      "mode",
      "modeSource",
      "offReason",
      "trip",
      "uploadsOff",
      "lookups",
      "uploads",
    ]);
    const remote = s.remoteCache as Record<string, Json>;
    oneOf(problems, "$.remoteCache.mode", remote.mode, ["off", "read", "write", "read-write"]);
    oneOf(problems, "$.remoteCache.modeSource", remote.modeSource, ["flag", "env", "config", "default"]);
  });
  const countKeys = ["tasks", "completed", "cached", "failed", "errored", "skipped", "cancelled", "services"];
  const countsOk = exactKeys(problems, "$.counts", s.counts, countKeys);
  if (countsOk) {
    for (const key of countKeys) int(problems, `$.counts.${key}`, (s.counts as Record<string, Json>)[key]);
  }
  const tasks = s.tasks;
  if (Array.isArray(tasks)) {
    tasks.forEach((task, index) => taskSummary(problems, `$.tasks[${index}]`, task));
    const ids = tasks.map((task) => (isObject(task) ? String(task.id) : ""));
    sortedUnique(problems, "$.tasks (ids)", ids, comparePrinted);
    if (countsOk) {
      const counts = s.counts as Record<string, number>;
      const outcome = (name: string) =>
        tasks.filter((task) => isObject(task) && task.outcome === name).length;
      const expected: Record<string, number> = {
        tasks: tasks.length,
        completed: outcome("succeeded"),
        cached: tasks.filter((task) =>
          isObject(task) && task.outcome === "succeeded" && task.source === "cache-hit"
        ).length,
        failed: outcome("failed"),
        errored: outcome("errored"),
        skipped: outcome("skipped"),
        cancelled: outcome("cancelled"),
        services: tasks.filter((task) =>
          isObject(task) && task.service !== null
        ).length,
      };
      for (const key of countKeys) {
        if (counts[key] !== expected[key]) {
          problems.push(`$.counts.${key}: ${counts[key]} but the tasks say ${expected[key]}`);
        }
      }
    }
  } else {
    problems.push(`$.tasks: expected an array, found ${JSON.stringify(tasks)}`);
  }
  if (Array.isArray(s.invariantViolations)) {
    s.invariantViolations.forEach((item, index) =>
      violation(problems, `$.invariantViolations[${index}]`, item)
    );
  } else {
    problems.push("$.invariantViolations: expected an array");
  }
  if (Array.isArray(s.warnings)) {
    s.warnings.forEach((item, index) => {
      const path = `$.warnings[${index}]`;
      if (!exactKeys(problems, path, item, ["kind", "task", "message"])) return;
      oneOf(problems, `${path}.kind`, item.kind, [
        "store-failed",
        "capture-failed",
        "remote-off",
        "remote-uploads-off",
        "remote-rejected",
        "remote-not-imported",
        "not-uploaded",
      ]);
      str(problems, `${path}.task`, item.task, TASK_ID);
      str(problems, `${path}.message`, item.message);
    });
  } else {
    problems.push("$.warnings: expected an array");
  }
  return problems;
}

/** Options of {@link validateProfile}. */
export interface ProfileExpectations {
  /** The run's global cap: lanes are 1..concurrency. */
  readonly concurrency: number;
}

/**
 * Validates a parsed `--profile` file against ProfileV1 and the Chrome trace-event format: top-level
 * members, every event's `ph`/`pid`/`tid`/`ts`/`dur` types, the names, categories and extra fields of
 * each event row of §4.6, metadata first, then sorted by `ts`, then `tid`, `b` before `e` at equal
 * times, one `thread_name` per lane used, and every `b` closed by a later `e`.
 *
 * @example
 * ```ts
 * const profile = JSON.parse(await readFile("p.json", "utf8"));
 * assert.deepEqual(validateProfile(profile, { concurrency: 2 }), []);
 * ```
 */
export function validateProfile(value: Json, expectations: ProfileExpectations): string[] {
  const problems: Problems = [];
  if (!exactKeys(problems, "$", value, ["traceEvents", "displayTimeUnit", "otherData"])) return problems;
  oneOf(problems, "$.displayTimeUnit", value.displayTimeUnit, ["ms"]);
  if (exactKeys(problems, "$.otherData", value.otherData, ["kind", "version", "haz", "exitCode"])) {
    oneOf(problems, "$.otherData.kind", value.otherData.kind, ["haz-profile"]);
    oneOf(problems, "$.otherData.version", value.otherData.version, [1]);
    str(problems, "$.otherData.haz", value.otherData.haz, /\S/);
    oneOf(problems, "$.otherData.exitCode", value.otherData.exitCode, EXIT_CODES);
  }
  const events = value.traceEvents;
  if (!Array.isArray(events)) {
    problems.push("$.traceEvents: expected an array");
    return problems;
  }
  const lanesNamed = new Set<number>();
  const tidsUsed = new Set<number>();
  let processNames = 0;
  let metadataDone = false;
  let previous: Record<string, Json> | null = null;
  const openWaits = new Map<string, number>();
  events.forEach((event, index) => {
    const path = `$.traceEvents[${index}]`;
    if (!isObject(event)) return void problems.push(`${path}: expected an object`);
    oneOf(problems, `${path}.pid`, event.pid, [1]);
    int(problems, `${path}.tid`, event.tid);
    int(problems, `${path}.ts`, event.ts);
    str(problems, `${path}.name`, event.name, /\S/);
    if (event.ph === "M") {
      if (metadataDone) problems.push(`${path}: metadata event after a non-metadata event`);
      metadataEvent(problems, path, event, lanesNamed, () => processNames++);
      return;
    }
    metadataDone = true;
    if (isInteger(event.tid)) tidsUsed.add(event.tid);
    if (
      previous !== null && isInteger(event.ts) && isInteger(previous.ts) && isInteger(event.tid) &&
      isInteger(previous.tid)
    ) {
      const order = event.ts - previous.ts || event.tid - previous.tid;
      const bBeforeE =
        !(event.ts === previous.ts && event.tid === previous.tid && event.ph === "b" && previous.ph === "e");
      if (order < 0 || !bBeforeE) {
        problems.push(
          `${path}: out of order (ts ${event.ts}, tid ${event.tid} after ts ${previous.ts}, tid ${previous.tid})`,
        );
      }
    }
    previous = event;
    traceEvent(problems, path, event, expectations, openWaits);
  });
  if (processNames !== 1) problems.push(`$.traceEvents: ${processNames} process_name events, expected 1`);
  if (!lanesNamed.has(0)) problems.push("$.traceEvents: no thread_name for tid 0");
  for (const tid of tidsUsed) {
    if (!lanesNamed.has(tid)) problems.push(`$.traceEvents: tid ${tid} is used but has no thread_name`);
  }
  for (const lane of lanesNamed) {
    if (lane !== 0 && !tidsUsed.has(lane)) problems.push(`$.traceEvents: lane ${lane} is named but unused`);
  }
  for (const [key, count] of openWaits) {
    if (count !== 0) problems.push(`$.traceEvents: ${key} has ${count} unmatched b event(s)`);
  }
  return problems;
}

function metadataEvent(
  problems: Problems,
  path: string,
  event: Record<string, Json>,
  lanesNamed: Set<number>,
  countProcessName: () => void,
): void {
  if (!exactKeys(problems, path, event, ["name", "ph", "pid", "tid", "ts", "args"])) return;
  const args = event.args;
  if (!exactKeys(problems, `${path}.args`, args, ["name"])) return;
  if (event.name === "process_name") {
    countProcessName();
    oneOf(problems, `${path}.tid`, event.tid, [0]);
    oneOf(problems, `${path}.args.name`, args.name, ["haz run"]);
  } else if (event.name === "thread_name") {
    const tid = event.tid as number;
    if (lanesNamed.has(tid)) problems.push(`${path}: second thread_name for tid ${tid}`);
    lanesNamed.add(tid);
    const service = typeof args.name === "string" && args.name.startsWith("service ");
    if (service) str(problems, `${path}.args.name`, (args.name as string).slice("service ".length), TASK_ID);
    else oneOf(problems, `${path}.args.name`, args.name, [tid === 0 ? "haz" : `lane ${tid}`]);
  } else {
    oneOf(problems, `${path}.name`, event.name, ["process_name", "thread_name"]);
  }
}

function traceEvent(
  problems: Problems,
  path: string,
  event: Record<string, Json>,
  expectations: ProfileExpectations,
  openWaits: Map<string, number>,
): void {
  const lane = () =>
    expect(
      problems,
      `${path}.tid`,
      event.tid,
      isInteger(event.tid, 1) && event.tid <= expectations.concurrency,
      `a lane 1..${expectations.concurrency}`,
    );
  const haz = () => oneOf(problems, `${path}.tid`, event.tid, [0]);
  switch (event.ph) {
    case "X": {
      int(problems, `${path}.dur`, event.dur);
      if (event.cat === "haz") {
        haz();
        oneOf(problems, `${path}.name`, event.name, ["load", "select", "run"]);
        if (event.name === "run") {
          if (
            exactKeys(problems, path, event, ["name", "cat", "ph", "pid", "tid", "ts", "dur", "args"]) &&
            exactKeys(problems, `${path}.args`, event.args, ["exitCode"])
          ) {
            oneOf(problems, `${path}.args.exitCode`, event.args.exitCode, EXIT_CODES);
          }
        } else {
          exactKeys(problems, path, event, ["name", "cat", "ph", "pid", "tid", "ts", "dur"]);
        }
      } else if (event.cat === "task") {
        lane();
        str(problems, `${path}.name`, event.name, TASK_ID);
        if (!exactKeys(problems, path, event, ["name", "cat", "ph", "pid", "tid", "ts", "dur", "args"])) {
          return;
        }
        if (
          !exactKeys(problems, `${path}.args`, event.args, [
            "outcome",
            "source",
            "key",
            "exitCode",
            "signal",
            "admission",
          ])
        ) return;
        const args = event.args;
        oneOf(problems, `${path}.args.outcome`, args.outcome, [
          "succeeded",
          "failed",
          "errored",
          "skipped",
          "cancelled",
        ]);
        oneOf(problems, `${path}.args.source`, args.source, ["cache-hit", "fresh-run", "service", null]);
        expect(
          problems,
          `${path}.args.key`,
          args.key,
          args.key === null || (typeof args.key === "string" && HEX64.test(args.key)),
          "null or 64 hex",
        );
        expect(
          problems,
          `${path}.args.exitCode`,
          args.exitCode,
          args.exitCode === null || isInteger(args.exitCode),
          "null or an integer >= 0",
        );
        expect(
          problems,
          `${path}.args.signal`,
          args.signal,
          args.signal === null || typeof args.signal === "string",
          "null or a signal name",
        );
        int(problems, `${path}.args.admission`, args.admission, 1);
      } else if (event.cat === "phase") {
        lane();
        oneOf(problems, `${path}.name`, event.name, PHASES);
        if (
          exactKeys(problems, path, event, ["name", "cat", "ph", "pid", "tid", "ts", "dur", "args"]) &&
          exactKeys(problems, `${path}.args`, event.args, ["task"])
        ) {
          str(problems, `${path}.args.task`, event.args.task, TASK_ID);
        }
      } else if (event.cat === "service") {
        // SVC-086: an up period, on a lane after the global cap.
        expect(
          problems,
          `${path}.tid`,
          event.tid,
          isInteger(event.tid, 1) && event.tid > expectations.concurrency,
          `a service lane above ${expectations.concurrency}`,
        );
        str(problems, `${path}.name`, event.name, TASK_ID);
        if (
          exactKeys(problems, path, event, ["name", "cat", "ph", "pid", "tid", "ts", "dur", "args"]) &&
          exactKeys(problems, `${path}.args`, event.args, ["task"])
        ) {
          str(problems, `${path}.args.task`, event.args.task, TASK_ID);
        }
      } else {
        oneOf(problems, `${path}.cat`, event.cat, ["haz", "task", "phase", "service"]);
      }
      return;
    }
    case "b":
    case "e": {
      haz();
      if (!exactKeys(problems, path, event, ["name", "cat", "ph", "pid", "tid", "ts", "id", "args"])) return;
      oneOf(problems, `${path}.cat`, event.cat, ["mutex-wait"]);
      str(problems, `${path}.name`, event.name, /^wait (\S+|~:\S+ \(\S+\))$/);
      str(problems, `${path}.id`, event.id, TASK_ID);
      if (exactKeys(problems, `${path}.args`, event.args, ["task"])) {
        expect(
          problems,
          `${path}.args.task`,
          event.args.task,
          event.args.task === event.id,
          `the id ${JSON.stringify(event.id)}`,
        );
      }
      const key = `${event.name} ${event.id}`;
      const open = openWaits.get(key) ?? 0;
      if (event.ph === "b") {
        if (open !== 0) problems.push(`${path}: ${key} begins again before it ended`);
        openWaits.set(key, open + 1);
      } else if (open !== 1) {
        problems.push(`${path}: ${key} ends without a begin`);
      } else {
        openWaits.set(key, 0);
      }
      return;
    }
    case "i": {
      haz();
      if (event.cat === "haz") {
        if (!exactKeys(problems, path, event, ["name", "cat", "ph", "pid", "tid", "ts", "s", "args"])) return;
        oneOf(problems, `${path}.s`, event.s, ["g"]);
        oneOf(problems, `${path}.name`, event.name, ["cancel", "violation"]);
        if (
          event.name === "cancel" && exactKeys(problems, `${path}.args`, event.args, ["reason", "forced"])
        ) {
          oneOf(problems, `${path}.args.reason`, event.args.reason, ["signal", "fail-fast", "programmatic"]);
          expect(
            problems,
            `${path}.args.forced`,
            event.args.forced,
            typeof event.args.forced === "boolean",
            "a boolean",
          );
        }
        if (event.name === "violation") violation(problems, `${path}.args`, event.args);
      } else if (["skipped", "cancelled", "aggregate"].includes(event.cat as string)) {
        str(problems, `${path}.name`, event.name, TASK_ID);
        if (!exactKeys(problems, path, event, ["name", "cat", "ph", "pid", "tid", "ts", "s", "args"])) return;
        oneOf(problems, `${path}.s`, event.s, ["t"]);
        if (exactKeys(problems, `${path}.args`, event.args, ["cause"])) {
          str(problems, `${path}.args.cause`, event.args.cause, /\S/);
        }
      } else {
        oneOf(problems, `${path}.cat`, event.cat, ["haz", "skipped", "cancelled", "aggregate"]);
      }
      return;
    }
    default:
      oneOf(problems, `${path}.ph`, event.ph, ["M", "X", "b", "e", "i"]);
  }
}
