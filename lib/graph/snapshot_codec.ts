/**
 * The payload of the workspace snapshot (06-architecture.md PERF-001) as compact JSON text.
 *
 * Only what cannot be re-derived cheaply is stored: per project its fields and the task bodies as
 * written, with every location as a short tuple; the graph's node order and its sorted edges. Reading
 * re-instantiates each {@linkcode TaskDefinition} from its body (as the fresh load does) and rebuilds the
 * graph's maps from the edges. Path pattern specs, which an imported workspace holds by the hundred
 * thousand, are numbers into one table of distinct texts and locations (see `PatternShapes`), so equal
 * texts decode as one shared string. The common shapes are written as tuples; anything else (a service, an
 * environment, a location of an unusual shape) goes through the generic {@linkcode encodeCompact}, so an
 * unforeseen field costs speed, never correctness.
 *
 * @module
 */

import type { Diagnostic, DiagnosticLocation } from "../domain/diagnostic.ts";
import type {
  DeclaredRef,
  Edge,
  PatternSpec,
  Project,
  TaskAction,
  TaskBody,
  TaskDefinition,
  TaskEnv,
  TaskGraph,
  TaskRef,
  Workspace,
} from "../domain/workspace.ts";
import { decodeCompact, encodeCompact } from "../util/compact_codec.ts";
import { graphFromSortedEdges, indexByKey } from "./assemble_graph.ts";
import { instantiateTask } from "./instantiate_task.ts";

/** What a snapshot restores. */
export interface SnapshotContent {
  readonly workspace: Workspace;
  readonly graph: TaskGraph;
  readonly warnings: readonly Diagnostic[];
}

/** A value encoded by {@linkcode encodeCompact} (a string), or a tuple of one of the common shapes. */
type Encoded = unknown;

/**
 * The file of the body being encoded and the line texts its locations show, each stored once: the
 * locations of one line share one string, as in a fresh load, and the payload holds it once.
 */
interface BodyFileWriter {
  readonly file: string;
  readonly lines: string[];
  readonly lineNumbers: Map<string, number>;
}

/** The decoding side of {@linkcode BodyFileWriter}. */
interface BodyFileReader {
  readonly file: string;
  readonly lines: readonly string[];
}

/**
 * `[0, line, column, length, index of the line text]` in the body's file, `[path, line, column, length,
 * lineText]` in another one, or a generic string.
 */
function encodeLocation(location: DiagnosticLocation | undefined, body: BodyFileWriter): Encoded {
  if (location === undefined) return 0;
  if (isLineLocation(location)) {
    if (location.path !== body.file) {
      return [location.path, location.line, location.column, location.length, location.lineText];
    }
    let lineNumber = body.lineNumbers.get(location.lineText);
    if (lineNumber === undefined) {
      lineNumber = body.lines.push(location.lineText) - 1;
      body.lineNumbers.set(location.lineText, lineNumber);
    }
    return [0, location.line, location.column, location.length, lineNumber];
  }
  return encodeCompact(location);
}

function decodeLocation(encoded: Encoded, body: BodyFileReader): DiagnosticLocation | undefined {
  if (encoded === 0) return undefined;
  if (typeof encoded === "string") return decodeCompact(encoded) as DiagnosticLocation;
  const [path, line, column, length, lineText] = encoded as [
    string | 0,
    number,
    number,
    number,
    string | number,
  ];
  return path === 0
    ? { path: body.file, line, column, length, lineText: body.lines[lineText as number] }
    : { path, line, column, length, lineText: lineText as string };
}

/** Adds `location` only when there is one, as the fresh load does (an absent key, not `undefined`). */
function located<T extends { location?: DiagnosticLocation }>(
  value: T,
  location: DiagnosticLocation | undefined,
): T {
  if (location !== undefined) value.location = location;
  return value;
}

/**
 * The pattern specs of one snapshot: each distinct text, flag and location apart from the line (a
 * "shape") is stored once, and a spec is its shape number followed by its line. An imported
 * workspace names the same few thousand patterns in hundreds of thousands of specs.
 */
class PatternShapes {
  readonly #strings: string[] = [];
  readonly #stringIds = new Map<string, number>();
  readonly #shapes: number[][] = [];
  readonly #shapeIds = new Map<string, number>();

  /** The shape table and its strings, for the payload. */
  table(): Encoded {
    return [this.#strings, this.#shapes];
  }

  /** `[shape, line, shape, line, …]` with a generic string for a spec of another shape. */
  encode(specs: readonly PatternSpec[], file: string): Encoded {
    const encoded: (number | string)[] = [];
    for (const spec of specs) {
      const keys = Object.keys(spec).length;
      const { location } = spec;
      if (keys === 2 && location === undefined) {
        encoded.push(this.#shape([this.#string(spec.text), spec.exclude ? 1 : 0]));
      } else if (keys === 3 && location !== undefined && isLineLocation(location)) {
        encoded.push(
          this.#shape([
            this.#string(spec.text),
            spec.exclude ? 1 : 0,
            location.path === file ? -1 : this.#string(location.path),
            location.column,
            location.length,
            this.#string(location.lineText),
          ]),
          location.line,
        );
      } else encoded.push(encodeCompact(spec));
    }
    return encoded;
  }

  #string(text: string): number {
    let id = this.#stringIds.get(text);
    if (id === undefined) {
      id = this.#strings.length;
      this.#strings.push(text);
      this.#stringIds.set(text, id);
    }
    return id;
  }

  #shape(shape: number[]): number {
    const key = shape.join(",");
    let id = this.#shapeIds.get(key);
    if (id === undefined) {
      id = this.#shapes.length;
      this.#shapes.push(shape);
      this.#shapeIds.set(key, id);
    }
    return id;
  }
}

/** A stored shape: every string shared by the specs that have it. */
interface DecodedShape {
  readonly text: string;
  readonly exclude: boolean;
  /** Null: no location. */
  readonly located: {
    readonly path: string | null;
    readonly column: number;
    readonly length: number;
    readonly lineText: string;
  } | null;
}

function decodeShapes(encoded: Encoded): DecodedShape[] {
  const [strings, shapes] = encoded as [string[], number[][]];
  return shapes.map((shape) => ({
    text: strings[shape[0]],
    exclude: shape[1] === 1,
    located: shape.length === 2 ? null : {
      path: shape[2] === -1 ? null : strings[shape[2]],
      column: shape[3],
      length: shape[4],
      lineText: strings[shape[5]],
    },
  }));
}

function decodePatterns(encoded: Encoded, file: string, shapes: readonly DecodedShape[]): PatternSpec[] {
  const items = encoded as (number | string)[];
  const specs: PatternSpec[] = [];
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    if (typeof item === "string") {
      specs.push(decodeCompact(item) as PatternSpec);
      continue;
    }
    const { text, exclude, located } = shapes[item];
    if (located === null) {
      specs.push({ text, exclude });
      continue;
    }
    const line = items[++index] as number;
    const { path, column, length, lineText } = located;
    specs.push({ text, exclude, location: { path: path ?? file, line, column, length, lineText } });
  }
  return specs;
}

/** A location with exactly a path, line, column, length and line text (the common one). */
function isLineLocation(location: DiagnosticLocation): location is Required<DiagnosticLocation> {
  return Object.keys(location).length === 5 && location.line !== undefined && location.column !== undefined &&
    location.length !== undefined && location.lineText !== undefined;
}

function encodeRef(ref: TaskRef): Encoded {
  switch (ref.form) {
    case "exact":
      return Object.keys(ref).length === 4 ? ["e", ref.project, ref.task, ref.text] : encodeCompact(ref);
    case "every":
      return Object.keys(ref).length === 4 ? ["v", ref.excludeOwn, ref.task, ref.text] : encodeCompact(ref);
    case "tag":
      return Object.keys(ref).length === 5
        ? ["t", ref.tag, ref.excludeOwn, ref.task, ref.text]
        : encodeCompact(ref);
  }
}

function decodeRef(encoded: Encoded): TaskRef {
  if (typeof encoded === "string") return decodeCompact(encoded) as TaskRef;
  const tuple = encoded as unknown[];
  switch (tuple[0]) {
    case "e":
      return {
        form: "exact",
        project: tuple[1] as string | null,
        task: tuple[2] as string,
        text: tuple[3] as string,
      };
    case "v":
      return {
        form: "every",
        excludeOwn: tuple[1] as boolean,
        task: tuple[2] as string,
        text: tuple[3] as string,
      };
    default:
      return {
        form: "tag",
        tag: tuple[1] as string,
        excludeOwn: tuple[2] as boolean,
        task: tuple[3] as string,
        text: tuple[4] as string,
      };
  }
}

function encodeDeclared(declared: DeclaredRef, body: BodyFileWriter): Encoded {
  const keys = Object.keys(declared).length;
  if (keys === 1 && declared.location === undefined || keys === 2 && declared.location !== undefined) {
    return [encodeRef(declared.ref), encodeLocation(declared.location, body)];
  }
  return encodeCompact(declared);
}

function decodeDeclared(encoded: Encoded, body: BodyFileReader): DeclaredRef {
  if (typeof encoded === "string") return decodeCompact(encoded) as DeclaredRef;
  const [ref, location] = encoded as [Encoded, Encoded];
  return located<{ ref: TaskRef; location?: DiagnosticLocation }>(
    { ref: decodeRef(ref) },
    decodeLocation(location, body),
  );
}

function encodeAction(action: TaskAction | null): Encoded {
  if (action === null) return null;
  if (action.kind === "shell" && Object.keys(action).length === 3) return ["s", action.shell, action.script];
  if (action.kind === "command" && Object.keys(action).length === 2) return ["c", action.argv];
  return encodeCompact(action);
}

function decodeAction(encoded: Encoded): TaskAction | null {
  if (encoded === null) return null;
  if (typeof encoded === "string") return decodeCompact(encoded) as TaskAction;
  const tuple = encoded as unknown[];
  return tuple[0] === "s"
    ? { kind: "shell", shell: tuple[1] as string, script: tuple[2] as string }
    : { kind: "command", argv: tuple[1] as string[] };
}

/** An environment without settings is by far the most common: `0`. */
function encodeEnv(env: TaskEnv): Encoded {
  const empty = Object.keys(env).length === 2 && env.fromHost.length === 0 && env.override.size === 0;
  return empty ? 0 : encodeCompact(env);
}

function decodeEnv(encoded: Encoded): TaskEnv {
  return encoded === 0 ? { fromHost: [], override: new Map() } : decodeCompact(encoded as string) as TaskEnv;
}

/** Number of keys of a {@linkcode TaskBody} without its optional `location`. */
const BODY_KEYS = 14;

function encodeBody(body: TaskBody, shapes: PatternShapes): Encoded {
  const keys = Object.keys(body).length;
  const plainTimeout = body.timeoutMs === null || Number.isFinite(body.timeoutMs);
  // JSON holds no NaN or infinity: such a body (never produced by validation) takes the generic path.
  if (keys !== (body.location === undefined ? BODY_KEYS : BODY_KEYS + 1) || !plainTimeout) {
    return encodeCompact(body);
  }
  const writer: BodyFileWriter = { file: body.file, lines: [], lineNumbers: new Map() };
  const tuple = [
    body.name,
    encodeAction(body.action),
    body.inputs === null ? null : shapes.encode(body.inputs, body.file),
    shapes.encode(body.outputs, body.file),
    body.deps.map((declared) => encodeDeclared(declared, writer)),
    body.weakDeps.map((declared) => encodeDeclared(declared, writer)),
    body.mutex === null ? null : encodeCompact(body.mutex),
    encodeEnv(body.env),
    body.description,
    body.cache,
    body.timeoutMs,
    body.service === null ? null : encodeCompact(body.service),
    body.file,
    body.overlay,
    encodeLocation(body.location, writer),
  ];
  tuple.push(writer.lines);
  return tuple;
}

function decodeBody(encoded: Encoded, shapes: readonly DecodedShape[]): TaskBody {
  if (typeof encoded === "string") return decodeCompact(encoded) as TaskBody;
  const tuple = encoded as unknown[];
  const file = tuple[12] as string;
  const reader: BodyFileReader = { file, lines: tuple[15] as string[] };
  const body: TaskBody & { location?: DiagnosticLocation } = {
    name: tuple[0] as string,
    action: decodeAction(tuple[1]),
    inputs: tuple[2] === null ? null : decodePatterns(tuple[2], file, shapes),
    outputs: decodePatterns(tuple[3], file, shapes),
    deps: (tuple[4] as Encoded[]).map((declared) => decodeDeclared(declared, reader)),
    weakDeps: (tuple[5] as Encoded[]).map((declared) => decodeDeclared(declared, reader)),
    mutex: tuple[6] === null ? null : decodeCompact(tuple[6] as string) as TaskBody["mutex"],
    env: decodeEnv(tuple[7]),
    description: tuple[8] as string | null,
    cache: tuple[9] as boolean,
    timeoutMs: tuple[10] as number | null,
    service: tuple[11] === null ? null : decodeCompact(tuple[11] as string) as TaskBody["service"],
    file,
    overlay: tuple[13] as string | null,
  };
  return located(body, decodeLocation(tuple[14], reader));
}

const EDGE_KINDS = ["hard", "soft", "producer"] as const;

function encodeEdge(edge: Edge, rank: ReadonlyMap<string, number>): Encoded {
  const kind = EDGE_KINDS.indexOf(edge.kind);
  const keys = Object.keys(edge).length;
  if (keys === 3 && edge.via === undefined) return [rank.get(edge.from), rank.get(edge.to), kind];
  if (keys === 4 && edge.via !== undefined && Object.keys(edge.via).length === 2) {
    return [rank.get(edge.from), rank.get(edge.to), kind, edge.via.output, edge.via.input];
  }
  return encodeCompact(edge);
}

function decodeEdge(encoded: Encoded, order: readonly string[]): Edge {
  if (typeof encoded === "string") return decodeCompact(encoded) as Edge;
  const tuple = encoded as unknown[];
  const edge = {
    from: order[tuple[0] as number],
    to: order[tuple[1] as number],
    kind: EDGE_KINDS[tuple[2] as number],
  };
  return tuple.length === 3
    ? edge
    : { ...edge, via: { output: tuple[3] as string, input: tuple[4] as string } };
}

/**
 * `[name, dir, root, file, tags, [task name, body][]]`; each task gets the next number in `numbers`
 * (the graph's node order is stored as these numbers, so reading needs no lookup by printed id).
 */
function encodeProject(
  project: Project,
  numbers: Map<TaskDefinition, number>,
  shapes: PatternShapes,
): Encoded {
  if (Object.keys(project).length !== 6) throw new TypeError("snapshot: a project of an unknown shape");
  const tasks: Encoded[] = [];
  for (const [name, task] of project.tasks) {
    numbers.set(task, numbers.size);
    tasks.push([name, encodeBody(task.body, shapes)]);
  }
  return [project.name, project.dir, project.root, project.file, project.tags, tasks];
}

/** Decodes one project, appending its task definitions to `numbered` in their stored order. */
function decodeProject(
  encoded: Encoded,
  numbered: TaskDefinition[],
  shapes: readonly DecodedShape[],
): Project {
  const [name, dir, root, file, tags, bodies] = encoded as [string, string, string, string, string[], [
    string,
    Encoded,
  ][]];
  const owner = { name, root, tags };
  const tasks = new Map<string, TaskDefinition>();
  for (let index = 0; index < bodies.length; index++) {
    const task = instantiateTask(decodeBody(bodies[index][1], shapes), owner);
    tasks.set(bodies[index][0], task);
    numbered.push(task);
  }
  return { name, dir, root, file, tags, tasks };
}

/**
 * Encodes a loaded workspace as snapshot payload text. Throws a `TypeError` on a value the generic
 * encoder cannot hold (the snapshot is then not written).
 *
 * @example
 * ```ts
 * const text = encodeSnapshotContent({ workspace, graph, warnings });
 * decodeSnapshotContent(text, workspace.root); // equal to { workspace, graph, warnings }
 * ```
 */
export function encodeSnapshotContent(content: SnapshotContent): string {
  const { workspace, graph, warnings } = content;
  const rank = indexByKey(graph.order);
  if (Object.keys(workspace).length !== 3) throw new TypeError("snapshot: a workspace of an unknown shape");
  const numbers = new Map<TaskDefinition, number>();
  const shapes = new PatternShapes();
  const projects = workspace.projects.map((project) => encodeProject(project, numbers, shapes));
  const order: number[] = [];
  for (const task of graph.tasks.values()) {
    const number = numbers.get(task);
    if (number === undefined) throw new TypeError(`snapshot: ${task.key} belongs to no project`);
    order.push(number);
  }
  return JSON.stringify([
    encodeCompact(workspace.settings),
    projects,
    order,
    graph.edges.map((edge) => encodeEdge(edge, rank)),
    encodeCompact(warnings),
    shapes.table(),
  ]);
}

/**
 * Decodes text written by {@linkcode encodeSnapshotContent} for the workspace at `root`. Throws on text it
 * did not write.
 *
 * @example
 * ```ts
 * const { graph } = decodeSnapshotContent(text, "/work");
 * graph.hardSuccessors.get("core:build"); // ["web:build"]
 * ```
 */
export function decodeSnapshotContent(text: string, root: string): SnapshotContent {
  const [settings, projects, order, edges, warnings, patternShapes] = JSON.parse(text) as [
    string,
    Encoded[],
    number[],
    Encoded[],
    string,
    Encoded,
  ];
  const shapes = decodeShapes(patternShapes);
  const numbered: TaskDefinition[] = [];
  const decodedProjects = projects.map((project) => decodeProject(project, numbered, shapes));
  const workspace: Workspace = {
    root,
    settings: decodeCompact(settings) as Workspace["settings"],
    projects: decodedProjects,
  };
  const sortedTasks = order.map((number) => {
    const task = numbered[number];
    if (task === undefined) throw new TypeError(`snapshot: unknown task number ${number}`);
    return task;
  });
  const keys = sortedTasks.map((task) => task.key);
  const graph = graphFromSortedEdges(sortedTasks, edges.map((edge) => decodeEdge(edge, keys)));
  return { workspace, graph, warnings: decodeCompact(warnings) as Diagnostic[] };
}
