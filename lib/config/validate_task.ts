/**
 * Validation of `tasks` mappings and task bodies (01-workspace.md §5, CFG-012..022, CFG-044), shared
 * by `haz.yml` and overlay files. A body with any error is dropped but its name stays known (DIAG-007).
 *
 * @module
 */

import type { YAMLMap } from "yaml";
import type { DiagnosticLocation } from "../domain/diagnostic.ts";
import { checkEnvName, checkIdentifier } from "../domain/identifier.ts";
import { canonicalPattern, checkPattern } from "../domain/path_pattern.ts";
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
  mapEntries,
  type MapEntry,
  reportError,
  valueKind,
  type YamlValue,
} from "./file_checker.ts";
import { checkService } from "./validate_service.ts";
import {
  closedKeys,
  coercedString,
  durationValue,
  enumValue,
  envNameList,
  expectKinds,
  mappingValue,
  startsWithBracket,
  stringList,
  stringValue,
  typeMessage,
  withoutDuplicates,
} from "./value_checks.ts";

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

/** Task body keys in schema order (DIAG-009 prefers the earlier on ties). */
const TASK_KEYS = [
  "command",
  "shell",
  "inputs",
  "outputs",
  "deps",
  "weakDeps",
  "mutex",
  "env",
  "description",
  "cache",
  "timeout",
  "service",
] as const;
const AGGREGATE_KEYS = new Set(["deps", "weakDeps", "description"]);
const SHELL_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const BLANK = /^\s*$/u;
const REFERENCE_HELP = 'quote references like `"[lib]:build"`';
const MIN_TIMEOUT_SECONDS = 1;
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

/** CFG-014: a non-empty list of strings (plain numbers and booleans as written), first not empty. */
function checkCommand(checker: FileChecker, value: YamlValue): TaskAction | null {
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

/** CFG-015: a script string (`sh -c`), or `{using, script}`. */
function checkShell(checker: FileChecker, value: YamlValue, task: string): TaskAction | null {
  const kind = valueKind(checker, value);
  if (kind === "string") {
    const script = stringValue(checker, "shell", value);
    if (script === null) return null;
    if (BLANK.test(script)) {
      reportError(checker, "CFG-015", "`script` must not be blank", value.location);
      return null;
    }
    return { kind: "shell", shell: "sh", script };
  }
  if (!expectKinds(checker, "shell", value, ["string", "mapping"], "a string or a mapping")) return null;
  const known = closedKeys(
    checker,
    mapEntries(checker, value.node as YAMLMap),
    ["using", "script"],
    `\`shell\` of task \`${task}\``,
  );
  const using = known.get("using");
  const script = known.get("script");
  if (!using || !script) {
    reportError(checker, "CFG-015", "`shell` mapping needs both `using` and `script`", value.location);
    return null;
  }
  const shellName = stringValue(checker, "using", using.value);
  const scriptText = stringValue(checker, "script", script.value);
  if (shellName !== null && !SHELL_NAME.test(shellName)) {
    reportError(checker, "CFG-015", `invalid shell name \`${shellName}\``, using.value.location, {
      help: "a shell name is 1 to 32 ASCII letters, digits, `_` or `-`, starting with a letter or digit",
    });
    return null;
  }
  if (scriptText !== null && BLANK.test(scriptText)) {
    reportError(checker, "CFG-015", "`script` must not be blank", script.value.location);
    return null;
  }
  if (shellName === null || scriptText === null) return null;
  return { kind: "shell", shell: shellName, script: scriptText };
}

/** CFG-017/018/044, ADOPT-100: path patterns (PATH-002..016), `!` exclusions, no duplicates. */
function checkPatterns(
  context: TaskFileContext,
  key: "inputs" | "outputs",
  value: YamlValue,
): PatternSpec[] | null {
  const checker = context.checker;
  const entries = stringList(checker, key, value);
  if (entries === null) return null;
  const specs: (PatternSpec & { location: DiagnosticLocation; identity: string })[] = [];
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
    specs.push({ text, exclude, location: entry.location, identity: `${exclude ? "!" : ""}${canonical}` });
  }
  // ADOPT-100: `!` entries of `outputs` are output exclusions; they cannot stand alone.
  if (key === "outputs" && specs.length > 0 && specs.every((spec) => spec.exclude)) {
    reportError(checker, "CFG-044", "`outputs` has nothing to include", value.location, {
      help: "list what the task writes; `!` entries only remove files from it",
    });
  }
  const unique = withoutDuplicates(
    checker,
    key,
    specs.map((spec) => ({ ...spec, text: `${spec.exclude ? "!" : ""}${spec.text}` })),
    (spec) => spec.identity,
  );
  return unique.map((spec) => ({
    text: spec.exclude ? spec.text.slice(1) : spec.text,
    exclude: spec.exclude,
    location: spec.location,
  }));
}

/** CFG-020: task references (REF-001 syntax), no textual duplicates. */
function checkReferences(
  checker: FileChecker,
  key: "deps" | "weakDeps",
  value: YamlValue,
): DeclaredRef[] | null {
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
    parsed.push({ ...entry, declared: { ref: result.ref, location: entry.location } });
  }
  return withoutDuplicates(checker, key, parsed, (entry) => entry.text).map((entry) => entry.declared);
}

/** CFG-019: a mutex name `name` / `~:name` (ID-001..003). */
function mutexName(
  checker: FileChecker,
  text: string,
  location: DiagnosticLocation,
): { name: string; projectScoped: boolean } | null {
  const projectScoped = text.startsWith("~:");
  const name = projectScoped ? text.slice(2) : text;
  const problem = checkIdentifier(name);
  if (problem === null) return { name, projectScoped };
  reportError(checker, problem.rule, `invalid mutex name \`${name}\`: ${problem.message}`, location);
  return null;
}

/** CFG-019: `name`, `~:name`, or `{name, mode}`. */
function checkMutex(checker: FileChecker, value: YamlValue, task: string): MutexDecl | null {
  if (!expectKinds(checker, "mutex", value, ["string", "mapping"], "a string or a mapping")) return null;
  if (valueKind(checker, value) === "string") {
    const text = stringValue(checker, "mutex", value);
    const parsed = text === null ? null : mutexName(checker, text, value.location);
    return parsed && { ...parsed, mode: "exclusive" };
  }
  const known = closedKeys(
    checker,
    mapEntries(checker, value.node as YAMLMap),
    ["name", "mode"],
    `\`mutex\` of task \`${task}\``,
  );
  const nameEntry = known.get("name");
  const modeEntry = known.get("mode");
  const mode = modeEntry
    ? enumValue(checker, "mode", modeEntry.value, ["exclusive", "shared"], "CFG-019")
    : "exclusive";
  if (!nameEntry) {
    reportError(checker, "CFG-019", "`mutex` mapping needs `name`", value.location);
    return null;
  }
  const text = stringValue(checker, "name", nameEntry.value);
  const parsed = text === null ? null : mutexName(checker, text, nameEntry.value.location);
  return parsed && mode ? { ...parsed, mode } : null;
}

/** CFG-021: `from_host` names and `override` name → string (CFG-008 scalars as written). */
function checkEnv(checker: FileChecker, value: YamlValue, task: string): TaskEnv | null {
  const entries = mappingValue(checker, "env", value);
  if (entries === null) return null;
  const known = closedKeys(checker, entries, ["from_host", "override"], `\`env\` of task \`${task}\``);
  const fromHostEntry = known.get("from_host");
  const fromHost = fromHostEntry ? envNameList(checker, "from_host", fromHostEntry.value) : [];
  const override = new Map<string, string>();
  const overrideEntry = known.get("override");
  const overrides = overrideEntry ? mappingValue(checker, "override", overrideEntry.value) : [];
  for (const entry of overrides ?? []) {
    const problem = checkEnvName(entry.key);
    if (problem !== null) reportError(checker, problem.rule, problem.message, entry.keyLocation);
    const text = coercedString(checker, entry.key, entry.value);
    if (problem === null && text !== null) override.set(entry.key, text);
  }
  return { fromHost, override };
}

/** CFG-022/034: a duration of at least `1s`, in milliseconds. */
function checkTimeout(checker: FileChecker, value: YamlValue): number | null {
  const seconds = durationValue(checker, "timeout", value);
  if (seconds === null) return null;
  if (seconds >= MIN_TIMEOUT_SECONDS) return seconds * 1000;
  const written = String((value.node as { value: unknown }).value);
  reportError(
    checker,
    "CFG-022",
    `\`timeout\` must be at least \`1s\`, found \`${written}\``,
    value.location,
  );
  return null;
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

/** Source order of two locations in the same file. */
function isBefore(a: DiagnosticLocation, b: DiagnosticLocation): boolean {
  return (a.line ?? 0) < (b.line ?? 0) ||
    ((a.line ?? 0) === (b.line ?? 0) && (a.column ?? 0) < (b.column ?? 0));
}

/** One task body; null when it has any error (the caller drops it). */
function checkTaskBody(
  context: TaskFileContext,
  name: string,
  nameLocation: DiagnosticLocation,
  value: YamlValue,
): TaskBody | null {
  const checker = context.checker;
  const errorsBefore = checker.errorCount;
  if (!expectKinds(checker, name, value, ["mapping"], "a mapping")) return null;
  const entries = mapEntries(checker, value.node as YAMLMap);
  const known = closedKeys(checker, entries, TASK_KEYS, `task \`${name}\``, TASK_KEY_SYNONYMS);
  const command = known.get("command");
  const shell = known.get("shell");
  checkSingleAction(checker, command, shell);
  if (!command && !shell) {
    // CFG-016: an aggregate may only carry deps, weakDeps and description.
    for (const [key, entry] of known) {
      if (AGGREGATE_KEYS.has(key)) continue;
      reportError(
        checker,
        "CFG-016",
        `\`${key}\` is not allowed on aggregate task \`${name}\``,
        entry.keyLocation,
        {
          help: "add `command:` or `shell:`",
        },
      );
      known.delete(key);
    }
  }
  const serviceEntry = known.get("service");
  const service = serviceEntry ? checkService(checker, serviceEntry.value, name) : null;
  if (service !== null) {
    for (const [key, help] of NOT_ON_SERVICE) {
      const entry = known.get(key);
      if (entry === undefined) continue;
      reportError(
        checker,
        "SVC-010",
        `\`${key}\` is not allowed on service task \`${name}\``,
        entry.keyLocation,
        {
          help,
        },
      );
      known.delete(key);
    }
  }
  const commandAction = command ? checkCommand(checker, command.value) : null;
  const shellAction = shell ? checkShell(checker, shell.value, name) : null;
  const inputs = known.get("inputs");
  const outputs = known.get("outputs");
  const deps = known.get("deps");
  const weakDeps = known.get("weakDeps");
  const mutex = known.get("mutex");
  const env = known.get("env");
  const description = known.get("description");
  const cache = known.get("cache");
  const timeout = known.get("timeout");
  const body: TaskBody = {
    name,
    action: commandAction ?? shellAction,
    inputs: inputs ? checkPatterns(context, "inputs", inputs.value) : null,
    outputs: (outputs && checkPatterns(context, "outputs", outputs.value)) ?? [],
    deps: (deps && checkReferences(checker, "deps", deps.value)) ?? [],
    weakDeps: (weakDeps && checkReferences(checker, "weakDeps", weakDeps.value)) ?? [],
    mutex: mutex ? checkMutex(checker, mutex.value, name) : null,
    env: (env && checkEnv(checker, env.value, name)) ?? { fromHost: [], override: new Map() },
    description: description ? stringValue(checker, "description", description.value) : null,
    cache: cache && expectKinds(checker, "cache", cache.value, ["boolean"], "a boolean")
      ? (cache.value.node as { value: unknown }).value === true
      : true,
    timeoutMs: timeout ? checkTimeout(checker, timeout.value) : null,
    service,
    file: checker.file.path,
    overlay: context.overlay,
    location: nameLocation,
  };
  return checker.errorCount === errorsBefore ? body : null;
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
export function validateTasks(context: TaskFileContext, value: YamlValue): TasksResult | null {
  const checker = context.checker;
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
    const body = checkTaskBody(context, entry.key, entry.keyLocation, entry.value);
    if (body === null || problem !== null || dropped.has(entry.key)) dropped.add(entry.key);
    else tasks.set(entry.key, body);
  }
  return { tasks, dropped, locations };
}
