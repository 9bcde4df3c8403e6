/**
 * Where a path may lead. A request names a path relative to the project root (or
 * absolute inside it); the answer is the real path to open, or a reason to refuse.
 * Containment is decided on real paths by whole components, so `/proj2` is not
 * inside `/proj` and a symlink inside the root that points outside is refused.
 */
import * as path from "node:path";
import { LIMITS } from "../config.ts";

export type Decision<T> = { ok: true; value: T } | { ok: false; reason: string };

/** What a resolved path is. */
export type EntryKind = "file" | "directory" | "symlink" | "fifo" | "socket" | "block-device" | "char-device" | "other";

/**
 * True when `p` is `root` or below it, by whole path components. Both must be absolute and normalised.
 *
 * @example isInside("/proj", "/proj/a") === true; isInside("/proj", "/proj2/a") === false
 */
export function isInside(root: string, p: string): boolean {
  if (p === root) return true;
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return p.startsWith(prefix);
}

/**
 * The lexical step: turns a requested path into a normalised absolute candidate
 * inside the root, without touching the disk. Refuses NUL bytes, `~`, overlong
 * paths, and anything that leaves the root by `..` or by being absolute elsewhere.
 *
 * @example lexicalCandidate("/proj", "../etc/passwd") // { ok: false, reason: "path is outside the project root" }
 */
export function lexicalCandidate(root: string, requested: string): Decision<string> {
  if (typeof requested !== "string") return { ok: false, reason: "path must be a string" };
  if (requested.includes("\0")) return { ok: false, reason: "path contains a NUL byte" };
  if (requested.length > LIMITS.maxPathLength) {
    return { ok: false, reason: `path is longer than ${LIMITS.maxPathLength} characters` };
  }
  if (requested === "~" || requested.startsWith("~/") || requested.startsWith("~\\") || /^~[^/\\]*[/\\]/.test(requested)) {
    return { ok: false, reason: "\"~\" is not expanded: give a path relative to the project root" };
  }
  const trimmed = requested === "" ? "." : requested;
  const abs = path.isAbsolute(trimmed) ? path.resolve(trimmed) : path.resolve(root, trimmed);
  if (!isInside(root, abs)) return { ok: false, reason: "path is outside the project root" };
  return { ok: true, value: abs };
}

/** The file system calls the policy needs, injectable for tests. */
export interface PathFs {
  realPath(p: string): string;
  lstat(p: string): Deno.FileInfo;
}

export const denoPathFs: PathFs = {
  realPath: (p) => Deno.realPathSync(p),
  lstat: (p) => Deno.lstatSync(p),
};

export interface Resolved {
  /** The real path, symlinks resolved: the one to open. */
  real: string;
  /** The real path relative to the root ("." for the root itself), with "/" separators. */
  rel: string;
  kind: EntryKind;
  info: Deno.FileInfo;
}

/** Kind of a FileInfo from lstat. */
export function kindOf(info: Deno.FileInfo): EntryKind {
  if (info.isSymlink) return "symlink";
  if (info.isFile) return "file";
  if (info.isDirectory) return "directory";
  if (info.isFifo) return "fifo";
  if (info.isSocket) return "socket";
  if (info.isBlockDevice) return "block-device";
  if (info.isCharDevice) return "char-device";
  return "other";
}

/**
 * The full decision: lexical check, then realpath, then containment of the real
 * path, then the kind of what it points at. Only regular files and directories pass.
 *
 * @example resolveInsideRoot("/proj", "link-to-etc/passwd") // { ok: false, reason: "path resolves outside the project root (through a symlink)" }
 */
export function resolveInsideRoot(root: string, requested: string, fs: PathFs = denoPathFs): Decision<Resolved> {
  const lexical = lexicalCandidate(root, requested);
  if (!lexical.ok) return lexical;
  let real: string;
  try {
    real = fs.realPath(lexical.value);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { ok: false, reason: "no such file or directory" };
    if (err instanceof Deno.errors.NotADirectory) return { ok: false, reason: "a component of the path is not a directory" };
    if (err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied) {
      return { ok: false, reason: "path is outside the project root" };
    }
    if (err instanceof Deno.errors.FilesystemLoop) return { ok: false, reason: "too many levels of symbolic links" };
    return { ok: false, reason: `cannot resolve the path (${errorCode(err)})` };
  }
  if (!isInside(root, real)) return { ok: false, reason: "path resolves outside the project root (through a symlink)" };
  let info: Deno.FileInfo;
  try {
    info = fs.lstat(real);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { ok: false, reason: "no such file or directory" };
    return { ok: false, reason: `cannot inspect the path (${errorCode(err)})` };
  }
  const kind = kindOf(info);
  if (kind !== "file" && kind !== "directory") {
    return { ok: false, reason: `is a ${describeKind(kind)}, not a regular file or directory` };
  }
  return { ok: true, value: { real, rel: relativeToRoot(root, real), kind, info } };
}

/** Relative path with "/" separators; "." for the root. */
export function relativeToRoot(root: string, p: string): string {
  const rel = path.relative(root, p);
  return rel === "" ? "." : rel.split(path.sep).join("/");
}

export function describeKind(kind: EntryKind): string {
  switch (kind) {
    case "fifo":
      return "named pipe (FIFO)";
    case "char-device":
      return "character device";
    case "block-device":
      return "block device";
    default:
      return kind;
  }
}

function errorCode(err: unknown): string {
  return err instanceof Error ? err.name : "unknown error";
}

/** Human size: 1536 -> "1.5 KiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 || Number.isInteger(v) ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}
