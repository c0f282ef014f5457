/**
 * Content digests as the cache records them.
 *
 * @module
 */

/** 64 lowercase hex characters. */
export type Digest = string;

/** Digest and length of a captured stream. */
export interface StreamDigest {
  readonly hash: Digest;
  readonly bytes: number;
}
