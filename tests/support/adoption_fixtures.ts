/**
 * The real monorepos of `shared/fixtures/adoption/` (08-adoption.md §10) for the import tests: where
 * they are, copies of them in scratch directories, and the graphs turbo recorded for them.
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { createWorkspaceFixture, type FixtureEntry, type WorkspaceFixture } from "./workspace_fixture.ts";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/**
 * The `adoption` fixture folder: `$HAZ_FIXTURES_DIR/adoption` when set, else `shared/fixtures/adoption`
 * in the nearest ancestor of the repository that has it (CI keeps `shared/` beside the checkout; a
 * worktree sits deeper).
 *
 * @example
 * ```ts
 * adoptionFixturesDir(); // "/work/shared/fixtures/adoption"
 * ```
 */
export function adoptionFixturesDir(): string {
  const configured = process.env.HAZ_FIXTURES_DIR;
  if (configured) return join(configured, "adoption");
  for (let dir = repoRoot;; dir = join(dir, "..")) {
    const candidate = join(dir, "shared", "fixtures", "adoption");
    if (existsSync(candidate)) return candidate;
    if (join(dir, "..") === dir) throw new Error("shared/fixtures/adoption not found beside the repository");
  }
}

/**
 * Copies a fixture into a new scratch directory, optionally adds entries, and commits it all to a
 * scratch git repository (§10: fixtures are imported from a committed tree).
 *
 * @example
 * ```ts
 * const fixture = await copyAdoptionFixture("npm-workspaces-plain");
 * ```
 */
export async function copyAdoptionFixture(
  name: string,
  extra: Readonly<Record<string, FixtureEntry>> = {},
): Promise<WorkspaceFixture> {
  const fixture = await createWorkspaceFixture({});
  cpSync(join(adoptionFixturesDir(), name), fixture.root, { recursive: true });
  await fixture.write(extra);
  commitAll(fixture.root);
  return fixture;
}

/**
 * `git init` and a commit of everything, quietly, with a fixed identity.
 *
 * @example
 * ```ts
 * commitAll("/tmp/haz-fixture-x");
 * ```
 */
export function commitAll(root: string): void {
  const git = (...args: string[]) =>
    spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false", ...args], {
      cwd: root,
      stdio: "ignore",
    });
  git("init", "-q");
  git("add", "-A");
  git("commit", "-qm", "fixture");
}

/**
 * The adoption fixtures, by name.
 *
 * @example
 * ```ts
 * adoptionFixtureNames(); // ["bun-full-stack", "deno-members-vite", …]
 * ```
 */
export function adoptionFixtureNames(): string[] {
  return readdirSync(adoptionFixturesDir()).sort();
}

/** One task line of `EXPECTED-turbo.txt`: a turbo id and the real tasks it waits for. */
export interface TurboLine {
  readonly id: string;
  readonly preds: readonly string[];
}

/**
 * Reads `EXPECTED-turbo.txt` of a fixture: task name → the lines of its `## turbo run <t>` section.
 *
 * @example
 * ```ts
 * readExpectedTurbo("t3-turbo-pnpm").get("build")?.[0]; // { id: "@acme/api#build", preds: [...] }
 * ```
 */
export function readExpectedTurbo(name: string): Map<string, TurboLine[]> {
  const text = readFileSync(join(adoptionFixturesDir(), name, "EXPECTED-turbo.txt"), "utf8");
  const sections = new Map<string, TurboLine[]>();
  let current: TurboLine[] | null = null;
  for (const line of text.split("\n")) {
    const heading = /^## turbo run (.+)$/.exec(line);
    if (heading !== null) {
      current = [];
      sections.set(heading[1], current);
      continue;
    }
    const task = /^(\S+)\s+<-\s+(.*)$/.exec(line);
    if (task === null || current === null) continue;
    const preds = task[2] === "(none)" ? [] : task[2].split(", ");
    current.push({ id: task[1], preds });
  }
  return sections;
}
