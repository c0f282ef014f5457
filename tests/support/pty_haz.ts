/**
 * haz on a pseudo-terminal (util-linux `script`) for the interactive `haz init` tests: prompts go to the
 * terminal, stdout to a file so it stays apart from them.
 *
 * @module
 */

import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baseEnv, hazCommand, shellQuote } from "./run_haz.ts";

/** One interaction with the terminal: once `waitFor` has appeared, type `send`. */
export interface Keystroke {
  readonly waitFor: string;
  readonly send: string;
}

/** A finished pseudo-terminal run. */
export interface PtyResult {
  readonly code: number | null;
  /** What the terminal showed: stderr (prompts) and the echo of the typed input. */
  readonly terminal: string;
  /** haz's stdout, redirected to a file so it stays apart from the prompts. */
  readonly stdout: string;
}

/**
 * Runs `haz <args>` on a pseudo-terminal through util-linux `script`, typing each keystroke once its
 * cue has been shown. Input ends when haz exits.
 *
 * @example
 * ```ts
 * const result = await runHazInPty(root, ["init"], [{ waitFor: "Write these files? [Y/n] ", send: "\r" }]);
 * ```
 */
export async function runHazInPty(
  cwd: string,
  args: readonly string[],
  keystrokes: readonly Keystroke[],
): Promise<PtyResult> {
  const scratch = await mkdtemp(join(tmpdir(), "haz-pty-"));
  const stdoutFile = join(scratch, "stdout");
  const command = `${[...hazCommand(), ...args].map(shellQuote).join(" ")} > ${shellQuote(stdoutFile)}`;
  try {
    const { code, terminal } = await new Promise<{ code: number | null; terminal: string }>(
      (resolve, reject) => {
        const child = spawn("script", ["-qec", command, "/dev/null"], {
          cwd,
          env: baseEnv() as Record<string, string>,
          stdio: ["pipe", "pipe", "pipe"],
        });
        let terminal = "";
        let seen = 0;
        let step = 0;
        const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
        child.stdout!.on("data", (chunk: Buffer) => {
          terminal += chunk.toString("utf8");
          while (step < keystrokes.length) {
            const at = terminal.indexOf(keystrokes[step].waitFor, seen);
            if (at === -1) break;
            seen = at + keystrokes[step].waitFor.length;
            child.stdin!.write(keystrokes[step].send);
            step++;
          }
        });
        child.stderr!.on("data", (chunk: Buffer) => (terminal += chunk.toString("utf8")));
        child.on("error", reject);
        child.on("close", (exitCode) => {
          clearTimeout(timer);
          resolve({ code: exitCode, terminal: terminal.replaceAll("\r\n", "\n") });
        });
      },
    );
    const stdout = await readFile(stdoutFile, "utf8").catch(() => "");
    return { code, terminal, stdout };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
