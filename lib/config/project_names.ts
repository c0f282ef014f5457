/**
 * Project names (01-workspace.md DISC-008): the `name` key or the directory basename, which must
 * then be an identifier; names unique across the workspace.
 *
 * @module
 */

import { type Diagnostic, errorDiagnostic } from "../domain/diagnostic.ts";
import { isIdentifier } from "../domain/identifier.ts";

/** What naming needs to know about one project. */
export interface NamingInput {
  /** Root-relative directory, `.` for the root. */
  readonly dir: string;
  /** Workspace-absolute path of its `haz.yml`. */
  readonly file: string;
  /** The directory's basename (for the root project, the workspace root's). */
  readonly basename: string;
  /** The valid declared `name`, if any. */
  readonly declaredName: string | null;
  /** The file failed as a whole (CFG-001/002/009) or its `name` is invalid: named after its directory. */
  readonly nameUnknown: boolean;
}

/** The name of each project (input order) and whether naming made it incomplete. */
export interface NamingResult {
  readonly names: readonly string[];
  readonly incomplete: readonly boolean[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Workspace-absolute form of a root-relative directory.
 *
 * @example
 * ```ts
 * projectRootPath("."); // "/"
 * projectRootPath("libs/core"); // "/libs/core"
 * ```
 */
export function projectRootPath(dir: string): string {
  return dir === "." ? "/" : `/${dir}`;
}

/**
 * DISC-008: names every project, reporting invalid basenames and duplicated names. Projects whose
 * name is unknown (failed file, invalid `name`) are assumed to be named after their directory and
 * take no part in the duplicate check (their real name cannot be known).
 *
 * @example
 * ```ts
 * nameProjects([{ dir: "apps/My App", file: "/apps/My App/haz.yml", basename: "My App", declaredName: null, nameUnknown: false }])
 *   .diagnostics[0].message; // "directory name `My App` is not a valid project name"
 * ```
 */
export function nameProjects(projects: readonly NamingInput[]): NamingResult {
  const diagnostics: Diagnostic[] = [];
  const incomplete = projects.map((project) => project.nameUnknown);
  const names = projects.map((project, index) => {
    if (project.declaredName !== null) return project.declaredName;
    if (!project.nameUnknown && !isIdentifier(project.basename)) {
      diagnostics.push(
        errorDiagnostic("DISC-008", `directory name \`${project.basename}\` is not a valid project name`, {
          phase: 1,
          location: { path: project.file },
          help: `set \`name:\` in \`${project.file}\``,
        }),
      );
      incomplete[index] = true;
    }
    return project.basename;
  });
  const byName = new Map<string, number[]>();
  names.forEach((name, index) => {
    if (incomplete[index]) return;
    byName.set(name, [...(byName.get(name) ?? []), index]);
  });
  for (const [name, indexes] of byName) {
    if (indexes.length < 2) continue;
    const dirs = indexes.map((index) => projectRootPath(projects[index].dir)).join(", ");
    diagnostics.push(
      errorDiagnostic(
        "DISC-008",
        `project name \`${name}\` is used by ${indexes.length} directories: ${dirs}`,
        {
          phase: 1,
        },
      ),
    );
    for (const index of indexes) incomplete[index] = true;
  }
  return { names, incomplete, diagnostics };
}
