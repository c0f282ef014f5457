/**
 * The overlay files (01-workspace.md DISC-009): regular files (or symlinks to them) directly inside
 * `.haz/tasks/` whose name ends in `.yml`, in byte order of file name.
 *
 * @module
 */

import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { type Diagnostic, errorDiagnostic, warningDiagnostic } from "../domain/diagnostic.ts";
import { compareBytes } from "../domain/task_id.ts";

/** The overlay stems found and the DISC-009 warnings. */
export interface OverlayListing {
  /** Stems (file names without `.yml`) in byte order of file name. */
  readonly stems: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
  /** Host paths of the symbolic links whose target was examined (the snapshot's sources, PERF-001). */
  readonly followedLinks: readonly string[];
}

/** The kind of an entry, following a symlink once. */
async function entryKind(directory: string, entry: Dirent): Promise<"file" | "directory" | "other"> {
  if (entry.isFile()) return "file";
  if (entry.isDirectory()) return "directory";
  if (!entry.isSymbolicLink()) return "other";
  try {
    const target = await stat(join(directory, entry.name));
    return target.isFile() ? "file" : target.isDirectory() ? "directory" : "other";
  } catch {
    return "other";
  }
}

/** A DISC-009 warning for an ignored entry. */
function ignored(name: string, reason: string): Diagnostic {
  return warningDiagnostic("DISC-009", `ignoring .haz/tasks/${name}: ${reason}`, {
    phase: 1,
    location: { path: `/.haz/tasks/${name}` },
  });
}

/**
 * DISC-009: lists the overlays of the workspace at `root`. Names starting with `.` and directories are
 * skipped silently; other entries not ending in `.yml` get a warning. A missing `.haz/tasks/` means
 * no overlays.
 *
 * @example
 * ```ts
 * const listing = await listOverlays("/tmp/shop");
 * listing.stems; // ["lint", "test"]
 * ```
 */
export async function listOverlays(root: string): Promise<OverlayListing> {
  const directory = join(root, ".haz", "tasks");
  let entries: Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { stems: [], diagnostics: [], followedLinks: [] };
    return {
      stems: [],
      followedLinks: [],
      diagnostics: [
        errorDiagnostic("CFG-009", `cannot read /.haz/tasks: ${String(code ?? error)}`, {
          phase: 2,
          location: { path: "/.haz/tasks" },
        }),
      ],
    };
  }
  entries.sort((a, b) => compareBytes(a.name, b.name));
  const kinds = await Promise.all(entries.map((entry) => entryKind(directory, entry)));
  const stems: string[] = [];
  const diagnostics: Diagnostic[] = [];
  entries.forEach((entry, index) => {
    const kind = kinds[index];
    if (entry.name.startsWith(".") || kind === "directory") return;
    if (!entry.name.endsWith(".yml")) {
      diagnostics.push(ignored(entry.name, "overlay files must end in `.yml`"));
    } else if (kind === "other") diagnostics.push(ignored(entry.name, "overlay files must be regular files"));
    else stems.push(entry.name.slice(0, -".yml".length));
  });
  const followedLinks = entries.filter((entry) => entry.isSymbolicLink()).map((entry) =>
    join(directory, entry.name)
  );
  return { stems, diagnostics, followedLinks };
}
