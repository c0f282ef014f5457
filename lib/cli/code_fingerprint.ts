/**
 * What identifies the code that wrote a workspace snapshot (PERF-001): a snapshot is only read back by
 * the same haz version on the same runtime, and by the same build of it, so a rebuilt binary or an
 * edited source tree never sees a workspace loaded by other code.
 *
 * @module
 */

import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { nodeUrl } from "../util/builtin_modules.ts";
import { fileIdentity } from "../util/file_identity.ts";
import type { RuntimeInfo } from "./command_context.ts";

/** The latest change below `directory`: count of files and the largest identity timestamp. */
function treeFingerprint(directory: string): string {
  let files = 0;
  let latest = 0n;
  const walk = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) walk(child);
      else {
        files++;
        const seen = fileIdentity(child).latestNs ?? 0n;
        if (seen > latest) latest = seen;
      }
    }
  };
  walk(directory);
  return `${files}@${latest}`;
}

/**
 * The snapshot version of this process: haz and runtime versions, the user id, the identity of the
 * executable and of the bundle, or, when running from the TypeScript sources, a fingerprint of `lib/`
 * and `cli.ts`.
 *
 * @example
 * ```ts
 * codeFingerprint(context.runtime); // "haz 0.1.0 bun 1.4.4 2049:5321:…"
 * ```
 */
export function codeFingerprint(runtime: RuntimeInfo): string {
  // The user too: what discovery may read depends on its permissions.
  const parts = [
    `haz ${runtime.hazVersion}`,
    `${runtime.runtime} ${runtime.runtimeVersion}`,
    `uid ${process.getuid?.() ?? "-"}`,
  ];
  parts.push(fileIdentity(process.execPath).key);
  const url = import.meta.url;
  if (url.startsWith("file:")) {
    // `import.meta.filename` is that path where the runtime provides it (Deno, Bun, Node >= 20.11),
    // which spares evaluating `node:url`.
    const path = import.meta.filename ?? nodeUrl().fileURLToPath(url);
    if (path.endsWith(".ts")) {
      const lib = dirname(dirname(path));
      parts.push(treeFingerprint(lib), fileIdentity(join(dirname(lib), "cli.ts")).key);
    } else parts.push(fileIdentity(path).key);
  }
  return parts.join(" ");
}
