import { freePort } from "../support/free_port.ts";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../../", import.meta.url));

test("the README's library embedding (examples/embed.ts) runs the example workspace", async () => {
  // The example's API service listens on SHOP_API_PORT; a free one keeps parallel runs apart.
  const port = await freePort();
  const scratch = mkdtempSync(join(tmpdir(), "haz-embed-"));
  try {
    const workspace = join(scratch, "shop");
    cpSync(join(repo, "examples/shop"), workspace, { recursive: true });
    rmSync(join(workspace, ".haz/cache"), { recursive: true, force: true });
    const runtimeArgs = "Deno" in globalThis ? ["run", "-A"] : [];
    const run = () =>
      spawnSync(process.execPath, [...runtimeArgs, join(repo, "examples/embed.ts"), workspace], {
        encoding: "utf8",
        env: { ...process.env, SHOP_API_PORT: String(port) },
      });
    const first = run();
    assert.equal(first.status, 1, first.stderr);
    assert.match(first.stdout, /^✓ done core:build \(\d/m);
    assert.match(first.stdout, /^✗ failed api:broken \(.*\): exit code 1$/m);
    assert.match(first.stdout, /^- skipped api:after-broken: upstream api:broken failed$/m);
    assert.match(first.stdout, /^api answered with its routes, \/health included$/m);
    assert.match(first.stdout, /^Tasks: 9 completed \(1 service\), 1 failed, 1 skipped$/m);
    const second = run();
    assert.match(second.stdout, /^◉ cached core:build \(\d/m);
    assert.match(second.stdout, /^Tasks: 9 completed \(8 cached, 1 service\), 1 failed, 1 skipped$/m);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

test("the README's Library section shows examples/embed.ts verbatim", async () => {
  const { readFileSync } = await import("node:fs");
  const readme = readFileSync(join(repo, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Library"));
  const block = section.slice(
    section.indexOf("```ts\n") + 6,
    section.indexOf("\n```", section.indexOf("```ts\n")) + 1,
  );
  const program = readFileSync(join(repo, "examples/embed.ts"), "utf8").split("\n").slice(1).join("\n");
  assert.equal(block, program);
});
