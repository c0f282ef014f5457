import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { loadConfig } from "../../lib/config/load_config.ts";
import { renderDiagnosticReport } from "../../lib/cli/render_diagnostic.ts";
import { createWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";

const VALID_WORKSPACE = "projects: [web]\n";
const VALID_PROJECT = "tags: [ts]\ntasks:\n  build: {command: [tsc]}\n";
const VALID_OVERLAY = 'tagsFilter: "ts"\ntasks:\n  lint: {command: [eslint]}\n';

/** Flow-style samples: every strict prefix lacks the final `}`, so every truncation is invalid. */
const PROJECT_SAMPLE = '{name: web, tags: [ts, "ünï"], tasks: {build: {command: [tsc, -p, .], ' +
  'inputs: ["src/**", "!dist/**"], outputs: [dist], deps: ["~:gen"], weakDeps: ["[ts]:x"], ' +
  'mutex: {name: "~:m", mode: shared}, env: {from_host: [CI], override: {A: b}}, ' +
  'description: "naïve ✓", cache: true, timeout: 10m}, gen: {shell: {using: sh, script: "echo ✓"}}}}';
const WORKSPACE_SAMPLE =
  "{projects: [web], concurrency: {tags: {ts: 1}}, output: {mode: live}, cache: {clean: {max_age: 7d}}}";

/** One mutated configuration: the three files (an absent overlay means none). */
interface Case {
  readonly name: string;
  readonly workspace?: string | Uint8Array;
  readonly project?: string | Uint8Array | "<directory>";
  readonly overlay?: string | Uint8Array;
  readonly overlayStem?: string;
}

function truncations(sample: string, file: "workspace" | "project"): Case[] {
  const bytes = new TextEncoder().encode(sample);
  const cases: Case[] = [];
  for (let end = 1; end < bytes.length; end++) {
    cases.push({ name: `${file} truncated at byte ${end}`, [file]: bytes.slice(0, end) });
  }
  return cases;
}

/** A task body with one key set to a wrong value (`key: value` inside the flow mapping). */
function taskWith(entry: string, base = "command: [x]"): string {
  return `tasks:\n  t: {${base}, ${entry}}\n`;
}

function wrongTypes(): Case[] {
  const cases: Case[] = [];
  const add = (name: string, files: Omit<Case, "name">) => cases.push({ name, ...files });
  const taskKeys: Record<string, string[]> = {
    command: ["5", "true", "{a: 1}", "~", "'x y'", "[]", '[""]', "[[a]]"],
    shell: ["5", "[a]", "true", "~", "{using: sh}", "{script: x}", '" "'],
    inputs: ["5", "x", "{a: 1}", "~", "true", "[5]", "[[a]]"],
    outputs: ["5", "x", "{a: 1}", "~", '["!x"]'],
    deps: ["5", "x", "{a: 1}", "~", "[5]", "[[a]:b]"],
    weakDeps: ["5", "x", "{a: 1}", "~", "[{a: 1}]"],
    mutex: ["5", "[a]", "~", "true", "{}", "{name: x, mode: 5}"],
    env: [
      "5",
      "[a]",
      "x",
      "~",
      "{from_host: 5}",
      "{override: [a]}",
      "{override: {A: ~}}",
      "{override: {A: [a]}}",
    ],
    description: ["5", "[a]", "{a: 1}", "~", "true"],
    cache: ["5", "x", "[a]", "~", '"true"', "1"],
    timeout: ["5", "[a]", "{a: 1}", "~", "true", "x", "0s", "1.5h"],
  };
  for (const [key, values] of Object.entries(taskKeys)) {
    const base = key === "command" || key === "shell" ? "description: d, deps: []" : "command: [x]";
    for (const value of values) add(`task ${key}: ${value}`, { project: taskWith(`${key}: ${value}`, base) });
  }
  for (const value of ["5", "[a]", "~", "{a: 1}", "true"]) {
    add(`name: ${value}`, { project: `name: ${value}\n` });
  }
  for (const value of ["5", "x", "{a: 1}", "~", "[5]", "[[a]]"]) {
    add(`tags: ${value}`, { project: `tags: ${value}\n` });
  }
  for (const value of ["5", "[a]", "x", "~", "true", "{t: 5}", "{t: ~}", "{t: [a]}"]) {
    add(`tasks: ${value}`, { project: `tasks: ${value}\n` });
  }
  const settings: Record<string, string[]> = {
    projects: ["5", "x", "{a: 1}", "[5]", "[[a]]"],
    concurrency: ["5", "[a]", "x", "~", "{default: [a]}", "{default: ~}", "{default: 1.5}", "{default: 0}"],
    "concurrency.tags": ["{tags: 5}", "{tags: [a]}", "{tags: {x: ~}}", "{tags: {x: 0}}", "{tags: {x: y}}"],
    output: ["5", "[a]", "x", "~", "{mode: 5}", "{mode: [a]}", "{mode: ~}", "{mode: x}"],
    execution: ["5", "x", "~", '{cancel_grace: "5"}', "{cancel_grace: [a]}", "{cancel_grace: -1}"],
    cache: ["5", "x", "~", "{hash: 5}", "{hash: md5}", "{clean: 5}", "{clean: {max_age: 5}}"],
    "cache.clean": [
      "{clean: {max_age: [a]}}",
      "{clean: {max_size: 1.5}}",
      "{clean: {max_size: x}}",
      "{clean: ~}",
    ],
    env: ["5", "x", "~", "{pass_through: 5}", "{pass_through: [5]}", "{pass_through: x}"],
  };
  for (const [key, values] of Object.entries(settings)) {
    const top = key.split(".")[0];
    for (const value of values) {
      const workspace = top === "projects" ? `projects: ${value}\n` : `${VALID_WORKSPACE}${top}: ${value}\n`;
      add(`settings ${key}: ${value}`, { workspace });
    }
  }
  for (const value of ["5", "[a]", "~", "{a: 1}", "true"]) {
    add(`overlay tagsFilter: ${value}`, { overlay: `tagsFilter: ${value}\n` });
  }
  for (const value of ["5", "[a]", "x", "~", "{t: 5}"]) {
    add(`overlay tasks: ${value}`, { overlay: `tagsFilter: ts\ntasks: ${value}\n` });
  }
  return cases;
}

function junkKeys(): Case[] {
  return [
    { name: "junk top-level key in haz.yml", project: `${VALID_PROJECT}zzz: 1\n` },
    { name: "junk key in a task", project: taskWith("zzz: 1") },
    { name: "junk key in shell", project: taskWith("shell: {using: sh, script: x, zzz: 1}", "deps: []") },
    { name: "junk key in mutex", project: taskWith("mutex: {name: m, zzz: 1}") },
    { name: "junk key in env", project: taskWith("env: {zzz: 1}") },
    { name: "merge key in a task", project: taskWith("<<: {cache: false}") },
    { name: "junk top-level key in workspace.yml", workspace: `${VALID_WORKSPACE}zzz: 1\n` },
    { name: "junk key in concurrency", workspace: `${VALID_WORKSPACE}concurrency: {zzz: 1}\n` },
    { name: "junk key in output", workspace: `${VALID_WORKSPACE}output: {zzz: 1}\n` },
    { name: "junk key in execution", workspace: `${VALID_WORKSPACE}execution: {zzz: 1}\n` },
    { name: "junk key in cache", workspace: `${VALID_WORKSPACE}cache: {zzz: 1}\n` },
    { name: "junk key in cache.clean", workspace: `${VALID_WORKSPACE}cache: {clean: {zzz: 1}}\n` },
    { name: "junk key in env settings", workspace: `${VALID_WORKSPACE}env: {zzz: 1}\n` },
    { name: "junk key in an overlay", overlay: `${VALID_OVERLAY}zzz: 1\n` },
    { name: "duplicate key", project: `${VALID_PROJECT}tags: [x]\n` },
  ];
}

function invalidNamesAndPaths(): Case[] {
  const cases: Case[] = [];
  for (const name of ["a.b", "-x", "_x", "a b", "naïve", '""', "a".repeat(65)]) {
    cases.push({ name: `task name ${name}`, project: `tasks:\n  ${name}: {command: [x]}\n` });
    cases.push({ name: `tag ${name}`, project: `tags: [${name}]\n` });
    cases.push({ name: `project name ${name}`, project: `name: ${name}\n` });
    cases.push({ name: `mutex ${name}`, project: taskWith(`mutex: ${name}`) });
    cases.push({
      name: `overlay stem ${name}`,
      overlay: VALID_OVERLAY,
      overlayStem: name.replaceAll('"', "") || "-",
    });
    cases.push({
      name: `tagsFilter atom ${name}`,
      overlay: `tagsFilter: 'ts | ${name.replaceAll('"', "")}!'\n`,
    });
  }
  for (const env of ["1BAD", "A-B", "Ä", "A".repeat(257)]) {
    cases.push({ name: `from_host ${env.slice(0, 8)}`, project: taskWith(`env: {from_host: [${env}]}`) });
    cases.push({ name: `override ${env.slice(0, 8)}`, project: taskWith(`env: {override: {${env}: x}}`) });
    cases.push({
      name: `pass_through ${env.slice(0, 8)}`,
      workspace: `${VALID_WORKSPACE}env: {pass_through: [${env}]}\n`,
    });
  }
  for (const ref of ["bad name:build", ":build", "[x:build", "x", "^x", "~:", "[]:x", "a:b:c"]) {
    cases.push({ name: `reference ${ref}`, project: taskWith(`deps: ["${ref}"]`) });
  }
  const patterns = [
    "../x",
    "./a",
    "a//b",
    "dist/",
    "/.git/HEAD",
    ".haz/x",
    "[!a]*",
    "x/[[:alpha:]]",
    "{a}",
    "x{1..3}",
  ];
  for (const pattern of [...patterns, "a/{,b}/c", "src/[a", "x{a,b", "a\\\\", "", "/", "a\\u0007"]) {
    cases.push({ name: `input ${pattern}`, project: taskWith(`inputs: ["${pattern}"]`) });
    cases.push({ name: `output ${pattern}`, project: taskWith(`outputs: ["${pattern}"]`) });
    cases.push({ name: `project entry ${pattern}`, workspace: `projects: [web, "${pattern}"]\n` });
  }
  cases.push({ name: "absolute project entry", workspace: "projects: [web, /x]\n" });
  cases.push({ name: "missing project directory", workspace: "projects: [web, nowhere]\n" });
  return cases;
}

function binaryAndEmpty(): Case[] {
  // A small deterministic generator keeps the cases identical on every run and runtime.
  let seed = 0x2545f491;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 16;
  };
  const cases: Case[] = [];
  for (let index = 0; index < 40; index++) {
    const bytes = Uint8Array.from({ length: 8 + (next() % 56) }, () => next() % 256);
    cases.push({ name: `binary haz.yml #${index}`, project: bytes });
    if (index % 4 === 0) cases.push({ name: `binary workspace.yml #${index}`, workspace: bytes });
    if (index % 4 === 1) cases.push({ name: `binary overlay #${index}`, overlay: bytes });
  }
  cases.push({ name: "empty overlay", overlay: "" });
  cases.push({ name: "overlay with only a BOM", overlay: "\uFEFF" });
  cases.push({ name: "directory in place of haz.yml", project: "<directory>" });
  cases.push({ name: "NUL in a string", project: taskWith('description: "a\\0b"') });
  cases.push({ name: "haz.yml is a list", project: "- a\n" });
  cases.push({ name: "two documents", project: "tags: [a]\n---\ntags: [b]\n" });
  cases.push({ name: "deep nesting", project: `tags: ${"[".repeat(2000)}${"]".repeat(2000)}\n` });
  return cases;
}

/** What the shared fixture holds beyond the three plain files, so only that is undone. */
interface FixtureState {
  overlayPath: string | null;
  projectIsDirectory: boolean;
  workspaceChanged: boolean;
}

/** Writes the files of a case into the shared fixture, undoing only what the previous case changed. */
async function writeCase(fixture: WorkspaceFixture, item: Case, state: FixtureState): Promise<void> {
  if (state.overlayPath !== null) await rm(state.overlayPath);
  state.overlayPath = null;
  if (state.projectIsDirectory) await rm(fixture.path("web/haz.yml"), { recursive: true });
  state.projectIsDirectory = item.project === "<directory>";
  if (item.workspace !== undefined || state.workspaceChanged) {
    await writeFile(fixture.path(".haz/workspace.yml"), item.workspace ?? VALID_WORKSPACE);
  }
  state.workspaceChanged = item.workspace !== undefined;
  if (item.project === "<directory>") {
    await rm(fixture.path("web/haz.yml"));
    await mkdir(fixture.path("web/haz.yml"));
  } else await writeFile(fixture.path("web/haz.yml"), item.project ?? VALID_PROJECT);
  if (item.overlay !== undefined) {
    state.overlayPath = fixture.path(`.haz/tasks/${item.overlayStem ?? "o"}.yml`);
    await writeFile(state.overlayPath, item.overlay);
  }
}

test("DIAG-007 robustness: every mutated configuration yields an error and loading never throws", async () => {
  const cases = [
    ...truncations(PROJECT_SAMPLE, "project"),
    ...truncations(WORKSPACE_SAMPLE, "workspace"),
    ...wrongTypes(),
    ...junkKeys(),
    ...invalidNamesAndPaths(),
    ...binaryAndEmpty(),
  ];
  assert.ok(cases.length >= 500, `only ${cases.length} cases`);
  const fixture = await createWorkspaceFixture({
    ".haz/workspace.yml": VALID_WORKSPACE,
    "web/haz.yml": VALID_PROJECT,
    ".haz/tasks": { directory: true },
  });
  const state: FixtureState = { overlayPath: null, projectIsDirectory: false, workspaceChanged: false };
  const failures: string[] = [];
  try {
    const baseline = await loadConfig(fixture.root);
    assert.deepEqual(baseline.diagnostics, [], "the unmutated workspace is valid");
    for (const item of cases) {
      await writeCase(fixture, item, state);
      try {
        const loaded = await loadConfig(fixture.root);
        const errors = loaded.diagnostics.filter((diagnostic) => diagnostic.severity === "error");
        const malformed = loaded.diagnostics.filter((d) =>
          !/^[A-Z]+-\d{3}$/.test(d.rule) || d.message === "" ||
          (d.location?.line !== undefined && (d.location.line < 1 || (d.location.column ?? 0) < 1))
        );
        if (errors.length === 0) failures.push(`${item.name}: no error diagnostic`);
        if (malformed.length > 0) failures.push(`${item.name}: malformed ${JSON.stringify(malformed[0])}`);
        if (!renderDiagnosticReport(loaded.diagnostics, false).includes("found ")) {
          failures.push(`${item.name}: no closing line`);
        }
      } catch (error) {
        failures.push(`${item.name}: threw ${error instanceof Error ? error.stack : String(error)}`);
      }
    }
  } finally {
    await fixture.remove();
  }
  assert.deepEqual(failures, []);
});
