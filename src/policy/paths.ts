/**
 * Where a path may lead. A request names a path relative to the project root (or
 * absolute inside it); the answer is the real path to open, or a reason to refuse.
 * Containment is decided on real paths by whole components, so `/proj2` is not
 * inside `/proj` and a symlink inside the root that points outside is refused.
 */
import * as path from "node:path";
import { LIMITS } from "../limits.ts";

export type Decision<T> = { ok: true; value: T } | { ok: false; reason: string };

/** What a resolved path is. */
export type EntryKind =
  | "file"
  | "directory"
  | "symlink"
  | "fifo"
  | "socket"
  | "block-device"
  | "char-device"
  | "other";

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
  if (
    requested === "~" || requested.startsWith("~/") || requested.startsWith("~\\") ||
    /^~[^/\\]*[/\\]/.test(requested)
  ) {
    return { ok: false, reason: '"~" is not expanded: give a path relative to the project root' };
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

/**
 * What the operator decided beyond the defaults, set once per process (the sandbox
 * worker receives it before its first operation). A hard link is a second name for
 * the same file: one inside the root can name a file that lives outside it (a key,
 * another user's data), and nothing on the path shows it, so by default a regular file
 * with more than one name is refused; `--allow-hard-links` serves them.
 */
export interface PathPolicy {
  allowHardLinks: boolean;
}

const policy: PathPolicy = { allowHardLinks: false };

/** Sets the process-wide path policy (main.ts through the sandbox client; tests). */
export function configurePathPolicy(p: Partial<PathPolicy>): void {
  if (p.allowHardLinks !== undefined) policy.allowHardLinks = p.allowHardLinks;
}

/** The policy in force. */
export function pathPolicy(): Readonly<PathPolicy> {
  return { ...policy };
}

/**
 * The refusal for a regular file with several names, unless the policy allows them;
 * undefined when the file may be served. Directories always have several links.
 *
 * @example hardLinkRefusal({ isFile: true, nlink: 2, ... }) // "is a hard link (2 names) and may also be named outside the project root; ..."
 */
export function hardLinkRefusal(
  info: Deno.FileInfo,
  p: Readonly<PathPolicy> = policy,
): string | undefined {
  if (p.allowHardLinks || !info.isFile || info.nlink === null || info.nlink <= 1) return undefined;
  return `is a hard link (${info.nlink} names) and may also be named outside the project root; ` +
    "files with several hard links are refused unless the server runs with --allow-hard-links";
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
 * path, then the kind of what it points at. Only regular files and directories pass,
 * and regular files with more than one hard link only when the policy allows them.
 *
 * @example resolveInsideRoot("/proj", "link-to-etc/passwd") // { ok: false, reason: "path resolves outside the project root (through a symlink)" }
 */
export function resolveInsideRoot(
  root: string,
  requested: string,
  fs: PathFs = denoPathFs,
  p: Readonly<PathPolicy> = policy,
): Decision<Resolved> {
  const lexical = lexicalCandidate(root, requested);
  if (!lexical.ok) return lexical;
  let real: string;
  try {
    real = fs.realPath(lexical.value);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      return { ok: false, reason: "no such file or directory" };
    }
    if (err instanceof Deno.errors.NotADirectory) {
      return { ok: false, reason: "a component of the path is not a directory" };
    }
    if (err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied) {
      return { ok: false, reason: "path is outside the project root" };
    }
    if (err instanceof Deno.errors.FilesystemLoop) {
      return { ok: false, reason: "too many levels of symbolic links" };
    }
    return { ok: false, reason: `cannot resolve the path (${errorCode(err)})` };
  }
  if (!isInside(root, real)) {
    return { ok: false, reason: "path resolves outside the project root (through a symlink)" };
  }
  let info: Deno.FileInfo;
  try {
    info = fs.lstat(real);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      return { ok: false, reason: "no such file or directory" };
    }
    return { ok: false, reason: `cannot inspect the path (${errorCode(err)})` };
  }
  const kind = kindOf(info);
  if (kind !== "file" && kind !== "directory") {
    return { ok: false, reason: `is a ${describeKind(kind)}, not a regular file or directory` };
  }
  const linked = hardLinkRefusal(info, p);
  if (linked !== undefined) return { ok: false, reason: linked };
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
