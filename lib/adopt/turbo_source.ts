/**
 * Reading a turbo workspace (08-adoption.md ADOPT-020, 021, 004, §6): the effective definition of each
 * task for each package, the source graph with its no-op nodes, the errors turbo itself would refuse
 * to run with, and the warnings about what cannot be mapped.
 *
 * @module
 */

import { compareBytes } from "../domain/task_id.ts";
import { mapEnvEntry } from "./env_entries.ts";
import { choosePackageManager, readNodePackages, workspaceDependencies } from "./read_packages.ts";
import { buildNodes, type NodeSpec } from "./source_graph.ts";
import type {
  AdoptWarning,
  EntryOrigin,
  SourceDefinition,
  SourcePackage,
  SourceWorkspace,
} from "./source_model.ts";
import { asObject, type JsonObject, readSourceFile, sourceFileExists, stringList } from "./source_files.ts";

/** A read source, or the error lines that stop the import. */
export type SourceOutcome =
  | { readonly ok: true; readonly source: SourceWorkspace }
  | { readonly ok: false; readonly errors: readonly string[] };

const ARRAY_FIELDS = ["dependsOn", "inputs", "outputs", "env", "passThroughEnv", "with"];
const KNOWN_TASK_KEYS = new Set([
  ...ARRAY_FIELDS,
  "cache",
  "persistent",
  "interactive",
  "interruptible",
  "outputLogs",
  "outputMode",
  "extends",
  "command",
  "description",
  "dotEnv",
]);
const TURBO_EXTENDS = "$TURBO_EXTENDS$";

const PERSISTENT_TEXT =
  'turbo "persistent" is not supported yet; imported as an uncached task that runs until it is stopped';
const INTERACTIVE_TEXT = 'turbo "interactive" needs a terminal, which haz tasks do not have; not imported';

/** One task entry of a turbo.json, with where it is written. */
interface Entry {
  readonly origin: EntryOrigin;
  readonly body: JsonObject;
}

/**
 * Reads the turbo source at `<dir>` (`turbo.json` or `turbo.jsonc` there, `package.json` beside it).
 *
 * @example
 * ```ts
 * const outcome = await readTurboSource("/repo", "turbo.json");
 * if (outcome.ok) outcome.source.nodes.length; // 12
 * ```
 */
export async function readTurboSource(dir: string, configFile: string): Promise<SourceOutcome> {
  const packagesRead = await readNodePackages(dir);
  if (!packagesRead.ok) return { ok: false, errors: packagesRead.errors };
  const packages = packagesRead.packages;
  const rootRead = readSourceFile(dir, configFile);
  const errors: string[] = [];
  if (!rootRead.ok) errors.push(rootRead.error);
  const packageConfigs = new Map<SourcePackage, { file: string; json: JsonObject }>();
  for (const pkg of packages) {
    if (pkg.isRoot) continue;
    for (const name of ["turbo.json", "turbo.jsonc"]) {
      const file = `${pkg.dir}/${name}`;
      if (!sourceFileExists(dir, file)) continue;
      const read = readSourceFile(dir, file);
      if (!read.ok) errors.push(read.error);
      else packageConfigs.set(pkg, { file, json: asObject(read.value) });
      break;
    }
  }
  if (errors.length > 0 || !rootRead.ok) return { ok: false, errors: errors.sort(compareBytes) };
  const rootJson = asObject(rootJsonOf(dir));
  const root = asObject(rootRead.value);
  const warnings: AdoptWarning[] = [];
  const choice = choosePackageManager(dir, rootJson);
  warnings.push(...choice.warnings);

  const rootTasks = taskEntries(configFile, root, warnings);
  const packageTasks = new Map<SourcePackage, Map<string, Entry>>();
  const tags = new Map<string, readonly string[]>();
  for (const [pkg, config] of packageConfigs) {
    const extendsRoot = stringList(config.json.extends).includes("//");
    if (extendsRoot) packageTasks.set(pkg, taskEntries(config.file, config.json, warnings));
    const declaredTags = stringList(config.json.tags);
    if (declaredTags.length > 0) tags.set(pkg.dir, declaredTags);
  }
  for (const entries of [rootTasks, ...packageTasks.values()]) {
    for (const entry of entries.values()) warnings.push(...entryWarnings(entry));
  }
  const globalEnv = envList(configFile, "globalEnv", root.globalEnv, warnings);
  const globalPassThroughEnv = envList(
    configFile,
    "globalPassThroughEnv",
    root.globalPassThroughEnv,
    warnings,
  );
  if (root.envMode === "loose") {
    warnings.push(
      workspaceWarning(
        configFile,
        "envMode",
        "turbo loose env mode is not supported: tasks see only declared variables",
      ),
    );
  }
  const concurrency = readConcurrency(configFile, root.concurrency, warnings);
  const commandFlag = asObject(root.futureFlags).experimentalTaskCommand === true;

  const byName = new Map<string, SourcePackage>();
  for (const pkg of packages) if (pkg.name !== null && !byName.has(pkg.name)) byName.set(pkg.name, pkg);
  const definitionOf = (pkg: SourcePackage, task: string): SourceDefinition | null => {
    const layers = effectiveLayers(pkg, task, rootTasks, packageTasks.get(pkg));
    return layers.length === 0 ? null : foldLayers(layers);
  };
  const taskNames = new Set<string>();
  for (const key of rootTasks.keys()) {
    taskNames.add(key.includes("#") ? key.slice(key.indexOf("#") + 1) : key);
  }
  for (const entries of packageTasks.values()) for (const key of entries.keys()) taskNames.add(key);

  const specs: NodeSpec[] = [];
  for (const task of [...taskNames].sort(compareBytes)) {
    for (const pkg of packages) {
      const definition = definitionOf(pkg, task);
      if (definition !== null) specs.push({ pkg, name: task, definition });
    }
  }
  const graph = buildNodes({
    specs,
    idOf: (pkg, task) => `${pkg.isRoot ? "//" : pkg.name ?? pkg.dir}#${task}`,
    actionOf: (pkg, task, definition) => {
      if (commandFlag && definition.command !== null) {
        return definition.command.length > 0 ? { kind: "argv", argv: definition.command } : null;
      }
      return pkg.scripts.has(task) ? { kind: "script", script: task } : null;
    },
    predecessorsOf: (node, lookup) => {
      const found = [];
      for (const entry of node.definition.dependsOn) {
        if (entry.startsWith("$")) continue;
        const origin = node.definition.dependsOnOrigin!;
        const hash = entry.indexOf("#");
        if (hash >= 0) {
          const packageName = entry.slice(entry.startsWith("^") ? 1 : 0, hash);
          const task = entry.slice(hash + 1);
          const target = packageName === "//" ? packages[0] : byName.get(packageName);
          if (target === undefined) {
            errors.push(`error: ${origin.file}: ${origin.path}: unknown package ${packageName}`);
            continue;
          }
          const pred = lookup(target, task, definitionOf(target, task));
          if (pred !== null) found.push(pred);
        } else if (entry.startsWith("^")) {
          const task = entry.slice(1);
          for (const dependency of workspaceDependencies(node.pkg, byName)) {
            const definition = definitionOf(dependency, task);
            if (definition === null) continue;
            const pred = lookup(dependency, task, definition);
            if (pred !== null) found.push(pred);
          }
        } else {
          const definition = definitionOf(node.pkg, entry);
          if (definition === null) continue;
          const pred = lookup(node.pkg, entry, definition);
          if (pred !== null) found.push(pred);
        }
      }
      return found;
    },
  });
  for (const node of graph.nodes) {
    for (const pred of node.preds) {
      if (pred.action !== null && pred.definition.persistent) {
        const origin = node.definition.dependsOnOrigin!;
        errors.push(
          `error: ${origin.file}: ${origin.path}: ${node.id} depends on the persistent task ${pred.id}`,
        );
      }
    }
  }
  if (graph.cycle !== null) {
    errors.push(`error: ${configFile}: dependency cycle: ${graph.cycle.join(" -> ")}`);
  }
  if (errors.length > 0) return { ok: false, errors: sortErrors(errors) };
  return {
    ok: true,
    source: {
      kind: "turbo",
      pm: choice.pm,
      packages,
      nodes: graph.nodes,
      workspaceFiles: packagesRead.workspaceFiles,
      rootConfig: configFile,
      lockfile: choice.lockfile,
      globalDependencies: stringList(root.globalDependencies),
      globalEnv,
      globalPassThroughEnv,
      concurrency,
      tags,
      warnings,
    },
  };
}

function rootJsonOf(dir: string): unknown {
  const read = readSourceFile(dir, "package.json");
  return read.ok ? read.value : {};
}

/** Errors in source-file order (stable within one file), without repeats. */
function sortErrors(errors: readonly string[]): string[] {
  const unique = [...new Set(errors)];
  const fileOf = (line: string) => line.slice("error: ".length, line.indexOf(":", "error: ".length));
  return unique
    .map((line, index) => ({ line, index }))
    .sort((a, b) => compareBytes(fileOf(a.line), fileOf(b.line)) || a.index - b.index)
    .map((item) => item.line);
}

/** `tasks` (or turbo 1 `pipeline`, W-PIPELINE) of a turbo.json, by key. */
function taskEntries(file: string, json: JsonObject, warnings: AdoptWarning[]): Map<string, Entry> {
  let tasks = json.tasks;
  let section = "tasks";
  if (tasks === undefined && json.pipeline !== undefined) {
    tasks = json.pipeline;
    section = "pipeline";
    warnings.push(
      workspaceWarning(file, "pipeline", '"pipeline" is read as "tasks" (turbo 1 configuration)'),
    );
  }
  const entries = new Map<string, Entry>();
  for (const [key, body] of Object.entries(asObject(tasks))) {
    entries.set(key, { origin: { file, key, path: `${section}.${key}` }, body: asObject(body) });
  }
  return entries;
}

/** The warnings of one task entry (§6); an interactive entry reports only why it is dropped. */
function entryWarnings(entry: Entry): AdoptWarning[] {
  const at = (field: string, text: string): AdoptWarning => ({
    level: "warning",
    file: entry.origin.file,
    path: `${entry.origin.path}.${field}`,
    text,
    origin: entry.origin,
    nodeId: null,
  });
  const body = entry.body;
  if (body.interactive === true) return [at("interactive", INTERACTIVE_TEXT)];
  const found: AdoptWarning[] = [];
  if (body.persistent === true) found.push(at("persistent", PERSISTENT_TEXT));
  if (body.with !== undefined) {
    found.push(at("with", 'turbo "with" (run alongside) has no haz equivalent; ignored'));
  }
  if (body.interruptible !== undefined) {
    found.push(at("interruptible", 'turbo "interruptible" only affects turbo watch; ignored'));
  }
  if (body.outputLogs !== undefined) {
    found.push(at("outputLogs", 'turbo "outputLogs" is not supported per task; ignored'));
  }
  for (const entryText of stringList(body.dependsOn)) {
    if (entryText.startsWith("$")) {
      found.push(
        at("dependsOn", `"${entryText}" (turbo 1 environment dependency) is not supported; use env`),
      );
    }
  }
  for (const name of stringList(body.env)) {
    const mapped = mapEnvEntry(name);
    if (!mapped.ok) found.push(at("env", mapped.warning));
  }
  if (stringList(body.passThroughEnv).length > 0) {
    found.push(at("passThroughEnv", "passThroughEnv is passed to every haz task, not only this one"));
  }
  for (const name of stringList(body.passThroughEnv)) {
    const mapped = mapEnvEntry(name);
    if (!mapped.ok) found.push(at("passThroughEnv", mapped.warning));
  }
  for (const key of Object.keys(body).sort(compareBytes)) {
    if (!KNOWN_TASK_KEYS.has(key)) {
      found.push({ ...at("", `unknown key "${key}"; ignored`), path: entry.origin.path });
    }
  }
  return found;
}

function workspaceWarning(file: string, path: string, text: string): AdoptWarning {
  return { level: "warning", file, path, text, origin: null, nodeId: null };
}

/** The valid entries of a root env list, warning about the others. */
function envList(file: string, key: string, value: unknown, warnings: AdoptWarning[]): string[] {
  const names: string[] = [];
  for (const entry of stringList(value)) {
    const mapped = mapEnvEntry(entry);
    if (mapped.ok) names.push(mapped.name);
    else warnings.push(workspaceWarning(file, key, mapped.warning));
  }
  return names;
}

function readConcurrency(file: string, value: unknown, warnings: AdoptWarning[]): number | null {
  if (typeof value === "number" && Number.isInteger(value) && value >= 1) return value;
  if (typeof value !== "string") return null;
  if (/^[1-9][0-9]*$/.test(value)) return Number(value);
  if (value.endsWith("%")) {
    warnings.push(
      workspaceWarning(file, "concurrency", `concurrency "${value}" is a percentage; not imported`),
    );
  }
  return null;
}

/** ADOPT-020: the entries that define task `task` for `pkg`, in the order they apply. */
function effectiveLayers(
  pkg: SourcePackage,
  task: string,
  rootTasks: ReadonlyMap<string, Entry>,
  ownTasks: ReadonlyMap<string, Entry> | undefined,
): Entry[] {
  if (pkg.isRoot) {
    const entry = rootTasks.get(`//#${task}`);
    return entry === undefined ? [] : [entry];
  }
  if (pkg.name !== null) {
    const named = rootTasks.get(`${pkg.name}#${task}`);
    if (named !== undefined) return [named];
  }
  const layers: Entry[] = [];
  const inherited = rootTasks.get(task);
  if (inherited !== undefined) layers.push(inherited);
  const own = ownTasks?.get(task);
  if (own !== undefined) {
    if (own.body.extends === false) {
      layers.length = 0;
      if (Object.keys(own.body).some((key) => key !== "extends")) layers.push(own);
    } else {
      layers.push(own);
    }
  }
  return layers;
}

/** Folds entries into one definition: arrays replace (or append after `$TURBO_EXTENDS$`), scalars override. */
function foldLayers(layers: readonly Entry[]): SourceDefinition {
  const merged: JsonObject = {};
  let dependsOnOrigin: EntryOrigin | null = null;
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer.body)) {
      if (ARRAY_FIELDS.includes(key) && Array.isArray(value)) {
        const items = stringList(value);
        merged[key] = items[0] === TURBO_EXTENDS ? [...stringList(merged[key]), ...items.slice(1)] : items;
        if (key === "dependsOn") dependsOnOrigin = layer.origin;
      } else {
        merged[key] = value;
      }
    }
  }
  return {
    dependsOn: stringList(merged.dependsOn),
    inputs: Array.isArray(merged.inputs) ? stringList(merged.inputs) : null,
    outputs: stringList(merged.outputs),
    cache: merged.cache !== false,
    persistent: merged.persistent === true,
    interactive: merged.interactive === true,
    env: stringList(merged.env),
    passThroughEnv: stringList(merged.passThroughEnv),
    command: Array.isArray(merged.command) ? stringList(merged.command) : null,
    description: null,
    origins: layers.map((layer) => layer.origin),
    dependsOnOrigin: dependsOnOrigin ?? layers[layers.length - 1].origin,
  };
}
