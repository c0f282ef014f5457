// Serves a directory for CI's end-to-end runs through a URL: prints the base URL on its first line,
// then serves until killed. Usage: deno run -A .ci/serve_static.ts DIR
import process from "node:process";
import { serveStatic } from "../tests/support/static_server.ts";

const server = await serveStatic(process.argv[2] ?? ".");
console.log(server.url);
