/**
 * A scriptable in-memory {@link ProcessSpawner} (04-execution.md §1.4) driven by a {@link FakeClock}.
 * Programs are keyed by the joined argv (`"fake build"` for `command: [fake, build]`).
 *
 * @module
 */

import type { TaskId } from "../../lib/domain/task_id.ts";
import {
  type ExitStatus,
  type ProcessSpawner,
  type Signal,
  type SpawnedProcess,
  SpawnError,
  type SpawnErrorReason,
  type SpawnPlan,
} from "../../lib/exec/process.ts";
import type { FakeClock } from "./fake_clock.ts";

/** One step of a leader's script. */
export type FakeStep =
  | { out: string | Uint8Array }
  | { err: string | Uint8Array }
  /** ms of fake time */
  | { sleep: number }
  /** until a signal ends the leader, with no timer (a clock that advances on its own never ends it) */
  | { hang: true }
  /** the leader ends normally */
  | { exit: number }
  /** the leader ends by a signal */
  | { die: string };

/** A scripted program. */
export interface FakeProgram {
  /** The leader's script; an implicit `{ exit: 0 }` ends it. */
  steps: FakeStep[];
  /** Reaction to SIGTERM/SIGINT; default "die". */
  onTerm?: "die" | "ignore" | { exit: number; afterMs: number };
  /** Reaction to its held stdin being closed (SVC-026); default none. */
  onStdinClose?: "exit";
  /** Members that outlive the leader and keep the pipes open until the group gets SIGKILL. */
  stragglers?: number;
  spawnError?: SpawnErrorReason;
}

/** What happened to a fake group, in order. */
export interface FakeEvent {
  at: number;
  pid: number;
  argv: string[];
  kind: "spawn" | "signal" | "exit" | "eof" | "group-dead" | "stdin-closed";
  signal?: Signal;
  status?: ExitStatus;
}

/** Options of {@link FakeSpawner}. */
export interface FakeSpawnerOptions {
  /** The task a plan belongs to, so that events of one fake instant follow canonical task order. */
  taskOf?: (plan: SpawnPlan) => TaskId | null;
}

interface FakeGroup {
  readonly pid: number;
  readonly argv: string[];
  readonly key: string;
  readonly order: TaskId | null;
  readonly program: FakeProgram;
  readonly spawnedAt: number;
  readonly leaderAbort: AbortController;
  readonly stdout: FakePipe;
  readonly stderr: FakePipe;
  readonly resolveExit: (status: ExitStatus) => void;
  leaderAlive: boolean;
  stragglers: number;
  pipesOpen: boolean;
  stdinHeld: boolean;
  exitedAt: number | null;
}

interface FakePipe {
  readonly stream: ReadableStream<Uint8Array>;
  write(bytes: Uint8Array): void;
  close(): void;
}

const encoder = new TextEncoder();

/**
 * The fake process table. `SIGKILL` kills every member at once; SIGTERM/SIGINT reach the leader only.
 *
 * @example
 * ```ts
 * const clock = new FakeClock();
 * const spawner = new FakeSpawner(clock, { "fake build": { steps: [{ out: "ok\n" }, { sleep: 100 }] } });
 * const child = spawner.spawn({ program: "fake", args: ["build"], env: {}, cwd: "/w" });
 * await child.exited; // { code: 0, signal: null } at fake time 100
 * ```
 */
export class FakeSpawner implements ProcessSpawner {
  readonly events: FakeEvent[] = [];
  /** Every plan handed to `spawn`, in order (failed spawns included). */
  readonly plans: SpawnPlan[] = [];
  readonly #clock: FakeClock;
  readonly #programs: Record<string, FakeProgram>;
  readonly #taskOf: (plan: SpawnPlan) => TaskId | null;
  readonly #groups = new Map<number, FakeGroup>();
  #nextPid = 1000;
  #liveLeaders = 0;
  #peakLeaders = 0;

  constructor(clock: FakeClock, programs: Record<string, FakeProgram>, options: FakeSpawnerOptions = {}) {
    this.#clock = clock;
    this.#programs = programs;
    this.#taskOf = options.taskOf ?? (() => null);
  }

  spawn(plan: SpawnPlan): SpawnedProcess {
    this.plans.push(plan);
    const argv = [plan.program, ...plan.args];
    const key = argv.join(" ");
    const program = this.#programs[key];
    if (program === undefined) {
      throw new SpawnError("not-found", plan.program, `program not found: ${plan.program}`);
    }
    if (program.spawnError !== undefined) {
      throw new SpawnError(
        program.spawnError,
        plan.program,
        spawnErrorMessage(program.spawnError, plan.program),
      );
    }
    let resolveExit: (status: ExitStatus) => void = () => {};
    const exited = new Promise<ExitStatus>((resolve) => resolveExit = resolve);
    const group: FakeGroup = {
      pid: this.#nextPid++,
      argv,
      key,
      order: this.#taskOf(plan),
      program,
      spawnedAt: this.#clock.now(),
      leaderAbort: new AbortController(),
      stdout: fakePipe(),
      stderr: fakePipe(),
      resolveExit,
      leaderAlive: true,
      stragglers: program.stragglers ?? 0,
      pipesOpen: true,
      stdinHeld: plan.stdin === "held",
      exitedAt: null,
    };
    this.#groups.set(group.pid, group);
    this.#liveLeaders += 1;
    this.#peakLeaders = Math.max(this.#peakLeaders, this.#liveLeaders);
    this.#record(group, "spawn");
    void this.#runScript(group);
    const closeStdin = () => {
      if (!group.stdinHeld) return;
      group.stdinHeld = false;
      this.#record(group, "stdin-closed");
      if (group.program.onStdinClose !== "exit") return;
      void this.#clock.sleepOrdered(0, group.order).then(() =>
        this.#leaderExit(group, { code: 0, signal: null })
      );
    };
    return { pid: group.pid, stdout: group.stdout.stream, stderr: group.stderr.stream, exited, closeStdin };
  }

  signalGroup(pgid: number, sig: Signal): boolean {
    const group = this.#groups.get(pgid);
    if (group === undefined || !isAlive(group)) return false;
    this.#record(group, "signal", { signal: sig });
    if (sig === "SIGKILL") {
      if (group.leaderAlive) this.#leaderExit(group, { code: null, signal: "SIGKILL" });
      group.stragglers = 0;
      this.#closePipes(group);
      return true;
    }
    if (!group.leaderAlive) return true;
    const reaction = group.program.onTerm ?? "die";
    if (reaction === "die") this.#leaderExit(group, { code: null, signal: sig });
    else if (reaction !== "ignore") {
      void this.#clock.sleepOrdered(reaction.afterMs, group.order).then(() => {
        if (group.leaderAlive) this.#leaderExit(group, { code: reaction.exit, signal: null });
      });
    }
    return true;
  }

  /** Peak number of live leaders. */
  maxConcurrent(): number {
    return this.#peakLeaders;
  }

  /** Groups with a member that is not dead; must be [] after a run. */
  liveGroups(): number[] {
    return [...this.#groups.values()].filter(isAlive).map((group) => group.pid);
  }

  /** Leader lifetimes (spawn → leader exit) of every spawn of `argv` (joined), in spawn order. */
  intervals(argv: string): Array<[start: number, end: number]> {
    return [...this.#groups.values()]
      .filter((group) => group.key === argv)
      .map((group) => [group.spawnedAt, group.exitedAt ?? Infinity]);
  }

  /** Times at which `argv`'s groups received `signal`, in order. */
  signalTimes(argv: string, signal: Signal): number[] {
    return this.events.filter((event) => event.argv.join(" ") === argv && event.signal === signal)
      .map((event) => event.at);
  }

  /** Number of successful spawns of `argv` (joined). */
  spawnCount(argv: string): number {
    return this.intervals(argv).length;
  }

  async #runScript(group: FakeGroup): Promise<void> {
    for (const step of group.program.steps) {
      if (!group.leaderAlive) return;
      if ("out" in step) group.stdout.write(bytesOf(step.out));
      else if ("err" in step) group.stderr.write(bytesOf(step.err));
      else if ("sleep" in step) {
        await this.#clock.sleepOrdered(step.sleep, group.order, group.leaderAbort.signal);
      } else if ("hang" in step) {
        const signal = group.leaderAbort.signal;
        await new Promise((resolve) =>
          signal.aborted ? resolve(undefined) : signal.addEventListener("abort", resolve)
        );
      } else if ("exit" in step) return this.#leaderExit(group, { code: step.exit, signal: null });
      else return this.#leaderExit(group, { code: null, signal: step.die });
    }
    if (group.leaderAlive) this.#leaderExit(group, { code: 0, signal: null });
  }

  #leaderExit(group: FakeGroup, status: ExitStatus): void {
    if (!group.leaderAlive) return;
    group.leaderAlive = false;
    group.exitedAt = this.#clock.now();
    group.leaderAbort.abort("leader exited");
    this.#liveLeaders -= 1;
    this.#record(group, "exit", { status });
    group.resolveExit(status);
    if (group.stragglers === 0) this.#closePipes(group);
  }

  #closePipes(group: FakeGroup): void {
    if (!group.pipesOpen) return;
    group.pipesOpen = false;
    group.stdout.close();
    group.stderr.close();
    this.#record(group, "eof");
    this.#record(group, "group-dead");
  }

  #record(group: FakeGroup, kind: FakeEvent["kind"], extra: Partial<FakeEvent> = {}): void {
    this.events.push({ at: this.#clock.now(), pid: group.pid, argv: group.argv, kind, ...extra });
  }
}

function isAlive(group: FakeGroup): boolean {
  return group.leaderAlive || group.stragglers > 0;
}

function fakePipe(): FakePipe {
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  let open = true;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel() {
      open = false;
    },
  });
  return {
    stream,
    write(bytes) {
      if (open) controller!.enqueue(bytes);
    },
    close() {
      if (!open) return;
      open = false;
      controller!.close();
    },
  };
}

function bytesOf(data: string | Uint8Array): Uint8Array {
  return typeof data === "string" ? encoder.encode(data) : data;
}

function spawnErrorMessage(reason: SpawnErrorReason, program: string): string {
  switch (reason) {
    case "not-found":
      return `program not found: ${program}`;
    case "permission-denied":
      return `permission denied: ${program}`;
    case "bad-cwd":
      return `working directory does not exist for ${program}`;
    case "other":
      return `cannot start ${program}`;
  }
}
