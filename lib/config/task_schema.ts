/**
 * The schema of `tasks` mappings and task bodies (01-workspace.md §5, CFG-012..022, CFG-044) and of a
 * task's `service` value (09-services-and-watch.md §1, SVC-001..010), shared by `haz.yml` and overlay
 * files. A body with any error is dropped but its name stays known (DIAG-007).
 *
 * @module
 */

import type { YAMLMap } from "yaml";
import type { DiagnosticLocation } from "../domain/diagnostic.ts";
import { checkEnvName, checkIdentifier } from "../domain/identifier.ts";
import { canonicalPattern, checkPattern } from "../domain/path_pattern.ts";
import {
  DEFAULT_MAX_RESTARTS,
  DEFAULT_READY_TIMEOUT_MS,
  type ReadyCondition,
  type ReadyPort,
  type ServiceSpec,
} from "../domain/service_spec.ts";
import { invalidRefMessage, parseTaskRef } from "../domain/task_ref.ts";
import type {
  DeclaredRef,
  MutexDecl,
  PatternSpec,
  TaskAction,
  TaskBody,
  TaskEnv,
} from "../domain/workspace.ts";
import { TASK_KEY_SYNONYMS } from "../util/did_you_mean.ts";
import {
  type FileChecker,
  indexMapping,
  mapEntries,
  type MapEntry,
  type MappingSchema,
  readFields,
  reportError,
  walkMapping,
  type YamlValue,
} from "./schema_walker.ts";
import {
  booleanValue,
  coercedString,
  durationAtLeast,
  enumOf,
  envNameList,
  expectKinds,
  foundText,
  mappingOf,
  startsWithBracket,
  stringList,
  stringValue,
  typeMessage,
  valueKind,
  withoutDuplicates,
} from "./value_types.ts";

/** Where the tasks being validated live. */
export interface TaskFileContext {
  readonly checker: FileChecker;
  /** Project root (`/`, `/web`) for a project file: patterns are compared canonically; null for overlays. */
  readonly projectRoot: string | null;
  /** Overlay stem, or null for a project's own file. */
  readonly overlay: string | null;
}

/** The tasks of one file. */
export interface TasksResult {
  readonly tasks: Map<string, TaskBody>;
  /** Names whose body (or name) had an error. */
  readonly dropped: Set<string>;
  /** Position of every task key, valid or dropped. */
  readonly locations: Map<string, DiagnosticLocation>;
}

/** What the readers of one task body know: its file and its name. */
interface TaskContext {
  readonly projectRoot: string | null;
  readonly task: string;
}

const SHELL_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const BLANK = /^\s*$/u;
const REFERENCE_HELP = 'quote references like `"[lib]:build"`';
const DNS_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const DECIMAL = /^\d{1,5}$/;

// ---- values of a task body ----

/** CFG-014: a non-empty list of strings (plain numbers and booleans as written), first not empty. */
function commandValue(checker: FileChecker, _key: string, value: YamlValue): TaskAction | null {
  if (valueKind(checker, value) === "string") {
    reportError(checker, "CFG-014", typeMessage("command", "a list of strings", "string"), value.location, {
      help: "use a list, or `shell:`",
    });
    return null;
  }
  const argv = stringList(checker, "command", value, { coerceScalars: true });
  if (argv === null) return null;
  if ((value.node as { items: unknown[] }).items.length === 0) {
    reportError(checker, "CFG-014", "`command` must not be an empty list", value.location, {
      help: "give the program and its arguments, e.g. `[tsc, -p, .]`",
    });
    return null;
  }
  if (argv.length > 0 && argv[0].text === "") {
    reportError(
      checker,
      "CFG-014",
      "the program name (first element of `command`) must not be empty",
      argv[0].location,
    );
    return null;
  }
  return { kind: "command", argv: argv.map((argument) => argument.text) };
}

/** `shell: {using, script}`. */
const SHELL_MAPPING: MappingSchema<{ using: string | null; script: string | null }, TaskContext> = {
  context: ({ task }) => `\`shell\` of task \`${task}\``,
  fields: {
    using: { read: stringValue, default: null },
    script: { read: stringValue, default: null },
  },
};

/** CFG-015: a script string (`sh -c`), or `{using, script}`. */
function shellValue(
  checker: FileChecker,
  _key: string,
  value: YamlValue,
  context: TaskContext,
): TaskAction | null {
  if (valueKind(checker, value) === "string") {
    const script = stringValue(checker, "shell", value);
    if (script === null) return null;
    if (BLANK.test(script)) {
      reportError(checker, "CFG-015", "`script` must not be blank", value.location);
      return null;
    }
    return { kind: "shell", shell: "sh", script };
  }
  if (!expectKinds(checker, "shell", value, ["string", "mapping"], "a string or a mapping")) return null;
  const { present } = indexMapping(checker, SHELL_MAPPING, value.node as YAMLMap, context);
  const using = present.get("using");
  const script = present.get("script");
  if (!using || !script) {
    reportError(checker, "CFG-015", "`shell` mapping needs both `using` and `script`", value.location);
    return null;
  }
  const { values } = readFields(checker, SHELL_MAPPING, present, context);
  if (values.using !== null && !SHELL_NAME.test(values.using)) {
    reportError(checker, "CFG-015", `invalid shell name \`${values.using}\``, using.value.location, {
      help: "a shell name is 1 to 32 ASCII letters, digits, `_` or `-`, starting with a letter or digit",
    });
    return null;
  }
  if (values.script !== null && BLANK.test(values.script)) {
    reportError(checker, "CFG-015", "`script` must not be blank", script.value.location);
    return null;
  }
  if (values.using === null || values.script === null) return null;
  return { kind: "shell", shell: values.using, script: values.script };
}

/** CFG-017/018/044, ADOPT-100: path patterns (PATH-002..016), `!` exclusions, no duplicates. */
function patternsValue(
  checker: FileChecker,
  key: string,
  value: YamlValue,
  context: TaskContext,
): PatternSpec[] | null {
  const entries = stringList(checker, key, value);
  if (entries === null) return null;
  const specs: {
    text: string;
    pattern: string;
    exclude: boolean;
    location: DiagnosticLocation;
    identity: string;
  }[] = [];
  for (const entry of entries) {
    const exclude = entry.text.startsWith("!");
    const text = exclude ? entry.text.slice(1) : entry.text;
    const problem = checkPattern(text);
    if (problem !== null) {
      reportError(
        checker,
        problem.rule,
        `invalid path pattern \`${text}\`: ${problem.reason}`,
        entry.location,
      );
      continue;
    }
    const canonical = context.projectRoot === null ? text : canonicalPattern(text, context.projectRoot);
    // `text` as written (with its `!`) for CFG-007's message; `pattern` without it.
    specs.push({
      text: entry.text,
      pattern: text,
      exclude,
      location: entry.location,
      identity: `${exclude ? "!" : ""}${canonical}`,
    });
  }
  // ADOPT-100: `!` entries of `outputs` are output exclusions; they cannot stand alone.
  if (key === "outputs" && specs.length > 0 && specs.every((spec) => spec.exclude)) {
    reportError(checker, "CFG-044", "`outputs` has nothing to include", value.location, {
      help: "list what the task writes; `!` entries only remove files from it",
    });
  }
  const unique = withoutDuplicates(checker, key, specs, (spec) => spec.identity);
  return unique.map((spec) => ({ text: spec.pattern, exclude: spec.exclude, location: spec.location }));
}

/** CFG-020: task references (REF-001 syntax), no textual duplicates. */
function referencesValue(checker: FileChecker, key: string, value: YamlValue): DeclaredRef[] | null {
  const entries = stringList(checker, key, value, {
    elementHelp: (item) => startsWithBracket(checker, item) ? REFERENCE_HELP : undefined,
  });
  if (entries === null) return null;
  const parsed: { text: string; location: DiagnosticLocation; declared: DeclaredRef }[] = [];
  for (const entry of entries) {
    const result = parseTaskRef(entry.text);
    if (!result.ok) {
      reportError(checker, "REF-001", invalidRefMessage(entry.text, result.reason), entry.location);
      continue;
    }
    parsed.push({
      text: entry.text,
      location: entry.location,
      declared: { ref: result.ref, location: entry.location },
    });
  }
  return withoutDuplicates(checker, key, parsed, (entry) => entry.text).map((entry) => entry.declared);
}

/** CFG-019: a mutex name `name` / `~:name` (ID-001..003). */
function mutexName(
  checker: FileChecker,
  key: string,
  value: YamlValue,
): { name: string; projectScoped: boolean } | null {
  const text = stringValue(checker, key, value);
  if (text === null) return null;
  const projectScoped = text.startsWith("~:");
  const name = projectScoped ? text.slice(2) : text;
  const problem = checkIdentifier(name);
  if (problem === null) return { name, projectScoped };
  reportError(checker, problem.rule, `invalid mutex name \`${name}\`: ${problem.message}`, value.location);
  return null;
}

/** `mutex: {name, mode}`. */
const MUTEX_MAPPING: MappingSchema<
  { name: { name: string; projectScoped: boolean } | null; mode: "exclusive" | "shared" },
  TaskContext
> = {
  context: ({ task }) => `\`mutex\` of task \`${task}\``,
  fields: {
    name: { read: mutexName, default: null },
    mode: { read: enumOf(["exclusive", "shared"], "CFG-019"), default: "exclusive" },
  },
};

/** CFG-019: `name`, `~:name`, or `{name, mode}`. */
function mutexValue(
  checker: FileChecker,
  _key: string,
  value: YamlValue,
  context: TaskContext,
): MutexDecl | null {
  if (!expectKinds(checker, "mutex", value, ["string", "mapping"], "a string or a mapping")) return null;
  if (valueKind(checker, value) === "string") {
    const parsed = mutexName(checker, "mutex", value);
    return parsed && { ...parsed, mode: "exclusive" };
  }
  const { present } = indexMapping(checker, MUTEX_MAPPING, value.node as YAMLMap, context);
  if (!present.has("name")) {
    // The mode is still checked: both mistakes are reported at once.
    readFields(checker, MUTEX_MAPPING, present, context);
    reportError(checker, "CFG-019", "`mutex` mapping needs `name`", value.location);
    return null;
  }
  const { values, invalid } = readFields(checker, MUTEX_MAPPING, present, context);
  return values.name && !invalid.has("mode") ? { ...values.name, mode: values.mode } : null;
}

/** CFG-021: `override` name → string (CFG-008 scalars as written). */
function overrideValue(checker: FileChecker, key: string, value: YamlValue): Map<string, string> | null {
  if (!expectKinds(checker, key, value, ["mapping"], "a mapping")) return null;
  const override = new Map<string, string>();
  for (const entry of mapEntries(checker, value.node as YAMLMap)) {
    const problem = checkEnvName(entry.key);
    if (problem !== null) reportError(checker, problem.rule, problem.message, entry.keyLocation);
    const text = coercedString(checker, entry.key, entry.value);
    if (problem === null && text !== null) override.set(entry.key, text);
  }
  return override;
}

/** `env: {from_host, override}` (CFG-021). */
const ENV_MAPPING: MappingSchema<{ from_host: string[]; override: Map<string, string> }, TaskContext> = {
  context: ({ task }) => `\`env\` of task \`${task}\``,
  fields: {
    from_host: { read: envNameList, default: [] },
    override: { read: overrideValue, default: new Map() },
  },
};

/** `env` as the body's `TaskEnv`. */
function envValue(checker: FileChecker, key: string, value: YamlValue, context: TaskContext): TaskEnv | null {
  const env = mappingOf(ENV_MAPPING)(checker, key, value, context);
  return env && { fromHost: env.from_host, override: env.override };
}

// ---- values of `service` (SVC-001..009) ----

/** SVC-004: an ECMAScript pattern compiled with the `u` flag. */
function lineValue(checker: FileChecker, key: string, value: YamlValue): RegExp | null {
  const pattern = stringValue(checker, key, value);
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
function portValue(checker: FileChecker, key: string, value: YamlValue): ReadyPort | null {
  if (!expectKinds(checker, key, value, ["integer", "string"], "an integer or a string")) return null;
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
function urlValue(checker: FileChecker, key: string, value: YamlValue): string | null {
  const text = stringValue(checker, key, value);
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

/** `service.ready` (SVC-003..007). */
const READY_MAPPING: MappingSchema<
  { line: RegExp | null; port: ReadyPort | null; url: string | null; timeout: number },
  TaskContext
> = {
  context: ({ task }) => `\`ready\` of task \`${task}\``,
  fields: {
    line: { read: lineValue, default: null },
    port: { read: portValue, default: null },
    url: { read: urlValue, default: null },
    timeout: { read: durationAtLeast(1, "SVC-007"), default: DEFAULT_READY_TIMEOUT_MS },
  },
  synonyms: { linematches: "line", pattern: "line", log: "line", stdout: "line" },
};

/** SVC-003: at least one of `line`, `port`, `url`. */
function readyValue(
  checker: FileChecker,
  key: string,
  value: YamlValue,
  context: TaskContext,
): ReadyCondition | null {
  if (!expectKinds(checker, key, value, ["mapping"], "a mapping")) return null;
  const errorsBefore = checker.errorCount;
  const { present } = indexMapping(checker, READY_MAPPING, value.node as YAMLMap, context);
  if (!present.has("line") && !present.has("port") && !present.has("url")) {
    // An unknown key (a misspelt condition) already said what is wrong.
    if (checker.errorCount > errorsBefore) return null;
    reportError(checker, "SVC-003", "`ready` needs at least one of `line`, `port` or `url`", value.location);
    return null;
  }
  const { values } = readFields(checker, READY_MAPPING, present, context);
  return { line: values.line, port: values.port, url: values.url, timeoutMs: values.timeout };
}

/** SVC-009: 1..100 (and only with `on_exit: restart`, checked with the whole mapping). */
function maxRestartsValue(checker: FileChecker, key: string, value: YamlValue): number | null {
  if (!expectKinds(checker, key, value, ["integer"], "an integer")) return null;
  const count = Number((value.node as { value: unknown }).value);
  if (count >= 1 && count <= 100) return count;
  reportError(
    checker,
    "SVC-009",
    `\`max_restarts\` must be an integer from 1 to 100, found ${foundText(checker, value)}`,
    value.location,
  );
  return null;
}

/** `service: {ready, on_exit, max_restarts, on_change}`. */
const SERVICE_MAPPING: MappingSchema<
  {
    ready: ReadyCondition | null;
    on_exit: "fail" | "restart";
    max_restarts: number;
    on_change: "restart" | "keep";
  },
  TaskContext
> = {
  context: ({ task }) => `\`service\` of task \`${task}\``,
  fields: {
    ready: { read: readyValue, default: null },
    on_exit: { read: enumOf(["fail", "restart"], "SVC-008"), default: "fail" },
    max_restarts: { read: maxRestartsValue, default: DEFAULT_MAX_RESTARTS },
    on_change: { read: enumOf(["restart", "keep"], "SVC-008"), default: "restart" },
  },
  synonyms: {
    readywhen: "ready",
    ready_when: "ready",
    healthcheck: "ready",
    wait_for: "ready",
    restart: "on_exit",
    restart_policy: "on_exit",
    interruptible: "on_change",
    reload: "on_change",
  },
};

/**
 * SVC-001..009: a `service` value as a {@link ServiceSpec}; null when it is `false` or has an error
 * (the caller tells them apart by the checker's error count).
 */
function serviceValue(
  checker: FileChecker,
  key: string,
  value: YamlValue,
  context: TaskContext,
): ServiceSpec | null {
  if (valueKind(checker, value) === "boolean") {
    return (value.node as { value: unknown }).value === true
      ? { ready: null, onExit: "fail", maxRestarts: DEFAULT_MAX_RESTARTS, onChange: "restart" }
      : null;
  }
  if (!expectKinds(checker, key, value, ["boolean", "mapping"], "a boolean or a mapping")) return null;
  const { values, present, invalid } = walkMapping(checker, SERVICE_MAPPING, value.node as YAMLMap, context);
  const maxRestarts = present.get("max_restarts");
  // An invalid `on_exit` already failed; `max_restarts` is judged against a valid or absent one.
  if (maxRestarts && !invalid.has("max_restarts") && !invalid.has("on_exit") && values.on_exit === "fail") {
    reportError(checker, "SVC-009", "`max_restarts` needs `on_exit: restart`", maxRestarts.keyLocation);
    return null;
  }
  if (invalid.has("on_exit") || invalid.has("on_change") || invalid.has("max_restarts")) return null;
  return {
    ready: values.ready,
    onExit: values.on_exit,
    onChange: values.on_change,
    maxRestarts: values.max_restarts,
  };
}

// ---- the task body ----

/** The fields of a task body as read. */
interface BodyFields {
  command: TaskAction | null;
  shell: TaskAction | null;
  inputs: PatternSpec[] | null;
  outputs: PatternSpec[];
  deps: DeclaredRef[];
  weakDeps: DeclaredRef[];
  mutex: MutexDecl | null;
  env: TaskEnv;
  description: string | null;
  cache: boolean;
  timeout: number | null;
  service: ServiceSpec | null;
}

/** A task body, keys in schema order (DIAG-009 prefers the earlier on ties). */
const TASK_BODY: MappingSchema<BodyFields, TaskContext> = {
  context: ({ task }) => `task \`${task}\``,
  fields: {
    command: { read: commandValue, default: null },
    shell: { read: shellValue, default: null },
    inputs: { read: patternsValue, default: null },
    outputs: { read: patternsValue, default: [] },
    deps: { read: referencesValue, default: [] },
    weakDeps: { read: referencesValue, default: [] },
    mutex: { read: mutexValue, default: null },
    env: { read: envValue, default: { fromHost: [], override: new Map() } },
    description: { read: stringValue, default: null },
    cache: { read: booleanValue, default: true },
    timeout: { read: durationAtLeast(1, "CFG-022"), default: null },
    service: { read: serviceValue, default: null },
  },
  synonyms: TASK_KEY_SYNONYMS,
};

/** CFG-016: the keys an aggregate (no `command`, no `shell`) may carry. */
const AGGREGATE_KEYS = new Set(["deps", "weakDeps", "description"]);

/** SVC-010: keys a service cannot have, each with its help. */
const NOT_ON_SERVICE: ReadonlyMap<string, string> = new Map([
  [
    "outputs",
    "a service never finishes, so its outputs are never complete; write them in a task that runs before it",
  ],
  ["cache", "services are never cached; remove the key"],
  ["timeout", "use service.ready.timeout to bound the start; a service runs until it is stopped"],
  ["mutex", "put the mutex on the tasks that use the service"],
]);

/** Source order of two locations in the same file. */
function isBefore(a: DiagnosticLocation, b: DiagnosticLocation): boolean {
  return (a.line ?? 0) < (b.line ?? 0) ||
    ((a.line ?? 0) === (b.line ?? 0) && (a.column ?? 0) < (b.column ?? 0));
}

/** CFG-013: the second of `command` / `shell` in source order is the error. */
function checkSingleAction(checker: FileChecker, command?: MapEntry, shell?: MapEntry): void {
  if (!command || !shell) return;
  const [first, second] = isBefore(command.keyLocation, shell.keyLocation)
    ? [command, shell]
    : [shell, command];
  reportError(
    checker,
    "CFG-013",
    `\`${second.key}\` cannot be combined with \`${first.key}\``,
    second.keyLocation,
    { help: "a task runs either `command` (argv, no shell) or `shell` (a script), not both" },
  );
}

/** Removes the present keys `refuse` names, each reported under `rule` with its help. */
function refuseKeys(
  checker: FileChecker,
  present: Map<string, MapEntry>,
  refuse: (key: string) => string | undefined,
  rule: string,
  message: (key: string) => string,
): void {
  for (const [key, entry] of present) {
    const help = refuse(key);
    if (help === undefined) continue;
    reportError(checker, rule, message(key), entry.keyLocation, { help });
    present.delete(key);
  }
}

/** One task body; null when it has any error (the caller drops it). */
function taskBody(
  file: TaskFileContext,
  name: string,
  nameLocation: () => DiagnosticLocation,
  value: YamlValue,
): TaskBody | null {
  const checker = file.checker;
  const errorsBefore = checker.errorCount;
  if (!expectKinds(checker, name, value, ["mapping"], "a mapping")) return null;
  const context: TaskContext = { projectRoot: file.projectRoot, task: name };
  const { present } = indexMapping(checker, TASK_BODY, value.node as YAMLMap, context);
  checkSingleAction(checker, present.get("command"), present.get("shell"));
  if (!present.has("command") && !present.has("shell")) {
    refuseKeys(
      checker,
      present,
      (key) => AGGREGATE_KEYS.has(key) ? undefined : "add `command:` or `shell:`",
      "CFG-016",
      (key) => `\`${key}\` is not allowed on aggregate task \`${name}\``,
    );
  }
  const serviceEntry = present.get("service");
  const service = serviceEntry ? serviceValue(checker, "service", serviceEntry.value, context) : null;
  if (service !== null) {
    refuseKeys(
      checker,
      present,
      (key) => NOT_ON_SERVICE.get(key),
      "SVC-010",
      (key) => `\`${key}\` is not allowed on service task \`${name}\``,
    );
  }
  const { values } = readFields(checker, TASK_BODY, present, context, { service });
  if (checker.errorCount !== errorsBefore) return null;
  return {
    name,
    action: values.command ?? values.shell,
    inputs: values.inputs,
    outputs: values.outputs,
    deps: values.deps,
    weakDeps: values.weakDeps,
    mutex: values.mutex,
    env: values.env,
    description: values.description,
    cache: values.cache,
    timeoutMs: values.timeout,
    service,
    file: checker.file.path,
    overlay: file.overlay,
    location: nameLocation(),
  };
}

/**
 * The `tasks` field of the project and overlay schemas (§5): {@link validateTasks} with the walk's
 * checker.
 *
 * @example
 * ```ts
 * const fields = { tasks: { read: readTasksField, default: null } };
 * ```
 */
export function readTasksField(
  checker: FileChecker,
  _key: string,
  value: YamlValue,
  file: TaskFileContext,
): TasksResult | null {
  return validateTasks({ ...file, checker }, value);
}

/**
 * Validates a `tasks` value (CFG-012/CFG-025): a mapping of task names (ID-001..003) to bodies (§5).
 * Returns null when `tasks` is not a mapping at all.
 *
 * @example
 * ```ts
 * const result = validateTasks({ checker, projectRoot: "/web", overlay: null }, tasksEntry.value);
 * result?.tasks.get("build")?.action; // { kind: "command", argv: ["tsc"] }
 * ```
 */
export function validateTasks(file: TaskFileContext, value: YamlValue): TasksResult | null {
  const checker = file.checker;
  if (!expectKinds(checker, "tasks", value, ["mapping"], "a mapping")) return null;
  const dropped = new Set<string>();
  // A repeated task name (CFG-006) leaves it unclear which body is meant: the name is dropped.
  const entries = mapEntries(checker, value.node as YAMLMap, (repeat) => dropped.add(repeat.key));
  const tasks = new Map<string, TaskBody>();
  const locations = new Map<string, DiagnosticLocation>();
  for (const entry of entries) {
    locations.set(entry.key, entry.keyLocation);
    const problem = checkIdentifier(entry.key);
    if (problem !== null) {
      reportError(
        checker,
        problem.rule,
        `invalid task name \`${entry.key}\`: ${problem.message}`,
        entry.keyLocation,
      );
    }
    const body = taskBody(file, entry.key, () => entry.keyLocation, entry.value);
    if (body === null || problem !== null || dropped.has(entry.key)) dropped.add(entry.key);
    else tasks.set(entry.key, body);
  }
  return { tasks, dropped, locations };
}
