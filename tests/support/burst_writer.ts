/**
 * Creates `<count>` empty files `f0`, `f1`, … in `<directory>` as fast as it can (the burst of
 * 09-services-and-watch.md §14 scenario 62), then `<done>` (outside the directory). Usage:
 * `burst_writer.ts <directory> <count> <done>`.
 *
 * @module
 */

import { closeSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

const [directory, count, done] = process.argv.slice(2);
for (let index = 0; index < Number(count); index++) closeSync(openSync(join(directory, `f${index}`), "w"));
writeFileSync(done, "");
