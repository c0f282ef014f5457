/**
 * A few words for a failed file-system call, the same wording wherever haz reports one, never naming
 * a host path (the messages of `node:fs` errors quote the path the call used, a temp file included).
 *
 * @module
 */

/** Short lower-case reasons for the usual file-system failures. */
const REASONS: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EEXIST: "file already exists",
  ENOENT: "no such file or directory",
  ENOTDIR: "not a directory",
  EISDIR: "is a directory",
  ELOOP: "too many levels of symbolic links",
  EMFILE: "too many open files",
  ENFILE: "too many open files",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EIO: "input/output error",
};

/**
 * The reason for a thrown file-system error: the wording of a known code, else the code itself; a
 * value without a code gives its message (a bug's message, which names no host path of ours).
 *
 * @example
 * ```ts
 * ioFailureReason(Object.assign(new Error("EACCES: permission denied, open '/tmp/x'"), { code: "EACCES" }));
 * // "permission denied"
 * ```
 */
export function ioFailureReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string") return REASONS[code] ?? code;
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, " ");
}
