/**
 * Every command's grammar and help text (05-cli.md): options, arguments, usage blocks, summaries.
 * Argument parsing, help pages and usage errors are all derived from this one table.
 *
 * @module
 */

/** One option of a command. */
export interface OptionSpec {
  /** Long name without dashes, e.g. `dry-run`. */
  readonly long: string;
  /** Short letter without the dash, e.g. `j`. */
  readonly short?: string;
  /** Value placeholder for value options (`N|auto`, `FILE`); absent for booleans. */
  readonly value?: string;
  readonly description: string;
  readonly defaultText?: string;
  /** Allowed values of an enum option (did-you-mean applies). */
  readonly choices?: readonly string[];
}

/** One positional argument, for the help page. */
export interface ArgumentSpec {
  readonly name: string;
  readonly description: string;
}

/** A command or a `cache` subcommand. */
export interface CommandSpec {
  /** `run`, or `cache clean` for a subcommand. */
  readonly name: string;
  readonly summary: string;
  readonly usage: readonly string[];
  readonly arguments: readonly ArgumentSpec[];
  readonly options: readonly OptionSpec[];
  readonly subcommands?: readonly string[];
}

/** Options every command accepts (05-cli.md §2.2). */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { long: "cwd", short: "C", value: "DIR", description: "start in DIR instead of the current directory" },
  {
    long: "color",
    value: "WHEN",
    description: "auto, always or never",
    defaultText: "auto",
    choices: ["auto", "always", "never"],
  },
  { long: "help", short: "h", description: "show help" },
  { long: "version", short: "V", description: "show the version" },
];

const SCOPE_OPTIONS: readonly OptionSpec[] = [
  { long: "all", description: "every task of the bearing project (of every project when there is none)" },
  { long: "workspace", description: "every task of every project" },
];

/** Options of `run` and `watch` alike: how tasks run and print (04-execution.md, WATCH-001). */
const EXECUTION_OPTIONS: readonly OptionSpec[] = [
  {
    long: "output-mode",
    value: "MODE",
    description: "live or buffered",
    defaultText: "output.mode, else live",
    choices: ["live", "buffered"],
  },
  {
    long: "concurrency",
    short: "j",
    value: "N|auto",
    description: "global cap: an integer >= 1 or auto (logical CPUs)",
    defaultText: "HAZ_CONCURRENCY, else concurrency.default, else auto",
  },
  { long: "no-cache", description: "no cache lookup and no store for any task" },
];

const GIT_OPTIONS: readonly OptionSpec[] = [
  {
    long: "git-changed",
    description: "keep tasks affected by working-tree changes vs HEAD (untracked included)",
  },
  { long: "git-staged", description: "keep tasks affected by staged changes vs HEAD" },
  {
    long: "git-changed-since",
    value: "REV",
    description: "keep tasks affected by working-tree changes vs REV (untracked included)",
  },
];

const REFS: ArgumentSpec = {
  name: "REF...",
  description: "task references (p:t, ~:t, ^:t, ^~:t, [tag]:t, [tag]~:t, t)",
};

const RUN: CommandSpec = {
  name: "run",
  summary: "run tasks and their dependencies",
  usage: [
    "usage: haz run [REF...] [--all | --workspace] [--git-changed | --git-staged | --git-changed-since REV]",
    "               [--dry-run [--json]] [--output-mode live|buffered] [-j N|auto] [--no-cache]",
    "               [--remote-cache off|read|write|read-write] [--shard I/N]",
    "               [--fail-fast] [--summary FILE] [--profile FILE]",
  ],
  arguments: [REFS],
  options: [
    ...SCOPE_OPTIONS,
    ...GIT_OPTIONS,
    { long: "dry-run", description: "print the run set, execute nothing" },
    { long: "json", description: "with --dry-run: JSON instead of text" },
    ...EXECUTION_OPTIONS,
    {
      long: "remote-cache",
      value: "MODE",
      description: "use the remote cache for off, read, write or read-write",
      defaultText: "HAZ_REMOTE_CACHE, else cache.remote.mode, else read-write",
      choices: ["off", "read", "write", "read-write"],
    },
    { long: "shard", value: "I/N", description: "run shard I of N of the run set's units" },
    { long: "fail-fast", description: "the first failure cancels the run" },
    { long: "summary", value: "FILE", description: "write the run summary JSON to FILE" },
    { long: "profile", value: "FILE", description: "write a Chrome trace of the run to FILE" },
  ],
};

const WATCH: CommandSpec = {
  name: "watch",
  summary: "run tasks again whenever their inputs change",
  usage: [
    "usage: haz watch [REF...] [--all | --workspace] [--output-mode live|buffered] [-j N|auto] [--no-cache]",
    "                 [--debounce MS]",
  ],
  arguments: [REFS],
  options: [
    ...SCOPE_OPTIONS,
    ...EXECUTION_OPTIONS,
    {
      long: "debounce",
      value: "MS",
      description: "quiet period that groups changes into one cycle, 0 to 10000",
      defaultText: "200",
    },
  ],
};

const CHECK: CommandSpec = {
  name: "check",
  summary: "validate the workspace without running anything",
  usage: ["usage: haz check [--all | --workspace]"],
  arguments: [],
  options: SCOPE_OPTIONS,
};

const WHY: CommandSpec = {
  name: "why",
  summary: "explain the cache state of one task",
  usage: ["usage: haz why REF"],
  arguments: [{ name: "REF", description: "one task reference; it must resolve to exactly one task" }],
  options: [],
};

const EXPRESSION_OPTIONS: readonly OptionSpec[] = [
  { long: "tags", value: "EXPR", description: "boolean expression over tag names (* = any)" },
  { long: "projects", value: "EXPR", description: "boolean expression over project names" },
  { long: "tasks", value: "EXPR", description: "boolean expression over task names" },
  { long: "inputs", value: "EXPR", description: "boolean expression over path patterns of inputs" },
  { long: "outputs", value: "EXPR", description: "boolean expression over path patterns of outputs" },
  {
    long: "child-of",
    value: "EXPR",
    description: "a direct hard predecessor matches (name:, project:, tag:)",
  },
  { long: "parent-of", value: "EXPR", description: "a direct hard successor matches" },
  { long: "depends-on", value: "EXPR", description: "a transitive hard predecessor matches" },
  { long: "ancestor-of", value: "EXPR", description: "a transitive hard successor matches" },
];

const QUERY: CommandSpec = {
  name: "query",
  summary: "list tasks that match filters",
  usage: [
    "usage: haz query [--all | --workspace] [--tags EXPR] [--projects EXPR] [--tasks EXPR]",
    "                 [--inputs EXPR] [--outputs EXPR] [--child-of EXPR] [--parent-of EXPR]",
    "                 [--depends-on EXPR] [--ancestor-of EXPR] [--has-deps | --no-deps]",
    "                 [--has-inputs | --no-inputs] [--has-outputs | --no-outputs] [--mutex]",
    "                 [--format plain|long|json]",
  ],
  arguments: [],
  options: [
    { long: "all", description: "candidates: the bearing project's tasks (every task without one)" },
    { long: "workspace", description: "candidates: every task" },
    ...EXPRESSION_OPTIONS,
    { long: "has-deps", description: "tasks that declare deps" },
    { long: "no-deps", description: "tasks without deps" },
    { long: "has-inputs", description: "tasks that declare inputs" },
    { long: "no-inputs", description: "tasks without inputs" },
    { long: "has-outputs", description: "tasks that declare outputs" },
    { long: "no-outputs", description: "tasks without outputs" },
    { long: "mutex", description: "tasks that declare a mutex" },
    {
      long: "format",
      value: "FORMAT",
      description: "plain, long or json",
      defaultText: "plain",
      choices: ["plain", "long", "json"],
    },
  ],
};

const GRAPH: CommandSpec = {
  name: "graph",
  summary: "export the task graph (dot, mermaid, json, html)",
  usage: [
    "usage: haz graph [REF...] [--all | --workspace] [--git-changed | --git-staged | --git-changed-since REV]",
    "                 [--format dot|mermaid|json|html] [-o FILE]",
  ],
  arguments: [REFS],
  options: [
    ...SCOPE_OPTIONS,
    ...GIT_OPTIONS,
    {
      long: "format",
      value: "FORMAT",
      description: "dot, mermaid, json or html",
      defaultText: "dot",
      choices: ["dot", "mermaid", "json", "html"],
    },
    { long: "output", short: "o", value: "FILE", description: "write to FILE atomically instead of stdout" },
  ],
};

const CACHE_USAGE = [
  "usage: haz cache clear",
  "       haz cache info [--json] [--remote]",
  "       haz cache clean [--soft] [--max-age DURATION] [--max-size SIZE] [--dry-run] [--json]",
];

const CACHE: CommandSpec = {
  name: "cache",
  summary: "clear, inspect or clean the local cache",
  usage: CACHE_USAGE,
  arguments: [{ name: "SUBCOMMAND", description: "clear, info or clean" }],
  options: [],
  subcommands: ["clear", "info", "clean"],
};

const CACHE_CLEAR: CommandSpec = {
  name: "cache clear",
  summary: "delete the local cache",
  usage: [CACHE_USAGE[0]],
  arguments: [],
  options: [],
};

const CACHE_INFO: CommandSpec = {
  name: "cache info",
  summary: "report what the local cache holds",
  usage: [`usage: ${CACHE_USAGE[1].trim()}`],
  arguments: [],
  options: [
    { long: "json", description: "the report as JSON" },
    { long: "remote", description: "also contact the remote cache and check it" },
  ],
};

const CACHE_CLEAN: CommandSpec = {
  name: "cache clean",
  summary: "remove stale, old or excess cache entries",
  usage: [`usage: ${CACHE_USAGE[2].trim()}`],
  arguments: [],
  options: [
    { long: "soft", description: "remove corrupt and mismatched entries and orphaned directories" },
    {
      long: "max-age",
      value: "DURATION",
      description: "evict entries older than DURATION (e.g. 7d)",
      defaultText: "cache.clean.max_age",
    },
    {
      long: "max-size",
      value: "SIZE",
      description: "evict oldest entries until the cache is at most SIZE",
      defaultText: "cache.clean.max_size",
    },
    { long: "dry-run", description: "report what would be removed, remove nothing" },
    { long: "json", description: "the report as JSON" },
  ],
};

const INIT: CommandSpec = {
  name: "init",
  summary: "create a workspace in the current directory",
  usage: [
    "usage: haz init [--yes]",
    "       haz init --import [--from auto|turbo|package-json|deno] [--yes] [--force] [--dry-run]",
  ],
  arguments: [],
  options: [
    { long: "yes", description: "no questions (without --import: a minimal workspace)" },
    {
      long: "import",
      description: "import the existing workspace and task definitions (turbo, package.json, deno)",
    },
    {
      long: "from",
      value: "KIND",
      description: "which source to import: auto, turbo, package-json or deno",
      defaultText: "auto",
      choices: ["auto", "turbo", "package-json", "deno"],
    },
    { long: "force", description: "with --import: replace existing haz files" },
    { long: "dry-run", description: "with --import: print the files that would be written, write nothing" },
  ],
};

const HELP: CommandSpec = {
  name: "help",
  summary: "show the help of a command",
  usage: ["usage: haz help [COMMAND [SUB]]"],
  arguments: [{ name: "COMMAND [SUB]", description: "the command (and cache subcommand) to explain" }],
  options: [],
};

/** Every command in the order of the top-level help page. */
export const COMMANDS: readonly CommandSpec[] = [RUN, WATCH, CHECK, WHY, QUERY, GRAPH, CACHE, INIT, HELP];

/** The `cache` subcommands. */
export const CACHE_SUBCOMMANDS: readonly CommandSpec[] = [CACHE_CLEAR, CACHE_INFO, CACHE_CLEAN];

/** The top-level usage block. */
export const TOP_LEVEL_USAGE = ["usage: haz [-C DIR] [--color auto|always|never] <command> [ARGS...]"];

/**
 * Finds a command (`run`) or a cache subcommand (`cache clean`) by its full name.
 *
 * @example
 * ```ts
 * commandSpec("cache info")?.usage; // ["usage: haz cache info [--json]"]
 * ```
 */
export function commandSpec(name: string): CommandSpec | undefined {
  return [...COMMANDS, ...CACHE_SUBCOMMANDS].find((spec) => spec.name === name);
}
