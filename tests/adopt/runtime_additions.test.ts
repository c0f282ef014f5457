import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildCacheKey } from "../../lib/cache/key.ts";
import { checkEnvEntry, matchingEnvNames } from "../../lib/domain/env_pattern.ts";
import { childEnvironment } from "../../lib/exec/child_env.ts";
import { sha256 } from "../../lib/cache/hash_algorithm.ts";
import { cacheTask } from "../support/cache_fixtures.ts";
import { withWorkspaceFixture } from "../support/workspace_fixture.ts";

describe("runtime additions of 08-adoption.md §8", () => {
  test("ADOPT-101 PREFIX* entries: validation and matching", () => {
    assert.equal(checkEnvEntry("NEXT_PUBLIC_*"), null);
    assert.equal(checkEnvEntry("CI"), null);
    assert.equal(checkEnvEntry("*")?.rule, "CFG-032");
    assert.equal(checkEnvEntry("A-*")?.rule, "CFG-032");
    const host = new Map([["VITE_B", "2"], ["VITE_A", "1"], ["VITEX", "x"], ["CI", "1"]]);
    assert.deepEqual(matchingEnvNames("VITE_*", host), ["VITE_A", "VITE_B"]);
    assert.deepEqual(matchingEnvNames("CI", host), ["CI"]);
    assert.deepEqual(matchingEnvNames("NOPE", host), []);
  });

  test("ADOPT-101 the child receives exactly the variables a wildcard matches", () => {
    const task = cacheTask({ fromHost: ["VITE_*"] });
    const host = new Map([["PATH", "/bin"], ["VITE_A", "1"], ["VITEX", "x"], ["PLAY_1", "p"]]);
    assert.deepEqual(childEnvironment(task, ["PLAY_*"], host), { PATH: "/bin", PLAY_1: "p", VITE_A: "1" });
  });

  test("ADOPT-101 / 100 keys: no match, one, two variables differ; an output exclusion changes the key", async () => {
    await withWorkspaceFixture({ "app/src.txt": "x\n" }, async (fixture) => {
      const key = async (task: ReturnType<typeof cacheTask>, env: Record<string, string>) => {
        const result = await buildCacheKey({
          workspaceRoot: fixture.root,
          task,
          hostEnv: new Map(Object.entries(env)),
          predecessors: new Map(),
          hardPredecessors: [],
          hash: sha256,
        });
        assert.ok(result.ok);
        return result.key;
      };
      const wildcard = cacheTask({ inputs: ["src.txt"], fromHost: ["APP_*"] });
      const plain = cacheTask({ inputs: ["src.txt"] });
      const keys = [
        await key(plain, {}),
        await key(wildcard, {}),
        await key(wildcard, { APP_A: "1" }),
        await key(wildcard, { APP_A: "1", APP_B: "2" }),
      ];
      assert.equal(new Set(keys).size, 4);
      const outputs = cacheTask({ inputs: ["src.txt"], outputs: [".next/**"] });
      const excluded = {
        ...outputs,
        outputExclusions: [{ written: ".next/cache/**", canonical: "/app/.next/cache/**", isGlob: true }],
      };
      assert.notEqual(await key(outputs, {}), await key(excluded, {}));
    });
  });
});
