import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { detectRuntime } from "../../lib/runtime/detect_runtime.ts";
import { spawnerFor } from "../../lib/runtime/spawner_for.ts";
import { systemClock } from "../../lib/util/system_clock.ts";
import { gitChangedPaths, type GitFilter } from "../../lib/vcs/git_changes.ts";

const scratch = realpathSync(mkdtempSync(join(tmpdir(), "haz-git-")));
after(() => rmSync(scratch, { recursive: true, force: true }));
const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: scratch, GIT_CONFIG_NOSYSTEM: "1" };
let counter = 0;

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd, env }).toString();
}

function write(root: string, path: string, content: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

/** A repository with a committed tree; returns its root. */
function repository(files: Record<string, string>): string {
  const root = join(scratch, `repo${counter++}`);
  mkdirSync(root);
  git(root, "init", "-q", "-b", "main");
  for (const [path, content] of Object.entries(files)) write(root, path, content);
  git(root, "add", "-A");
  git(root, "commit", "-qm", "initial");
  return root;
}

function changes(workspaceRoot: string, filter: GitFilter) {
  return gitChangedPaths({
    spawner: spawnerFor(detectRuntime()),
    clock: systemClock(performance.now()),
    workspaceRoot,
    env,
    filter,
  });
}

async function changedPaths(root: string, filter: GitFilter): Promise<string[]> {
  const result = await changes(root, filter);
  assert.ok(result.ok, result.ok ? "" : result.message);
  return [...result.paths].sort();
}

test("SEL-007 --git-changed: modified, staged, untracked and deleted files, ignored ones not", async () => {
  const root = repository({ "a.txt": "a", "b.txt": "b", "c.txt": "c", ".gitignore": "*.log\n" });
  write(root, "a.txt", "a2");
  write(root, "b.txt", "b2");
  git(root, "add", "b.txt");
  unlinkSync(join(root, "c.txt"));
  write(root, "new/n.txt", "n");
  write(root, "x.log", "ignored");
  assert.deepEqual(await changedPaths(root, { kind: "changed" }), [
    "/a.txt",
    "/b.txt",
    "/c.txt",
    "/new/n.txt",
  ]);
});

test("SEL-007 --git-staged: only index changes vs HEAD, untracked files never", async () => {
  const root = repository({ "a.txt": "a", "b.txt": "b" });
  write(root, "a.txt", "a2");
  write(root, "b.txt", "b2");
  git(root, "add", "b.txt");
  write(root, "src/n.ts", "staged new");
  git(root, "add", "src/n.ts");
  write(root, "src/m.ts", "untracked");
  assert.deepEqual(await changedPaths(root, { kind: "staged" }), ["/b.txt", "/src/n.ts"]);
});

test("SEL-007 renames count as the old and the new path", async () => {
  const root = repository({ "old.txt": "same content\n" });
  renameSync(join(root, "old.txt"), join(root, "new.txt"));
  git(root, "add", "-A");
  assert.deepEqual(await changedPaths(root, { kind: "changed" }), ["/new.txt", "/old.txt"]);
  assert.deepEqual(await changedPaths(root, { kind: "staged" }), ["/new.txt", "/old.txt"]);
});

test("SEL-007 --git-changed-since REV compares the working tree with REV, untracked included", async () => {
  const root = repository({ "a.txt": "a" });
  const first = git(root, "rev-parse", "HEAD").trim();
  write(root, "b.txt", "b");
  git(root, "add", "b.txt");
  git(root, "commit", "-qm", "second");
  write(root, "u.txt", "u");
  assert.deepEqual(await changedPaths(root, { kind: "changed-since", revision: first }), [
    "/b.txt",
    "/u.txt",
  ]);
  assert.deepEqual(await changedPaths(root, { kind: "changed" }), ["/u.txt"]);
});

test("SEL-007 an invalid revision is reported as such", async () => {
  const root = repository({ "a.txt": "a" });
  assert.deepEqual(await changes(root, { kind: "changed-since", revision: "nope" }), {
    ok: false,
    message: "`nope` is not a valid revision",
  });
});

test("SEL-007 outside a git work tree", async () => {
  const root = join(scratch, "plain");
  mkdirSync(root);
  assert.deepEqual(await changes(root, { kind: "changed" }), {
    ok: false,
    message: `${root} is not inside a git work tree`,
  });
});

test("SEL-007 an unborn HEAD is not a valid revision", async () => {
  const root = join(scratch, "unborn");
  mkdirSync(root);
  git(root, "init", "-q");
  assert.deepEqual(await changes(root, { kind: "changed" }), {
    ok: false,
    message: "`HEAD` is not a valid revision",
  });
});

test("SEL-007 paths are workspace-absolute: a workspace below the repository root sees only its part", async () => {
  const root = repository({ "ws/a.txt": "a", "other/b.txt": "b" });
  write(root, "ws/a.txt", "a2");
  write(root, "other/b.txt", "b2");
  write(root, "ws/.haz/cache/ab/entry", "cache bytes");
  assert.deepEqual(await changedPaths(join(root, "ws"), { kind: "changed" }), ["/a.txt"]);
});

test("SEL-007 git missing is a git failure", async () => {
  const root = repository({ "a.txt": "a" });
  const result = await gitChangedPaths({
    spawner: spawnerFor(detectRuntime()),
    clock: systemClock(performance.now()),
    workspaceRoot: root,
    env: { PATH: join(scratch, "empty-path") },
    filter: { kind: "changed" },
  });
  assert.deepEqual(result, { ok: false, message: "git failed: program not found: git" });
});
