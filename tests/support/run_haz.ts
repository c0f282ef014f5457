/**
 * Runs the real haz CLI as a child process for end-to-end tests.
 *
 * The command comes from `HAZ_E2E_CMD` (space-separated, e.g. `dist/haz` or
 * `deno run -A dist/haz.mjs`); by default the current runtime runs `cli.ts` from source.
 *
 * @module
 */

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** The argv prefix that starts haz. */
export function hazCommand(): string[] {
  const configured = process.env.HAZ_E2E_CMD;
  if (configured) {
    return configured.split(" ").filter(Boolean).map((part, index) =>
      index === 0 && part.includes("/") && !part.startsWith("/") ? `${repoRoot}${part}` : part
    ).map((part) => part.endsWith(".mjs") && !part.startsWith("/") ? `${repoRoot}${part}` : part);
  }
  const cli = `${repoRoot}cli.ts`;
  return "Deno" in globalThis ? [process.execPath, "run", "-A", cli] : [process.execPath, cli];
}

/** What a finished haz process left. */
export interface HazResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutBytes: Buffer;
}

/** Options of {@link runHaz}. */
export interface RunHazOptions {
  readonly cwd?: string;
  /** Environment; by default the test's own minus colour and CI variables. */
  readonly env?: Record<string, string | undefined>;
  readonly stdin?: string;
}

/**
 * Runs haz with `args` and collects its exit status and output.
 *
 * @example
 * ```ts
 * const result = await runHaz(["--version"]);
 * result.code; // 0
 * ```
 */
export function runHaz(args: readonly string[], options: RunHazOptions = {}): Promise<HazResult> {
  const [program, ...prefix] = hazCommand();
  const env = options.env ?? baseEnv();
  return new Promise((resolve, reject) => {
    const child = spawn(program, [...prefix, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined)) as Record<
        string,
        string
      >,
      stdio: [options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout!.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk));
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const stdoutBytes = Buffer.concat(stdout);
      resolve({
        code,
        signal,
        stdout: stdoutBytes.toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        stdoutBytes,
      });
    });
  });
}

/**
 * The test process's environment without variables that steer haz's output.
 *
 * @example
 * ```ts
 * await runHaz(["run"], { env: { ...baseEnv(), FORCE_COLOR: "1" } });
 * ```
 */
export function baseEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of ["FORCE_COLOR", "NO_COLOR", "CI", "HAZ_CONCURRENCY", "HAZ_E2E_CMD"]) delete env[name];
  return env;
}
