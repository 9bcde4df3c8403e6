/**
 * Finds and reads a project's ruff configuration the way ruff does, without ever looking
 * above the project root, and turns it into the options object the wasm engine accepts.
 * All I/O goes through an injected reader, so the sandbox worker supplies its own.
 */
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { parse as parseToml, TomlError } from "smol-toml";
import {
  isTable,
  joinPattern,
  type PerFileIgnore,
  readPerFileIgnoresTable,
} from "./per_file_ignores.ts";
import { defaultSelection, type FilePattern, type RuffSelection } from "./selection.ts";
import type { ResultWith } from "../../result.ts";

/** ruff's options as in ruff.toml (kebab-case keys), the shape `new Workspace(options)` takes. */
export type RuffSettings = Record<string, unknown>;

/** Reads a file as UTF-8 text; null when there is no regular file at that path. */
export type ReadTextFile = (absPath: string) => Promise<string | null>;

/** What the engine needs for one file: options, per-file-ignores with their base, and where they came from. */
export interface ResolvedRuffConfig {
  /** Options for the wasm Workspace, without per-file-ignores (those are in perFileIgnores). */
  settings: RuffSettings;
  perFileIgnores: PerFileIgnore[];
  /** The configuration file used, relative to the root ("/"-separated); absent for the defaults. */
  configFile?: string;
  /** Its directory ("" = root): ruff's project root for this file, where relative settings start. */
  configDir: string;
  /** Which files ruff selects under this configuration, and where first-party modules live. */
  selection: RuffSelection;
}

export type RuffConfigResult = ResultWith<ResolvedRuffConfig, {
  /** The broken file, relative to the root, when there is one. */
  configFile?: string;
}>;

/** Candidate names in each directory, in ruff's order of preference. */
export const RUFF_CONFIG_NAMES = [".ruff.toml", "ruff.toml", "pyproject.toml"] as const;

/**
 * The selection used when a project has no ruff configuration. It mirrors the review rules
 * (config://review-rules): pycodestyle E/W, pyflakes F, bugbear B (mutable defaults), isort I,
 * pyupgrade UP (f-strings), pydocstyle D with the pep257 convention (no contradictory D rules),
 * the security rules S (flake8-bandit: SQL built from strings, shell=True, hard-coded passwords;
 * S101 `assert` only outside tests), lines up to 100 characters.
 */
export const DEFAULT_RUFF_SETTINGS: Readonly<RuffSettings> = deepFreeze({
  "line-length": 100,
  lint: {
    select: ["E", "F", "W", "B", "I", "UP", "D", "S"],
    pydocstyle: { convention: "pep257" },
    "per-file-ignores": {
      "**/test_*.py": ["S101"],
      "**/*_test.py": ["S101"],
      "**/tests/**": ["S101"],
      "**/conftest.py": ["S101"],
    },
  },
});

/** Largest configuration file we parse, in characters; real ones are a few KiB. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Longest `extend` chain followed before giving up. */
const MAX_EXTEND_DEPTH = 16;

/** Rule-selection keys that ruff still accepts at the top level (deprecated) as well as under `lint`. */
const SELECTION_KEYS = [
  "select",
  "extend-select",
  "ignore",
  "extend-ignore",
  "per-file-ignores",
  "extend-per-file-ignores",
] as const;

/** Python versions the pinned engine knows, for target-version inferred from requires-python. */
const KNOWN_MINORS = { min: 7, max: 15 };

export interface LoadRuffConfigOptions {
  /** Absolute (real) path of the checked file. */
  absPath: string;
  /** Absolute (real) path of the project root; nothing above it is read. */
  root: string;
  readTextFile: ReadTextFile;
}

/** One configuration file, read and normalised. */
interface LoadedConfig {
  absPath: string;
  /** Relative to the root, "/"-separated. */
  rel: string;
  /** The file's directory relative to the root ("" = root): the base of its per-file-ignores. */
  baseDir: string;
  options: Record<string, unknown>;
  /** `per-file-ignores` (replaces the inherited list when present). */
  perFileIgnores?: PerFileIgnore[] | undefined;
  /** `extend-per-file-ignores` (adds to the inherited list). */
  extendPerFileIgnores: PerFileIgnore[];
  extend?: unknown;
  requiresPython?: unknown;
  /** File-selection settings this file sets, with their base directory. */
  selection: Partial<RuffSelection>;
}

class ConfigError extends Error {
  constructor(readonly configFile: string | undefined, message: string) {
    super(message);
  }
}

/**
 * Resolves the configuration for one file: the nearest `.ruff.toml`, `ruff.toml` or
 * `pyproject.toml` with a [tool.ruff] table, from the file's directory up to the root;
 * its `extend` chain (inside the root only); DEFAULT_RUFF_SETTINGS when there is none.
 * A broken file gives an error that names it, relative to the root.
 */
export async function loadRuffConfig(options: LoadRuffConfigOptions): Promise<RuffConfigResult> {
  try {
    return { ok: true, value: await resolveConfig(options) };
  } catch (e) {
    if (e instanceof ConfigError) {
      const where = e.configFile === undefined ? "" : ` in "${e.configFile}"`;
      const result: RuffConfigResult = {
        ok: false,
        reason: `Invalid ruff configuration${where}: ${e.message}`,
      };
      if (e.configFile !== undefined) result.configFile = e.configFile;
      return result;
    }
    throw e;
  }
}

async function resolveConfig(
  { absPath, root, readTextFile }: LoadRuffConfigOptions,
): Promise<ResolvedRuffConfig> {
  if (!isInside(root, absPath) || absPath === root) {
    throw new ConfigError(undefined, `"${absPath}" is not a file inside the project root`);
  }
  const read = guardedReader(root, readTextFile);
  let nearestPyproject: Record<string, unknown> | undefined;
  let found: LoadedConfig | undefined;

  for (let dir = dirname(absPath);; dir = dirname(dir)) {
    for (const name of RUFF_CONFIG_NAMES) {
      const path = join(dir, name);
      const text = await read(path);
      if (text === null) continue;
      const table = parseTomlFile(text, rootRelative(root, path));
      if (name === "pyproject.toml") {
        nearestPyproject ??= table;
        if (!hasToolRuff(table, rootRelative(root, path))) continue;
      }
      found = loadTable(root, path, table);
      break;
    }
    if (found !== undefined || dir === root || dirname(dir) === dir) break;
  }

  if (found === undefined) {
    const settings = structuredClone(DEFAULT_RUFF_SETTINGS) as RuffSettings;
    const target = targetFromRequiresPython(projectRequiresPython(nearestPyproject));
    if (target !== undefined) settings["target-version"] = target;
    return { settings, perFileIgnores: [], configDir: "", selection: defaultSelection("") };
  }

  const chain = await followExtends(root, found, read);
  // followExtends starts the chain with `found`, so it is never empty.
  const merged = chain.reduceRight((acc, next) => combine(acc, next));

  const settings = merged.options;
  if (settings["target-version"] === undefined) {
    let requiresPython = found.requiresPython;
    if (basename(found.absPath) !== "pyproject.toml") {
      // ruff >= 0.10: a ruff.toml without target-version uses its sibling pyproject.toml's requires-python.
      const sibling = await read(join(dirname(found.absPath), "pyproject.toml")).catch(() => null);
      if (sibling !== null) {
        try {
          requiresPython = projectRequiresPython(parseToml(sibling) as Record<string, unknown>);
        } catch { /* a broken sibling pyproject.toml only loses the inference */ }
      }
    }
    const target = targetFromRequiresPython(requiresPython);
    if (target !== undefined) settings["target-version"] = target;
  }
  const selection = { ...defaultSelection(found.baseDir), ...merged.selection };
  return {
    settings,
    perFileIgnores: [...(merged.perFileIgnores ?? []), ...merged.extendPerFileIgnores],
    configFile: found.rel,
    configDir: found.baseDir,
    selection,
  };
}

/** Wraps the injected reader: refuses paths outside the root, turns failures into ConfigErrors, caps sizes. */
function guardedReader(root: string, readTextFile: ReadTextFile): ReadTextFile {
  return async (path) => {
    const rel = rootRelative(root, path);
    if (!isInside(root, path)) throw new ConfigError(rel, "path is outside the project root");
    let text: string | null;
    try {
      text = await readTextFile(path);
    } catch (e) {
      throw new ConfigError(rel, `cannot be read: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (text !== null && text.length > MAX_CONFIG_BYTES) {
      throw new ConfigError(rel, `file is larger than ${MAX_CONFIG_BYTES} characters`);
    }
    return text;
  };
}

function parseTomlFile(text: string, rel: string): Record<string, unknown> {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) {
      const reason = (e.message.split("\n")[0] ?? "").replace(/^Invalid TOML document:\s*/, "");
      throw new ConfigError(
        rel,
        `TOML syntax error at line ${e.line}, column ${e.column}: ${reason}`,
      );
    }
    throw new ConfigError(rel, `TOML syntax error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function hasToolRuff(table: Record<string, unknown>, rel: string): boolean {
  const tool = table.tool;
  if (tool === undefined) return false;
  if (!isTable(tool)) throw new ConfigError(rel, `"tool" must be a table`);
  if (tool.ruff === undefined) return false;
  if (!isTable(tool.ruff)) throw new ConfigError(rel, `"tool.ruff" must be a table`);
  return true;
}

function projectRequiresPython(table: Record<string, unknown> | undefined): unknown {
  const project = table?.project;
  return isTable(project) ? project["requires-python"] : undefined;
}

/** The file's ruff options: the whole file, or [tool.ruff] of a pyproject.toml (empty when absent). */
function loadTable(root: string, absPath: string, table: Record<string, unknown>): LoadedConfig {
  const rel = rootRelative(root, absPath);
  const isPyproject = basename(absPath) === "pyproject.toml";
  const ruff = isPyproject
    ? (hasToolRuff(table, rel) ? (table.tool as Record<string, unknown>).ruff : {})
    : table;
  const options = cloneTable(ruff as Record<string, unknown>);
  const baseDir = rootRelative(root, dirname(absPath));
  const loaded: LoadedConfig = {
    absPath,
    rel,
    baseDir,
    options,
    extendPerFileIgnores: [],
    requiresPython: isPyproject ? projectRequiresPython(table) : undefined,
    selection: takeSelection(options, baseDir, rel),
  };
  if ("extend" in options) {
    loaded.extend = options.extend;
    delete options.extend;
  }
  // Deprecated top-level selection keys: `lint.*` wins, as in ruff.
  const hoisted = SELECTION_KEYS.filter((k) => k in options);
  if (hoisted.length > 0) {
    if (options.lint === undefined) options.lint = newTable();
    if (isTable(options.lint)) {
      const lint = options.lint;
      for (const key of hoisted) {
        if (!(key in lint)) lint[key] = options[key];
        delete options[key];
      }
    }
  }
  if (isTable(options.lint)) {
    const lint = options.lint;
    for (const key of ["per-file-ignores", "extend-per-file-ignores"] as const) {
      if (!(key in lint)) continue;
      const entries = readPerFileIgnoresTable(lint[key], baseDir, key);
      if (typeof entries === "string") throw new ConfigError(rel, entries);
      delete lint[key];
      const rebased = entries.map((entry) => rebaseAbsolutePattern(root, entry));
      if (key === "per-file-ignores") loaded.perFileIgnores = rebased;
      else loaded.extendPerFileIgnores = rebased;
    }
  }
  return loaded;
}

/**
 * Removes the file-selection settings from a file's options (the engine, handed text only, has no
 * use for them) and keeps them with the directory they are relative to, as ruff resolves them.
 */
function takeSelection(
  options: Record<string, unknown>,
  baseDir: string,
  rel: string,
): Partial<RuffSelection> {
  const out: Partial<RuffSelection> = {};
  const patterns = (key: string, value: unknown): FilePattern[] => {
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
      throw new ConfigError(rel, `"${key}" must be a list of strings`);
    }
    return value.map((pattern) => ({ pattern, baseDir }));
  };
  const flag = (key: string, value: unknown): boolean => {
    if (typeof value !== "boolean") throw new ConfigError(rel, `"${key}" must be true or false`);
    return value;
  };
  const take = (key: string): unknown => {
    const value = options[key];
    delete options[key];
    return value;
  };
  let v: unknown;
  if ((v = take("exclude")) !== undefined) out.exclude = patterns("exclude", v);
  if ((v = take("extend-exclude")) !== undefined) out.extendExclude = patterns("extend-exclude", v);
  if ((v = take("include")) !== undefined) out.include = patterns("include", v);
  if ((v = take("extend-include")) !== undefined) out.extendInclude = patterns("extend-include", v);
  if ((v = take("force-exclude")) !== undefined) out.forceExclude = flag("force-exclude", v);
  if ((v = take("respect-gitignore")) !== undefined) {
    out.respectGitignore = flag("respect-gitignore", v);
  }
  if ((v = take("src")) !== undefined) {
    out.src = patterns("src", v).map((p) => joinPattern(baseDir, p.pattern));
  }
  if ((v = take("namespace-packages")) !== undefined) {
    out.namespacePackages = patterns("namespace-packages", v).map((p) =>
      joinPattern(baseDir, p.pattern)
    );
  }
  // With --no-cache and no cache written by the engine, a cache folder is never used.
  delete options["cache-dir"];
  if (isTable(options.lint) && options.lint.exclude !== undefined) {
    out.lintExclude = patterns("lint.exclude", options.lint.exclude);
    delete options.lint.exclude;
  }
  return out;
}

/** An absolute pattern inside the root becomes root-relative; one outside stays absolute and never matches. */
function rebaseAbsolutePattern(root: string, entry: PerFileIgnore): PerFileIgnore {
  const negated = entry.pattern.startsWith("!");
  const pattern = negated ? entry.pattern.slice(1) : entry.pattern;
  if (!isAbsolute(pattern) || !isInside(root, pattern)) return entry;
  return { ...entry, pattern: `${negated ? "!" : ""}${rootRelative(root, pattern)}`, baseDir: "" };
}

/** Follows `extend` from the nearest configuration: nearest first, base last. */
async function followExtends(
  root: string,
  first: LoadedConfig,
  read: ReadTextFile,
): Promise<LoadedConfig[]> {
  const chain = [first];
  const seen = new Set([first.absPath]);
  for (let current = first; current.extend !== undefined;) {
    if (typeof current.extend !== "string") {
      throw new ConfigError(current.rel, `"extend" must be a path to another configuration file`);
    }
    if (chain.length > MAX_EXTEND_DEPTH) {
      throw new ConfigError(first.rel, `"extend" chain is longer than ${MAX_EXTEND_DEPTH}`);
    }
    const target = resolve(dirname(current.absPath), current.extend);
    if (!isInside(root, target)) {
      throw new ConfigError(
        current.rel,
        `"extend" points outside the project root: "${current.extend}"`,
      );
    }
    if (seen.has(target)) {
      throw new ConfigError(
        current.rel,
        `"extend" forms a cycle at "${rootRelative(root, target)}"`,
      );
    }
    seen.add(target);
    const text = await read(target);
    if (text === null) {
      throw new ConfigError(
        current.rel,
        `"extend" names "${current.extend}", which does not exist`,
      );
    }
    const next = loadTable(root, target, parseTomlFile(text, rootRelative(root, target)));
    chain.push(next);
    current = next;
  }
  return chain;
}

/**
 * Combines an inherited configuration with the one that extends it, as ruff does: the child's
 * values win key by key; a child `select` starts the rule selection afresh, otherwise
 * extend-select and ignore accumulate; per-file-ignores are replaced, extend-per-file-ignores added.
 */
function combine(base: LoadedConfig, child: LoadedConfig): LoadedConfig {
  const options = deepMerge(base.options, child.options);
  const baseLint = isTable(base.options.lint) ? base.options.lint : undefined;
  const childLint = isTable(child.options.lint) ? child.options.lint : undefined;
  if (
    isTable(options.lint) && childLint !== undefined && baseLint !== undefined &&
    childLint.select === undefined
  ) {
    const lint = options.lint;
    const reEnabled = new Set(asStrings(childLint["extend-select"]));
    for (const key of ["extend-select", "ignore", "extend-ignore"] as const) {
      const inherited = asStrings(baseLint[key]).filter((s) =>
        key === "extend-select" || !reEnabled.has(s)
      );
      const own = asStrings(childLint[key]);
      if (
        inherited.length + own.length > 0 && isStringList(baseLint[key]) &&
        isStringList(childLint[key])
      ) {
        lint[key] = [...inherited, ...own];
      }
    }
  } else if (isTable(options.lint) && childLint?.select !== undefined) {
    const lint = options.lint;
    for (const key of ["extend-select", "ignore", "extend-ignore"] as const) {
      if (childLint[key] === undefined) delete lint[key];
    }
  }
  // ruff's Configuration::combine: the child's value wins, the extend-* lists accumulate.
  const selection: Partial<RuffSelection> = { ...base.selection, ...child.selection };
  for (const key of ["extendExclude", "extendInclude"] as const) {
    const all = [...(base.selection[key] ?? []), ...(child.selection[key] ?? [])];
    if (all.length > 0) selection[key] = all;
  }
  return {
    ...child,
    options,
    perFileIgnores: child.perFileIgnores ?? base.perFileIgnores,
    extendPerFileIgnores: [...base.extendPerFileIgnores, ...child.extendPerFileIgnores],
    selection,
  };
}

function isStringList(value: unknown): boolean {
  return value === undefined || (Array.isArray(value) && value.every((v) => typeof v === "string"));
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function deepMerge(
  base: Record<string, unknown>,
  child: Record<string, unknown>,
): Record<string, unknown> {
  const out = cloneTable(base);
  for (const [key, value] of Object.entries(child)) {
    const inherited = out[key];
    out[key] = isTable(inherited) && isTable(value)
      ? deepMerge(inherited, value)
      : cloneValue(value);
  }
  return out;
}

/** Maps requires-python (">=3.9", "~=3.10", ">=3.8,<4") to ruff's target-version, or undefined. */
export function targetFromRequiresPython(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  let minor: number | undefined;
  for (const spec of value.split(",")) {
    const m = /^\s*(>=|>|~=|===?)\s*3\.(\d+)/.exec(spec);
    if (m === null) continue;
    const v = Number(m[2]);
    minor = minor === undefined ? v : Math.max(minor, v);
  }
  if (minor === undefined) return undefined;
  return `py3${Math.min(Math.max(minor, KNOWN_MINORS.min), KNOWN_MINORS.max)}`;
}

/** Whether `path` is `root` or below it, by whole path components ("/proj2" is not inside "/proj"). */
function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function rootRelative(root: string, path: string): string {
  return relative(root, path).split(sep).join("/");
}

function newTable(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

/** Deep copy into prototype-less tables, so a "__proto__" key stays an ordinary key. */
export function cloneTable(table: Record<string, unknown>): Record<string, unknown> {
  const out = newTable();
  for (const [key, value] of Object.entries(table)) out[key] = cloneValue(value);
  return out;
}

function cloneValue(value: unknown): unknown {
  if (isTable(value)) return cloneTable(value);
  if (Array.isArray(value)) return value.map(cloneValue);
  return value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
