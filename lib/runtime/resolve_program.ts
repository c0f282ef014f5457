/**
 * Program lookup shared by every adapter (04-execution.md PROC-003), so Deno, Bun and Node agree.
 *
 * @module
 */

import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { SpawnError, type SpawnPlan } from "../exec/process.ts";

/**
 * Checks the plan's cwd and resolves its program to an absolute path, or throws {@link SpawnError}
 * (`bad-cwd`, `not-found`, `permission-denied`).
 *
 * @example
 * ```ts
 * resolveProgram({ program: "sh", args: [], env: { PATH: "/usr/bin:/bin" }, cwd: "/" }); // "/usr/bin/sh"
 * ```
 */
export function resolveProgram(plan: SpawnPlan): string {
  if (!isAbsolute(plan.cwd) || !isDirectory(plan.cwd)) {
    throw new SpawnError("bad-cwd", plan.program, `working directory does not exist: ${plan.cwd}`);
  }
  const name = plan.program;
  if (name.includes("/")) {
    const candidate = resolve(plan.cwd, name);
    const verdict = executableVerdict(candidate);
    if (verdict === "ok") return candidate;
    if (verdict === "not-executable") {
      throw new SpawnError("permission-denied", name, `program is not executable: ${name}`);
    }
    throw new SpawnError("not-found", name, `program not found: ${name}`);
  }
  let sawNotExecutable = false;
  for (const directory of (plan.env.PATH ?? "").split(delimiter)) {
    if (directory === "") continue;
    const candidate = resolve(plan.cwd, join(directory, name));
    const verdict = executableVerdict(candidate);
    if (verdict === "ok") return candidate;
    if (verdict === "not-executable") sawNotExecutable = true;
  }
  if (sawNotExecutable) throw new SpawnError("permission-denied", name, `program is not executable: ${name}`);
  throw new SpawnError("not-found", name, `program not found: ${name}`);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function executableVerdict(path: string): "ok" | "missing" | "not-executable" {
  try {
    if (!statSync(path).isFile()) return "missing";
  } catch {
    return "missing";
  }
  try {
    accessSync(path, constants.X_OK);
    return "ok";
  } catch {
    return "not-executable";
  }
}
