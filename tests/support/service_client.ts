/**
 * The consumer of the services end-to-end tests: `service_client.ts <port>` GETs
 * `http://127.0.0.1:<port>/`, prints the body, and exits 1 when the request fails.
 *
 * @module
 */

const port = process.argv[2];
try {
  const response = await fetch(`http://127.0.0.1:${port}/`);
  process.stdout.write(`${response.status} ${await response.text()}`);
} catch (error) {
  process.stdout.write(`request failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
