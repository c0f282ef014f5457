/**
 * The progress footer (04-execution.md §9.6, EXEC-109): one line at the bottom of stdout,
 * `[<terminal>/<total>] <elapsed> · <n> running: <id>, <id>, … (+<k>)`. In a watch loop
 * (09-services-and-watch.md WATCH-082) it names the cycle instead of the counts, and says between
 * cycles `[cycle <n>] waiting for changes · <k> services up`.
 *
 * @module
 */

import type { Sink } from "./sink.ts";
import { compareTaskIds, formatTaskId, type TaskId } from "../../domain/task_id.ts";
import { formatDuration } from "../../util/format_duration.ts";
import type { Clock } from "../../util/clock.ts";
import { SGR, styler } from "./ansi_style.ts";

/** Minimum time between two redraws that are not caused by a terminal event. */
export const FOOTER_REDRAW_INTERVAL_MS = 100;

/** Carriage return plus "erase the whole line". */
export const FOOTER_ERASE = "\r\x1b[2K";

const encoder = new TextEncoder();

/** What the footer line shows. */
export interface FooterState {
  /** Tasks that reached their terminal event. */
  readonly terminal: number;
  /** Size of the run set. */
  readonly total: number;
  readonly elapsedMs: number;
  /** Printed ids of running tasks, in canonical order. */
  readonly running: readonly string[];
  /** Maximum number of characters (code points): `columns() − 1`. */
  readonly width: number;
  /** Services that are up (SVC-082); the segment is shown only when > 0. */
  readonly servicesUp?: number;
  /** In a watch loop: the cycle, shown as `[cycle <n>]` instead of the counts (WATCH-082). */
  readonly cycle?: number;
}

/**
 * Builds the footer text: as many running ids as fit in `width`, the rest counted as `(+k)` (no ids
 * at all when not even the first fits); a head longer than `width` is cut to `width` characters.
 *
 * @example
 * ```ts
 * footerLine({ terminal: 3, total: 10, elapsedMs: 4521, running: ["a:x", "b:y"], width: 79 });
 * // "[3/10] 4s 521ms · 2 running: a:x, b:y"
 * footerLine({ terminal: 3, total: 10, elapsedMs: 4521, running: ["a:x", "b:y", "c:z"], width: 40 });
 * // "[3/10] 4s 521ms · 3 running: a:x (+2)"
 * ```
 */
export function footerLine(state: FooterState): string {
  const counts = state.cycle === undefined ? `${state.terminal}/${state.total}` : `cycle ${state.cycle}`;
  const head = `[${counts}] ${formatDuration(state.elapsedMs)} · ${state.running.length} running`;
  const count = state.running.length;
  const tail = servicesSegment(state.servicesUp ?? 0);
  let line = head + tail;
  let listed = "";
  for (let shown = 1; shown <= count; shown++) {
    listed += (shown === 1 ? ": " : ", ") + state.running[shown - 1];
    const rest = count - shown;
    const candidate = head + listed + (rest > 0 ? ` (+${rest})` : "") + tail;
    if (codePointLength(candidate) > state.width) break;
    line = candidate;
  }
  return truncateCodePoints(line, state.width);
}

/**
 * WATCH-082: the footer of a watch loop between cycles, truncated to `width` characters.
 *
 * @example
 * ```ts
 * waitingFooterLine({ cycle: 3, servicesUp: 2, width: 79 }); // "[cycle 3] waiting for changes · 2 services up"
 * waitingFooterLine({ cycle: 1, servicesUp: 0, width: 79 }); // "[cycle 1] waiting for changes"
 * ```
 */
export function waitingFooterLine(state: { cycle: number; servicesUp: number; width: number }): string {
  return truncateCodePoints(
    `[cycle ${state.cycle}] waiting for changes${servicesSegment(state.servicesUp)}`,
    state.width,
  );
}

function servicesSegment(up: number): string {
  return up > 0 ? ` · ${up} ${up === 1 ? "service" : "services"} up` : "";
}

function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}

function truncateCodePoints(text: string, width: number): string {
  if (codePointLength(text) <= width) return text;
  return Array.from(text).slice(0, Math.max(0, width)).join("").trimEnd();
}

/** What a {@link ProgressFooter} draws with. */
export interface ProgressFooterOptions {
  /** The stdout sink (already guarded against write failures). */
  readonly sink: Sink;
  readonly clock: Clock;
  readonly columns: () => number;
  readonly color: boolean;
  readonly total: number;
  /** A watch loop's footer: it names cycles and shows nothing before the first one (WATCH-082). */
  readonly watch?: boolean;
}

/**
 * Footer state and drawing. The owner erases it before every other write ({@link erase}) and redraws
 * it afterwards ({@link draw} after a terminal event, {@link drawThrottled} otherwise); a ticker
 * redraws it every 100 ms while nothing else is being written.
 *
 * @example
 * ```ts
 * import type { Clock } from "../../util/clock.ts";
 * declare const clock: Clock;
 * const chunks: Uint8Array[] = [];
 * const footer = new ProgressFooter({ sink: { write: (b) => chunks.push(b) }, clock, columns: () => 80, color: false, total: 2 });
 * footer.taskStarted({ project: "p", task: "a" });
 * footer.draw(); // "[0/2] 0ms · 1 running: p:a"
 * footer.finish(); // erased for good
 * ```
 */
export class ProgressFooter {
  readonly #options: ProgressFooterOptions;
  readonly #running = new Map<string, TaskId>();
  readonly #up = new Map<string, TaskId>();
  #runningSorted: string[] | null = [];
  #terminal = 0;
  #drawn = false;
  #lastDrawAt = Number.NEGATIVE_INFINITY;
  #finished = false;
  #uploads: (() => number) | null = null;
  /** In a watch loop: the current (or last) cycle, when it started, and whether it settled (WATCH-082). */
  #cycle: { readonly number: number; readonly startedAt: number; waiting: boolean } | null = null;
  /** The text on screen, so an unchanged footer is not written again. */
  #drawnText = "";
  readonly #stopTicker = new AbortController();
  #ticker: Promise<void> | null = null;

  constructor(options: ProgressFooterOptions) {
    this.#options = options;
  }

  /** A task was admitted for the first time (or, in a watch loop, a service started again). */
  taskStarted(task: TaskId): void {
    const id = formatTaskId(task);
    this.#up.delete(id);
    this.#running.set(id, task);
    this.#runningSorted = null;
  }

  /** A watch cycle starts: the footer shows it and the time since its start (WATCH-082). */
  cycleStarted(cycle: number): void {
    this.#cycle = { number: cycle, startedAt: this.#options.clock.now(), waiting: false };
  }

  /** A watch cycle settled: `[cycle <n>] waiting for changes` until the next one (WATCH-082). */
  waitingForChanges(): void {
    if (this.#cycle !== null) this.#cycle.waiting = true;
  }

  /** A task reached its terminal event. */
  taskEnded(task: TaskId): void {
    this.#terminal++;
    this.#up.delete(formatTaskId(task));
    if (this.#running.delete(formatTaskId(task))) this.#runningSorted = null;
  }

  /** A service came up: it leaves the running list for the services count (SVC-082). */
  serviceUp(task: TaskId): void {
    const id = formatTaskId(task);
    this.#up.set(id, task);
    if (this.#running.delete(id)) this.#runningSorted = null;
  }

  /** A service is down and starts again: it is listed as running. */
  serviceRestarting(task: TaskId): void {
    const id = formatTaskId(task);
    this.#up.delete(id);
    this.#running.set(id, task);
    this.#runningSorted = null;
  }

  /** The run settled and waits for `pending()` uploads (REMOTE-092): the footer says so from now on. */
  uploading(pending: () => number): void {
    this.#uploads = pending;
    this.draw();
  }

  /** Erases the footer if it is on screen. */
  erase(): void {
    if (!this.#drawn) return;
    this.#drawn = false;
    this.#options.sink.write(encoder.encode(FOOTER_ERASE));
  }

  /** Draws (or redraws) the footer now, unless it was finished. */
  draw(): void {
    if (this.#finished) return;
    const text = this.text();
    // A footer without a clock in it (a watch loop between cycles) is not redrawn while it stands.
    if (this.#drawn && text === this.#drawnText) return;
    this.#lastDrawAt = this.#options.clock.now();
    const prefix = this.#drawn ? FOOTER_ERASE : "";
    this.#drawn = text.length > 0;
    this.#drawnText = text;
    if (text.length === 0 && prefix === "") return;
    this.#options.sink.write(
      encoder.encode(prefix + (text.length > 0 ? styler(this.#options.color)(text, SGR.dim) : "")),
    );
  }

  /** Draws the footer unless it was drawn less than 100 ms ago (the ticker catches up then). */
  drawThrottled(): void {
    if (this.#options.clock.now() - this.#lastDrawAt >= FOOTER_REDRAW_INTERVAL_MS) this.draw();
  }

  /** The current footer text, without colour. */
  text(): string {
    if (this.#uploads !== null) {
      return truncateCodePoints(
        `[${this.#terminal}/${this.#options.total}] ${
          formatDuration(this.#options.clock.now())
        } · uploading ${this.#uploads()} to the remote cache`,
        this.#options.columns() - 1,
      );
    }
    const width = this.#options.columns() - 1;
    const cycle = this.#cycle;
    if (this.#options.watch && cycle === null) return "";
    if (cycle?.waiting) return waitingFooterLine({ cycle: cycle.number, servicesUp: this.#up.size, width });
    const now = this.#options.clock.now();
    return footerLine({
      terminal: this.#terminal,
      total: this.#options.total,
      elapsedMs: cycle === null ? now : now - cycle.startedAt,
      running: this.#sortedRunning(),
      width,
      servicesUp: this.#up.size,
      cycle: cycle?.number,
    });
  }

  /** Redraws every 100 ms while `canDraw()` says nothing else is being written, until {@link finish}. */
  startTicker(canDraw: () => boolean): void {
    if (this.#ticker !== null || this.#finished) return;
    this.#ticker = this.#tick(canDraw);
  }

  /** Erases the footer for good and stops the ticker; resolves when the ticker has ended. */
  finish(): Promise<void> {
    this.erase();
    this.#finished = true;
    this.#stopTicker.abort();
    return this.#ticker ?? Promise.resolve();
  }

  async #tick(canDraw: () => boolean): Promise<void> {
    while (!this.#finished) {
      await this.#options.clock.sleep(FOOTER_REDRAW_INTERVAL_MS, this.#stopTicker.signal);
      if (!this.#finished && canDraw()) this.draw();
    }
  }

  #sortedRunning(): readonly string[] {
    if (this.#runningSorted === null) {
      this.#runningSorted = [...this.#running.values()].sort(compareTaskIds).map(formatTaskId);
    }
    return this.#runningSorted;
  }
}
