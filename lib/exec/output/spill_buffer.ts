/**
 * Per-task, per-stream storage of buffered output (04-execution.md §9.2, EXEC-108): bytes stay in
 * memory up to 1 MiB, then the stream moves to a temp file that takes every later chunk.
 *
 * @module
 */

import { closeSync, openSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { nodeCrypto, nodeFsPromises } from "../../util/builtin_modules.ts";

/** Bytes per task and stream kept in memory before spilling: 1 MiB. */
export const SPILL_THRESHOLD_BYTES = 1024 * 1024;

/** Size of the reads that copy a spill file to a sink. */
const COPY_CHUNK_BYTES = 256 * 1024;

const NEWLINE = 0x0a;

/** Where and how streams spill; shared by every buffer of one presenter. */
export interface SpillSettings {
  readonly tempDir: string;
  /** Bytes kept in memory before spilling; {@link SPILL_THRESHOLD_BYTES} unless a test says otherwise. */
  readonly thresholdBytes: number;
  /** Called when a temp file cannot be created or written; the bytes then stay in memory. */
  readonly onSpillFailure: (message: string) => void;
}

/**
 * The temp file name of EXEC-108: `haz-<pid>-<random>.out`.
 *
 * @example
 * ```ts
 * spillFileName(); // e.g. "haz-4242-9f86d081884c.out"
 * ```
 */
export function spillFileName(): string {
  return `haz-${process.pid}-${nodeCrypto().randomBytes(6).toString("hex")}.out`;
}

/**
 * One stream's bytes. Appending is synchronous (observer callbacks are); copying a spilled stream out
 * is asynchronous. Layout: either memory chunks only, or the temp file followed by memory chunks that
 * arrived after a write to the file failed.
 *
 * @example
 * ```ts
 * const buffer = new SpillBuffer({ tempDir: "/tmp", thresholdBytes: 4, onSpillFailure: () => {} });
 * buffer.append(new TextEncoder().encode("hello")); // crosses 4 bytes: moves to /tmp/haz-….out
 * buffer.hasFile; // true
 * await buffer.copyTo((bytes) => sink.write(bytes)); // the 5 bytes, in order
 * buffer.discard(); // deletes the file
 * ```
 */
export class SpillBuffer {
  readonly #settings: SpillSettings;
  #memory: Uint8Array[] = [];
  #memoryBytes = 0;
  #file: { path: string; fd: number; bytes: number } | null = null;
  #fileBroken = false;
  #byteLength = 0;
  #lastByte = -1;

  constructor(settings: SpillSettings) {
    this.#settings = settings;
  }

  /** Total bytes appended. */
  get byteLength(): number {
    return this.#byteLength;
  }

  /** Whether a non-empty stream ends in `\n` (an empty one counts as ending in one). */
  get endsWithNewline(): boolean {
    return this.#byteLength === 0 || this.#lastByte === NEWLINE;
  }

  /** Whether part of the stream lives in a temp file. */
  get hasFile(): boolean {
    return this.#file !== null;
  }

  /** Appends a chunk; the chunk that crosses the threshold moves the stream to a temp file. */
  append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#byteLength += chunk.length;
    this.#lastByte = chunk[chunk.length - 1];
    if (this.#file !== null && !this.#fileBroken) {
      this.#writeToFile(chunk);
      return;
    }
    this.#keep(chunk);
    // After a failed spill the stream stays in memory for good: no retry per chunk.
    if (this.#file === null && !this.#fileBroken && this.#memoryBytes > this.#settings.thresholdBytes) {
      this.#spill();
    }
  }

  /** The bytes held in memory as one array: the whole stream unless it spilled, else what follows the file. */
  memoryBytes(): Uint8Array {
    if (this.#memory.length === 1) return this.#memory[0];
    const bytes = new Uint8Array(this.#memoryBytes);
    let offset = 0;
    for (const piece of this.#memory) {
      bytes.set(piece, offset);
      offset += piece.length;
    }
    return bytes;
  }

  /** Passes the whole stream to `write` in order: the temp file in chunks, then the bytes in memory. */
  async copyTo(write: (bytes: Uint8Array) => void): Promise<void> {
    const file = this.#file;
    if (file !== null) {
      const handle = await nodeFsPromises().open(file.path, "r");
      try {
        let position = 0;
        while (position < file.bytes) {
          const buffer = new Uint8Array(Math.min(COPY_CHUNK_BYTES, file.bytes - position));
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
          if (bytesRead === 0) throw new Error(`${file.path} ended after ${position} of ${file.bytes} bytes`);
          write(buffer.subarray(0, bytesRead));
          position += bytesRead;
        }
      } finally {
        await handle.close();
      }
    }
    if (this.#memoryBytes > 0) write(this.memoryBytes());
  }

  /** Drops the bytes and deletes the temp file (best effort). */
  discard(): void {
    const file = this.#file;
    this.#file = null;
    this.#memory = [];
    this.#memoryBytes = 0;
    if (file === null) return;
    try {
      closeSync(file.fd);
    } catch {
      // Already closed: nothing to release.
    }
    try {
      unlinkSync(file.path);
    } catch {
      // Gone already or not removable; a leftover temp file is harmless.
    }
  }

  #keep(chunk: Uint8Array): void {
    // A copy, so the producer may reuse its chunk buffer.
    this.#memory.push(chunk.slice());
    this.#memoryBytes += chunk.length;
  }

  #spill(): void {
    const path = join(this.#settings.tempDir, spillFileName());
    let fd: number;
    try {
      fd = openSync(path, "wx", 0o600);
    } catch (error) {
      this.#fileBroken = true;
      this.#settings.onSpillFailure(
        `cannot create a temp file in ${this.#settings.tempDir}, keeping task output in memory: ${
          reasonOf(error)
        }`,
      );
      return;
    }
    this.#file = { path, fd, bytes: 0 };
    const pending = this.#memory;
    this.#memory = [];
    this.#memoryBytes = 0;
    for (const piece of pending) {
      if (this.#fileBroken) this.#keep(piece);
      else this.#writeToFile(piece);
    }
  }

  #writeToFile(chunk: Uint8Array): void {
    const file = this.#file!;
    let offset = 0;
    try {
      while (offset < chunk.length) {
        const written = writeSync(file.fd, chunk, offset, chunk.length - offset);
        offset += written;
        file.bytes += written;
      }
    } catch (error) {
      this.#fileBroken = true;
      this.#keep(chunk.subarray(offset));
      this.#settings.onSpillFailure(
        `cannot write the temp file ${file.path}, keeping task output in memory: ${reasonOf(error)}`,
      );
    }
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
