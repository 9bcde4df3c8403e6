/**
 * Which files a project-wide operation (run_linter on a folder, search_code, a deep
 * list_directory) visits, decided the way the project's own tools would: .gitignore files
 * (nested ones and negations included) and .git/info/exclude through the `ignore` library,
 * vendored and generated folders, binaries, minified files, symlinks leading out, and caps.
 * Pure: the sandbox walker (src/sandbox/walk.ts) reads the disk and asks these functions.
 */
import ignore, { type Ignore } from "ignore";
import picomatch from "picomatch";
import { looksBinary } from "./content.ts";
import { isGitFolderName } from "./paths.ts";

/** Folders skipped by name wherever they are: installed dependencies, environments, build output, caches. */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set([
  ".git",
  ".hg",
  ".svn",
  "node_modules",
  ".venv",
  "venv",
  "dist",
  "build",
  "__pycache__",
  ".tox",
  ".nox",
  ".mypy_cache",
  ".pytest_cache",
  ".ruff_cache",
  ".eggs",
]);

/** Version control folders: never entered by any walk (rg's `--glob !.git` and its like). */
const VCS_DIRS: ReadonlySet<string> = new Set([".git", ".hg", ".svn"]);

/** Extensions of files that are never text worth linting or searching. */
const BINARY_EXTENSIONS: ReadonlySet<string> = new Set([
  ".png",
  ".jpg",
  ".jpeg",
  ".gif",
  ".bmp",
  ".ico",
  ".webp",
  ".tiff",
  ".psd",
  ".pdf",
  ".zip",
  ".gz",
  ".tgz",
  ".bz2",
  ".xz",
  ".zst",
  ".7z",
  ".rar",
  ".tar",
  ".jar",
  ".whl",
  ".egg",
  ".so",
  ".dylib",
  ".dll",
  ".exe",
  ".o",
  ".a",
  ".lib",
  ".bin",
  ".class",
  ".pyc",
  ".pyo",
  ".pyd",
  ".wasm",
  ".woff",
  ".woff2",
  ".ttf",
  ".otf",
  ".eot",
  ".mp3",
  ".mp4",
  ".wav",
  ".ogg",
  ".mov",
  ".avi",
  ".webm",
  ".sqlite",
  ".db",
  ".pickle",
  ".pkl",
  ".npy",
  ".npz",
  ".parquet",
]);

/** A line longer than this marks a file as minified or generated; it is skipped with a note. */
export const MINIFIED_LINE_CHARS = 4000;

/** Caps of a walk; each one reached is said in the answer. */
export interface WalkCaps {
  /** Most files handed to the operation. */
  maxFiles: number;
  /** Most bytes of file content handed to the operation, all files together. */
  maxTotalBytes: number;
  /** Largest single file; larger ones are skipped with a note. */
  maxFileBytes: number;
  /** Most directory entries looked at, whatever happens to them (bounds the walk itself). */
  maxEntries: number;
}

export const LINT_WALK_CAPS: WalkCaps = Object.freeze({
  maxFiles: 5_000,
  maxTotalBytes: 64 * 1024 * 1024,
  maxFileBytes: 1024 * 1024,
  maxEntries: 200_000,
});

export const SEARCH_WALK_CAPS: WalkCaps = Object.freeze({
  maxFiles: 20_000,
  maxTotalBytes: 256 * 1024 * 1024,
  maxFileBytes: 2 * 1024 * 1024,
  maxEntries: 400_000,
});

/** Why a file or folder was left out; counted per reason in every answer. */
export type SkipReason =
  | "ignored"
  | "vendored"
  | "binary"
  | "minified"
  | "symlink-outside"
  | "symlink-directory"
  | "too-large"
  | "secret"
  | "hard-link"
  | "not-text";

/** Lower-case extension of a name's last component ("" for none; ".bashrc" has none). */
function extOf(name: string): string {
  const base = name.slice(name.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot <= 0 ? "" : base.slice(dot).toLowerCase();
}

/**
 * True for a folder skipped by its name alone.
 *
 * @example isSkippedDir("node_modules") === true; isSkippedDir("src") === false
 */
export function isSkippedDir(name: string): boolean {
  return SKIPPED_DIRS.has(name) || name.endsWith(".egg-info");
}

/**
 * True for a version control folder (.git in any spelling the OS opens as .git, .hg, .svn):
 * search_code, which otherwise skips only what ignore files say (as rg does), never enters one.
 *
 * @example isVcsDir(".git") === true; isVcsDir("build") === false
 */
export function isVcsDir(name: string): boolean {
  return VCS_DIRS.has(name) || isGitFolderName(name);
}

/** True when the name says binary (an image, an archive, compiled code). */
export function isBinaryName(name: string): boolean {
  return BINARY_EXTENSIONS.has(extOf(name));
}

export { looksBinary };

/** True for `*.min.js`-style names, skipped without reading. */
export function isMinifiedName(name: string): boolean {
  return /\.min\.(js|mjs|cjs|css)$/i.test(name);
}

/**
 * True when some line of the text is longer than MINIFIED_LINE_CHARS (a bundle, a generated table).
 *
 * @example hasMinifiedLine("a = 1\n") === false; hasMinifiedLine("x".repeat(5000)) === true
 */
export function hasMinifiedLine(text: string): boolean {
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf("\n", start);
    const end = nl === -1 ? text.length : nl;
    if (end - start > MINIFIED_LINE_CHARS) return true;
    if (nl === -1) break;
    start = nl + 1;
  }
  return false;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The text of a walked file's bytes, or why the file is skipped: a NUL early on, not UTF-8, or
 * a minified line (what search_code and a project lint both leave out after reading).
 *
 * @example walkedText(new TextEncoder().encode("a = 1\n")) === "a = 1\n"
 */
export function walkedText(
  bytes: Uint8Array,
): string | { skip: "binary" | "not-text" | "minified" } {
  if (looksBinary(bytes)) return { skip: "binary" };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { skip: "not-text" };
  }
  return hasMinifiedLine(text) ? { skip: "minified" } : text;
}

/** One .gitignore (or exclude file) and the folder its patterns are relative to. */
interface Layer {
  /** Folder relative to the root, "" for the root, else ending with "/". */
  base: string;
  rules: Ignore;
}

/**
 * The ignore rules in force in one folder: the root's .git/info/exclude, then every .gitignore
 * from the root down to this folder. A deeper file wins over a shallower one, and within a file
 * the last matching pattern wins, so `!keep.log` re-includes what `*.log` excluded (git's rules).
 */
export class IgnoreRules {
  readonly #layers: readonly Layer[];

  private constructor(layers: readonly Layer[]) {
    this.#layers = layers;
  }

  static empty(): IgnoreRules {
    return new IgnoreRules([]);
  }

  /**
   * These rules plus the patterns of a file in `base` (relative to the root, "" or ending with "/").
   *
   * @example IgnoreRules.empty().with("", "*.log\n!keep.log\n").ignores("a/keep.log", false) === false
   */
  with(base: string, patterns: string): IgnoreRules {
    // ignore() refuses absolute or "../" paths with an exception; rules only ever see relative ones.
    const rules = ignore({ allowRelativePaths: true }).add(patterns);
    return new IgnoreRules([...this.#layers, { base, rules }]);
  }

  /** True when the entry at `rel` (relative to the root, "/" separators) is ignored. */
  ignores(rel: string, isDir: boolean): boolean {
    for (let i = this.#layers.length - 1; i >= 0; i--) {
      const layer = this.#layers[i]!;
      if (layer.base !== "" && !rel.startsWith(layer.base)) continue;
      const sub = rel.slice(layer.base.length);
      if (sub === "") continue;
      const r = layer.rules.test(isDir ? sub + "/" : sub);
      if (r.ignored) return true;
      if (r.unignored) return false;
    }
    return false;
  }
}

/** Characters that make a path argument a glob rather than a plain path. */
const GLOB_CHARS = /[*?[\]{}]/;

/** True when the text is a glob pattern ("src/**\/*.py", "*.sh") rather than a path. */
export function isGlob(text: string): boolean {
  return GLOB_CHARS.test(text);
}

/**
 * A matcher for a glob relative to the root. A glob without "/" matches a file's name at any
 * depth ("*.py" as ripgrep's -g does); one with "/" matches the whole path from the root.
 *
 * @example globMatcher("*.py")("src/app.py") === true; globMatcher("src/*.py")("lib/app.py") === false
 */
export function globMatcher(glob: string): (rel: string) => boolean {
  const pattern = glob.replace(/^\.\//, "");
  return picomatch(pattern, { dot: true, basename: !pattern.includes("/") });
}

/**
 * The decision for a symlink met in a walk: links leading out of the root are skipped, links to
 * folders are not followed (no cycles, no file visited twice), links to files inside are visited.
 */
export function symlinkDecision(targetInside: boolean, targetIsDir: boolean): "visit" | SkipReason {
  if (!targetInside) return "symlink-outside";
  if (targetIsDir) return "symlink-directory";
  return "visit";
}

/** Words for the skip counts in an answer: "3 ignored by .gitignore, 1 binary". */
export const SKIP_WORDS: Readonly<Record<SkipReason, string>> = Object.freeze({
  "ignored": "ignored by .gitignore",
  "vendored": "in vendored or generated folders",
  "binary": "binary",
  "minified": `minified (a line over ${MINIFIED_LINE_CHARS} characters)`,
  "symlink-outside": "symlinks leading out of the project",
  "symlink-directory": "symlinked folders (not followed)",
  "too-large": "too large",
  "secret": "credential files",
  "hard-link": "hard links (files with more than one name)",
  "not-text": "not UTF-8 text",
});

/** "3 ignored by .gitignore, 1 binary" from counts; "" when nothing was skipped. */
export function describeSkips(counts: Partial<Record<SkipReason, number>>): string {
  return (Object.keys(SKIP_WORDS) as SkipReason[])
    .filter((k) => (counts[k] ?? 0) > 0)
    .map((k) => `${counts[k]} ${SKIP_WORDS[k]}`)
    .join(", ");
}

/** Limits of the project-wide tools, stated in their answers when reached. */
export const PROJECT_LIMITS = Object.freeze({
  /** Findings a project lint keeps (it counts beyond). */
  lintMaxFindings: 20_000,
  /** Matching lines a search collects before it stops. */
  searchMaxMatches: 5_000,
  /** Wall-clock budget of one search. */
  searchTimeBudgetMs: 10_000,
  /** A matching line longer than this is cut around the match. */
  searchMaxLineChars: 300,
  /** Deepest tree list_directory shows. */
  maxListDepth: 5,
  /** Subprocess linters running at once in one project lint under stdio (1 over HTTP). */
  lintConcurrency: 2,
});
