import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseTaskId as id } from "../../lib/domain/task_id.ts";
import { epilogueText } from "../../lib/exec/output/epilogue.ts";
import { footerLine } from "../../lib/exec/output/progress_footer.ts";
import { serviceRestartLine, serviceUpLine, statusLine } from "../../lib/exec/output/status_line.ts";
import type { CompletedRecord, FailureCause, ServiceRecordPart, TaskTiming } from "../../lib/exec/records.ts";
import { readyLineText } from "../../lib/exec/ready_line.ts";
import { EMPTY_STREAM } from "../support/run_records.ts";

const plain = { color: false, cancelGraceMs: 5000 };

function timing(admittedAt: number, endedAt: number): TaskTiming {
  return {
    readyAt: admittedAt,
    firstAdmittedAt: admittedAt,
    admittedAt,
    endedAt,
    admissions: 1,
    mutexWaitMs: 0,
    phases: [],
  };
}

function service(
  task: string,
  fields: { failure?: FailureCause; endedAt: number; part?: Partial<ServiceRecordPart> },
): CompletedRecord {
  return {
    task: id(task),
    source: "service",
    hitFrom: null,
    state: fields.failure === undefined ? "succeeded" : "failed",
    exitStatus: { code: null, signal: "SIGTERM" },
    failure: fields.failure ?? null,
    key: null,
    stored: false,
    stdout: EMPTY_STREAM,
    stderr: EMPTY_STREAM,
    materialisedOutputs: [],
    timing: timing(0, fields.endedAt),
    service: {
      upAt: 100,
      restarts: 0,
      stop: fields.failure === undefined ? "unneeded" : null,
      lastSignal: "SIGTERM",
      escalation: "none",
      kept: false,
      ...fields.part,
    },
  };
}

describe("service output (SVC-080..083)", () => {
  test("SVC-080 ready, restarting, stopped and failed lines", () => {
    assert.equal(serviceUpLine(id("api:serve"), 2310, plain), "▲ ready api:serve (2s 310ms)");
    assert.equal(serviceUpLine(id("w:stack"), null, plain), "▲ ready w:stack");
    assert.equal(
      serviceRestartLine(id("api:serve"), {
        status: { code: 1, signal: null },
        restart: 1,
        maxRestarts: 3,
        backoffMs: 1000,
      }, plain),
      "↻ restarting api:serve: exited with code 1 (restart 1 of 3 in 1s)",
    );
    assert.equal(
      serviceRestartLine(id("api:serve"), {
        status: { code: null, signal: "SIGSEGV" },
        restart: 2,
        maxRestarts: 3,
        backoffMs: 2000,
      }, plain),
      "↻ restarting api:serve: killed by SIGSEGV (restart 2 of 3 in 2s)",
    );
    assert.equal(statusLine(service("db:up", { endedAt: 252_000 }), plain), "■ stopped db:up (4m 12s)");
    assert.equal(
      statusLine(service("db:up", { endedAt: 6000, part: { escalation: "grace-expired" } }), plain),
      "■ stopped db:up (6s): killed with SIGKILL after 5s grace",
    );
    assert.equal(
      statusLine(service("db:up", { endedAt: 600, part: { escalation: "forced" } }), plain),
      "■ stopped db:up (600ms): killed with SIGKILL",
    );
    assert.equal(
      statusLine(service("db:up", { endedAt: 600, part: { upAt: null } }), plain),
      "■ stopped db:up (600ms): stopped before it was ready",
    );
    assert.equal(
      statusLine(
        service("db:up", { endedAt: 120_000, failure: { kind: "not-ready", limitMs: 120_000 } }),
        plain,
      ),
      "✗ failed db:up (2m): not ready after 2m",
    );
    assert.equal(
      statusLine(
        service("api:serve", {
          endedAt: 1003,
          failure: { kind: "exited-before-ready", status: { code: 1, signal: null } },
        }),
        plain,
      ),
      "✗ failed api:serve (1s 3ms): exited with code 1 before it was ready",
    );
    assert.equal(
      statusLine(
        service("api:serve", {
          endedAt: 5000,
          failure: { kind: "exited-while-running", status: { code: null, signal: "SIGKILL" } },
        }),
        plain,
      ),
      "✗ failed api:serve (5s): killed by SIGKILL while running",
    );
    assert.equal(
      statusLine({ task: id("api:serve"), cause: { kind: "unneeded" }, timing: timing(0, 0) }, plain),
      "- skipped api:serve: no longer needed",
    );
  });

  test("SVC-082 the footer counts up services in a last segment", () => {
    const state = { terminal: 1, total: 4, elapsedMs: 2000, running: ["t:e2e"], width: 79 };
    assert.equal(footerLine({ ...state, servicesUp: 2 }), "[1/4] 2s · 1 running: t:e2e · 2 services up");
    assert.equal(footerLine({ ...state, servicesUp: 1 }), "[1/4] 2s · 1 running: t:e2e · 1 service up");
    assert.equal(footerLine({ ...state, servicesUp: 0 }), "[1/4] 2s · 1 running: t:e2e");
  });

  test("SVC-083 stopped services count as completed and are named", () => {
    const cached: CompletedRecord = { ...service("a:b", { endedAt: 1 }), source: "cache-hit" };
    delete (cached as { service?: unknown }).service;
    const outcome = {
      outcomes: [
        { kind: "completed" as const, record: cached },
        { kind: "completed" as const, record: service("s:one", { endedAt: 1 }) },
        { kind: "completed" as const, record: service("s:two", { endedAt: 1 }) },
        {
          kind: "skipped" as const,
          record: { task: id("s:three"), cause: { kind: "unneeded" as const }, timing: timing(0, 0) },
        },
      ],
      taskErrors: [],
      invariantViolations: [],
      cancel: null,
      cancelledAt: null,
      forced: false,
      warnings: [],
      startedAt: 0,
      endedAt: 1,
    };
    assert.equal(
      epilogueText(outcome, 1, false),
      "\nTasks: 3 completed (1 cached, 2 services), 1 skipped\n Time: 1ms\n",
    );
  });

  test("SVC-022 a line is tested without its final CR and without ANSI sequences", () => {
    const bytes = new TextEncoder().encode(
      "\x1b[32mLocal:\x1b[0m \x1b]8;;http://x\x07link\x1b]8;;\x1b\\ \x1bMok\r",
    );
    assert.equal(readyLineText(bytes), "Local: link ok");
    assert.equal(readyLineText(new Uint8Array([0x61, 0xff, 0x62])), "a\ufffdb");
  });
});
