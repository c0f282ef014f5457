/**
 * The program's own arguments on every runtime and packaging.
 *
 * @module
 */

/**
 * Arguments after the program name: `Deno.args` under Deno, `process.argv.slice(2)` elsewhere
 * (source, bundle and the compiled Bun binary alike).
 *
 * @example
 * ```ts
 * programArgs(); // ["run", "--all"] for `haz run --all`
 * ```
 */
export function programArgs(): string[] {
  if ("Deno" in globalThis) return [...Deno.args];
  return process.argv.slice(2);
}
