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
  /**
   * `lstatSync`, undefined when nothing is there (a missing input is common: no exception is built
   * for it); other failures throw.
   */
  lstatIfPresent(hostPath: string): Stats | undefined;
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
 * DIRECT_LOOKUPS.lstatIfPresent("/work/web/src")?.isDirectory(); // true
 * ```
 */
export const DIRECT_LOOKUPS: FileLookups = {
  lstatIfPresent: (hostPath) => lstatSync(hostPath, { throwIfNoEntry: false }),
  stat: (hostPath) => statSync(hostPath, { bigint: true }),
  readdir: (hostPath) => nodeFsPromises().readdir(hostPath, { withFileTypes: true }),
};

type Answer<T> = { readonly value: T } | { readonly error: unknown };

/**
 * What {@linkcode FileObservations.share} holds: the walks of input patterns, the hashed and framed
 * key entries of a glob inclusion (built on its walk) and those of a literal inclusion (apart from the
 * globs', so a literal's entries are held in the slot of the empty `second`, without a map).
 */
export type ShareSpace = "walk" | "entries" | "literal-entries";

interface SharedKey {
  readonly space: ShareSpace;
  readonly first: string;
  readonly second: string;
}

function sharedSpaces<T>(): Record<ShareSpace, Map<string, Results<T>>> {
  return { walk: new Map(), entries: new Map(), "literal-entries": new Map() };
}

function plainSpaces(): Record<ShareSpace, Map<string, unknown>> {
  return { walk: new Map(), entries: new Map(), "literal-entries": new Map() };
}

function resultsOf<T>(results: Map<string, Results<T>>, first: string): Results<T> {
  let held = results.get(first);
  if (held === undefined) {
    held = new Results();
    results.set(first, held);
  }
  return held;
}

/**
 * The results held for one `first` key, by `second`. The empty `second` (a pattern no exclusion
 * meets) is kept apart from a map: a cached run of an imported workspace asks for it by the hundred
 * thousand.
 */
class Results<T> {
  #plain: T | undefined = undefined;
  #others: Map<string, T> | null = null;

  get(second: string): T | undefined {
    return second === "" ? this.#plain : this.#others?.get(second);
  }

  set(second: string, value: T): void {
    if (second === "") this.#plain = value;
    else (this.#others ??= new Map()).set(second, value);
  }

  delete(second: string): void {
    if (second === "") this.#plain = undefined;
    else this.#others?.delete(second);
  }
}

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
  #lstats = new Map<string, Answer<Stats | undefined>>();
  #stats = new Map<string, Answer<BigIntStats>>();
  #listings = new Map<string, Promise<Dirent[]>>();
  #digests = new Map<string, Promise<FileDigest>>();
  #settled = new Map<string, FileDigest>();
  #shared = sharedSpaces<Promise<unknown>>();
  #sharedSettled = sharedSpaces<unknown>();
  /**
   * The settled results of an empty `second` (a pattern no exclusion meets), by `first` alone: a
   * cached run of an imported workspace asks for them by the hundred thousand.
   */
  #plainSettled = plainSpaces();
  /** Shared results by the host path of each root they walked from. */
  #sharedAt = new Map<string, SharedKey[]>();
  /** Directory → the paths below it that hold an answer (directly or further down). */
  #children = new Map<string, Set<string>>();
  /** An input reached through a symlink: a write elsewhere can change it, so writes forget all. */
  #throughLink = false;

  lstatIfPresent(hostPath: string): Stats | undefined {
    return answer(
      this.#lstats,
      hostPath,
      () => lstatSync(hostPath, { throwIfNoEntry: false }),
      () => this.#register(hostPath),
    );
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

  /**
   * {@linkcode digest} without waiting: the digest this run holds, or the one `hash` computes now
   * (kept); null when `hash` cannot answer without waiting, or the digest is being computed. Throws
   * what `hash` throws (nothing is kept then).
   */
  digestNow(hostPath: string, hash: () => FileDigest | null): FileDigest | null {
    const known = this.#settled.get(hostPath);
    if (known !== undefined) return known;
    if (this.#digests.has(hostPath)) return null;
    const value = hash();
    if (value === null) return null;
    if (!this.#throughLink && this.#reachedThroughLink(hostPath)) this.#throughLink = true;
    this.#digests.set(hostPath, Promise.resolve(value));
    this.#settled.set(hostPath, value);
    this.#register(hostPath);
    return value;
  }

  /** A digest already computed by {@linkcode digest}, without waiting. */
  knownDigest(hostPath: string): FileDigest | undefined {
    return this.#settled.get(hostPath);
  }

  /**
   * The result of `compute` for the key `(first, second)` of `space`, computed on the first request
   * (for example the walk of one input pattern, `first`, with the exclusions that meet it, `second`),
   * and dropped with the answers at or below `roots` (host paths).
   */
  share<T>(
    space: ShareSpace,
    first: string,
    second: string,
    roots: readonly string[],
    compute: () => Promise<T>,
  ): Promise<T> {
    const held = this.#shared[space].get(first)?.get(second) as Promise<T> | undefined;
    if (held !== undefined) return held;
    const shared = this.#shared[space];
    const promise = compute();
    this.#hold(space, first, second, roots, promise);
    promise.then((value) => {
      if (shared === this.#shared[space] && shared.get(first)?.get(second) === promise) {
        this.#settle(space, first, second, value);
      }
    }, () => undefined);
    return promise;
  }

  /**
   * Holds `value`, computed by the caller without waiting, as the result for `(first, second)` of
   * `space` (see {@linkcode share}), unless one is held already.
   */
  shareNow<T>(space: ShareSpace, first: string, second: string, roots: readonly string[], value: T): void {
    if (this.#shared[space].get(first)?.get(second) !== undefined) return;
    this.#hold(space, first, second, roots, Promise.resolve(value));
    this.#settle(space, first, second, value);
  }

  #settle(space: ShareSpace, first: string, second: string, value: unknown): void {
    if (second === "") this.#plainSettled[space].set(first, value);
    else resultsOf(this.#sharedSettled[space], first).set(second, value);
  }

  #hold(
    space: ShareSpace,
    first: string,
    second: string,
    roots: readonly string[],
    promise: Promise<unknown>,
  ) {
    resultsOf(this.#shared[space], first).set(second, promise);
    for (const root of roots) {
      const at = this.#sharedAt.get(root);
      if (at === undefined) this.#sharedAt.set(root, [{ space, first, second }]);
      else at.push({ space, first, second });
      this.#register(root);
    }
  }

  /** A result {@linkcode share} already holds, without waiting. */
  knownShare<T>(space: ShareSpace, first: string, second: string): T | undefined {
    const held = second === ""
      ? this.#plainSettled[space].get(first)
      : this.#sharedSettled[space].get(first)?.get(second);
    return held as T | undefined;
  }

  /** Drops every answer: files may have changed anywhere. */
  forget(): void {
    this.#lstats = new Map();
    this.#stats = new Map();
    this.#listings = new Map();
    this.#digests = new Map();
    this.#settled = new Map();
    this.#shared = sharedSpaces();
    this.#sharedSettled = sharedSpaces();
    this.#plainSettled = plainSpaces();
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
    for (const { space, first, second } of this.#sharedAt.get(hostPath) ?? []) {
      this.#shared[space].get(first)?.delete(second);
      if (second === "") this.#plainSettled[space].delete(first);
      else this.#sharedSettled[space].get(first)?.delete(second);
    }
    this.#sharedAt.delete(hostPath);
  }

  /** Whether the file or one of its directories is a symlink (each directory asked once per run). */
  #reachedThroughLink(hostPath: string): boolean {
    for (let path = hostPath; dirname(path) !== path; path = dirname(path)) {
      try {
        if (this.lstatIfPresent(path)?.isSymbolicLink()) return true;
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
