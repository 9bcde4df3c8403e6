/**
 * flake8's own file selection, as `flake8 .` applies it: `exclude` (flake8's defaults unless
 * replaced), `extend-exclude`, and `filename` (`*.py`), each a comma-separated list of fnmatch
 * patterns that match an entry's name or its absolute path; a pattern with "/" is taken relative
 * to the configuration's folder (the project root). An excluded folder is not entered. Pure:
 * paths are root-relative, "/"-separated.
 */

/** flake8's default `exclude`. */
export const FLAKE8_DEFAULT_EXCLUDE: readonly string[] = [
  ".svn",
  "CVS",
  ".bzr",
  ".hg",
  ".git",
  "__pycache__",
  ".tox",
  ".nox",
  ".eggs",
  "*.egg",
];

export interface Flake8Selection {
  exclude: readonly string[];
  extendExclude: readonly string[];
  filename: readonly string[];
}

export const DEFAULT_FLAKE8_SELECTION: Flake8Selection = {
  exclude: FLAKE8_DEFAULT_EXCLUDE,
  extendExclude: [],
  filename: ["*.py"],
};

/** Where the root stands in the absolute paths patterns are matched against. */
const ROOT = "/__flake8_root__";

/** Python's fnmatch as a regular expression: "*" and "?" cross "/", "[!...]" negates. */
export function fnmatchRegExp(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") out += ".*";
    else if (c === "?") out += ".";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end === -1) {
        out += "\\[";
        continue;
      }
      let body = pattern.slice(i + 1, end);
      const negated = body.startsWith("!");
      if (negated) body = body.slice(1);
      out += `[${negated ? "^" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
      i = end;
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${out}$`, "su");
}

/** A pattern as flake8 normalises it: with "/", made absolute from the root. */
function normalise(pattern: string): string {
  if (!pattern.includes("/")) return pattern;
  const parts: string[] = [];
  for (const p of `${ROOT}/${pattern}`.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  return `/${parts.join("/")}`;
}

/** flake8's matches_filename: the entry's name, or its absolute path, matches a pattern. */
export function matchesFilename(rel: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return false;
  const name = rel.slice(rel.lastIndexOf("/") + 1);
  const abs = rel === "" ? ROOT : `${ROOT}/${rel}`;
  return patterns.some((p) => {
    const re = fnmatchRegExp(normalise(p));
    return (name !== "." && name !== ".." && re.test(name)) || re.test(abs);
  });
}

/** Whether `flake8 .` enters folder `rel` or checks file `rel` (its folders on the way included). */
export function flake8Excludes(sel: Flake8Selection, rel: string): boolean {
  const patterns = [...sel.exclude, ...sel.extendExclude];
  const parts = rel.split("/");
  for (let i = 1; i <= parts.length; i++) {
    if (matchesFilename(parts.slice(0, i).join("/"), patterns)) return true;
  }
  return false;
}

/**
 * Whether `flake8 .` checks file `rel` found in a folder: not excluded, and its path as the walk
 * from "." spells it ("./pkg/a.py") matches a `filename` pattern as written (the whole path, not
 * the name: "a*.py" matches nothing, "./a*.py" and "*\/test_*.py" do; checked against flake8 5.0.4).
 */
export function flake8Selects(sel: Flake8Selection, rel: string): boolean {
  return !flake8Excludes(sel, rel) &&
    sel.filename.some((p) => fnmatchRegExp(p).test(`./${rel}`));
}
