/**
 * The remote cache of one `haz run` (07-remote-cache.md §6–9): lookups with one request per id,
 * verified imports, the upload queue, the failure policy and the records the reports print.
 *
 * @module
 */

import { mkdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { TaskDefinition } from "../../domain/workspace.ts";
import { humanBytes } from "../../domain/size.ts";
import { formatDuration } from "../../util/format_duration.ts";
import type { RemoteCachePort, RemoteFetchResult } from "../cache_handle.ts";
import { DirectorySyncBatch } from "../directory_sync_batch.ts";
import { errorMessage } from "../io_error.ts";
import { entryPath, shardOf, storeDirName } from "../layout.ts";
import type { CacheContext } from "../store.ts";
import { ARTIFACT_FILE, importArtifact } from "./artifact_import.ts";
import { writeArtifact } from "./artifact_writer.ts";
import { RemoteClient } from "./http_client.ts";
import { redactor, type RemoteConfig } from "./remote_config.ts";
import { artifactFileTag, tagVerifies } from "./signature.ts";

/** The warning kinds of REMOTE-093. */
export type RemoteWarningKind =
  | "remote-off"
  | "remote-uploads-off"
  | "remote-rejected"
  | "remote-not-imported"
  | "not-uploaded";

/** One warning: `message` is the line without `warning: `; `printed` false for summary-only entries. */
export interface RemoteWarning {
  readonly kind: RemoteWarningKind;
  /** `project:task`, or "" for the wait line. */
  readonly task: string;
  readonly message: string;
  readonly printed: boolean;
}

/** A trip or the uploads-off switch (REMOTE-093). */
export interface RemoteIncident {
  readonly atMs: number;
  readonly task: string;
  readonly id: string;
  readonly message: string;
}

/** Per-task remote record (REMOTE-093 `TaskSummaryV1.remote`). */
export interface RemoteTaskRecord {
  lookup: "hit" | "miss" | "rejected" | "not-imported" | "aborted" | "not-requested";
  download: { bytes: number; ms: number } | null;
  upload: "uploaded" | "not-uploaded" | "abandoned" | "not-due";
  uploadBytes: number | null;
  uploadMs: number | null;
}

/** A profile event of REMOTE-094. */
export type RemoteProfileEvent =
  | {
    readonly kind: "upload";
    readonly task: string;
    readonly start: number;
    readonly end: number;
    readonly outcome: string;
    readonly bytes: number;
  }
  | { readonly kind: "remote-off"; readonly at: number; readonly reason: string };

/** Totals of REMOTE-093 `RemoteCacheSummaryV1`. */
export interface RemoteTotals {
  lookups: {
    requested: number;
    hits: number;
    misses: number;
    rejected: number;
    notImported: number;
    aborted: number;
    bytes: number;
  };
  uploads: {
    due: number;
    uploaded: number;
    notUploaded: number;
    abandoned: number;
    bytes: number;
    waitMs: number;
  };
}

/** What a session needs. */
export interface RemoteSessionOptions {
  readonly config: RemoteConfig;
  readonly context: CacheContext;
  readonly userAgent: string;
  /** Run-clock milliseconds. */
  readonly now: () => number;
  readonly nowUnix: () => number;
  /** Receives each warning as it happens (the CLI prints the printed ones at once). */
  readonly onWarning: (warning: RemoteWarning) => void;
}

interface Upload {
  readonly key: string;
  readonly task: TaskDefinition;
  readonly controller: AbortController;
  started: boolean;
}

/**
 * The remote of one run; implements {@link RemoteCachePort} for the executor.
 *
 * @example
 * ```ts
 * const session = new RemoteSession({ config, context, userAgent: "haz 0.1.0", now, nowUnix, onWarning });
 * const cache = { ...openCache(options), remote: session };
 * // … runGraph …
 * await session.finish({ cancelled: false });
 * ```
 */
export class RemoteSession implements RemoteCachePort {
  readonly config: RemoteConfig;
  readonly totals: RemoteTotals = {
    lookups: { requested: 0, hits: 0, misses: 0, rejected: 0, notImported: 0, aborted: 0, bytes: 0 },
    uploads: { due: 0, uploaded: 0, notUploaded: 0, abandoned: 0, bytes: 0, waitMs: 0 },
  };
  trip: RemoteIncident | null = null;
  uploadsOff: RemoteIncident | null = null;
  readonly profile: RemoteProfileEvent[] = [];
  readonly warnings: RemoteWarning[] = [];
  readonly #options: RemoteSessionOptions;
  readonly #client: RemoteClient;
  readonly #tasks = new Map<string, RemoteTaskRecord>();
  readonly #fetches = new Map<string, Promise<RemoteFetchResult>>();
  readonly #queue: Upload[] = [];
  readonly #active = new Set<Upload>();
  readonly #shardSyncs = new DirectorySyncBatch();
  #abandoning = false;
  #drained: (() => void) | null = null;

  /** A session over `options.config` (whose mode is not `off`). */
  constructor(options: RemoteSessionOptions) {
    this.#options = options;
    this.config = options.config;
    this.redact = redactor(options.config);
    this.#client = new RemoteClient({
      url: options.config.url,
      team: options.config.team,
      token: options.config.token ?? "",
      userAgent: options.userAgent,
      timeoutMs: options.config.settings.timeoutMs,
      redact: this.redact,
    });
  }

  /** REMOTE-025 redaction of any outside text. */
  readonly redact: (text: string) => string;

  get #readable(): boolean {
    return this.config.mode === "read" || this.config.mode === "read-write";
  }

  get #writable(): boolean {
    return this.config.mode === "write" || this.config.mode === "read-write";
  }

  /** The per-task record, or null when the task never reached the remote layer. */
  taskRecord(task: string): RemoteTaskRecord | null {
    return this.#tasks.get(task) ?? null;
  }

  /** Uploads queued or in progress (REMOTE-092). */
  get pendingUploads(): number {
    return this.#queue.length + this.#active.size;
  }

  #record(task: string): RemoteTaskRecord {
    let record = this.#tasks.get(task);
    if (record === undefined) {
      record = {
        lookup: "not-requested",
        download: null,
        upload: "not-due",
        uploadBytes: null,
        uploadMs: null,
      };
      this.#tasks.set(task, record);
    }
    return record;
  }

  /** {@inheritDoc RemoteCachePort.fetch} */
  fetch(request: { key: string; task: TaskDefinition; signal: AbortSignal }): Promise<RemoteFetchResult> {
    const record = this.#record(request.task.key);
    if (!this.#readable || this.trip !== null) return Promise.resolve("miss");
    const earlier = this.#fetches.get(request.key);
    if (earlier !== undefined) return earlier;
    const fetching = this.#download(request, record);
    this.#fetches.set(request.key, fetching);
    return fetching;
  }

  async #download(
    request: { key: string; task: TaskDefinition; signal: AbortSignal },
    record: RemoteTaskRecord,
  ): Promise<RemoteFetchResult> {
    const { key, task } = request;
    const { context } = this.#options;
    const directory = join(context.root, shardOf(key), storeDirName(key));
    const started = this.#options.now();
    this.totals.lookups.requested++;
    let published = false;
    const miss = (lookup: RemoteTaskRecord["lookup"]): RemoteFetchResult => {
      record.lookup = lookup;
      if (lookup === "miss") this.totals.lookups.misses++;
      if (lookup === "rejected") this.totals.lookups.rejected++;
      if (lookup === "not-imported") this.totals.lookups.notImported++;
      if (lookup === "aborted") this.totals.lookups.aborted++;
      return "miss";
    };
    const notImported = (message: string): RemoteFetchResult => {
      this.#warn("remote-not-imported", task.key, `${task.key}: remote artifact not imported: ${message}`);
      return miss("not-imported");
    };
    try {
      try {
        mkdirSync(directory, { recursive: true });
      } catch (error) {
        return notImported(errorMessage(error));
      }
      // A signed artifact is verified from its spooled file (REMOTE-052); a small unsigned one from memory.
      const downloaded = await this.#client.download(
        key,
        {
          file: join(directory, ARTIFACT_FILE),
          maxBytes: this.config.settings.maxArtifactSize,
          holdSmall: !this.config.signature,
        },
        request.signal,
      );
      if (downloaded.kind === "not-written") {
        return notImported(downloaded.message);
      }
      if (downloaded.kind === "aborted") return miss("aborted");
      if (downloaded.kind === "missing") return miss("miss");
      if (downloaded.kind === "problem") {
        this.#trip("GET", task, key, downloaded.problem);
        return miss("aborted");
      }
      if (downloaded.kind === "too-large") {
        this.#reject(
          task,
          `artifact is larger than cache.remote.max_artifact_size (${
            humanBytes(this.config.settings.maxArtifactSize)
          })`,
        );
        return miss("rejected");
      }
      if (this.config.signature) {
        const subject = { key: this.config.signatureKey ?? "", id: key, team: this.config.team };
        if (downloaded.tags.length === 0) {
          this.#trip("GET", task, key, "artifact carries no signature (x-artifact-tag missing)");
          return miss("aborted");
        }
        if (
          downloaded.tags.length !== 1 ||
          !await tagVerifies(subject, join(directory, ARTIFACT_FILE), downloaded.tags[0])
        ) {
          this.#trip(
            "GET",
            task,
            key,
            "artifact signature does not verify (is HAZ_REMOTE_CACHE_SIGNATURE_KEY the same on every machine?)",
          );
          return miss("aborted");
        }
      }
      const imported = await importArtifact({
        context,
        directory,
        key,
        task,
        maxEntrySize: this.config.settings.maxEntrySize,
        nowUnix: this.#options.nowUnix(),
        shardSyncs: this.#shardSyncs,
        body: downloaded.body,
      });
      if (imported.kind === "rejected") {
        this.#reject(task, imported.reason);
        return miss("rejected");
      }
      if (imported.kind === "failed") {
        return notImported(imported.message);
      }
      record.lookup = "hit";
      record.download = { bytes: downloaded.bytes, ms: this.#options.now() - started };
      this.totals.lookups.hits++;
      this.totals.lookups.bytes += downloaded.bytes;
      published = true;
      return "imported";
    } catch (error) {
      return notImported(errorMessage(error));
    } finally {
      // A published import renamed its directory into place; anything else is removed.
      if (!published) await rm(directory, { recursive: true, force: true }).catch(() => {});
    }
  }

  /** {@inheritDoc RemoteCachePort.freshRunSucceeded} */
  freshRunSucceeded(request: { key: string; task: TaskDefinition; stored: boolean }): void {
    const record = this.#record(request.task.key);
    if (!this.#writable || this.trip !== null || this.uploadsOff !== null || this.#abandoning) return;
    this.totals.uploads.due++;
    if (!request.stored) {
      record.upload = "not-uploaded";
      this.totals.uploads.notUploaded++;
      return;
    }
    this.#queue.push({
      key: request.key,
      task: request.task,
      controller: new AbortController(),
      started: false,
    });
    this.#pump();
  }

  #pump(): void {
    while (this.#active.size < this.config.settings.uploadConcurrency && this.#queue.length > 0) {
      const upload = this.#queue.shift()!;
      upload.started = true;
      this.#active.add(upload);
      this.#upload(upload).finally(() => {
        this.#active.delete(upload);
        this.#pump();
        if (this.pendingUploads === 0) this.#drained?.();
      });
    }
  }

  async #upload(upload: Upload): Promise<void> {
    const { key, task } = upload;
    const record = this.#record(task.key);
    const { context } = this.#options;
    const directory = join(context.root, shardOf(key), storeDirName(key));
    const start = this.#options.now();
    let bytes = 0;
    const finish = (outcome: RemoteTaskRecord["upload"]) => {
      record.upload = outcome;
      if (outcome === "uploaded") {
        record.uploadBytes = bytes;
        record.uploadMs = this.#options.now() - start;
        this.totals.uploads.uploaded++;
        this.totals.uploads.bytes += bytes;
      } else if (outcome === "abandoned") {
        this.totals.uploads.abandoned++;
        this.totals.uploads.notUploaded++;
      } else {
        this.totals.uploads.notUploaded++;
      }
      this.profile.push({ kind: "upload", task: task.key, start, end: this.#options.now(), outcome, bytes });
    };
    const notUploaded = (reason: string) => {
      this.#warn("not-uploaded", task.key, `${task.key}: not uploaded: ${reason}`);
      finish("not-uploaded");
    };
    try {
      mkdirSync(directory, { recursive: true });
      const artifact = join(directory, ARTIFACT_FILE);
      const written = await writeArtifact({
        entryDir: entryPath(context.root, key),
        key,
        hash: context.hash,
        destination: artifact,
        level: this.config.settings.compressionLevel,
        maxEntrySize: this.config.settings.maxEntrySize,
      });
      if (this.#stopped(upload)) return finish(this.#abandoning ? "abandoned" : "not-uploaded");
      if (!written.ok) return notUploaded(written.reason);
      bytes = written.bytes;
      const limit = this.config.settings.maxArtifactSize;
      if (bytes > limit) {
        return notUploaded(
          `artifact is ${humanBytes(bytes)}, above cache.remote.max_artifact_size (${humanBytes(limit)})`,
        );
      }
      const tag = this.config.signature
        ? await artifactFileTag(
          { key: this.config.signatureKey ?? "", id: key, team: this.config.team },
          artifact,
        )
        : null;
      if (this.#stopped(upload)) return finish(this.#abandoning ? "abandoned" : "not-uploaded");
      const sent = await this.#client.upload(
        key,
        { path: artifact, length: bytes, durationMs: written.manifest.duration_ms, tag },
        upload.controller.signal,
      );
      if (sent.kind === "uploaded") return finish("uploaded");
      if (sent.kind === "aborted") return finish(this.#abandoning ? "abandoned" : "not-uploaded");
      if (sent.status === 403) {
        finish("not-uploaded");
        this.#uploadsOff(task, key, sent.message);
        return;
      }
      if (sent.status === 413) {
        return notUploaded(
          `the server refused its size (HTTP 413${sent.message === null ? "" : `: ${sent.message}`})`,
        );
      }
      finish("not-uploaded");
      this.#trip("PUT", task, key, sent.problem);
    } catch (error) {
      notUploaded(`could not read the local entry: ${errorMessage(error)}`);
    } finally {
      await rm(directory, { recursive: true, force: true }).catch(() => {});
    }
  }

  #stopped(upload: Upload): boolean {
    return upload.controller.signal.aborted || this.trip !== null;
  }

  /**
   * REMOTE-076/077: after the scheduler settled, waits for the upload queue (not when the run was
   * cancelled) for at most `upload_wait`, or until `interrupt` is aborted; abandons the rest.
   */
  async finish(options: { readonly cancelled: boolean; readonly interrupt?: AbortSignal }): Promise<void> {
    const started = this.#options.now();
    const waitMs = this.config.settings.uploadWaitMs;
    if (!options.cancelled && this.pendingUploads > 0 && waitMs > 0 && !options.interrupt?.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs);
        const onInterrupt = () => done();
        options.interrupt?.addEventListener("abort", onInterrupt);
        function done() {
          clearTimeout(timer);
          options.interrupt?.removeEventListener("abort", onInterrupt);
          resolve();
        }
        this.#drained = done;
      });
      this.totals.uploads.waitMs = this.#options.now() - started;
    }
    const left = [...this.#queue, ...this.#active];
    const warned = !options.cancelled && !(options.interrupt?.aborted ?? false) && left.length > 0;
    this.#abandoning = true;
    for (const upload of this.#queue.splice(0)) {
      this.#record(upload.task.key).upload = "abandoned";
      this.totals.uploads.abandoned++;
      this.totals.uploads.notUploaded++;
    }
    const active = [...this.#active];
    for (const upload of active) upload.controller.abort();
    if (active.length > 0) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
        if (this.#active.size === 0) resolve();
      });
    }
    if (warned) {
      const wait = formatDuration(waitMs);
      const count = left.length === 1 ? "1 upload" : `${left.length} uploads`;
      this.#warn("not-uploaded", "", `remote cache: ${count} abandoned after waiting ${wait}`, "wait");
      for (const upload of left) {
        this.warnings.push({
          kind: "not-uploaded",
          task: upload.task.key,
          message: `${upload.task.key}: not uploaded: abandoned after waiting ${wait}`,
          printed: false,
        });
      }
    }
    this.#client.close();
    // CACHE-017 step 6 of every import (group commit): the run does not end before its renames are durable.
    await this.#shardSyncs.flush();
  }

  #reject(task: TaskDefinition, reason: string): void {
    this.#warn("remote-rejected", task.key, `${task.key}: remote artifact rejected: ${reason}`);
  }

  #trip(method: "GET" | "PUT", task: TaskDefinition, id: string, problem: string): void {
    if (this.trip !== null) return;
    const message = `remote cache off for the rest of this run: ${method} ${task.key}: ${problem}`;
    this.trip = { atMs: this.#options.now(), task: task.key, id, message: this.redact(message) };
    this.profile.push({ kind: "remote-off", at: this.trip.atMs, reason: this.trip.message });
    this.#warn("remote-off", task.key, message);
    for (const upload of this.#queue.splice(0)) {
      this.#record(upload.task.key).upload = "not-uploaded";
      this.totals.uploads.notUploaded++;
    }
    for (const upload of this.#active) upload.controller.abort();
    this.#client.abortAll();
  }

  #uploadsOff(task: TaskDefinition, id: string, serverText: string | null): void {
    if (this.uploadsOff !== null || this.trip !== null) return;
    const message = `remote cache uploads off for the rest of this run: PUT ${task.key}: HTTP 403${
      serverText === null ? "" : `: ${serverText}`
    }`;
    this.uploadsOff = { atMs: this.#options.now(), task: task.key, id, message: this.redact(message) };
    this.#warn("remote-uploads-off", task.key, message);
    for (const upload of this.#queue.splice(0)) {
      this.#record(upload.task.key).upload = "not-uploaded";
      this.totals.uploads.notUploaded++;
    }
    for (const upload of this.#active) upload.controller.abort();
  }

  #warn(kind: RemoteWarningKind, task: string, message: string, wait?: "wait"): void {
    const warning = { kind, task, message: this.redact(message), printed: true };
    if (wait === undefined) this.warnings.push(warning);
    this.#options.onWarning(warning);
  }
}
