/**
 * The project's own flake8 and pylint settings, honoured safely: the configuration files are
 * parsed here (INI with `ini`, TOML with smol-toml) and only a short list of known options with
 * checked values becomes command-line flags. The linters themselves still run isolated
 * (flake8 --isolated, pylint --rcfile=<empty>), so plugins, init hooks and anything else that
 * loads code never reach them. Pure: the caller reads the files.
 */
import ini from "ini";
import { parse as parseToml } from "smol-toml";

/** One candidate configuration file at the project root, as read (null when absent). */
export interface ConfigText {
  name: string;
  text: string | null;
}

/** The flags to add, the file they came from, and what was left out. */
export interface PythonLinterConfig {
  flags: string[];
  /** The configuration file used, relative to the root; absent when the project has none. */
  configFile?: string;
  /** Options present but not passed: refused ones (they load code) first, then unknown ones. */
  refused: string[];
  ignored: string[];
  /** A file that could not be parsed: the linter then runs with its defaults, and the answer says so. */
  error?: string;
  /**
   * The linter's file selection settings (flake8: exclude, extend-exclude, filename; pylint:
   * ignore, ignore-patterns, ignore-paths), applied by the walk, never passed.
   */
  files?: {
    exclude?: string[];
    extendExclude?: string[];
    filename?: string[];
    ignore?: string[];
    ignorePatterns?: string[];
    ignorePaths?: string[];
  };
}

/** flake8's files, in the order flake8 itself looks for them. */
export const FLAKE8_CONFIG_NAMES = ["setup.cfg", "tox.ini", ".flake8"] as const;
/** pylint's files, in the order pylint itself looks for them. */
export const PYLINT_CONFIG_NAMES = [
  "pylintrc",
  ".pylintrc",
  "pyproject.toml",
  "setup.cfg",
  "tox.ini",
] as const;

/** Options that load or run code: never passed, and named in the answer when present. */
export const CODE_LOADING_OPTIONS: ReadonlySet<string> = new Set([
  "load-plugins",
  "init-hook",
  "local-plugins",
  "require-plugins",
  "enable-extensions",
  "extension-pkg-allow-list",
  "extension-pkg-whitelist",
  "unsafe-load-any-extension",
  "rcfile",
  "output-format",
  "jobs",
]);

type Kind = "int" | "codes" | "per-file-ignores";

const FLAKE8_OPTIONS: Readonly<Record<string, Kind>> = {
  "max-line-length": "int",
  "max-doc-length": "int",
  "max-complexity": "int",
  "indent-size": "int",
  "select": "codes",
  "ignore": "codes",
  "extend-select": "codes",
  "extend-ignore": "codes",
  "per-file-ignores": "per-file-ignores",
};

const PYLINT_OPTIONS: Readonly<Record<string, Kind>> = {
  "max-line-length": "int",
  "max-args": "int",
  "max-locals": "int",
  "max-branches": "int",
  "max-statements": "int",
  "max-returns": "int",
  "max-attributes": "int",
  "max-module-lines": "int",
  "disable": "codes",
  "enable": "codes",
};

/** A flake8 code or prefix ("E501", "W", "C901"); a pylint id or symbol ("C0114", "missing-docstring", "all"). */
const CODE = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;
/** A per-file-ignores pattern: a path glob without spaces, colons or option-like starts. */
const FILE_PATTERN = /^[A-Za-z0-9_.*?/[\]{}!-]{1,200}$/;

function normKey(k: string): string {
  return k.trim().toLowerCase().replaceAll("_", "-");
}

/**
 * configparser's continuation lines (an indented line continues the value above), folded into
 * one line, since `ini` reads each line on its own. Comment lines inside a value are dropped.
 */
export function foldContinuations(text: string): string {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const continues = /^[ \t]+\S/.test(raw) && out.length > 0 && !/^\s*[[;#]/.test(raw);
    const commentOnly = /^\s*[;#]/.test(raw);
    if (continues && !/^\s*\[/.test(out[out.length - 1]!)) {
      out[out.length - 1] = out[out.length - 1]!.replace(/\s[#;].*$/, "").trimEnd() + " " +
        raw.trim().replace(/\s[#;].*$/, "");
    } else if (commentOnly && /^[ \t]/.test(raw)) continue;
    else out.push(raw);
  }
  return out.join("\n");
}

/** The value as a list of items (comma or whitespace separated, inline "#" comments removed). */
function items(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(items);
  if (typeof value !== "string" && typeof value !== "number") return [];
  return String(value).replace(/\s#.*$/, "").split(/[\s,]+/).filter((s) => s !== "");
}

/** One option as a flag, or null when its value is not acceptable. */
function flagFor(key: string, kind: Kind, value: unknown): string | null {
  if (kind === "int") {
    const v = typeof value === "number"
      ? String(value)
      : typeof value === "string"
      ? value.trim()
      : "";
    if (!/^\d{1,4}$/.test(v)) return null;
    return `--${key}=${Number(v)}`;
  }
  if (kind === "codes") {
    const codes = items(value);
    if (codes.length === 0 || !codes.every((c) => CODE.test(c))) return null;
    return `--${key}=${codes.join(",")}`;
  }
  // per-file-ignores: "pattern:codes" pairs, e.g. "__init__.py:F401 tests/*:S101,E501"
  const text = Array.isArray(value) ? value.join(" ") : typeof value === "string" ? value : "";
  const pairs: string[] = [];
  for (const m of text.replaceAll(/\s*:\s*/g, ":").split(/\s+(?=[^\s,:]+:)/)) {
    const t = m.trim().replace(/,$/, "");
    if (t === "") continue;
    const colon = t.indexOf(":");
    if (colon <= 0) return null;
    const pattern = t.slice(0, colon);
    const codes = t.slice(colon + 1).split(/[\s,]+/).filter((c) => c !== "");
    if (
      !FILE_PATTERN.test(pattern) || pattern.startsWith("-") || codes.length === 0 ||
      !codes.every((c) => CODE.test(c))
    ) return null;
    pairs.push(`${pattern}:${codes.join(",")}`);
  }
  if (pairs.length === 0) return null;
  return `--${key}=${pairs.join(" ")}`;
}

/** Flags from one table of options, with what was refused or left out. */
function fromTable(
  table: Record<string, unknown>,
  allowed: Readonly<Record<string, Kind>>,
  out: PythonLinterConfig,
): void {
  for (const [rawKey, value] of Object.entries(table)) {
    const key = normKey(rawKey);
    if (CODE_LOADING_OPTIONS.has(key)) {
      out.refused.push(key);
      continue;
    }
    const kind = Object.hasOwn(allowed, key) ? allowed[key] : undefined;
    if (kind === undefined) {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        out.ignored.push(key);
      }
      continue;
    }
    const flag = flagFor(key, kind, value);
    if (flag === null) out.ignored.push(`${key} (value not understood)`);
    else out.flags.push(flag);
  }
}

function parseIni(text: string): Record<string, unknown> {
  return ini.parse(foldContinuations(text)) as Record<string, unknown>;
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function empty(): PythonLinterConfig {
  return { flags: [], refused: [], ignored: [] };
}

/**
 * flake8's settings from the first of setup.cfg, tox.ini, .flake8 with a [flake8] section.
 *
 * @example flake8Config([{ name: ".flake8", text: "[flake8]\nmax-line-length = 120\n" }])
 * // { flags: ["--max-line-length=120"], configFile: ".flake8", refused: [], ignored: [] }
 */
export function flake8Config(files: readonly ConfigText[]): PythonLinterConfig {
  for (const name of FLAKE8_CONFIG_NAMES) {
    const text = files.find((f) => f.name === name)?.text;
    if (text == null) continue;
    let parsed: Record<string, unknown>;
    try {
      parsed = parseIni(text);
    } catch (e) {
      return {
        ...empty(),
        configFile: name,
        error: `${name} could not be read as INI: ${(e as Error).message}`,
      };
    }
    const section = parsed["flake8"];
    const local = Object.keys(parsed).some((k) => k.startsWith("flake8:local-plugins"));
    if (!isTable(section) && !local) continue;
    const out: PythonLinterConfig = { ...empty(), configFile: name };
    if (local) out.refused.push("local-plugins");
    if (isTable(section)) {
      const selection = { ...section };
      const files: NonNullable<PythonLinterConfig["files"]> = {};
      for (const [rawKey, value] of Object.entries(section)) {
        const key = normKey(rawKey);
        const field = key === "exclude"
          ? "exclude"
          : key === "extend-exclude"
          ? "extendExclude"
          : key === "filename"
          ? "filename"
          : undefined;
        if (field === undefined) continue;
        // Comma-separated patterns (flake8's parse_comma_separated_list), used by the walk only.
        files[field] = String(value).split(/[,\s]+/).map((p) => p.trim()).filter((p) => p !== "");
        delete selection[rawKey];
      }
      if (Object.keys(files).length > 0) out.files = files;
      fromTable(selection, FLAKE8_OPTIONS, out);
    }
    return out;
  }
  return empty();
}

/** Every option table of pylint's in an INI file: [MAIN], [FORMAT] ... in pylintrc; [pylint.*] elsewhere. */
function pylintIniTables(
  parsed: Record<string, unknown>,
  rcfile: boolean,
): Record<string, unknown>[] | null {
  if (rcfile) return Object.values(parsed).filter(isTable);
  const tables: Record<string, unknown>[] = [];
  for (const [k, v] of Object.entries(parsed)) {
    // `ini` splits "[pylint.format]" on the dot into nested tables.
    if (k.toLowerCase() === "pylint" && isTable(v)) {
      const nested = Object.values(v).filter(isTable);
      tables.push(...nested);
      const own = Object.fromEntries(Object.entries(v).filter(([, x]) => !isTable(x)));
      if (Object.keys(own).length > 0) tables.push(own);
    } else if (k.toLowerCase().startsWith("pylint.") && isTable(v)) tables.push(v);
  }
  return tables.length > 0 ? tables : null;
}

/**
 * pylint's settings from the first of pylintrc, .pylintrc, pyproject.toml ([tool.pylint.*]),
 * setup.cfg and tox.ini ([pylint.*]) that holds any.
 *
 * @example pylintConfig([{ name: ".pylintrc", text: "[MAIN]\nload-plugins=evil\n[FORMAT]\nmax-line-length=100\n" }])
 * // { flags: ["--max-line-length=100"], configFile: ".pylintrc", refused: ["load-plugins"], ignored: [] }
 */
export function pylintConfig(files: readonly ConfigText[]): PythonLinterConfig {
  for (const name of PYLINT_CONFIG_NAMES) {
    const text = files.find((f) => f.name === name)?.text;
    if (text == null) continue;
    let tables: Record<string, unknown>[] | null;
    try {
      if (name === "pyproject.toml") {
        const doc = parseToml(text) as Record<string, unknown>;
        const tool = isTable(doc["tool"]) ? doc["tool"] : undefined;
        const pylint = tool && isTable(tool["pylint"]) ? tool["pylint"] : undefined;
        if (pylint === undefined) continue;
        const own = Object.fromEntries(Object.entries(pylint).filter(([, x]) => !isTable(x)));
        tables = [own, ...Object.values(pylint).filter(isTable)];
      } else {
        tables = pylintIniTables(parseIni(text), name === "pylintrc" || name === ".pylintrc");
      }
    } catch (e) {
      return {
        ...empty(),
        configFile: name,
        error: `${name} could not be parsed: ${(e as Error).message}`,
      };
    }
    if (tables === null) continue;
    const out: PythonLinterConfig = { ...empty(), configFile: name };
    const selection: NonNullable<PythonLinterConfig["files"]> = {};
    for (const t of tables) {
      const rest = { ...t };
      for (const [rawKey, value] of Object.entries(t)) {
        const key = normKey(rawKey);
        const field = key === "ignore"
          ? "ignore"
          : key === "ignore-patterns"
          ? "ignorePatterns"
          : key === "ignore-paths"
          ? "ignorePaths"
          : undefined;
        if (field === undefined) continue;
        // pylint's csv options (a list in TOML); regular expressions may hold no comma then.
        selection[field] = (Array.isArray(value) ? value.map(String) : String(value).split(","))
          .map((p) => p.trim()).filter((p) => p !== "");
        delete rest[rawKey];
      }
      fromTable(rest, PYLINT_OPTIONS, out);
    }
    if (Object.keys(selection).length > 0) out.files = selection;
    return out;
  }
  return empty();
}

/** One line for the answer: "setup.cfg (refused: load-plugins; not passed: exclude)". */
export function describeConfig(c: PythonLinterConfig): string | undefined {
  if (c.configFile === undefined) return undefined;
  const parts: string[] = [];
  if (c.error) parts.push(c.error);
  if (c.refused.length > 0) {
    parts.push(`refused, they load code: ${[...new Set(c.refused)].join(", ")}`);
  }
  if (c.ignored.length > 0) parts.push(`not passed: ${[...new Set(c.ignored)].join(", ")}`);
  return parts.length > 0 ? `${c.configFile} (${parts.join("; ")})` : c.configFile;
}
