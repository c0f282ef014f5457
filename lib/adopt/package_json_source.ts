/**
 * Reading a `package-json` source (08-adoption.md ADOPT-022): every script of every member is a node,
 * ordered after the same script of the member's workspace dependencies, as `pnpm -r run` orders them.
 *
 * @module
 */

import { compareBytes } from "../domain/task_id.ts";
import { choosePackageManager, readNodePackages, workspaceDependencies } from "./read_packages.ts";
import { buildNodes, type NodeSpec } from "./source_graph.ts";
import type { AdoptWarning, PackageManager, SourcePackage } from "./source_model.ts";
import { asObject, readSourceFile } from "./source_files.ts";
import type { SourceOutcome } from "./turbo_source.ts";

const LIFECYCLE = new Set([
  "preinstall",
  "install",
  "postinstall",
  "prepare",
  "preprepare",
  "postprepare",
  "prepublish",
  "prepublishOnly",
  "prepack",
  "postpack",
  "publish",
  "postpublish",
  "preversion",
  "version",
  "postversion",
  "dependencies",
]);
const LONG_RUNNING = new Set(["dev", "start", "serve", "preview", "watch"]);
const HOOK_RUNNERS: ReadonlySet<PackageManager> = new Set(["npm", "pnpm", "yarn-classic", "bun"]);

const PM_LABEL: Readonly<Record<PackageManager, string>> = {
  npm: "npm",
  pnpm: "pnpm",
  "yarn-classic": "yarn",
  "yarn-berry": "yarn",
  bun: "bun",
  deno: "deno",
};

/**
 * Reads the `package-json` source at `<dir>`.
 *
 * @example
 * ```ts
 * const outcome = await readPackageJsonSource("/repo");
 * if (outcome.ok) outcome.source.pm; // "npm"
 * ```
 */
export async function readPackageJsonSource(dir: string): Promise<SourceOutcome> {
  const packagesRead = await readNodePackages(dir);
  if (!packagesRead.ok) return { ok: false, errors: packagesRead.errors };
  const rootRead = readSourceFile(dir, "package.json");
  const choice = choosePackageManager(dir, asObject(rootRead.ok ? rootRead.value : {}));
  const warnings: AdoptWarning[] = [...choice.warnings];
  const all = packagesRead.packages;
  const members = all.length > 1 ? all.slice(1) : all;
  const imported = (pkg: SourcePackage) =>
    [...pkg.scripts.keys()].filter((script) => importedScript(script, pkg, choice.pm));
  if (all.length > 1) {
    const rootScripts = imported(all[0]).length;
    if (rootScripts > 0) {
      warnings.push({
        level: "note",
        file: "package.json",
        path: "",
        text: `${rootScripts} root script${
          rootScripts === 1 ? " is" : "s are"
        } not imported: workspace runs of ${PM_LABEL[choice.pm]} skip the root package`,
        origin: null,
        nodeId: null,
      });
    }
  }
  const realScripts = new Map<SourcePackage, Set<string>>();
  const names = new Set<string>();
  for (const pkg of members) {
    const scripts = new Set(imported(pkg));
    realScripts.set(pkg, scripts);
    for (const script of scripts) names.add(script);
  }
  const definitionFor = (pkg: SourcePackage, script: string) => {
    const origin = { file: pkg.manifest, key: script, path: `scripts.${script}` };
    return {
      dependsOn: [`^${script}`],
      inputs: null,
      outputs: [],
      cache: false,
      persistent: false,
      interactive: false,
      env: [],
      passThroughEnv: [],
      command: null,
      description: null,
      origins: [origin],
      dependsOnOrigin: origin,
    };
  };
  const specs: NodeSpec[] = [];
  for (const script of [...names].sort(compareBytes)) {
    for (const pkg of members) specs.push({ pkg, name: script, definition: definitionFor(pkg, script) });
  }
  const byName = new Map<string, SourcePackage>();
  for (const pkg of members) if (pkg.name !== null && !byName.has(pkg.name)) byName.set(pkg.name, pkg);
  const graph = buildNodes({
    specs,
    idOf: (pkg, script) => `${pkg.name ?? pkg.dir}#${script}`,
    actionOf: (pkg, script) => realScripts.get(pkg)?.has(script) ? { kind: "script", script } : null,
    predecessorsOf: (node, lookup) =>
      workspaceDependencies(node.pkg, byName)
        .map((dependency) => lookup(dependency, node.name, null))
        .filter((pred) => pred !== null),
  });
  if (graph.cycle !== null) {
    return { ok: false, errors: [`error: package.json: dependency cycle: ${graph.cycle.join(" -> ")}`] };
  }
  for (const node of graph.nodes) {
    if (node.action === null || !longRunning(node.name)) continue;
    const origin = node.definition.origins[0];
    warnings.push({
      level: "warning",
      file: origin.file,
      path: origin.path,
      text:
        `"${node.name}" usually does not exit; it runs after its workspace dependencies' "${node.name}" has exited, as in pnpm -r`,
      origin,
      nodeId: null,
    });
  }
  return {
    ok: true,
    source: {
      kind: "package-json",
      pm: choice.pm,
      packages: all,
      nodes: graph.nodes,
      workspaceFiles: packagesRead.workspaceFiles,
      rootConfig: null,
      lockfile: choice.lockfile,
      globalDependencies: [],
      globalEnv: [],
      globalPassThroughEnv: [],
      concurrency: null,
      tags: new Map(),
      warnings,
    },
  };
}

/**
 * The label of a package manager in messages (`yarn` for both yarn lines).
 *
 * @example
 * ```ts
 * packageManagerLabel("yarn-berry"); // "yarn"
 * ```
 */
export function packageManagerLabel(pm: PackageManager): string {
  return PM_LABEL[pm];
}

function importedScript(script: string, pkg: SourcePackage, pm: PackageManager): boolean {
  if (LIFECYCLE.has(script)) return false;
  if (!HOOK_RUNNERS.has(pm)) return true;
  for (const prefix of ["pre", "post"]) {
    if (script.startsWith(prefix) && pkg.scripts.has(script.slice(prefix.length))) return false;
  }
  return true;
}

function longRunning(script: string): boolean {
  return LONG_RUNNING.has(script) || script.endsWith(":dev") || script.endsWith(":watch");
}
