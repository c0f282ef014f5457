/**
 * The byte sink port that presenters write to; the CLI implements it over stdout and stderr.
 *
 * @module
 */

/** An ordered byte sink that swallows write errors (04-execution.md §9). */
export interface Sink {
  write(bytes: Uint8Array): void;
}
