// Counts leaf test cases in a JUnit report from `deno test --junit-path`: a describe block is
// reported as a test case of its own and its its as "<block> > <name>"; only leaves count.
import { readFileSync } from "node:fs";

const xml = readFileSync(process.argv[2] ?? Deno.args[0], "utf8");
const cases = [...xml.matchAll(/<testcase name="([^"]*)"[^>]*>([\s\S]*?)<\/testcase>/g)].map((m) => ({
  name: m[1],
  failed: /<failure|<error/.test(m[2]),
  skipped: /<skipped/.test(m[2]),
}));
const parents = new Set<string>();
for (const { name } of cases) {
  const parts = name.split(" &gt; ");
  for (let i = 1; i < parts.length; i++) parents.add(parts.slice(0, i).join(" &gt; "));
}
const leaves = cases.filter((c) => !parents.has(c.name));
const failed = leaves.filter((c) => c.failed).length;
const skipped = leaves.filter((c) => c.skipped).length;
console.log(`${leaves.length - failed - skipped} ${failed} ${skipped}`);
