/**
 * ruff's `per-file-ignores`, applied by us: the wasm engine checks a bare string and
 * always calls the file "<filename>", so it cannot match a pattern against the real path.
 * We match paths the way ruff does (globset syntax, basename or anchored pattern) and hand
 * the engine only the selectors that apply, so ruff itself still interprets the rule codes.
 */

/** One `per-file-ignores` entry, with the directory its pattern is relative to. */
export interface PerFileIgnore {
  /** The pattern as written, possibly starting with "!" (applies to files it does NOT match). */
  pattern: string;
  /** Rule selectors as written ("F401", "E4", "ALL"); ruff validates them. */
  selectors: string[];
  /** Directory of the configuration that defined it, relative to the project root ("" = root), "/"-separated. */
  baseDir: string;
}

/** Why a glob could not be compiled; the message names the glob. */
export class GlobError extends Error {
  override name = "GlobError";
}

const ANY = "[\\s\\S]";

/**
 * Translates a glob to an anchored RegExp with the semantics ruff gets from globset's
 * defaults: `*` and `?` also match "/", `**` spans directories, `[...]`, `{a,b}`, `\` escapes.
 *
 * @example globToRegExp("tests/**\/*.py").test("tests/a/b/test_x.py") // true
 * @example globToRegExp("*.py").test("pkg/mod.py") // true: `*` crosses "/" as in ruff
 */
export function globToRegExp(glob: string): RegExp {
  let out = "";
  /** Depth of open `{` groups. */
  let braces = 0;
  const chars = [...glob];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!; // i < chars.length
    switch (c) {
      case "\\": {
        const next = chars[i + 1];
        if (next === undefined) throw new GlobError(`invalid glob "${glob}": dangling escape "\\"`);
        out += escapeLiteral(next);
        i++;
        break;
      }
      case "?":
        out += ANY;
        break;
      case "*": {
        if (chars[i + 1] !== "*") {
          out += `${ANY}*`;
          break;
        }
        const prev = chars[i - 1];
        const next = chars[i + 2];
        const atStart = i === 0 || prev === "{" || prev === ",";
        const afterSeparator = prev === "/";
        const beforeSeparatorOrEnd = next === undefined || next === "/" ||
          (braces > 0 && (next === "," || next === "}"));
        i++; // consume the second "*"
        if ((atStart || afterSeparator) && beforeSeparatorOrEnd) {
          if (next === "/") {
            // "**/" at the start: any number of leading directories, including none;
            // "/**/" inside: zero or more directories between the two sides.
            out += atStart ? `(?:/?|${ANY}*/)` : `(?:${ANY}*/)?`;
            i++; // consume the "/"
          } else {
            out += `${ANY}*`; // "**" alone, or "/**" at the end: everything below
          }
        } else {
          out += `${ANY}*${ANY}*`; // "**" elsewhere is two "*", as in globset
        }
        break;
      }
      case "[": {
        const { source, end } = characterClass(chars, i, glob);
        out += source;
        i = end;
        break;
      }
      case "{":
        braces++;
        out += "(?:";
        break;
      case "}":
        if (braces === 0) throw new GlobError(`invalid glob "${glob}": "}" without an opening "{"`);
        braces--;
        out += ")";
        break;
      case ",":
        out += braces > 0 ? "|" : ",";
        break;
      default:
        out += escapeLiteral(c);
    }
  }
  if (braces > 0) throw new GlobError(`invalid glob "${glob}": unclosed "{"`);
  return new RegExp(`^${out}$`, "u");
}

function escapeLiteral(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/** Reads `[...]` starting at `start`; `]` right after `[` or `[!` is a literal, as in globset. */
function characterClass(
  chars: string[],
  start: number,
  glob: string,
): { source: string; end: number } {
  let i = start + 1;
  let negated = false;
  if (chars[i] === "!" || chars[i] === "^") {
    negated = true;
    i++;
  }
  const items: string[] = [];
  let first = true;
  for (; i < chars.length; i++) {
    const c = chars[i]!; // i < chars.length
    if (c === "]" && !first) {
      if (items.length === 0) throw new GlobError(`invalid glob "${glob}": empty character class`);
      return { source: `[${negated ? "^" : ""}${items.join("")}]`, end: i };
    }
    first = false;
    const hi = chars[i + 2];
    if (chars[i + 1] === "-" && hi !== undefined && hi !== "]") {
      if (hi < c) throw new GlobError(`invalid glob "${glob}": invalid range ${c}-${hi}`);
      items.push(`${escapeClassChar(c)}-${escapeClassChar(hi)}`);
      i += 2;
    } else {
      items.push(escapeClassChar(c));
    }
  }
  throw new GlobError(`invalid glob "${glob}": unclosed character class "["`);
}

function escapeClassChar(c: string): string {
  return /[\\\]\[^-]/.test(c) ? `\\${c}` : c;
}

/** Joins a root-relative directory and a relative pattern, resolving "." and ".." lexically as ruff does. */
export function joinPattern(baseDir: string, pattern: string): string {
  if (pattern.startsWith("/")) return pattern; // absolute (outside the root): never matches a relative path
  const parts: string[] = [];
  for (const part of `${baseDir}/${pattern}`.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length > 0 && parts[parts.length - 1] !== "..") parts.pop();
      else parts.push(".."); // above the root: can never match a path inside it
    } else {
      parts.push(part);
    }
  }
  return parts.join("/");
}

const compiled = new Map<string, RegExp>();
const COMPILED_CAP = 512;

function cachedGlob(glob: string): RegExp {
  let re = compiled.get(glob);
  if (re === undefined) {
    re = globToRegExp(glob);
    if (compiled.size >= COMPILED_CAP) compiled.clear();
    compiled.set(glob, re);
  }
  return re;
}

/**
 * Whether an entry applies to a file, by ruff's rule: the pattern matches the file's
 * basename, or the pattern joined to its base directory matches the whole path; a "!"
 * pattern applies when neither matches. Throws GlobError for an invalid pattern.
 *
 * @example appliesTo({ pattern: "tests/*", selectors: ["D"], baseDir: "pkg" }, "pkg/tests/a.py") // true
 */
export function appliesTo(entry: PerFileIgnore, relPath: string): boolean {
  const path = relPath.replaceAll("\\", "/").replace(/^\.\//, "");
  const negated = entry.pattern.startsWith("!");
  const pattern = negated ? entry.pattern.slice(1) : entry.pattern;
  const basename = path.slice(path.lastIndexOf("/") + 1);
  const matches = cachedGlob(pattern).test(basename) ||
    cachedGlob(joinPattern(entry.baseDir, pattern)).test(path);
  return matches !== negated;
}

/**
 * Reads a `per-file-ignores` table ({ pattern: [selectors] }) into entries, or returns
 * a message naming the key that is not a list of strings.
 */
export function readPerFileIgnoresTable(
  value: unknown,
  baseDir: string,
  key: string,
): PerFileIgnore[] | string {
  if (!isTable(value)) return `"${key}" must be a table of pattern = [rule codes]`;
  const entries: PerFileIgnore[] = [];
  for (const [pattern, selectors] of Object.entries(value)) {
    if (!Array.isArray(selectors) || !selectors.every((s) => typeof s === "string")) {
      return `"${key}" entry "${pattern}" must be a list of rule codes`;
    }
    entries.push({ pattern, selectors: [...selectors], baseDir });
  }
  return entries;
}

/** A plain table (TOML table or JS object), not an array, date or null. */
export function isTable(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
