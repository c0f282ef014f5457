// Embeds haz: runs every task of the workspace given as the first argument, prints buffered output.
import * as haz from "../mod.ts";

const loaded = await haz.loadWorkspace(process.argv[2] ?? ".");
if (!loaded.ok) throw new Error(`invalid workspace: ${loaded.diagnostics.map((d) => d.message).join("; ")}`);
const { workspace, graph } = loaded.loaded;
const selection = haz.select(loaded.loaded, { refs: [], scope: "workspace", command: "run", changedPaths: null });
if (!selection.ok) throw new Error("nothing to run");
const hash = await haz.loadHashAlgorithm(workspace.settings.hash);
const clock = haz.systemClock(performance.now());
const sink = { write: (bytes: Uint8Array) => void process.stdout.write(bytes) };
const presenter = haz.createPresenter({ mode: "buffered", stdout: sink, stderr: sink, color: false, progress: false,
  columns: () => 80, clock, tempDir: "/tmp", cancelGraceMs: 5000, runSetSize: selection.runSet.length });
const outcome = await haz.runGraph({ workspace, graph, runSet: new Set(selection.runSet), hash, clock,
  cache: haz.openCache({ workspaceRoot: workspace.root, hash, clock }), spawner: haz.spawnerFor(haz.detectRuntime()),
  observer: presenter, hostEnv: new Map(Object.entries(process.env) as [string, string][]), concurrency: 4,
  tagCaps: workspace.settings.concurrency.tags, cancelGraceMs: 5000, failFast: false, control: haz.createRunControl() });
presenter.epilogue(outcome, clock.now());
await presenter.close();
process.exitCode = haz.exitCodeFor(outcome);
