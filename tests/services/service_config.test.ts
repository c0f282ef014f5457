import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { diagnosticLines as lines, loadWebProject as loadWeb } from "../support/config_fixture.ts";

/** `2:<column>` of `needle` in the line `  t: <body>` that {@link task} writes. */
function at(body: string, needle: string): string {
  const index = body.indexOf(needle);
  assert.ok(index >= 0, needle);
  return `2:${"  t: ".length + index + 1}`;
}

/** Loads `web` with one task `t` written as a flow mapping. */
async function task(body: string) {
  const { project, diagnostics } = await loadWeb(`tasks:\n  t: ${body}\n`);
  return { body: project.tasks.get("t"), lines: lines(diagnostics) };
}

describe("service configuration (09-services-and-watch.md §1)", () => {
  test("SVC-001 `true`, `{}` and a mapping make a service with defaults; false makes a finishing task", async () => {
    for (const written of ["true", "{}"]) {
      const { body, lines: problems } = await task(`{command: [x], service: ${written}}`);
      assert.deepEqual(problems, []);
      assert.deepEqual(body?.service, { ready: null, onExit: "fail", maxRestarts: 3, onChange: "restart" });
    }
    const finishing = await task("{command: [x], service: false}");
    assert.equal(finishing.body?.service, null);
    const full = await task(
      '{command: [x], service: {ready: {line: "^up$", port: "[::1]:80", url: "http://h/x", timeout: 2m}, on_exit: restart, max_restarts: 5, on_change: keep}}',
    );
    assert.deepEqual(full.lines, []);
    const spec = full.body!.service!;
    assert.equal(spec.ready?.line?.source, "^up$");
    assert.equal(spec.ready?.line?.flags, "u");
    assert.deepEqual(spec.ready?.port, { host: "::1", port: 80 });
    assert.equal(spec.ready?.url, "http://h/x");
    assert.equal(spec.ready?.timeoutMs, 120_000);
    assert.deepEqual([spec.onExit, spec.maxRestarts, spec.onChange], ["restart", 5, "keep"]);
  });

  test("SVC-001 wrong types, closed mappings with synonyms, and aggregates", async () => {
    assert.deepEqual((await task("{command: [x], service: 1}")).lines, [
      "CFG-004 2:30 `service` must be a boolean or a mapping, found an integer",
    ]);
    assert.deepEqual((await task("{command: [x], service: {restart_policy: fail}}")).lines, [
      "CFG-003 2:31 unknown key `restart_policy` in `service` of task `t` | did you mean `on_exit`?",
    ]);
    assert.deepEqual((await task("{command: [x], service: {ready: {pattern: x}}}")).lines, [
      "CFG-003 2:39 unknown key `pattern` in `ready` of task `t` | did you mean `line`?",
    ]);
    assert.deepEqual((await task('{deps: ["~:a"], service: true}')).lines, [
      "CFG-016 2:22 `service` is not allowed on aggregate task `t` | add `command:` or `shell:`",
    ]);
  });

  test("SVC-002 SVC-003..007 readiness values", async () => {
    const cases: [service: string, needle: string, expected: string][] = [
      ["{ready: {}}", "{}}", "SVC-003 `ready` needs at least one of `line`, `port` or `url`"],
      ['{ready: {line: ""}}', '""', "SVC-004 `line` must not be empty"],
      ['{ready: {line: "("}}', '"("', "SVC-004 invalid regular expression in `line`: `(`"],
      ["{ready: {port: 0}}", "0}", "SVC-005 `port` must be from 1 to 65535, found 0"],
      ["{ready: {port: 70000}}", "70000", "SVC-005 `port` must be from 1 to 65535, found 70000"],
      ["{ready: {port: [1]}}", "[1]", "CFG-004 `port` must be an integer or a string, found a list"],
      [
        '{ready: {port: "a b:1"}}',
        '"a b',
        "SVC-005 `port` must be a port number or `host:port`, found `a b:1`",
      ],
      ['{ready: {port: "h:0"}}', '"h:0', "SVC-005 `port` must be a port number or `host:port`, found `h:0`"],
      [
        '{ready: {url: "ftp://x"}}',
        '"ftp',
        "SVC-006 `url` must be an http:// or https:// URL, found `ftp://x`",
      ],
      ["{ready: {port: 1, timeout: 500}}", "500", "CFG-034 `timeout` must be a duration string"],
      ["{ready: {port: 1, timeout: 0s}}", "0s", "SVC-007 `timeout` must be at least `1s`, found `0s`"],
    ];
    for (const [service, needle, expected] of cases) {
      const body = `{command: [x], service: ${service}}`;
      const result = await task(body);
      assert.equal(result.lines.length, 1, `${service}: ${result.lines.join("; ")}`);
      const [rule, ...message] = expected.split(" ");
      assert.ok(
        result.lines[0].startsWith(`${rule} ${at(body, needle)} ${message.join(" ")}`),
        `${service}: ${result.lines[0]}`,
      );
      assert.equal(result.body, undefined);
    }
    for (const port of ["localhost:3000", "127.0.0.1:1", "db.internal:65535"]) {
      assert.deepEqual((await task(`{command: [x], service: {ready: {port: "${port}"}}}`)).lines, []);
    }
  });

  test("SVC-008 SVC-009 enumerations and max_restarts", async () => {
    assert.deepEqual((await task("{command: [x], service: {on_exit: restrat}}")).lines, [
      "SVC-008 2:40 `on_exit` must be `fail` or `restart`, found `restrat` | did you mean `restart`?",
    ]);
    assert.deepEqual((await task("{command: [x], service: {on_change: Keep}}")).lines.length, 1);
    assert.deepEqual((await task("{command: [x], service: {max_restarts: 2}}")).lines, [
      "SVC-009 2:31 `max_restarts` needs `on_exit: restart`",
    ]);
    assert.deepEqual((await task("{command: [x], service: {on_exit: restart, max_restarts: 101}}")).lines, [
      "SVC-009 2:63 `max_restarts` must be an integer from 1 to 100, found 101",
    ]);
  });

  test("SVC-010 outputs, cache, timeout and mutex are not allowed on a service (EX-902)", async () => {
    const result = await task(
      "{command: [x], outputs: [dist], cache: false, timeout: 5s, mutex: db, service: true}",
    );
    assert.deepEqual(result.lines, [
      "SVC-010 2:21 `outputs` is not allowed on service task `t` | a service never finishes, so its outputs are never complete; write them in a task that runs before it",
      "SVC-010 2:38 `cache` is not allowed on service task `t` | services are never cached; remove the key",
      "SVC-010 2:52 `timeout` is not allowed on service task `t` | use service.ready.timeout to bound the start; a service runs until it is stopped",
      "SVC-010 2:65 `mutex` is not allowed on service task `t` | put the mutex on the tasks that use the service",
    ]);
  });
});
