/**
 * A small server for the services end-to-end tests, run by the test's own runtime:
 * `service_server.ts <port> <mode> <delayMs> <marker>`. It listens on 127.0.0.1 after `delayMs` and
 * prints `listening on <port>`; `mode` says how it answers: `greet` (`hello from <port>` on any request
 * or TCP connection), `503-then-200` (503 until `delayMs` more passed), `404` (always). `marker` only
 * names the process for the process-table checks.
 *
 * @module
 */

import { createServer } from "node:http";

const [portText, mode, delayText] = process.argv.slice(2);
const port = Number(portText);
const delayMs = Number(delayText);
const startedAt = Date.now();

function status(): number {
  if (mode === "404") return 404;
  if (mode === "503-then-200" && Date.now() - startedAt < 2 * delayMs) return 503;
  return 200;
}

setTimeout(() => {
  const server = createServer((_request, response) => {
    response.statusCode = status();
    response.end(`hello from ${port}\n`);
  });
  server.listen(port, "127.0.0.1", () => console.log(`listening on ${port}`));
}, mode === "503-then-200" ? 0 : delayMs);
