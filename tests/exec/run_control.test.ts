import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createRunControl, type RunControl, wasKilled, watchRunControl } from "../../lib/exec/run_control.ts";

describe("run control (04-execution.md §3, EXEC-012)", () => {
  test("EXEC-012 the first reason is kept", () => {
    const control = createRunControl();
    assert.equal(control.reason, null);
    control.cancel({ kind: "programmatic" });
    control.cancel({ kind: "fail-fast", root: { project: "p", task: "a" } });
    assert.deepEqual(control.reason, { kind: "programmatic" });
  });

  test("EXEC-012 a signal replaces a non-signal reason, never another signal", () => {
    const control = createRunControl();
    control.cancel({ kind: "fail-fast", root: { project: "p", task: "a" } });
    control.cancel({ kind: "signal", signal: "SIGTERM" });
    control.cancel({ kind: "signal", signal: "SIGINT" });
    assert.deepEqual(control.reason, { kind: "signal", signal: "SIGTERM" });
  });

  test("EXEC-013 listeners hear the first cancel once, synchronously", () => {
    const control = createRunControl();
    const heard: string[] = [];
    const stop = watchRunControl(control, {
      onCancel: (reason) => heard.push(reason.kind),
      onKill: () => heard.push("kill"),
    });
    control.cancel({ kind: "programmatic" });
    assert.deepEqual(heard, ["programmatic"]);
    control.cancel({ kind: "signal", signal: "SIGINT" });
    assert.deepEqual(heard, ["programmatic"]);
    stop();
    control.kill();
    assert.deepEqual(heard, ["programmatic"]);
  });

  test("EXEC-105 kill cancels programmatically first, then kills, once", () => {
    const control = createRunControl();
    const heard: string[] = [];
    watchRunControl(control, {
      onCancel: (reason) => heard.push(reason.kind),
      onKill: () => heard.push("kill"),
    });
    control.kill();
    control.kill();
    assert.deepEqual(heard, ["programmatic", "kill"]);
    assert.deepEqual(control.reason, { kind: "programmatic" });
    assert.equal(wasKilled(control), true);
  });

  test("EXEC-105 kill after a signal keeps the signal reason", () => {
    const control = createRunControl();
    control.cancel({ kind: "signal", signal: "SIGHUP" });
    control.kill();
    assert.deepEqual(control.reason, { kind: "signal", signal: "SIGHUP" });
  });

  test("EXEC-110 a control not made by createRunControl cannot be watched", () => {
    const foreign: RunControl = { cancel() {}, kill() {}, reason: null };
    assert.throws(() => watchRunControl(foreign, { onCancel() {}, onKill() {} }), /createRunControl/);
  });
});
