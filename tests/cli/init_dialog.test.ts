import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { IMPORT_HINT, runInitDialog } from "../../lib/cli/init_dialog.ts";
import type { PromptAnswer, PromptPort } from "../../lib/cli/prompt_reader.ts";
import { withWorkspaceFixture } from "../support/workspace_fixture.ts";

const END = Symbol("end of input");
const CTRL_C = Symbol("Ctrl-C");
type Scripted = string | typeof END | typeof CTRL_C;

/** A prompt port answering from a script; the transcript shows answers as a terminal echoes them. */
function scriptedPrompt(answers: Scripted[]): PromptPort & { transcript: () => string; prompts: string[] } {
  let transcript = "";
  const prompts: string[] = [];
  return {
    prompts,
    transcript: () => transcript,
    say(text) {
      transcript += text;
    },
    ask(prompt) {
      transcript += prompt;
      prompts.push(prompt);
      if (answers.length === 0) throw new Error(`no scripted answer for ${JSON.stringify(prompt)}`);
      const next = answers.shift()!;
      let answer: PromptAnswer;
      if (next === END) answer = { kind: "end" };
      else if (next === CTRL_C) answer = { kind: "interrupted" };
      else {
        transcript += `${next}\n`;
        answer = { kind: "line", text: next };
      }
      return Promise.resolve(answer);
    },
  };
}

const SPEC_TREE = {
  "package.json": JSON.stringify({ workspaces: ["packages/*", "tools/*"] }),
  "packages/core/package.json": "{}",
  "packages/web/package.json": "{}",
  "tools/release/package.json": "{}",
  "tools/release/haz.yml": "tasks: {}\n",
};

const SPEC_LIST = [
  "  [x] 1  packages/core    core",
  "  [x] 2  packages/web     web",
  "  [x] 3  tools/release    release   (has haz.yml)",
].join("\n");

const INSTRUCTION = "Toggle with numbers or ranges (2, 1-3), a = all, n = none, Enter = done: ";

describe("§7.1 interactive dialog", () => {
  test("AUX-005 / ADOPT-089 the import hint, the selection prompt and the plan of §7.1, then Enter confirms", async () => {
    await withWorkspaceFixture(SPEC_TREE, async (fixture) => {
      const prompt = scriptedPrompt(["", ""]);
      const outcome = await runInitDialog({ dir: fixture.root, prompt });
      assert.equal(
        prompt.transcript(),
        IMPORT_HINT + 'Found 3 candidate projects (package.json "workspaces"):\n\n' +
          `${SPEC_LIST}\n\n${INSTRUCTION}\n` +
          "Will write:\n  packages/core/haz.yml\n  packages/web/haz.yml\n  .haz/workspace.yml (3 projects)\n" +
          "Will keep:\n  tools/release/haz.yml\nWrite these files? [Y/n] \n",
      );
      assert.equal(outcome.kind, "confirmed");
      assert.ok(outcome.kind === "confirmed");
      assert.equal(
        outcome.plan.workspaceFile.content,
        "projects:\n  - packages/core\n  - packages/web\n  - tools/release\n",
      );
    });
  });

  test("§7.1 Selection prompt: the list is reprinted after a toggle, invalid input reprints the instruction", async () => {
    await withWorkspaceFixture(SPEC_TREE, async (fixture) => {
      const prompt = scriptedPrompt(["9", "2", "", "y"]);
      const outcome = await runInitDialog({ dir: fixture.root, prompt });
      const toggled = SPEC_LIST.replace("[x] 2", "[ ] 2");
      assert.equal(
        prompt.transcript(),
        IMPORT_HINT + 'Found 3 candidate projects (package.json "workspaces"):\n\n' +
          `${SPEC_LIST}\n\n${INSTRUCTION}9\n${INSTRUCTION}2\n${toggled}\n\n${INSTRUCTION}\n` +
          "Will write:\n  packages/core/haz.yml\n  .haz/workspace.yml (2 projects)\n" +
          "Will keep:\n  tools/release/haz.yml\nWrite these files? [Y/n] y\n",
      );
      assert.ok(outcome.kind === "confirmed");
      assert.deepEqual(outcome.plan.newProjectFiles.map((file) => file.path), ["packages/core/haz.yml"]);
    });
  });

  test("§7.1 Selection prompt: n deselects everything and the plan is an empty workspace", async () => {
    await withWorkspaceFixture(SPEC_TREE, async (fixture) => {
      const prompt = scriptedPrompt(["n", "", "yes"]);
      const outcome = await runInitDialog({ dir: fixture.root, prompt });
      assert.ok(outcome.kind === "confirmed");
      assert.equal(outcome.plan.workspaceFile.content, "projects: []\n");
      assert.deepEqual(outcome.plan.newProjectFiles, []);
      assert.ok(prompt.transcript().includes("Will write:\n  .haz/workspace.yml (0 projects)\nWrite these"));
    });
  });

  test("§7.1 no candidates: the notice, then a plan for an empty workspace", async () => {
    await withWorkspaceFixture({}, async (fixture) => {
      const prompt = scriptedPrompt(["Y"]);
      const outcome = await runInitDialog({ dir: fixture.root, prompt });
      assert.equal(
        prompt.transcript(),
        "No candidate projects found.\nWill write:\n  .haz/workspace.yml (0 projects)\nWrite these files? [Y/n] Y\n",
      );
      assert.ok(outcome.kind === "confirmed");
      assert.equal(outcome.plan.workspaceFile.content, "projects: []\n");
    });
  });

  test("§7.1 Names: an empty or duplicate name is asked until the answer is valid and unused", async () => {
    await withWorkspaceFixture({
      "apps/web/package.json": "{}",
      "sites/web/package.json": "{}",
      "日本/package.json": "{}",
    }, async (fixture) => {
      const prompt = scriptedPrompt(["web", "a b", "site", "nihon", "", ""]);
      const outcome = await runInitDialog({ dir: fixture.root, prompt });
      assert.deepEqual(prompt.prompts.slice(0, 4), [
        "name for sites/web: ",
        "name for sites/web: ",
        "name for sites/web: ",
        "name for 日本: ",
      ]);
      const transcript = prompt.transcript();
      assert.ok(transcript.startsWith(
        "name for sites/web: web\nname `web` is already used\n" +
          "name for sites/web: a b\nname `a b` contains ` `; allowed are ASCII letters, digits, `_` and `-`\n" +
          "name for sites/web: site\nname for 日本: nihon\n" +
          "Found 3 candidate projects (found package.json):\n\n",
      ));
      assert.ok(transcript.includes("  [x] 2  sites/web    site\n"));
      assert.ok(outcome.kind === "confirmed");
      assert.deepEqual(outcome.plan.newProjectFiles, [
        { path: "apps/web/haz.yml", content: "tasks: {}\n" },
        { path: "sites/web/haz.yml", content: "name: site\ntasks: {}\n" },
        { path: "日本/haz.yml", content: "name: nihon\ntasks: {}\n" },
      ]);
      assert.equal(
        outcome.plan.workspaceFile.content,
        'projects:\n  - apps/web\n  - sites/web\n  - "日本"\n',
      );
    });
  });

  test("§7.1 Names: duplicate names in existing haz.yml files fail before any question", async () => {
    await withWorkspaceFixture({
      "a/package.json": "{}",
      "a/haz.yml": "name: same\n",
      "b/package.json": "{}",
      "b/haz.yml": "name: same\n",
    }, async (fixture) => {
      const prompt = scriptedPrompt([]);
      const outcome = await runInitDialog({ dir: fixture.root, prompt });
      assert.deepEqual(outcome, {
        kind: "failed",
        errorLines: [
          "error: existing haz.yml files declare the same project name `same`: a/haz.yml, b/haz.yml",
          "help: give each of them a distinct `name:`, then run `haz init` again",
        ],
      });
      assert.deepEqual(prompt.prompts, []);
    });
  });

  test("AUX-005 n declines; other answers repeat the question", async () => {
    await withWorkspaceFixture(SPEC_TREE, async (fixture) => {
      const prompt = scriptedPrompt(["", "maybe", "N"]);
      assert.deepEqual(await runInitDialog({ dir: fixture.root, prompt }), { kind: "declined" });
      assert.deepEqual(prompt.prompts.slice(1), ["Write these files? [Y/n] ", "Write these files? [Y/n] "]);
    });
  });

  test("AUX-005 end of input at any prompt declines", async () => {
    await withWorkspaceFixture(SPEC_TREE, async (fixture) => {
      assert.deepEqual(await runInitDialog({ dir: fixture.root, prompt: scriptedPrompt([END]) }), {
        kind: "declined",
      });
      const prompt = scriptedPrompt(["", END]);
      assert.deepEqual(await runInitDialog({ dir: fixture.root, prompt }), { kind: "declined" });
      assert.ok(prompt.transcript().endsWith("Write these files? [Y/n] \n"));
    });
  });

  test("AUX-005 Ctrl-C at the selection, a name or the confirmation interrupts", async () => {
    await withWorkspaceFixture(SPEC_TREE, async (fixture) => {
      const atSelection = await runInitDialog({ dir: fixture.root, prompt: scriptedPrompt([CTRL_C]) });
      assert.deepEqual(atSelection, { kind: "interrupted" });
      const atConfirmation = await runInitDialog({ dir: fixture.root, prompt: scriptedPrompt(["", CTRL_C]) });
      assert.deepEqual(atConfirmation, { kind: "interrupted" });
    });
    await withWorkspaceFixture({ "日本/package.json": "{}" }, async (fixture) => {
      const atName = await runInitDialog({ dir: fixture.root, prompt: scriptedPrompt([CTRL_C]) });
      assert.deepEqual(atName, { kind: "interrupted" });
    });
  });

  test("§7.1 warnings about unusable manifests are shown before the candidates", async () => {
    await withWorkspaceFixture({
      "package.json": JSON.stringify({ workspaces: "packages/*" }),
    }, async (fixture) => {
      const prompt = scriptedPrompt([END]);
      await runInitDialog({ dir: fixture.root, prompt });
      assert.ok(
        prompt.transcript().startsWith(
          'warning: package.json "workspaces" must be an array of globs or an object with a "packages" array; ignored\n' +
            "Found 1 candidate project (found package.json):\n",
        ),
      );
    });
  });
});
