/**
 * Runs the real haz CLI as a child process for end-to-end tests.
 *
 * The command comes from `HAZ_E2E_CMD` (space-separated, e.g. `dist/haz`, `deno run -A dist/haz.mjs`
 * or `deno run -A http://127.0.0.1:8000/haz.mjs`); by default the current runtime runs `cli.ts` from
 * source.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/**
 * The argv prefix that starts haz.
 *
 * @example
 * ```ts
 * hazCommand(); // [process.execPath, "run", "-A", "/repo/cli.ts"] under Deno
 * ```
 */
export function hazCommand(): string[] {
  const configured = process.env.HAZ_E2E_CMD;
  if (configured) {
    return configured.split(" ").filter(Boolean).map((part, index) =>
      index === 0 && part.includes("/") && !part.startsWith("/") ? `${repoRoot}${part}` : part
    ).map((part) =>
      part.endsWith(".mjs") && !part.startsWith("/") && !part.includes("://") ? `${repoRoot}${part}` : part
    );
  }
  const cli = `${repoRoot}cli.ts`;
  // Bun would load a `.env` file of the working directory into haz's environment.
  return "Deno" in globalThis
    ? [process.execPath, "run", "-A", cli]
    : [process.execPath, "--no-env-file", cli];
}

/** What a finished haz process left. */
export interface HazResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutBytes: Buffer;
}

/** How to start a haz child process. */
export interface HazProcessOptions {
  /** Working directory; by default the repository root. */
  readonly cwd?: string;
  /** Environment; by default {@link baseEnv}. Variables set to `undefined` are left out. */
  readonly env?: Record<string, string | undefined>;
  /** Text written to haz's stdin, which is then closed; without it stdin is the null device. */
  readonly stdin?: string;
  /**
   * Run haz on a pseudo-terminal through util-linux `script -qec … /dev/null`: haz's stdout and
   * stderr are the terminal, and everything it shows arrives on the child's stdout (with `\r\n`
   * line ends). Signals then go to `script`, not to haz.
   */
  readonly terminal?: boolean;
}

/** Options of {@link runHaz}. */
export type RunHazOptions = Omit<HazProcessOptions, "terminal">;

/**
 * Quotes one word for `sh`.
 *
 * @example
 * ```ts
 * shellQuote("it's"); // "'it'\\''s'"
 * ```
 */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Starts `haz <args>` (see {@link hazCommand}) with stdout and stderr piped; the one place that
 * spawns haz for the end-to-end helpers.
 *
 * @example
 * ```ts
 * const child = spawnHazProcess(["run", "p:many"], { cwd: fixture.root });
 * child.stdout!.once("data", () => child.stdout!.destroy());
 * ```
 */
export function spawnHazProcess(args: readonly string[], options: HazProcessOptions = {}): ChildProcess {
  const argv = [...hazCommand(), ...args];
  const [program, ...rest] = options.terminal
    ? ["script", "-qec", argv.map(shellQuote).join(" "), "/dev/null"]
    : argv;
  const env = options.env ?? baseEnv();
  const child = spawn(program, rest, {
    cwd: options.cwd ?? repoRoot,
    env: Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined)) as Record<
      string,
      string
    >,
    stdio: [options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  return child;
}

/**
 * The {@link HazResult} of a closed haz child from its exit status and the chunks it wrote.
 *
 * @example
 * ```ts
 * child.on("close", (code, signal) => resolve(hazResult(code, signal, stdoutChunks, stderrChunks)));
 * ```
 */
export function hazResult(
  code: number | null,
  signal: string | null,
  stdout: readonly Buffer[],
  stderr: readonly Buffer[],
): HazResult {
  const stdoutBytes = Buffer.concat(stdout);
  return {
    code,
    signal,
    stdout: stdoutBytes.toString("utf8"),
    stderr: Buffer.concat(stderr).toString("utf8"),
    stdoutBytes,
  };
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
  const child = spawnHazProcess(args, options);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout!.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve(hazResult(code, signal, stdout, stderr)));
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
