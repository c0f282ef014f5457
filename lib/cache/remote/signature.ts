/**
 * Artifact signatures (07-remote-cache.md REMOTE-050..052): turbo 2.11's `x-artifact-tag`,
 * `base64(HMAC-SHA256(K, F("artifact-signature:v2") ‖ F(id) ‖ F(team) ‖ F(body)))` with
 * `F(x) = u64le(len x) ‖ x`.
 *
 * @module
 */

import { createReadStream, statSync } from "node:fs";
import { nodeCrypto } from "../../util/builtin_modules.ts";

const SCHEME = "artifact-signature:v2";
const TAG = /^[A-Za-z0-9+/]{43}=$/;

/** What a tag covers besides the body. */
export interface TagSubject {
  /** UTF-8 bytes of the key are used (REMOTE-051). */
  readonly key: string;
  readonly id: string;
  readonly team: string;
}

function framed(length: number): Uint8Array {
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(length), true);
  return prefix;
}

/**
 * The tag of a body held in memory.
 *
 * @example
 * ```ts
 * artifactTag({ key: "0123456789abcdef0123456789abcdef", id, team: "haz" }, new TextEncoder().encode("hello"));
 * // "xj4gIpwxqi6HDiVidTu7rUnrGJUOBCh5ddqNd+8lY0Q="
 * ```
 */
export function artifactTag(subject: TagSubject, body: Uint8Array): string {
  const hmac = startHmac(subject, body.length);
  hmac.update(body);
  return hmac.digest("base64");
}

/**
 * The tag of a body stored in a file, read in chunks (bounded memory).
 *
 * @example
 * ```ts
 * const tag = await artifactFileTag(subject, "/work/.haz/cache/db/.tmp-…/artifact");
 * ```
 */
export async function artifactFileTag(subject: TagSubject, path: string): Promise<string> {
  const hmac = startHmac(subject, statSync(path).size);
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) {
    hmac.update(chunk as Uint8Array);
  }
  return hmac.digest("base64");
}

/**
 * REMOTE-052: true when `tag` is one well-formed tag whose 32 bytes equal the HMAC of the file's bytes,
 * compared in constant time.
 *
 * @example
 * ```ts
 * await tagVerifies(subject, path, response.headers["x-artifact-tag"]); // true or false
 * ```
 */
export async function tagVerifies(subject: TagSubject, path: string, tag: string): Promise<boolean> {
  if (!TAG.test(tag)) return false;
  const expected = Buffer.from(await artifactFileTag(subject, path), "base64");
  const received = Buffer.from(tag, "base64");
  return received.length === expected.length && nodeCrypto().timingSafeEqual(received, expected);
}

function startHmac(subject: TagSubject, bodyLength: number) {
  const encoder = new TextEncoder();
  const hmac = nodeCrypto().createHmac("sha256", encoder.encode(subject.key));
  for (const part of [SCHEME, subject.id, subject.team]) {
    const bytes = encoder.encode(part);
    hmac.update(framed(bytes.length));
    hmac.update(bytes);
  }
  hmac.update(framed(bodyLength));
  return hmac;
}
