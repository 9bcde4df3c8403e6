/**
 * ruff's file selection, as `ruff check <dir>` applies it: `exclude` (ruff's defaults unless
 * replaced), `extend-exclude`, `lint.exclude`, `include`, `extend-include`, matched the way ruff's
 * FilePattern does (a user pattern matches the path joined to its configuration's directory, and,
 * when it has no "/", the entry's name as well; a built-in pattern matches the name). Pure: paths
 * are relative to the project root, "/"-separated.
 */
import { globToRegExp, joinPattern } from "./per_file_ignores.ts";

/** ruff 0.16.9's default `exclude` (`ruff check --show-settings`). */
export const RUFF_DEFAULT_EXCLUDES: readonly string[] = [
  ".bzr",
  ".direnv",
  ".eggs",
  ".git",
  ".git-rewrite",
  ".hg",
  ".ipynb_checkpoints",
  ".mypy_cache",
  ".nox",
  ".pants.d",
  ".pyenv",
  ".pytest_cache",
  ".pytype",
  ".ruff_cache",
  ".svn",
  ".tox",
  ".venv",
  ".vscode",
  "__pypackages__",
  "_build",
  "buck-out",
  "dist",
  "node_modules",
  "site-packages",
  "venv",
];

/** ruff 0.16.9's default `include`; of these, the built-in engine checks Python sources only. */
export const RUFF_DEFAULT_INCLUDES: readonly string[] = [
  "*.py",
  "*.pyi",
  "*.ipynb",
  "**/pyproject.toml",
  "**/ruff.toml",
  "**/.ruff.toml",
  "*.md",
];

/** A pattern from a configuration file, with the directory it is relative to ("" = root). */
export interface FilePattern {
  pattern: string;
  baseDir: string;
  /** ruff's own defaults match by name only. */
  builtin?: boolean;
}

/** The selection settings of one resolved configuration (the closest one governs a path). */
export interface RuffSelection {
  /** `exclude` as configured, or ruff's defaults. */
  exclude: FilePattern[];
  extendExclude: FilePattern[];
  /** `lint.exclude`: files the linter skips although they are selected. */
  lintExclude: FilePattern[];
  include: FilePattern[];
  extendInclude: FilePattern[];
  forceExclude: boolean;
  respectGitignore: boolean;
  /** `src`, root-relative ("" = root); globs already expanded by the caller when needed. */
  src: string[];
  /** `namespace-packages`, root-relative. */
  namespacePackages: string[];
}

/** The selection of a project with no ruff configuration: ruff's defaults, `src` = [".", "src"]. */
export function defaultSelection(baseDir = ""): RuffSelection {
  return {
    exclude: RUFF_DEFAULT_EXCLUDES.map((pattern) => ({ pattern, baseDir, builtin: true })),
    extendExclude: [],
    lintExclude: [],
    include: RUFF_DEFAULT_INCLUDES.map((pattern) => ({ pattern, baseDir, builtin: true })),
    extendInclude: [],
    forceExclude: false,
    respectGitignore: true,
    src: [joinPattern(baseDir, "."), joinPattern(baseDir, "src")],
    namespacePackages: [],
  };
}

const compiled = new Map<string, RegExp>();

function glob(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re === undefined) {
    re = globToRegExp(pattern);
    if (compiled.size > 1024) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

/**
 * Whether one of the patterns matches the path (root-relative) or, for patterns without "/",
 * its last component. An invalid glob never matches (ruff refuses it when loading instead).
 *
 * @example matchesAny([{ pattern: "docs", baseDir: "" }], "pkg/docs") // true: by name
 * @example matchesAny([{ pattern: "pkg/_vendor", baseDir: "" }], "pkg/_vendor") // true: anchored
 */
export function matchesAny(patterns: readonly FilePattern[], rel: string): boolean {
  const name = rel.slice(rel.lastIndexOf("/") + 1);
  for (const p of patterns) {
    try {
      if (p.builtin) {
        if (glob(p.pattern).test(name) || glob(p.pattern).test(rel)) return true;
        continue;
      }
      if (!p.pattern.includes("/") && glob(p.pattern).test(name)) return true;
      const anchored = joinPattern(p.baseDir, p.pattern);
      if (!anchored.startsWith("/") && glob(anchored).test(rel)) return true;
    } catch {
      // an invalid glob matches nothing
    }
  }
  return false;
}

/** ruff's exclusion test for an entry below the walked path: `exclude` or `extend-exclude`. */
export function isExcluded(sel: RuffSelection, rel: string): boolean {
  return matchesAny(sel.exclude, rel) || matchesAny(sel.extendExclude, rel);
}

/** ruff's inclusion test for a file found by the walk: `include` or `extend-include`. */
export function isIncluded(sel: RuffSelection, rel: string): boolean {
  return matchesAny(sel.include, rel) || matchesAny(sel.extendInclude, rel);
}
