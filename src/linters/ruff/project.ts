/**
 * One project as ruff sees it: for each folder the configuration that governs it (the closest
 * `.ruff.toml`, `ruff.toml` or `pyproject.toml` with [tool.ruff], inside the root), which files
 * `ruff check` selects under it, and the first-party module names ruff's isort would find in its
 * `src` folders, which the WebAssembly engine (that cannot look at the disk) is given as
 * `known-first-party`. File-system access comes injected, so the sandbox worker supplies its own.
 */
import { join } from "node:path";
import { loadRuffConfig, type ReadTextFile, type RuffConfigResult } from "./config.ts";
import { isExcluded, isIncluded, matchesAny, type RuffSelection } from "./selection.ts";
import { globToRegExp, isTable } from "./per_file_ignores.ts";
import { STDLIB_MODULES } from "./stdlib.ts";
import { applyPathRules } from "./path_rules.ts";
import type { Diagnostic } from "../types.ts";
import type { Succeeded } from "../../result.ts";

/** Synchronous looks at the project, by root-relative "/"-separated path ("" = the root). */
export interface ProjectFs {
  /** "file", "dir" or null when absent (links are judged by what they lead to inside the root). */
  kind(rel: string): "file" | "dir" | null;
  /** The names in a folder, or null when it cannot be listed. */
  list(rel: string): string[] | null;
  /** Whether a file has an executable bit (for EXE001/EXE002); undefined when unknown. */
  isExecutable?(rel: string): boolean | undefined;
}

/**
 * Whether ruff would lint a file it selects as Python source: .py, .pyi, .pyw, or a name without
 * an extension (a script listed in `include`). Notebooks, TOML and Markdown are ruff's other
 * kinds, which the built-in engine does not check.
 */
export function mayBePythonSource(rel: string): boolean {
  const name = nameOf(rel);
  return /\.py[iw]?$/iu.test(name) || !name.includes(".");
}

/** Missing-docstring rules do not apply in a private module (ruff's module visibility). */
const PRIVATE_MODULE_IGNORE = { pattern: "*", selectors: ["D1"], baseDir: "" };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/u;

/** isort settings that name modules: a name listed there keeps the category it is given. */
const KNOWN_KEYS = [
  "known-first-party",
  "known-third-party",
  "known-local-folder",
  "extra-standard-library",
] as const;

function parentOf(rel: string): string {
  const i = rel.lastIndexOf("/");
  return i === -1 ? "" : rel.slice(0, i);
}

function nameOf(rel: string): string {
  return rel.slice(rel.lastIndexOf("/") + 1);
}

/**
 * Per lint run: configurations by folder, first-party names by configuration, the engine's
 * configuration by (configuration, package, private module), and the file system's answers (a
 * run asks about the same `__init__.py` for every file of a package): all cached for the run.
 */
export class RuffProject {
  readonly #configs = new Map<string, Promise<RuffConfigResult>>();
  readonly #firstParty = new Map<string, string[]>();
  readonly #globs = new Map<string, string[]>();
  /** engineConfig's answers, per folder configuration, by package name and private flag. */
  readonly #engineConfigs = new WeakMap<RuffConfigResult, Map<string, RuffConfigResult>>();
  readonly #keys = new WeakMap<RuffConfigResult, string>();
  readonly #kinds = new Map<string, "file" | "dir" | null>();
  readonly #lists = new Map<string, string[] | null>();
  /** The file system as seen once per run: each path's kind and each folder's names asked once. */
  readonly fs: ProjectFs;

  constructor(
    readonly root: string,
    readonly readTextFile: ReadTextFile,
    fs: ProjectFs,
  ) {
    const kinds = this.#kinds;
    const lists = this.#lists;
    this.fs = {
      kind(rel) {
        let k = kinds.get(rel);
        if (k === undefined) kinds.set(rel, k = fs.kind(rel));
        return k;
      },
      list(rel) {
        let l = lists.get(rel);
        if (l === undefined) lists.set(rel, l = fs.list(rel));
        return l;
      },
      ...(fs.isExecutable ? { isExecutable: (rel: string) => fs.isExecutable!(rel) } : {}),
    };
  }

  /** The configuration governing the files directly in folder `dir` (root-relative). */
  configForDir(dir: string): Promise<RuffConfigResult> {
    let c = this.#configs.get(dir);
    if (c === undefined) {
      c = loadRuffConfig({
        absPath: join(this.root, dir, "__code_review_probe__.py"),
        root: this.root,
        readTextFile: this.readTextFile,
      });
      this.#configs.set(dir, c);
    }
    return c;
  }

  async #selection(dir: string): Promise<RuffSelection | string> {
    const c = await this.configForDir(dir);
    return c.ok ? c.value.selection : c.reason;
  }

  /** Whether `.gitignore` rules apply to the walk: the root configuration's respect-gitignore. */
  async respectsGitignore(): Promise<boolean> {
    const s = await this.#selection("");
    return typeof s === "string" || s.respectGitignore;
  }

  /**
   * Whether `ruff check <start>` lints file `rel` (found by the walk below folder `start`, or
   * `start` itself when a file was named): every folder on the way down is tested against the
   * exclusions of the configuration above it, the file against its own configuration's exclude,
   * include and lint.exclude. A string is a broken configuration's message.
   */
  async selects(rel: string, start: string): Promise<boolean | string> {
    if (!mayBePythonSource(rel)) return false;
    const dir = parentOf(rel);
    const own = await this.#selection(dir);
    if (typeof own === "string") return own;
    if (rel === start) {
      // A file named directly is linted, unless force-exclude applies to it or a folder above it.
      if (own.forceExclude && await this.#excludedOnTheWay(rel, "")) return false;
      return !matchesAny(own.lintExclude, rel);
    }
    if (own.forceExclude && start !== "" && await this.#excludedOnTheWay(start, "")) return false;
    if (await this.#excludedOnTheWay(rel, start)) return false;
    if (!isIncluded(own, rel)) return false;
    return !matchesAny(own.lintExclude, rel);
  }

  /** Whether `rel` or a folder between `start` (not included) and it is excluded. */
  async #excludedOnTheWay(rel: string, start: string): Promise<boolean> {
    const parts = rel.split("/");
    const skip = start === "" ? 0 : start.split("/").length;
    for (let i = skip; i < parts.length; i++) {
      const path = parts.slice(0, i + 1).join("/");
      const sel = await this.#selection(parts.slice(0, i).join("/"));
      if (typeof sel === "string") return false;
      if (isExcluded(sel, path)) return true;
    }
    return false;
  }

  /**
   * The configuration for checking file `rel`, its settings extended with the first-party modules
   * ruff's isort would find: the folders and `<name>.py` files in each `src` folder and the file's
   * own top-level package, less standard-library names and names the isort settings already place.
   */
  async engineConfig(rel: string): Promise<RuffConfigResult> {
    const c = await this.configForDir(parentOf(rel));
    if (!c.ok) return c;
    // The answer depends on the file through its package and its module's privacy only: shared
    // by every file alike (callers must not modify it).
    const pkg = this.packageRootName(rel, c.value.selection);
    const isPrivate = this.#isPrivateModule(rel, c.value.selection);
    let byFile = this.#engineConfigs.get(c);
    if (byFile === undefined) this.#engineConfigs.set(c, byFile = new Map());
    const key = `${isPrivate ? "private" : "public"}:${pkg ?? ""}`;
    let shared = byFile.get(key);
    if (shared === undefined) byFile.set(key, shared = this.#engineConfig(c, pkg, isPrivate));
    return shared;
  }

  /**
   * A string naming everything engineConfig's answer holds (settings, per-file-ignores,
   * configuration folder): equal strings, equal configurations. Cached per answer.
   */
  configKey(config: RuffConfigResult): string {
    let key = this.#keys.get(config);
    if (key === undefined) this.#keys.set(config, key = stableJson(config));
    return key;
  }

  #engineConfig(
    c: Succeeded<RuffConfigResult>,
    pkg: string | undefined,
    isPrivate: boolean,
  ): RuffConfigResult {
    const settings = structuredClone(c.value.settings);
    const lint = isTable(settings.lint) ? settings.lint : (settings.lint = {}) as Record<
      string,
      unknown
    >;
    if (!isTable(lint)) return c;
    const isort = isTable(lint.isort) ? lint.isort : (lint.isort = {}) as Record<string, unknown>;
    if (!isTable(isort)) return c;
    const placed = new Set<string>();
    for (const key of KNOWN_KEYS) {
      const v = isort[key];
      if (Array.isArray(v)) { for (const n of v) if (typeof n === "string") placed.add(n); }
    }
    const sections = isort.sections;
    if (isTable(sections)) {
      for (const v of Object.values(sections)) {
        if (Array.isArray(v)) { for (const n of v) if (typeof n === "string") placed.add(n); }
      }
    }
    const perFileIgnores = isPrivate
      ? [...c.value.perFileIgnores, PRIVATE_MODULE_IGNORE]
      : c.value.perFileIgnores;
    const names = new Set(this.#sourceModules(c.value.configFile ?? "", c.value.selection));
    if (pkg !== undefined) names.add(pkg);
    const added = [...names].filter((n) => !placed.has(n) && !STDLIB_MODULES.has(n)).sort();
    if (added.length === 0) {
      return { ok: true, value: { ...c.value, settings, perFileIgnores } };
    }
    const known = Array.isArray(isort["known-first-party"]) ? isort["known-first-party"] : [];
    // Escaped: known-first-party entries are globs, a module name is literal.
    isort["known-first-party"] = [...known, ...added.map((n) => n.replace(/[[\]*?]/g, "\\$&"))];
    return { ok: true, value: { ...c.value, settings, perFileIgnores } };
  }

  /**
   * Whether pydocstyle sees the file as a private module, as ruff decides from its path: a
   * component of its dotted module path (from its top-level package), or its own name outside a
   * package, starts with "_" and is not a dunder. The engine, handed text only, cannot tell.
   */
  #isPrivateModule(rel: string, sel: RuffSelection): boolean {
    const isPrivate = (n: string) => n.startsWith("_") && !(n.startsWith("__") && n.endsWith("__"));
    const stem = nameOf(rel).replace(/\.pyi?$/u, "");
    const pkg = this.packageRootName(rel, sel);
    if (pkg === undefined) return isPrivate(stem);
    const parts: string[] = [];
    let dir = parentOf(rel);
    for (; dir !== "" && nameOf(dir) !== pkg; dir = parentOf(dir)) parts.unshift(nameOf(dir));
    parts.unshift(pkg);
    if (stem !== "__init__") parts.push(stem);
    return parts.some(isPrivate);
  }

  /** Module names found in the `src` folders of one configuration (cached by configuration). */
  #sourceModules(key: string, sel: RuffSelection): string[] {
    const cached = this.#firstParty.get(key);
    if (cached !== undefined) return cached;
    const out = new Set<string>();
    for (const src of sel.src.flatMap((s) => this.#expandGlob(s))) {
      if (src.startsWith("..") || src.startsWith("/")) continue; // outside the root: never read
      if (this.fs.kind(src) !== "dir") continue;
      for (const name of this.fs.list(src) ?? []) {
        const child = src === "" ? name : `${src}/${name}`;
        const kind = this.fs.kind(child);
        if (kind === "dir" && IDENTIFIER.test(name)) out.add(name);
        else if (kind === "file") {
          const m = /^(.+)\.pyi?$/u.exec(name); // <name>.py or <name>.pyi, as ruff 0.16 matches
          if (m !== null && IDENTIFIER.test(m[1]!)) out.add(m[1]!);
        }
      }
    }
    const list = [...out];
    this.#firstParty.set(key, list);
    return list;
  }

  /**
   * The folders a `src` entry names: itself, or, when it is a glob ("packages/*\/src"), the
   * existing folders it matches, component by component ("**" spans any depth, up to 8).
   */
  #expandGlob(pattern: string): string[] {
    if (!/[*?[]/u.test(pattern)) return [pattern];
    let dirs = this.#globs.get(pattern);
    if (dirs === undefined) this.#globs.set(pattern, dirs = this.#expand(pattern));
    return dirs;
  }

  #expand(pattern: string): string[] {
    let dirs = [""];
    for (const part of pattern.split("/")) {
      const next: string[] = [];
      const join = (dir: string, name: string) => (dir === "" ? name : `${dir}/${name}`);
      if (part === "**") {
        let level = dirs;
        for (let depth = 0; depth <= 8 && level.length > 0; depth++) {
          next.push(...level);
          level = level.flatMap((d) =>
            (this.fs.list(d) ?? []).map((n) => join(d, n)).filter((c) => this.fs.kind(c) === "dir")
          );
        }
      } else if (/[*?[]/u.test(part)) {
        let re: RegExp;
        try {
          re = globToRegExp(part);
        } catch {
          return [];
        }
        for (const d of dirs) {
          for (const n of this.fs.list(d) ?? []) {
            if (re.test(n) && this.fs.kind(join(d, n)) === "dir") next.push(join(d, n));
          }
        }
      } else {
        for (const d of dirs) next.push(join(d, part));
      }
      dirs = [...new Set(next)];
      if (dirs.length > 1000) break; // a pathological glob: the first matches suffice
    }
    return dirs.sort();
  }

  /**
   * The name of the top-level package holding file `rel`, as ruff's package detection finds it:
   * the highest folder of an unbroken chain of folders with an `__init__.py` (or listed in
   * namespace-packages) above the file; undefined when the file's folder is no package.
   */
  packageRootName(rel: string, sel: RuffSelection): string | undefined {
    const top = this.packageRootDir(rel, sel);
    return top === undefined ? undefined : nameOf(top);
  }

  /** The folder (root-relative) of the top-level package holding `rel`, as packageRootName finds it. */
  packageRootDir(rel: string, sel: RuffSelection): string | undefined {
    let top: string | undefined;
    for (let dir = parentOf(rel); dir !== ""; dir = parentOf(dir)) {
      const isPackage = sel.namespacePackages.includes(dir) ||
        this.fs.kind(`${dir}/__init__.py`) === "file" ||
        this.fs.kind(`${dir}/__init__.pyi`) === "file";
      if (!isPackage) break;
      top = dir;
    }
    return top;
  }

  /**
   * The engine's findings for file `rel`, checked with `config` (from engineConfig), corrected
   * for what the file's path decides and the engine cannot see (path_rules.ts). `mode` is the
   * file's permission bits when the caller has them already (from the read's own stat).
   */
  withPathRules(
    rel: string,
    text: string,
    found: readonly Diagnostic[],
    config: RuffConfigResult,
    mode?: number | null,
  ): Diagnostic[] {
    if (!config.ok) return [...found];
    const sel = config.value.selection;
    return applyPathRules(found, {
      rel,
      text,
      settings: config.value.settings,
      perFileIgnores: config.value.perFileIgnores,
      packageRoot: this.packageRootDir(rel, sel),
      projectRoot: config.value.configDir,
      src: sel.src.flatMap((p) => this.#expandGlob(p)),
      executable: mode !== undefined
        ? (Deno.build.os === "windows" || mode === null ? undefined : (mode & 0o111) !== 0)
        : this.fs.isExecutable?.(rel),
    });
  }
}

/** JSON with every object's keys sorted: the same text for equal values, whatever the key order. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (!isTable(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = v[k];
    return sorted;
  });
}

/** ProjectFs over the real file system below `root`, for callers already confined to it. */
export function denoProjectFs(root: string, isInsideRoot: (abs: string) => boolean): ProjectFs {
  const abs = (rel: string) => (rel === "" ? root : join(root, rel));
  return {
    kind(rel) {
      try {
        const real = Deno.realPathSync(abs(rel));
        if (!isInsideRoot(real)) return null;
        const info = Deno.statSync(real);
        return info.isFile ? "file" : info.isDirectory ? "dir" : null;
      } catch {
        return null;
      }
    },
    list(rel) {
      try {
        const real = Deno.realPathSync(abs(rel));
        if (!isInsideRoot(real)) return null;
        return [...Deno.readDirSync(real)].map((e) => e.name);
      } catch {
        return null;
      }
    },
    isExecutable(rel) {
      if (Deno.build.os === "windows") return undefined; // ruff checks the bit on Unix only
      try {
        const real = Deno.realPathSync(abs(rel));
        if (!isInsideRoot(real)) return undefined;
        const mode = Deno.statSync(real).mode;
        return mode === null ? undefined : (mode & 0o111) !== 0;
      } catch {
        return undefined;
      }
    },
  };
}
