/**
 * Names and paths of the on-disk layout (03-cache.md CACHE-010).
 *
 * @module
 */

import { join } from "node:path";
import { nodeCrypto } from "../util/builtin_modules.ts";

/** The cache root relative to the workspace root, as reports print it (AUX-018). */
export const CACHE_ROOT_DISPLAY = ".haz/cache";

/** The manifest's file name inside an entry. */
export const MANIFEST_FILE = "manifest.json";

/** The blob directory inside an entry. */
export const OUTPUTS_DIR = "outputs";

/** Prefix of a store directory (in a shard). */
export const STORE_DIR_PREFIX = ".tmp-";

/** Prefix of a restore staging directory (in the root). */
export const RESTORE_DIR_PREFIX = ".restore-";

/** A shard directory's name: two lowercase hex characters. */
export const SHARD_NAME = /^[0-9a-f]{2}$/;

/**
 * Host path of the cache root of a workspace.
 *
 * @example
 * ```ts
 * cacheRootOf("/work"); // "/work/.haz/cache"
 * ```
 */
export function cacheRootOf(workspaceRoot: string): string {
  return join(workspaceRoot, ".haz", "cache");
}

/**
 * The shard of a key: its first two hex characters.
 *
 * @example
 * ```ts
 * shardOf("db175af0…e142"); // "db"
 * ```
 */
export function shardOf(key: string): string {
  return key.slice(0, 2);
}

/**
 * Host path of the entry for `key`.
 *
 * @example
 * ```ts
 * entryPath("/work/.haz/cache", "db175af0…e142"); // "/work/.haz/cache/db/db175af0…e142"
 * ```
 */
export function entryPath(root: string, key: string): string {
  return join(root, shardOf(key), key);
}

/**
 * 16 lowercase hex characters from `randomBytes(8)`, the `<random>` of temporary names.
 *
 * @example
 * ```ts
 * randomSuffix(); // "3fa91c0d7e22b845"
 * ```
 */
export function randomSuffix(): string {
  return nodeCrypto().randomBytes(8).toString("hex");
}

/**
 * A fresh store directory name `.tmp-<key>-<random>` (it lives in the key's shard).
 *
 * @example
 * ```ts
 * storeDirName("db175af0…e142"); // ".tmp-db175af0…e142-3fa91c0d7e22b845"
 * ```
 */
export function storeDirName(key: string): string {
  return `${STORE_DIR_PREFIX}${key}-${randomSuffix()}`;
}

/**
 * A fresh restore staging directory name `.restore-<key>-<random>` (it lives in the root).
 *
 * @example
 * ```ts
 * restoreDirName("db175af0…e142"); // ".restore-db175af0…e142-9c0b6d1e4f7a2358"
 * ```
 */
export function restoreDirName(key: string): string {
  return `${RESTORE_DIR_PREFIX}${key}-${randomSuffix()}`;
}
