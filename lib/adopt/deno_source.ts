/**
 * Reading a Deno workspace (08-adoption.md ADOPT-010, 023): the root and member `deno.json(c)` tasks,
 * their `dependencies` resolved in the task's own file first, then in the root file.
 *
 * @module
 */

import { compareBytes } from "../domain/task_id.ts";
import { expandMemberPatterns } from "../util/member_patterns.ts";
import { nodePackage } from "./read_packages.ts";
import { buildNodes, type NodeSpec } from "./source_graph.ts";
import type { AdoptWarning, SourceDefinition, SourcePackage } from "./source_model.ts";
import { asObject, type JsonObject, readSourceFile, sourceFileExists, stringList } from "./source_files.ts";
import type { SourceOutcome } from "./turbo_source.ts";

/** A member with its parsed configuration. */
interface DenoMember {
  readonly pkg: SourcePackage;
  readonly tasks: JsonObject;
}

/**
 * Reads the Deno source whose root configuration is `<dir>/<configFile>`.
 *
 * @example
 * ```ts
 * const outcome = await readDenoSource("/repo", "deno.json");
 * if (outcome.ok) outcome.source.kind; // "deno"
 * ```
 */
export async function readDenoSource(dir: string, configFile: string): Promise<SourceOutcome> {
  const rootRead = readSourceFile(dir, configFile);
  if (!rootRead.ok) return { ok: false, errors: [rootRead.error] };
  const root = asObject(rootRead.value);
  const declared = root.workspace;
  const patterns = stringList(Array.isArray(declared) ? declared : asObject(declared).members);
  const directories = patterns.length === 0 ? [] : await expandMemberPatterns({ root: dir, patterns });
  const errors: string[] = [];
  const warnings: AdoptWarning[] = [];
  const members: DenoMember[] = [{ pkg: denoPackage(".", configFile, root), tasks: asObject(root.tasks) }];
  for (const member of directories.filter((path) => path !== ".").sort(compareBytes)) {
    const manifest = ["deno.json", "deno.jsonc"].map((name) => `${member}/${name}`)
      .find((path) => sourceFileExists(dir, path));
    const packageJson = `${member}/package.json`;
    const hasPackageJson = sourceFileExists(dir, packageJson);
    if (manifest === undefined && !hasPackageJson) continue;
    let packageScripts = 0;
    let packageJsonValue: JsonObject = {};
    if (hasPackageJson) {
      const read = readSourceFile(dir, packageJson);
      if (!read.ok) {
        errors.push(read.error);
        continue;
      }
      packageJsonValue = asObject(read.value);
      packageScripts = Object.keys(asObject(packageJsonValue.scripts)).length;
    }
    if (manifest === undefined) {
      members.push({
        pkg: { ...nodePackage(member, packageJson, packageJsonValue), scripts: new Map() },
        tasks: {},
      });
    } else {
      const read = readSourceFile(dir, manifest);
      if (!read.ok) {
        errors.push(read.error);
        continue;
      }
      const json = asObject(read.value);
      members.push({ pkg: denoPackage(member, manifest, json), tasks: asObject(json.tasks) });
    }
    if (packageScripts > 0) {
      warnings.push({
        level: "warning",
        file: packageJson,
        path: "scripts",
        text: "package.json scripts of Deno members are not imported",
        origin: null,
        nodeId: null,
      });
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  const rootMember = members[0];
  const specs: NodeSpec[] = [];
  for (const member of members) {
    for (const [key, value] of Object.entries(member.tasks).sort(([a], [b]) => compareBytes(a, b))) {
      specs.push({ pkg: member.pkg, name: key, definition: denoDefinition(member.pkg.manifest, key, value) });
    }
  }
  const memberOf = new Map(members.map((member) => [member.pkg, member]));
  const graph = buildNodes({
    specs,
    idOf: (pkg, task) => `${pkg.isRoot ? "//" : pkg.name ?? pkg.dir}#${task}`,
    actionOf: (pkg, task) => {
      const value = memberOf.get(pkg)!.tasks[task];
      if (typeof value === "string") return { kind: "deno", command: value };
      const command = asObject(value).command;
      return typeof command === "string" ? { kind: "deno", command } : null;
    },
    aggregateOf: (pkg, task) => {
      const value = memberOf.get(pkg)!.tasks[task];
      return typeof value !== "string" && typeof asObject(value).command !== "string";
    },
    predecessorsOf: (node, lookup) => {
      const found = [];
      for (const dependency of node.definition.dependsOn) {
        const own = lookup(node.pkg, dependency, null);
        const pred = own ?? lookup(rootMember.pkg, dependency, null);
        if (pred === null) {
          const origin = node.definition.dependsOnOrigin!;
          errors.push(`error: ${origin.file}: ${origin.path}.dependencies: unknown task ${dependency}`);
        } else {
          found.push(pred);
        }
      }
      return found;
    },
  });
  if (graph.cycle !== null) {
    errors.push(`error: ${configFile}: dependency cycle: ${graph.cycle.join(" -> ")}`);
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    source: {
      kind: "deno",
      pm: "deno",
      packages: members.map((member) => member.pkg),
      nodes: graph.nodes,
      workspaceFiles: [configFile],
      rootConfig: configFile,
      lockfile: sourceFileExists(dir, "deno.lock") ? "deno.lock" : null,
      globalDependencies: [],
      globalEnv: [],
      globalPassThroughEnv: [],
      concurrency: null,
      tags: new Map(),
      warnings,
    },
  };
}

function denoPackage(dir: string, manifest: string, json: JsonObject): SourcePackage {
  return {
    dir,
    name: typeof json.name === "string" ? json.name : null,
    manifest,
    scripts: new Map(),
    dependencyNames: [],
    isRoot: dir === ".",
  };
}

/** A Deno task as a source definition: `files` are the inputs, and declaring them caches the task. */
function denoDefinition(file: string, key: string, value: unknown): SourceDefinition {
  const body = typeof value === "string" ? {} : asObject(value);
  const origin = { file, key, path: `tasks.${key}` };
  const files = Array.isArray(body.files) ? stringList(body.files) : null;
  return {
    dependsOn: stringList(body.dependencies),
    inputs: files,
    outputs: stringList(body.output),
    cache: files !== null,
    persistent: false,
    interactive: false,
    env: stringList(body.env),
    passThroughEnv: [],
    command: null,
    description: typeof body.description === "string" ? body.description : null,
    origins: [origin],
    dependsOnOrigin: origin,
  };
}
