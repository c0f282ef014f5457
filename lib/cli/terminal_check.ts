/**
 * Whether a standard descriptor is a terminal, answered without creating the runtime's stdio stream
 * when the descriptor cannot be one.
 *
 * @module
 */

import { fstatSync, statSync } from "node:fs";

/**
 * `isatty(fd)`, cheaply: a descriptor that is not a character device (a pipe, a file, a socket) or
 * that is `/dev/null` is no terminal, known from one `fstat`; any other character device is left to
 * `exact` (e.g. `() => process.stdout.isTTY === true`). Creating `process.stdout` to read `isTTY`
 * evaluates the runtime's stream modules: about 4 ms of every command's start-up in the compiled
 * binary, paid for nothing when the output goes to a pipe or a file.
 *
 * @example
 * ```ts
 * descriptorIsTerminal(1, () => process.stdout.isTTY === true); // false when piped, no stream created
 * ```
 */
export function descriptorIsTerminal(fd: number, exact: () => boolean): boolean {
  let device: { isCharacterDevice(): boolean; rdev: number };
  try {
    device = fstatSync(fd);
  } catch {
    return exact();
  }
  if (!device.isCharacterDevice()) return false;
  const devNull = statSync("/dev/null", { throwIfNoEntry: false });
  // A runtime that reports no device numbers (0) gets the exact answer.
  if (devNull?.isCharacterDevice() && device.rdev !== 0 && devNull.rdev === device.rdev) return false;
  return exact();
}
