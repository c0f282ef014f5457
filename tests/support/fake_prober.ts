/**
 * A {@link ServiceProber} driven by the {@link FakeClock}: answers come from functions of the fake
 * time, and every attempt is logged.
 *
 * @module
 */

import type { ServiceProber } from "../../lib/exec/service_prober.ts";
import type { FakeClock } from "./fake_clock.ts";

/** One probe, as asked. */
export interface ProbeAttempt {
  readonly kind: "tcp" | "http";
  /** `host:port` or the URL. */
  readonly target: string;
  readonly at: number;
}

/** How the fake answers, as functions of fake time. */
export interface FakeProberAnswers {
  /** Default: refused. */
  readonly tcp?: (host: string, port: number, now: number) => boolean;
  /** Default: a network error (null). */
  readonly http?: (url: string, now: number) => number | null;
}

/**
 * Answers at once (no fake time passes during a probe).
 *
 * @example
 * ```ts
 * const prober = new FakeProber(clock, { tcp: (_host, _port, now) => now >= 2000 });
 * await prober.tcp("127.0.0.1", 4100, 1000); // false at 0 ms
 * ```
 */
export class FakeProber implements ServiceProber {
  readonly attempts: ProbeAttempt[] = [];
  readonly #clock: FakeClock;
  readonly #answers: FakeProberAnswers;

  constructor(clock: FakeClock, answers: FakeProberAnswers = {}) {
    this.#clock = clock;
    this.#answers = answers;
  }

  tcp(host: string, port: number, _timeoutMs: number): Promise<boolean> {
    const now = this.#clock.now();
    this.attempts.push({ kind: "tcp", target: `${host}:${port}`, at: now });
    return Promise.resolve(this.#answers.tcp?.(host, port, now) ?? false);
  }

  http(url: string, _timeoutMs: number): Promise<number | null> {
    const now = this.#clock.now();
    this.attempts.push({ kind: "http", target: url, at: now });
    return Promise.resolve(this.#answers.http?.(url, now) ?? null);
  }
}
