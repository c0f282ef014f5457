import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import type { HostSignal, HostSignals } from "../../lib/exec/process.ts";
import { createLineReader, openTerminalPrompt } from "../../lib/cli/prompt_reader.ts";

/** Signals that the test raises by hand; `count` tells how many handlers are subscribed. */
function fakeSignals(): HostSignals & { raise(sig: HostSignal): void; count(): number } {
  const handlers = new Set<{ sig: HostSignal; handler: () => void }>();
  return {
    on(sig, handler) {
      const entry = { sig, handler };
      handlers.add(entry);
      return () => handlers.delete(entry);
    },
    raise(sig) {
      for (const entry of [...handlers]) if (entry.sig === sig) entry.handler();
    },
    count: () => handlers.size,
  };
}

function collectingSink() {
  const chunks: Uint8Array[] = [];
  return {
    write: (bytes: Uint8Array) => chunks.push(bytes),
    text: () => chunks.map((chunk) => new TextDecoder().decode(chunk)).join(""),
  };
}

test("§7.1 prompt reader: lines split across chunks, CRLF and a last line without newline", async () => {
  const input = new PassThrough();
  const reader = createLineReader(input);
  input.write(new TextEncoder().encode("fir"));
  input.write("st\r\nsecond\nna");
  input.write(new Uint8Array([0xc3]));
  input.end(new Uint8Array([0xaf, 0x76, 0x65]));
  assert.equal(await reader.next(), "first");
  assert.equal(await reader.next(), "second");
  assert.equal(await reader.next(), "naïve");
  assert.equal(await reader.next(), null);
  reader.close();
});

test("§7.1 prompt reader: a line that arrives later wakes the waiting reader", async () => {
  const input = new PassThrough();
  const reader = createLineReader(input);
  const pending = reader.next();
  setTimeout(() => input.write("late\n"), 5);
  assert.equal(await pending, "late");
  reader.close();
});

test("§7.1 prompts go to stderr; answers come from the input", async () => {
  const input = new PassThrough();
  const stderr = collectingSink();
  const signals = fakeSignals();
  const prompt = openTerminalPrompt({ stderr, signals, input });
  input.write("2\n");
  prompt.say("Found 1 candidate project (found package.json):\n");
  assert.deepEqual(await prompt.ask("Toggle: "), { kind: "line", text: "2" });
  input.end();
  assert.deepEqual(await prompt.ask("Write these files? [Y/n] "), { kind: "end" });
  assert.equal(
    stderr.text(),
    "Found 1 candidate project (found package.json):\nToggle: Write these files? [Y/n] ",
  );
  prompt.close();
});

test("AUX-005 Ctrl-C (SIGINT) while a prompt waits interrupts it and every later prompt", async () => {
  const input = new PassThrough();
  const stderr = collectingSink();
  const signals = fakeSignals();
  const prompt = openTerminalPrompt({ stderr, signals, input });
  assert.equal(signals.count(), 1);
  const pending = prompt.ask("Toggle: ");
  setTimeout(() => signals.raise("SIGINT"), 5);
  assert.deepEqual(await pending, { kind: "interrupted" });
  input.write("y\n");
  assert.deepEqual(await prompt.ask("Write these files? [Y/n] "), { kind: "interrupted" });
  assert.equal(stderr.text(), "Toggle: ");
  prompt.close();
  assert.equal(signals.count(), 0);
});

test("AUX-005 SIGINT is subscribed only while the prompt is open", () => {
  const signals = fakeSignals();
  const prompt = openTerminalPrompt({ stderr: collectingSink(), signals, input: new PassThrough() });
  assert.equal(signals.count(), 1);
  prompt.close();
  assert.equal(signals.count(), 0);
});
