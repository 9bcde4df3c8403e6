/**
 * Where a path may lead. A request names a path relative to the project root (or
 * absolute inside it); the answer is the real path to open, or a reason to refuse.
 * Containment is decided on real paths by whole components, so `/proj2` is not
 * inside `/proj` and a symlink inside the root that points outside is refused.
 */
import * as path from "node:path";
import { LIMITS } from "../limits.ts";
import type { Result } from "../result.ts";

/** A path decision: the one Result shape (src/result.ts); the name stays for its importers. */
export type Decision<T> = Result<T>;

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
 * The path rules of one operating system: its separators and parsing (node's `path.posix` or
 * `path.win32`), whether its usual file system ignores case, and which names it rewrites
 * before opening (Windows: streams, devices, trailing dots; macOS: Unicode the file system
 * ignores). Every check takes one, defaulting to the running OS, so tests run all three here.
 */
export interface PathPlatform {
  readonly name: "posix" | "darwin" | "win32";
  readonly path: path.PlatformPath;
  /** The default file system ignores case (macOS APFS/HFS+, NTFS): compare names folded. */
  readonly caseInsensitive: boolean;
  /** Windows' Win32 name rules apply (drives, UNC, streams, devices, 8.3 names, trailing dots). */
  readonly windowsNames: boolean;
}

export const POSIX: PathPlatform = Object.freeze({
  name: "posix",
  path: path.posix,
  caseInsensitive: false,
  windowsNames: false,
});
export const DARWIN: PathPlatform = Object.freeze({
  name: "darwin",
  path: path.posix,
  caseInsensitive: true,
  windowsNames: false,
});
export const WIN32: PathPlatform = Object.freeze({
  name: "win32",
  path: path.win32,
  caseInsensitive: true,
  windowsNames: true,
});

/** The rules for an OS as `Deno.build.os` names it. */
export function platformFor(os: typeof Deno.build.os): PathPlatform {
  if (os === "windows") return WIN32;
  if (os === "darwin") return DARWIN;
  return POSIX;
}

/** The rules of the OS this process runs on: the default everywhere. */
export const HOST_PLATFORM: PathPlatform = platformFor(Deno.build.os);

/** Names Windows opens as devices, in any folder and with any extension (`NUL.txt`, `com1.py`). */
const WINDOWS_DEVICE =
  /^(con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3]|conin\$|conout\$)$/i;
/** Characters Win32 refuses in a name, or treats as wildcards (control characters: below). */
const WINDOWS_BAD_CHAR = /[<>"|?*]/;
const hasControlChar = (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20);
/** Code points HFS+ ignores in names, so `.g\u200cit` opens `.git` (git's protectHFS list). */
const DARWIN_IGNORED = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g;

/**
 * Why Windows would not open one path component under the name it shows, or undefined.
 * `.` and `..` are not judged here (normalisation handles them).
 *
 * @example windowsNameRefusal(".env::$DATA") // "names an NTFS alternate data stream (\":\" in a name)"
 * @example windowsNameRefusal("AUX.py") // "is a Windows device name (AUX)"
 * @example windowsNameRefusal("app.py") === undefined
 */
export function windowsNameRefusal(component: string): string | undefined {
  if (component === "." || component === "..") return undefined;
  if (component.includes(":")) return 'names an NTFS alternate data stream (":" in a name)';
  if (WINDOWS_BAD_CHAR.test(component) || hasControlChar(component)) {
    return 'contains a character Windows does not allow in a name (<>"|?* or a control character)';
  }
  if (/[. ]$/.test(component)) {
    return "ends in a dot or a space, which Windows strips (it would open another name)";
  }
  const stem = component.split(".")[0]!.replace(/ +$/, "");
  if (WINDOWS_DEVICE.test(stem)) return `is a Windows device name (${stem.toUpperCase()})`;
  if (/~[0-9]/.test(component)) {
    return "looks like an 8.3 short name (NAME~1), which can name another file: use the long name";
  }
  return undefined;
}

/**
 * Why a requested path is refused under Windows' rules before it is resolved: UNC and device
 * paths, drive-relative paths, and any component `windowsNameRefusal` refuses (for an absolute
 * path inside `root`, only the components below the root: those above are the operator's).
 *
 * @example windowsPathRefusal("\\\\?\\C:\\x") // "is a UNC or device path (\\\\server\\share, \\\\?\\, \\\\.\\): give a path relative to the project root"
 * @example windowsPathRefusal("C:secret") // "is drive-relative (C:name): give a path relative to the project root"
 */
export function windowsPathRefusal(requested: string, root?: string): string | undefined {
  if (/^[\\/]{2}/.test(requested)) {
    return "is a UNC or device path (\\\\server\\share, \\\\?\\, \\\\.\\): give a path relative to the project root";
  }
  let rest = requested;
  const drive = /^[A-Za-z]:/.exec(requested);
  if (drive) {
    if (!/^[A-Za-z]:[\\/]/.test(requested)) {
      return "is drive-relative (C:name): give a path relative to the project root";
    }
    rest = requested.slice(3);
    // Only what lies below the root is judged: the root's own names are the operator's.
    if (root !== undefined) {
      const base = root.replace(/[\\/]+$/, "").replaceAll("/", "\\").toLowerCase() + "\\";
      const asked = requested.replaceAll("/", "\\").toLowerCase();
      if (asked.startsWith(base)) rest = requested.slice(base.length);
    }
  }
  for (const part of rest.split(/[\\/]+/)) {
    if (part === "") continue;
    const why = windowsNameRefusal(part);
    if (why !== undefined) return `${JSON.stringify(part)} ${why}`;
  }
  return undefined;
}

/**
 * One path component as the OS will look it up, for comparing against names the policy
 * refuses: Windows drops a stream suffix and trailing dots and spaces, HFS+ ignores some
 * invisible code points, and where case is ignored the name is folded to lower case.
 *
 * @example nameAsOpened(".ENV. ", WIN32) === ".env"; nameAsOpened(".env::$DATA", WIN32) === ".env"
 * @example nameAsOpened(".ENV", POSIX) === ".ENV"
 */
export function nameAsOpened(component: string, platform: PathPlatform = HOST_PLATFORM): string {
  let name = component;
  if (platform.windowsNames) {
    const colon = name.indexOf(":");
    if (colon >= 0) name = name.slice(0, colon);
    name = name.replace(/[. ]+$/, "");
    if (name === "") name = component; // "." and ".." stay themselves
  }
  if (platform.name === "darwin") name = name.replace(DARWIN_IGNORED, "").normalize("NFC");
  return platform.caseInsensitive ? name.toLowerCase() : name;
}

/**
 * Why one name from a repository or a folder listing may not become a path component here,
 * or undefined: empty, `.`, `..`, a separator or NUL, the `.git` folder under any spelling the
 * OS would open as it (`.GIT`, `.git.`, `GIT~1`), and on Windows every name
 * `windowsNameRefusal` refuses. Git tree entries go through this before they become paths.
 *
 * @example componentRefusal("..") !== undefined; componentRefusal(".Git", DARWIN) !== undefined
 */
export function componentRefusal(
  name: string,
  platform: PathPlatform = HOST_PLATFORM,
): string | undefined {
  if (name === "" || name === "." || name === "..") return "is not a plain name";
  if (name.includes("\0") || name.includes("/")) return "contains a separator or a NUL byte";
  if (platform.windowsNames && name.includes("\\")) return "contains a separator";
  if (isGitFolderName(name, platform)) return "is the .git folder";
  if (platform.windowsNames) return windowsNameRefusal(name);
  return undefined;
}

/**
 * True when the OS would open `name` as a folder called `.git`: any case (git's own check is
 * case-blind everywhere), and Windows' and macOS' other spellings of it.
 *
 * @example isGitFolderName(".GIT") === true; isGitFolderName("git~1", WIN32) === true
 */
export function isGitFolderName(name: string, platform: PathPlatform = HOST_PLATFORM): boolean {
  const opened = nameAsOpened(name, platform).toLowerCase();
  if (opened === ".git") return true;
  return platform.windowsNames && /^git~[0-9]+$/i.test(name);
}

/**
 * True when `p` is `root` or below it, by whole path components under the platform's
 * separator. Both must be absolute and normalised for that platform. Case counts unless
 * `ignoreCase`: real paths are the OS's canonical spelling on both sides, and folding them
 * would let a case-sensitive volume's `PROJ` pass for `proj`; requests are compared folded
 * where the platform ignores case (lexicalCandidate), and realInside decides the rest.
 *
 * @example isInside("/proj", "/proj/a") === true; isInside("/proj", "/proj2/a") === false
 * @example isInside("C:\\Proj", "c:\\proj\\a", WIN32, true) === true
 */
export function isInside(
  root: string,
  p: string,
  platform: PathPlatform = HOST_PLATFORM,
  ignoreCase = false,
): boolean {
  const fold = (s: string) => (ignoreCase ? s.toLowerCase() : s);
  const r = fold(root);
  const q = fold(p);
  if (q === r) return true;
  const sep = platform.path.sep;
  const prefix = r.endsWith(sep) ? r : r + sep;
  return q.startsWith(prefix);
}

/**
 * The lexical step: turns a requested path into a normalised absolute candidate
 * inside the root, without touching the disk. Refuses NUL bytes, `~`, overlong
 * paths, anything that leaves the root by `..` or by being absolute elsewhere, and on
 * Windows the names Windows would open as something else (`windowsPathRefusal`).
 *
 * @example lexicalCandidate("/proj", "../etc/passwd") // { ok: false, reason: "path is outside the project root" }
 * @example lexicalCandidate("C:\\proj", "src\\..\\..\\x", WIN32) // { ok: false, reason: "path is outside the project root" }
 */
export function lexicalCandidate(
  root: string,
  requested: string,
  platform: PathPlatform = HOST_PLATFORM,
): Decision<string> {
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
  if (platform.windowsNames) {
    const why = windowsPathRefusal(requested, root);
    if (why !== undefined) return { ok: false, reason: `path ${why}` };
  }
  const p = platform.path;
  const trimmed = requested === "" ? "." : requested;
  const abs = p.isAbsolute(trimmed) ? p.resolve(trimmed) : p.resolve(root, trimmed);
  if (!isInside(root, abs, platform, platform.caseInsensitive)) {
    return { ok: false, reason: "path is outside the project root" };
  }
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
  platform: PathPlatform = HOST_PLATFORM,
): Decision<Resolved> {
  const lexical = lexicalCandidate(root, requested, platform);
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
  if (!realInside(root, real, fs, platform)) {
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
  return { ok: true, value: { real, rel: relativeToRoot(root, real, platform), kind, info } };
}

/**
 * Containment of a real path (the OS's canonical form: on Windows the final path of the opened
 * handle, long names and on-disk case). Compared exactly first; where the platform ignores
 * case, a spelling that differs only in case is inside only when its root-length prefix is
 * the root's own folder (same device and inode), so a case-sensitive volume's `PROJ` beside
 * `proj` stays outside.
 */
export function realInside(
  root: string,
  real: string,
  fs: PathFs = denoPathFs,
  platform: PathPlatform = HOST_PLATFORM,
): boolean {
  if (isInside(root, real, platform)) return true;
  if (!platform.caseInsensitive || !isInside(root, real, platform, true)) return false;
  const prefix = real.slice(0, root.length);
  try {
    const a = fs.lstat(root);
    const b = fs.lstat(prefix);
    return a.ino !== null && a.dev === b.dev && a.ino === b.ino;
  } catch {
    return false;
  }
}

/**
 * Relative path with "/" separators; "." for the root. `p` is inside `root` under the
 * platform's rules (in any case where the platform ignores it).
 */
export function relativeToRoot(
  root: string,
  p: string,
  platform: PathPlatform = HOST_PLATFORM,
): string {
  const sep = platform.path.sep;
  if (isInside(root, p, platform, platform.caseInsensitive)) {
    if (p.length === root.length) return ".";
    const rest = p.slice(root.endsWith(sep) ? root.length : root.length + 1);
    return rest === "" ? "." : rest.split(sep).join("/");
  }
  const rel = platform.path.relative(root, p);
  return rel === "" ? "." : rel.split(sep).join("/");
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
