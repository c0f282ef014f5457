/**
 * The file-system reads of input enumeration and hashing (CACHE-006, PATH-020/021), direct or shared
 * by the tasks of one run. An imported workspace lists every file of a task's closure as its inputs,
 * so a thousand tasks would stat, list and hash the same files a hundred times each; within one run
 * the first answer serves them all until a task of the run writes (a fresh run or a restore), which
 * forgets everything.
 *
 * @module
 */

import { type Dirent, lstatSync, type Stats, statSync } from "node:fs";
import { readdir } from "node:fs/promises";
import type { FileDigest } from "./file_hash.ts";

/** The reads a walk makes; each throws the `node:fs` error as the call it stands for does. */
export interface FileLookups {
  /** `lstatSync`. */
  lstat(hostPath: string): Stats;
  /** `statSync` (through symlinks). */
  stat(hostPath: string): Stats;
  /** `readdir` with file types. */
  readdir(hostPath: string): Promise<Dirent[]>;
}

/**
 * Every read goes to the file system.
 *
 * @example
 * ```ts
 * DIRECT_LOOKUPS.lstat("/work/web/src").isDirectory(); // true
 * ```
 */
export const DIRECT_LOOKUPS: FileLookups = {
  lstat: (hostPath) => lstatSync(hostPath),
  stat: (hostPath) => statSync(hostPath),
  readdir: (hostPath) => readdir(hostPath, { withFileTypes: true }),
};

type Answer<T> = { readonly value: T } | { readonly error: unknown };

/**
 * One run's shared answers: stats, directory listings and input digests by host path.
 *
 * @example
 * ```ts
 * const observations = new FileObservations();
 * await enumerateInputs(root, inclusions, exclusions, observations);
 * observations.forget(); // after a task of the run wrote files
 * ```
 */
export class FileObservations implements FileLookups {
  #lstats = new Map<string, Answer<Stats>>();
  #stats = new Map<string, Answer<Stats>>();
  #listings = new Map<string, Promise<Dirent[]>>();
  #digests = new Map<string, Promise<FileDigest>>();
  #settled = new Map<string, FileDigest>();
  #shared = new Map<string, Map<string, Promise<unknown>>>();
  #sharedSettled = new Map<string, Map<string, unknown>>();

  lstat(hostPath: string): Stats {
    return answer(this.#lstats, hostPath, () => lstatSync(hostPath));
  }

  stat(hostPath: string): Stats {
    return answer(this.#stats, hostPath, () => statSync(hostPath));
  }

  readdir(hostPath: string): Promise<Dirent[]> {
    let listing = this.#listings.get(hostPath);
    if (listing === undefined) {
      listing = readdir(hostPath, { withFileTypes: true });
      this.#listings.set(hostPath, listing);
    }
    return listing;
  }

  /** The digest of an input file, computed by `hash` on the first request (failures are not kept). */
  digest(hostPath: string, hash: () => Promise<FileDigest>): Promise<FileDigest> {
    let digest = this.#digests.get(hostPath);
    if (digest === undefined) {
      const digests = this.#digests;
      const settled = this.#settled;
      digest = hash();
      digests.set(hostPath, digest);
      digest.then(
        (value) => {
          if (digests.get(hostPath) === digest) settled.set(hostPath, value);
        },
        () => {
          if (digests.get(hostPath) === digest) digests.delete(hostPath);
        },
      );
    }
    return digest;
  }

  /** A digest already computed by {@linkcode digest}, without waiting. */
  knownDigest(hostPath: string): FileDigest | undefined {
    return this.#settled.get(hostPath);
  }

  /**
   * The result of `compute` for the key `(first, second)`, computed on the first request (a walk of
   * one input pattern, `first`, with the exclusions that meet it, `second`).
   */
  share<T>(first: string, second: string, compute: () => Promise<T>): Promise<T> {
    let results = this.#shared.get(first);
    if (results === undefined) {
      results = new Map();
      this.#shared.set(first, results);
    }
    let result = results.get(second) as Promise<T> | undefined;
    if (result === undefined) {
      const settled = this.#sharedSettled;
      const promise = compute();
      result = promise;
      results.set(second, promise);
      promise.then((value) => {
        if (this.#shared.get(first)?.get(second) !== promise) return;
        let values = settled.get(first);
        if (values === undefined) {
          values = new Map();
          settled.set(first, values);
        }
        values.set(second, value);
      }, () => undefined);
    }
    return result;
  }

  /** A result {@linkcode share} already holds, without waiting. */
  knownShare<T>(first: string, second: string): T | undefined {
    return this.#sharedSettled.get(first)?.get(second) as T | undefined;
  }

  /** Drops every answer: files may have changed. */
  forget(): void {
    this.#lstats = new Map();
    this.#stats = new Map();
    this.#listings = new Map();
    this.#digests = new Map();
    this.#settled = new Map();
    this.#shared = new Map();
    this.#sharedSettled = new Map();
  }
}

function answer<T>(answers: Map<string, Answer<T>>, key: string, read: () => T): T {
  let known = answers.get(key);
  if (known === undefined) {
    try {
      known = { value: read() };
    } catch (error) {
      known = { error };
    }
    answers.set(key, known);
  }
  if ("error" in known) throw known.error;
  return known.value;
}
