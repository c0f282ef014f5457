/**
 * The source of the Worker in which the Deno adapter reads `Deno.watchFs` (WATCH-103): it owns the
 * OS watches and keeps draining them while the main thread is busy (measured: read on the main
 * thread, a 30 000-file burst during a 4 s block overflowed). The source is inlined and started from
 * a blob URL, so the bundle and the compiled executable need no second file.
 *
 * Messages in: `{kind: "watch", id, directories}`, `{kind: "close"}`. Messages out:
 * `{kind: "placed", id, error}`, `{kind: "events", events: [{rescan, paths}]}`, `{kind: "error",
 * error}`, `{kind: "closed"}`; errors as `{name, message, code}`.
 *
 * @module
 */

/**
 * The Worker's module source (plain JavaScript).
 *
 * @example
 * ```ts
 * const url = URL.createObjectURL(new Blob([DENO_WATCH_WORKER_SOURCE], { type: "text/javascript" }));
 * const worker = new Worker(url, { type: "module" });
 * ```
 */
export const DENO_WATCH_WORKER_SOURCE = `
const watchers = [];
let closed = false;
let pending = [];
let flushing = false;

function describe(error) {
  return { name: error?.name ?? "Error", message: String(error?.message ?? error), code: error?.code ?? null };
}

// Events that arrive together leave in one message.
function flush() {
  flushing = false;
  if (closed || pending.length === 0) return;
  const events = pending;
  pending = [];
  self.postMessage({ kind: "events", events });
}

async function read(watcher) {
  try {
    for await (const event of watcher) {
      if (closed) return;
      pending.push({ rescan: event.flag === "rescan", paths: event.paths });
      if (!flushing) {
        flushing = true;
        setTimeout(flush, 0);
      }
    }
  } catch (error) {
    if (!closed) self.postMessage({ kind: "error", error: describe(error) });
  }
}

self.onmessage = (message) => {
  const command = message.data;
  if (command.kind === "watch") {
    try {
      const watcher = Deno.watchFs(command.directories, { recursive: false });
      watchers.push(watcher);
      void read(watcher);
      self.postMessage({ kind: "placed", id: command.id, error: null });
    } catch (error) {
      self.postMessage({ kind: "placed", id: command.id, error: describe(error) });
    }
  } else if (command.kind === "close") {
    closed = true;
    for (const watcher of watchers) {
      try {
        watcher.close();
      } catch {
        // Already closed by the runtime after an error.
      }
    }
    self.postMessage({ kind: "closed" });
  }
};
`;
