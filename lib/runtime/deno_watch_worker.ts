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

// Deno hands each watcher's notifications over through a channel of 16 and drops what does not fit
// while this thread is not reading (measured: 976 of 20 000 paths lost, no rescan, at a load average
// of 11 on 2 cores). Such a loss needs a burst of at least 16 events and a stall of this thread: a
// burst that saw a stall is reported as an overflow (the core then checks every task).
const CHANNEL_EVENTS = 16;
const STALL_MS = 10;
const TICK_MS = 2;
const QUIET_MS = 100;
let burst = null;

function tick() {
  const now = performance.now();
  if (now - burst.lastTick > TICK_MS + STALL_MS) burst.stalled = true;
  burst.lastTick = now;
  if (burst.stalled && burst.events >= CHANNEL_EVENTS && !burst.reported) {
    burst.reported = true;
    queue({ rescan: true, paths: [] });
  }
  if (now - burst.lastEvent > QUIET_MS) {
    clearInterval(burst.timer);
    burst = null;
  }
}

function observe() {
  const now = performance.now();
  if (burst === null) {
    burst = { events: 0, lastEvent: now, lastTick: now, stalled: false, reported: false, timer: 0 };
    burst.timer = setInterval(tick, TICK_MS);
  }
  burst.events += 1;
  burst.lastEvent = now;
}

function queue(event) {
  pending.push(event);
  if (!flushing) {
    flushing = true;
    setTimeout(flush, 0);
  }
}

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
      observe();
      queue({ rescan: event.flag === "rescan", paths: event.paths });
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
    if (burst !== null) clearInterval(burst.timer);
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
