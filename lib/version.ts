/**
 * The haz version, kept equal to `deno.json` and `package.json` (a test checks it).
 *
 * @module
 */

/** The released version of haz. */
export const HAZ_VERSION = "0.1.0";
