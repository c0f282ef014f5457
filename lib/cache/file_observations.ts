/**
 * The file-system reads of input enumeration and hashing (CACHE-006, PATH-020/021), direct or shared
 * by the tasks of one run. An imported workspace lists every file of a task's closure as its inputs,
 * so a thousand tasks would stat, list and hash the same files a hundred times each; within one run
 * the first answer serves them all until a task of the run writes (a fresh run or a restore), which
 * forgets everything.
 *
 * @module
 */

import { type BigIntStats, type Dirent, lstatSync, type Stats, statSync } from "node:fs";
import { dirname } from "node:path";
import type { FileDigest } from "./file_hash.ts";
import { nodeFsPromises } from "../util/builtin_modules.ts";

/** The reads a walk makes; each throws the `node:fs` error as the call it stands for does. */
export interface FileLookups {
  /** `lstatSync`. */
  lstat(hostPath: string): Stats;
  /** `statSync` (through symlinks), with nanosecond times (the stat cache compares them). */
  stat(hostPath: string): BigIntStats;
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
  stat: (hostPath) => statSync(hostPath, { bigint: true }),
  readdir: (hostPath) => nodeFsPromises().readdir(hostPath, { withFileTypes: true }),
};

type Answer<T> = { readonly value: T } | { readonly error: unknown };

/**
 * One run's shared answers: stats, directory listings, input digests and pattern walks by host path.
 *
 * @example
 * ```ts
 * const observations = new FileObservations();
 * await enumerateInputs(root, inclusions, exclusions, observations);
 * observations.forgetAround(["/work/web/dist"]); // after a restore wrote there
 * observations.forget(); // after a task of the run ran: it may have written anywhere
 * ```
 */
export class FileObservations implements FileLookups {
  #lstats = new Map<string, Answer<Stats>>();
  #stats = new Map<string, Answer<BigIntStats>>();
  #listings = new Map<string, Promise<Dirent[]>>();
  #digests = new Map<string, Promise<FileDigest>>();
  #settled = new Map<string, FileDigest>();
  #shared = new Map<string, Map<string, Promise<unknown>>>();
  #sharedSettled = new Map<string, Map<string, unknown>>();
  /** Shared results by the host path of each root they walked from. */
  #sharedAt = new Map<string, { readonly first: string; readonly second: string }[]>();
  /** Directory → the paths below it that hold an answer (directly or further down). */
  #children = new Map<string, Set<string>>();
  /** An input reached through a symlink: a write elsewhere can change it, so writes forget all. */
  #throughLink = false;

  lstat(hostPath: string): Stats {
    return answer(this.#lstats, hostPath, () => lstatSync(hostPath), () => this.#register(hostPath));
  }

  stat(hostPath: string): BigIntStats {
    return answer(
      this.#stats,
      hostPath,
      () => statSync(hostPath, { bigint: true }),
      () => this.#register(hostPath),
    );
  }

  readdir(hostPath: string): Promise<Dirent[]> {
    let listing = this.#listings.get(hostPath);
    if (listing === undefined) {
      listing = nodeFsPromises().readdir(hostPath, { withFileTypes: true });
      this.#listings.set(hostPath, listing);
      this.#register(hostPath);
    }
    return listing;
  }

  /** The digest of an input file, computed by `hash` on the first request (failures are not kept). */
  digest(hostPath: string, hash: () => Promise<FileDigest>): Promise<FileDigest> {
    let digest = this.#digests.get(hostPath);
    if (digest === undefined) {
      if (!this.#throughLink && this.#reachedThroughLink(hostPath)) this.#throughLink = true;
      const digests = this.#digests;
      const settled = this.#settled;
      digest = hash();
      digests.set(hostPath, digest);
      this.#register(hostPath);
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
   * one input pattern, `first`, with the exclusions that meet it, `second`, from the host paths `roots`).
   */
  share<T>(first: string, second: string, roots: readonly string[], compute: () => Promise<T>): Promise<T> {
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
      for (const root of roots) {
        const at = this.#sharedAt.get(root);
        if (at === undefined) this.#sharedAt.set(root, [{ first, second }]);
        else at.push({ first, second });
        this.#register(root);
      }
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

  /** Drops every answer: files may have changed anywhere. */
  forget(): void {
    this.#lstats = new Map();
    this.#stats = new Map();
    this.#listings = new Map();
    this.#digests = new Map();
    this.#settled = new Map();
    this.#shared = new Map();
    this.#sharedSettled = new Map();
    this.#sharedAt = new Map();
    this.#children = new Map();
    this.#throughLink = false;
  }

  /**
   * Drops the answers a write at or below each of `hostPaths` can change: those at the path, at its
   * ancestors (their listings and the walks from them) and below it. Everything is dropped when an
   * input was reached through a symlink or a path lies below one (a write there lands elsewhere).
   */
  forgetAround(hostPaths: readonly string[]): void {
    if (this.#throughLink || hostPaths.some(belowSymlink)) {
      this.forget();
      return;
    }
    for (const hostPath of hostPaths) {
      for (let path = hostPath;; path = dirname(path)) {
        this.#dropAt(path);
        if (dirname(path) === path) break;
      }
      const below = [...this.#children.get(hostPath) ?? []];
      this.#children.delete(hostPath);
      while (below.length > 0) {
        const path = below.pop()!;
        this.#dropAt(path);
        for (const child of this.#children.get(path) ?? []) below.push(child);
        this.#children.delete(path);
      }
    }
  }

  #dropAt(hostPath: string): void {
    this.#lstats.delete(hostPath);
    this.#stats.delete(hostPath);
    this.#listings.delete(hostPath);
    this.#digests.delete(hostPath);
    this.#settled.delete(hostPath);
    for (const { first, second } of this.#sharedAt.get(hostPath) ?? []) {
      this.#shared.get(first)?.delete(second);
      this.#sharedSettled.get(first)?.delete(second);
    }
    this.#sharedAt.delete(hostPath);
  }

  /** Whether the file or one of its directories is a symlink (each directory asked once per run). */
  #reachedThroughLink(hostPath: string): boolean {
    for (let path = hostPath; dirname(path) !== path; path = dirname(path)) {
      try {
        if (this.lstat(path).isSymbolicLink()) return true;
      } catch {
        // `hash` reports what cannot be read.
      }
    }
    return false;
  }

  /** Links `hostPath` into the tree of answered paths, so a write above it finds it. */
  #register(hostPath: string): void {
    for (let child = hostPath;;) {
      const parent = dirname(child);
      if (parent === child) return;
      let children = this.#children.get(parent);
      if (children === undefined) {
        children = new Set();
        this.#children.set(parent, children);
      }
      if (children.has(child)) return;
      children.add(child);
      child = parent;
    }
  }
}

/** Whether a proper ancestor of `hostPath` is a symlink (read afresh, never from the answers). */
function belowSymlink(hostPath: string): boolean {
  for (let path = dirname(hostPath); dirname(path) !== path; path = dirname(path)) {
    try {
      if (lstatSync(path).isSymbolicLink()) return true;
    } catch {
      // A missing ancestor: nothing below it was answered through it.
    }
  }
  return false;
}

function answer<T>(answers: Map<string, Answer<T>>, key: string, read: () => T, added: () => void): T {
  let known = answers.get(key);
  if (known === undefined) {
    try {
      known = { value: read() };
    } catch (error) {
      known = { error };
    }
    answers.set(key, known);
    added();
  }
  if ("error" in known) throw known.error;
  return known.value;
}
