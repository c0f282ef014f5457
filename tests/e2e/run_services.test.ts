/**
 * End to end: services in `haz run` (09-services-and-watch.md §14 scenarios 16–27, [bin]) on the real
 * CLI. Services are small scripts run by the test's own runtime on a port chosen free by the test;
 * waits have deadlines of 20 s and no assertion depends on a duration below a second.
 */

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import { freePort } from "../support/free_port.ts";
import { livingWithMarker, uniqueSleepMarker, waitUntilGone } from "../support/process_table.ts";
import { runHaz } from "../support/run_haz.ts";
import { validateProfile, validateRunSummary } from "../support/summary_schema.ts";
import { spawnHaz } from "../support/spawn_haz.ts";
import { createWorkspaceFixture, type WorkspaceFixture } from "../support/workspace_fixture.ts";
import { heldWebService, markedTask, withMarkedWorkspace } from "../support/marked_workspace.ts";

const LONG = { timeout: 90_000 };
const D = String.raw`(?:\d+h(?: \d+m)?|\d+m(?: \d+s)?|\d+s(?: \d+ms)?|\d+ms)`;
const SERVER = fileURLToPath(new URL("../support/service_server.ts", import.meta.url));
const CLIENT = fileURLToPath(new URL("../support/service_client.ts", import.meta.url));

/** argv running a script with the test's own runtime, as a YAML flow list. */
function scriptCommand(script: string, ...args: string[]): string {
  const runtime = "Deno" in globalThis ? [process.execPath, "run", "-A"] : [process.execPath];
  return JSON.stringify([...runtime, script, ...args]);
}

/** `s:api` (the server) and `t:e2e` (the client), with `service` written as given. */
async function serverAndClient(
  port: number,
  options: { service: string; mode?: string; delayMs?: number; marker: string },
): Promise<WorkspaceFixture> {
  const server = scriptCommand(
    SERVER,
    String(port),
    options.mode ?? "greet",
    String(options.delayMs ?? 1000),
    options.marker,
  );
  return await createWorkspaceFixture({
    ".haz/workspace.yml": "projects: [s, t]\n",
    "s/haz.yml": `tasks:\n  api:\n    command: ${server}\n    service: ${options.service}\n`,
    "t/haz.yml": `tasks:\n  e2e:\n    command: ${scriptCommand(CLIENT, String(port))}\n    deps: ["s:api"]\n`,
  });
}

const LINE_READY = String.raw`{ready: {line: "^listening on \\d+$"}}`;

function indexOfLine(lines: readonly string[], pattern: RegExp): number {
  return lines.findIndex((line) => pattern.test(line));
}

describe("services in haz run (09-services-and-watch.md §14, [bin])", () => {
  test(
    "SVC-052 scenario 16: server up, e2e against it, server stopped, exit 0, nothing left",
    LONG,
    async () => {
      const port = await freePort();
      const marker = uniqueSleepMarker();
      const fx = await serverAndClient(port, { service: LINE_READY, marker });
      try {
        const haz = spawnHaz(["run", "t:e2e"], { cwd: fx.root });
        await haz.waitForLine("stdout", /^✓ done t:e2e/);
        const doneAt = performance.now();
        const result = await haz.exited;
        assert.equal(result.code, 0, result.stderr);
        const lines = result.stdout.split("\n");
        const ready = indexOfLine(lines, new RegExp(`^▲ ready s:api \\(${D}\\)$`));
        const done = indexOfLine(lines, new RegExp(`^✓ done t:e2e \\(${D}\\)$`));
        const stopped = indexOfLine(lines, new RegExp(`^■ stopped s:api \\(${D}\\)$`));
        assert.ok(ready >= 0 && ready < done && done < stopped, result.stdout);
        assert.ok(lines.includes(`[t:e2e] 200 hello from ${port}`), result.stdout);
        assert.ok(lines.includes("Tasks: 2 completed (1 service)"), result.stdout);
        assert.deepEqual(livingWithMarker(marker), []);
        assert.ok(result.exitedAt - doneAt < 5000 + 5000);
      } finally {
        await fx.remove();
      }
    },
  );

  test("SVC-023 SVC-024 scenario 17: readiness by port, and by a URL answering 503 first", LONG, async () => {
    for (
      const [service, mode] of [["{ready: {port: PORT}}", "greet"], [
        '{ready: {url: "http://127.0.0.1:PORT/"}}',
        "503-then-200",
      ]]
    ) {
      const port = await freePort();
      const marker = uniqueSleepMarker();
      const fx = await serverAndClient(port, {
        service: service.replace("PORT", String(port)),
        mode,
        marker,
      });
      try {
        const result = await runHaz(["run", "t:e2e"], { cwd: fx.root });
        assert.equal(result.code, 0, `${service}\n${result.stdout}${result.stderr}`);
        assert.ok(result.stdout.includes(`[t:e2e] 200 hello from ${port}\n`), result.stdout);
        assert.deepEqual(await waitUntilGone(marker, 5000), []);
      } finally {
        await fx.remove();
      }
    }
  });

  test("SVC-025 scenario 18: not ready in time fails the service and skips the consumer", LONG, async () => {
    const port = await freePort();
    const marker = uniqueSleepMarker();
    const fx = await serverAndClient(port, {
      service: `{ready: {url: "http://127.0.0.1:${port}/", timeout: 2s}}`,
      mode: "404",
      delayMs: 0,
      marker,
    });
    try {
      const result = await runHaz(["run", "t:e2e"], { cwd: fx.root });
      assert.equal(result.code, 1);
      assert.match(
        result.stdout,
        new RegExp(`^✗ failed s:api \\(2s${String.raw`(?: \d+ms)?`}\\): not ready after 2s$`, "m"),
      );
      assert.match(result.stdout, /^- skipped t:e2e: upstream s:api failed$/m);
      assert.deepEqual(await waitUntilGone(marker, 5000), []);
    } finally {
      await fx.remove();
    }
  });

  test("SVC-025 scenario 19: a service that exits before it is ready fails", LONG, async () => {
    const fx = await createWorkspaceFixture({
      ".haz/workspace.yml": "projects: [s]\n",
      "s/haz.yml": 'tasks:\n  api:\n    shell: "echo boom; exit 3"\n    service: {ready: {line: never}}\n',
    });
    try {
      const result = await runHaz(["run", "s:api"], { cwd: fx.root });
      assert.equal(result.code, 1);
      assert.match(
        result.stdout,
        new RegExp(`^✗ failed s:api \\(${D}\\): exited with code 3 before it was ready$`, "m"),
      );
    } finally {
      await fx.remove();
    }
  });

  test(
    "SVC-053 SVC-055 scenario 20: a selected service runs until a signal; 130, 143, 129",
    LONG,
    async () => {
      for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
        const marker = uniqueSleepMarker();
        const fx = await createWorkspaceFixture({
          ".haz/workspace.yml": "projects: [s]\n",
          "s/haz.yml":
            `tasks:\n  web:\n    shell: "echo up; sleep ${marker}"\n    service: {ready: {line: up}}\n`,
        });
        try {
          const haz = spawnHaz(["run", "s:web"], { cwd: fx.root });
          await haz.waitForLine("stdout", /^▲ ready s:web/);
          await haz.waitForLine(
            "stderr",
            "haz: all tasks finished; 1 service running: s:web (Ctrl-C stops them)",
          );
          if (signal === "SIGINT") {
            await new Promise((resolve) => setTimeout(resolve, 3000));
            assert.equal(livingWithMarker(marker).length > 0, true);
          }
          haz.signal(signal);
          const result = await haz.exited;
          assert.equal(result.code, code, result.stderr);
          assert.match(result.stdout, new RegExp(`^■ stopped s:web \\(${D}\\)$`, "m"));
          assert.match(result.stdout, /^Tasks: 1 completed \(1 service\)$/m);
          assert.deepEqual(await waitUntilGone(marker, 5000), []);
        } finally {
          await fx.remove();
        }
      }
    },
  );

  test("EXEC-105 scenario 20: a second SIGINT kills a TERM-ignoring service at once", LONG, async () => {
    const marker = uniqueSleepMarker();
    const fx = await createWorkspaceFixture({
      ".haz/workspace.yml": "projects: [s]\nexecution: {cancel_grace: 30}\n",
      "s/haz.yml":
        `tasks:\n  web:\n    shell: "trap '' TERM; echo up; sleep ${marker}"\n    service: {ready: {line: up}}\n`,
    });
    try {
      const haz = spawnHaz(["run", "s:web"], { cwd: fx.root });
      await haz.waitForLine("stdout", /^▲ ready s:web/);
      haz.signal("SIGINT");
      await new Promise((resolve) => setTimeout(resolve, 500));
      const second = haz.signal("SIGINT");
      const result = await haz.exited;
      assert.equal(result.code, 130, result.stderr);
      assert.ok(result.exitedAt - second < 2000 + 3000, "exited soon after the second signal");
      assert.match(result.stdout, new RegExp(`^■ stopped s:web \\(${D}\\): killed with SIGKILL$`, "m"));
      assert.deepEqual(await waitUntilGone(marker, 5000), []);
    } finally {
      await fx.remove();
    }
  });

  test(
    "SVC-026 scenario 21: a service's stdin stays open while it runs and is closed at its stop",
    LONG,
    async () => {
      await withMarkedWorkspace({
        s: (mark) => [
          ...markedTask("svc", [
            `shell: "trap '' TERM; cat > /dev/null; echo eof >> \\"$MARK\\""`,
            "service: true",
          ], mark),
          ...markedTask("use", [
            `shell: "sleep 3; if [ -e \\"$MARK\\" ]; then echo early; exit 1; fi"`,
            'deps: ["~:svc"]',
          ], mark),
        ],
      }, async (fx, mark) => {
        const result = await runHaz(["run", "s:use"], { cwd: fx.root });
        assert.equal(result.code, 0, result.stdout + result.stderr);
        const deadline = Date.now() + 20_000;
        while (!existsSync(mark) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.equal(readFileSync(mark, "utf8"), "eof\n");
      });
    },
  );

  test(
    "SVC-029 scenario 22: restarts after unexpected exits, then fails; haz ends by itself",
    LONG,
    async () => {
      await withMarkedWorkspace({
        s: (mark) =>
          markedTask("svc", [
            `shell: "echo spawn >> \\"$MARK\\"; echo up; sleep 1; exit 1"`,
            "service: {on_exit: restart, max_restarts: 2}",
          ], mark),
      }, async (fx, mark) => {
        const result = await runHaz(["run", "s:svc"], { cwd: fx.root });
        assert.equal(result.code, 1, result.stderr);
        assert.equal(readFileSync(mark, "utf8"), "spawn\nspawn\nspawn\n");
        const lines = result.stdout.split("\n");
        const first = lines.indexOf("↻ restarting s:svc: exited with code 1 (restart 1 of 2 in 1s)");
        const second = lines.indexOf("↻ restarting s:svc: exited with code 1 (restart 2 of 2 in 2s)");
        const failed = indexOfLine(
          lines,
          new RegExp(`^✗ failed s:svc \\(${D}\\): exited with code 1 while running$`),
        );
        assert.ok(first >= 0 && first < second && second < failed, result.stdout);
      });
    },
  );

  test("SVC-051 scenario 23: --all selects no services and says so; naming one runs it", LONG, async () => {
    const marker = uniqueSleepMarker();
    const fx = await createWorkspaceFixture({
      ".haz/workspace.yml": "projects: [p]\n",
      "p/haz.yml":
        `tasks:\n  build: {command: [echo, built]}\n  dev:\n    shell: "echo up; sleep ${marker}"\n    service: {ready: {line: up}}\n`,
    });
    try {
      const all = await runHaz(["run", "--all"], { cwd: fx.root });
      assert.equal(all.code, 0, all.stderr);
      assert.ok(
        all.stderr.includes(
          "note: --all selected no service tasks (1 left out); name them to run them, e.g. haz run p:dev\n",
        ),
        all.stderr,
      );
      assert.ok(all.stdout.includes("Tasks: 1 completed\n"), all.stdout);
      const dev = spawnHaz(["run", "p:dev"], { cwd: fx.root });
      await dev.waitForLine("stdout", /^▲ ready p:dev/);
      dev.signal("SIGINT");
      assert.equal((await dev.exited).code, 130);
      assert.deepEqual(await waitUntilGone(marker, 5000), []);
    } finally {
      await fx.remove();
    }
  });

  test("SVC-040 scenario 24: -j 1 with two services and a test of both completes", LONG, async () => {
    const fx = await createWorkspaceFixture({
      ".haz/workspace.yml": "projects: [a, b, t]\n",
      "a/haz.yml": 'tasks:\n  s:\n    shell: "echo up; sleep 30"\n    service: {ready: {line: up}}\n',
      "b/haz.yml": 'tasks:\n  s:\n    shell: "echo up; sleep 30"\n    service: {ready: {line: up}}\n',
      "t/haz.yml": 'tasks:\n  t:\n    command: [echo, tested]\n    deps: ["a:s", "b:s"]\n',
    });
    try {
      const result = await runHaz(["run", "-j", "1", "t:t"], { cwd: fx.root });
      assert.equal(result.code, 0, result.stderr);
      assert.ok(result.stdout.includes("Tasks: 3 completed (2 services)\n"), result.stdout);
    } finally {
      await fx.remove();
    }
  });

  test(
    "SVC-081 scenario 25: under --output-mode buffered a service's lines are still live",
    LONG,
    async () => {
      const fx = await createWorkspaceFixture({
        ".haz/workspace.yml": "projects: [s, t]\n",
        "s/haz.yml":
          'tasks:\n  api:\n    shell: "echo booting; echo up; sleep 30"\n    service: {ready: {line: up}}\n',
        "t/haz.yml": 'tasks:\n  e2e:\n    command: [echo, tested]\n    deps: ["s:api"]\n',
      });
      try {
        const result = await runHaz(["run", "--output-mode", "buffered", "t:e2e"], { cwd: fx.root });
        assert.equal(result.code, 0, result.stderr);
        const lines = result.stdout.split("\n");
        const booting = lines.indexOf("[s:api] booting");
        const done = indexOfLine(lines, /^✓ done t:e2e/);
        assert.ok(booting >= 0 && booting < done, result.stdout);
        assert.equal(lines[done + 1], "tested");
      } finally {
        await fx.remove();
      }
    },
  );

  test("SVC-001..010 scenario 26: diagnostics exit 2 and run nothing", LONG, async () => {
    const fx = await createWorkspaceFixture({
      ".haz/workspace.yml": "projects: [web]\n",
      "web/haz.yml": "tasks:\n  dev:\n    command: [vite]\n    outputs: [dist]\n    service: true\n",
    });
    try {
      const result = await runHaz(["run", "web:dev"], { cwd: fx.root });
      assert.equal(result.code, 2);
      assert.equal(result.stdout, "");
      assert.equal(
        result.stderr,
        [
          "error[SVC-010]: `outputs` is not allowed on service task `dev`",
          `  --> ${"/web/haz.yml"}:4:5`,
          "   |",
          " 4 |     outputs: [dist]",
          "   |     ^^^^^^^",
          "help: a service never finishes, so its outputs are never complete; write them in a task that runs before it",
          "",
          "found 1 error",
          "",
        ].join("\n"),
      );
      const cases: [string, RegExp][] = [
        [
          "service: {ready: {}}",
          /^error\[SVC-003\]: `ready` needs at least one of `line`, `port` or `url`\n {2}--> \/web\/haz\.yml:3:22$/m,
        ],
        ['service: {ready: {line: "("}}', /^error\[SVC-004\]: invalid regular expression in `line`: `\(`$/m],
        [
          "service: {ready: {port: 70000}}",
          /^error\[SVC-005\]: `port` must be from 1 to 65535, found 70000$/m,
        ],
        ["service: {on_exit: restrat}", /^error\[SVC-008\][^\n]*\n(?:.*\n)*help: did you mean `restart`\?$/m],
        ["service: {max_restarts: 2}", /^error\[SVC-009\]: `max_restarts` needs `on_exit: restart`$/m],
      ];
      for (const [service, expected] of cases) {
        await fx.write({ "web/haz.yml": `tasks:\n  dev:\n    ${service}\n    command: [vite]\n` });
        const bad = await runHaz(["run", "web:dev"], { cwd: fx.root });
        assert.equal(bad.code, 2, service);
        assert.match(bad.stderr, expected);
        assert.equal(bad.stdout, "");
      }
    } finally {
      await fx.remove();
    }
  });

  test(
    "SVC-084 SVC-085 scenario 27: dry runs show the reasons; the summary has the service fields",
    LONG,
    async () => {
      const port = await freePort();
      const marker = uniqueSleepMarker();
      const fx = await serverAndClient(port, { service: LINE_READY, marker });
      try {
        await fx.write({
          "t/haz.yml": `tasks:\n  e2e:\n    command: ${
            scriptCommand(CLIENT, String(port))
          }\n    deps: ["s:api"]\n    inputs: []\n`,
        });
        const dry = await runHaz(["run", "--dry-run", "t:e2e"], { cwd: fx.root });
        assert.equal(
          dry.stdout,
          [
            "s:api  dependency  not cacheable: service (never cached)",
            "t:e2e  selected    not cacheable: depends on service s:api, which declares no inputs",
            "would run 2 tasks",
            "",
          ].join("\n"),
        );
        const json = JSON.parse(
          (await runHaz(["run", "--dry-run", "--json", "t:e2e"], { cwd: fx.root })).stdout,
        );
        assert.deepEqual(
          json.tasks.map((task: { id: string; notCacheableReason: string; service: boolean }) => [
            task.id,
            task.notCacheableReason,
            task.service,
          ]),
          [["s:api", "service", true], ["t:e2e", "service-without-inputs", false]],
        );
        const summaryPath = fx.path("summary.json");
        const profilePath = fx.path("profile.json");
        const result = await runHaz(
          ["run", "-j", "2", "--summary", summaryPath, "--profile", profilePath, "t:e2e"],
          { cwd: fx.root },
        );
        assert.equal(result.code, 0, result.stderr);
        const summary = JSON.parse(readFileSync(summaryPath, "utf8"));
        assert.deepEqual(validateRunSummary(summary), []);
        assert.equal(summary.counts.services, 1);
        const api = summary.tasks.find((task: { id: string }) => task.id === "s:api");
        assert.equal(api.source, "service");
        assert.equal(api.outcome, "succeeded");
        assert.equal(api.service.stop, "unneeded");
        assert.equal(api.service.kept, false);
        assert.equal(typeof api.service.upMs, "number");
        const profile = JSON.parse(readFileSync(profilePath, "utf8"));
        assert.deepEqual(validateProfile(profile, { concurrency: 2 }), []);
        const up = profile.traceEvents.filter((event: { cat?: string }) => event.cat === "service");
        assert.deepEqual(up.map((event: { name: string; tid: number }) => [event.name, event.tid]), [[
          "s:api",
          3,
        ]]);
        assert.ok(
          profile.traceEvents.some((event: { name: string; tid: number; args?: { name?: string } }) =>
            event.name === "thread_name" && event.tid === 3 && event.args?.name === "service s:api"
          ),
        );
      } finally {
        await fx.remove();
      }
    },
  );

  test(
    "SVC-048 scenario 28: a service another haz process runs is waited for, then started here",
    LONG,
    async () => {
      const marker = uniqueSleepMarker();
      await withMarkedWorkspace({
        s: (mark) => heldWebService(mark, marker),
        t: () => ["  e2e:", "    command: [echo, tested]", '    deps: ["s:web"]'],
      }, async (fx, mark) => {
        const first = spawnHaz(["run", "s:web"], { cwd: fx.root });
        await first.waitForLine("stdout", /^▲ ready s:web/);
        const second = spawnHaz(["run", "t:e2e"], { cwd: fx.root });
        await second.waitForLine("stderr", `note: s:web waits for haz process ${first.pid}, which holds it`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        assert.equal(readFileSync(mark, "utf8"), "spawn\n");
        first.signal("SIGINT");
        assert.equal((await first.exited).code, 130);
        const result = await second.exited;
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /^✓ done t:e2e/m);
        assert.equal(readFileSync(mark, "utf8"), "spawn\nspawn\n");
        assert.deepEqual(await waitUntilGone(marker, 5000), []);
      });
    },
  );
});
