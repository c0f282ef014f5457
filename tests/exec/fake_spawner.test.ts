import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SpawnError } from "../../lib/exec/process.ts";
import { FakeClock } from "../support/fake_clock.ts";
import { FakeSpawner } from "../support/fake_spawner.ts";

const plan = (...argv: string[]) => ({ program: argv[0], args: argv.slice(1), env: {}, cwd: "/w" });

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  let out = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) out += decoder.decode(chunk);
  return out;
}

describe("fake spawner (04-execution.md §1.4)", () => {
  test("PROC-006 fake: scripts write, sleep and exit on the fake clock; programs keyed by joined argv", async () => {
    const clock = new FakeClock();
    const spawner = new FakeSpawner(clock, {
      "fake build": { steps: [{ out: "a" }, { sleep: 100 }, { err: "b" }, { exit: 2 }] },
    });
    const child = spawner.spawn(plan("fake", "build"));
    const [out, err, status] = await Promise.all([text(child.stdout), text(child.stderr), child.exited]);
    assert.deepEqual([out, err, status], ["a", "b", { code: 2, signal: null }]);
    assert.equal(clock.now(), 100);
    assert.deepEqual(spawner.events.map((event) => [event.at, event.kind]), [
      [0, "spawn"],
      [100, "exit"],
      [100, "eof"],
      [100, "group-dead"],
    ]);
    assert.deepEqual(spawner.intervals("fake build"), [[0, 100]]);
    assert.deepEqual(spawner.liveGroups(), []);
  });

  test("PROC-003 fake: unknown programs and scripted spawn errors throw SpawnError", () => {
    const spawner = new FakeSpawner(new FakeClock(), { "fake x": { steps: [], spawnError: "bad-cwd" } });
    assert.throws(
      () => spawner.spawn(plan("tsc")),
      (error) => error instanceof SpawnError && error.reason === "not-found",
    );
    assert.throws(
      () => spawner.spawn(plan("fake", "x")),
      (error) => error instanceof SpawnError && error.reason === "bad-cwd",
    );
  });

  test("PROC-006 fake: stragglers keep the pipes open until SIGKILL kills every member", async () => {
    const clock = new FakeClock();
    const spawner = new FakeSpawner(clock, { "fake bg": { steps: [{ out: "done\n" }], stragglers: 2 } });
    const child = spawner.spawn(plan("fake", "bg"));
    assert.deepEqual(await child.exited, { code: 0, signal: null });
    assert.deepEqual(spawner.liveGroups(), [child.pid]);
    assert.equal(spawner.signalGroup(child.pid, "SIGTERM"), true);
    assert.deepEqual(spawner.liveGroups(), [child.pid]);
    assert.equal(spawner.signalGroup(child.pid, "SIGKILL"), true);
    assert.equal(await text(child.stdout), "done\n");
    assert.deepEqual(spawner.liveGroups(), []);
    assert.equal(spawner.signalGroup(child.pid, "SIGKILL"), false);
  });

  test("EXEC-013 fake: onTerm die, ignore and delayed exit", async () => {
    const clock = new FakeClock();
    const spawner = new FakeSpawner(clock, {
      "fake die": { steps: [{ sleep: 1000 }] },
      "fake ignore": { steps: [{ sleep: 1000 }], onTerm: "ignore" },
      "fake late": { steps: [{ sleep: 1000 }], onTerm: { exit: 7, afterMs: 50 } },
    });
    const die = spawner.spawn(plan("fake", "die"));
    const ignore = spawner.spawn(plan("fake", "ignore"));
    const late = spawner.spawn(plan("fake", "late"));
    for (const child of [die, ignore, late]) spawner.signalGroup(child.pid, "SIGTERM");
    assert.deepEqual(await die.exited, { code: null, signal: "SIGTERM" });
    assert.deepEqual(await late.exited, { code: 7, signal: null });
    assert.equal(clock.now(), 50);
    assert.deepEqual(await ignore.exited, { code: 0, signal: null });
    assert.equal(clock.now(), 1000);
    assert.equal(spawner.maxConcurrent(), 3);
  });

  test("DAG-018 fake: events of one instant follow canonical task order, not spawn order", async () => {
    const clock = new FakeClock();
    const order: string[] = [];
    const spawner = new FakeSpawner(clock, {
      "fake a-b": { steps: [{ sleep: 100 }] },
      "fake a": { steps: [{ sleep: 100 }] },
    }, { taskOf: (p) => ({ project: p.args[0], task: "t" }) });
    const first = spawner.spawn(plan("fake", "a-b"));
    const second = spawner.spawn(plan("fake", "a"));
    await Promise.all([
      first.exited.then(() => order.push("a-b")),
      second.exited.then(() => order.push("a")),
    ]);
    assert.deepEqual(order, ["a", "a-b"]);
  });

  test("PROC-001 fake clock: advance fires due timers in order and aborted sleeps end early", async () => {
    const clock = new FakeClock({ autoAdvance: false });
    const fired: number[] = [];
    void clock.sleep(200).then(() => fired.push(200));
    void clock.sleep(100).then(() => fired.push(100));
    const abort = new AbortController();
    const aborted = clock.sleep(50, abort.signal).then(() => fired.push(-1));
    abort.abort();
    await aborted;
    await clock.advance(150);
    assert.deepEqual(fired, [-1, 100]);
    assert.equal(clock.now(), 150);
    assert.equal(clock.pendingTimers(), 1);
    await clock.advance(50);
    assert.deepEqual(fired, [-1, 100, 200]);
    assert.equal(clock.unixSeconds(), 1_767_225_600);
  });
});
