/**
 * The linter allowlist: for each subprocess linter, the binary, a fixed argv, the
 * files it takes, the complete environment of the child, its limits and its parser.
 * Pure: nothing here touches the disk or starts a process (src/sandbox/run_command.ts does).
 *
 * Every argv follows the same rules: no shell; machine-readable output; configuration
 * isolated so a reviewed repository cannot load its own code or settings into the
 * linter; never a fixing mode; `--` before the path where the tool honours it; and
 * the resolved absolute path as the only operand (it starts with "/" or a drive, so
 * it can never read as an option, an `@argfile` or a pylint `--init-hook=`).
 */
import * as path from "node:path";
import type { ParseResult } from "../linters/types.ts";
import {
  FLAKE8_FORMAT,
  parseDenoLint,
  parseFlake8,
  parsePylint,
  parseRuff,
  parseShellcheck,
} from "../linters/parsers.ts";

/** The linters run as separate programs (the built-in "ruff" engine is not one of them). */
export const SUBPROCESS_LINTERS = [
  "ruff-native",
  "flake8",
  "pylint",
  "shellcheck",
  "deno-lint",
] as const;
export type SubprocessLinter = typeof SUBPROCESS_LINTERS[number];

/** What the server knows about one allowlisted linter. */
export interface LinterSpec {
  /** The allowlist name, as the model writes it. */
  name: SubprocessLinter;
  /** Bare program name looked up on PATH (and named in `--allow-run`). */
  binary: string;
  /** Lower-case file extensions it takes, with the dot. */
  extensions: readonly string[];
  /** For messages: "Python", "Shell", "JavaScript/TypeScript". */
  language: string;
  /** Wall-clock limit; the process is killed when it runs longer. */
  timeoutMs: number;
  /** Cap on stdout and on stderr, each; the process is killed when it prints more. */
  maxOutputBytes: number;
  /** How to install it, completing "flake8 is not installed on this machine: install it with ...". */
  installHint: string;
  /**
   * The argv after the binary, for one file or (a project run) several. `configFlags` are the
   * project's safe settings (src/linters/python_config.ts), only ever `--name=value` words.
   * Throws on a path that is not absolute (a caller bug).
   */
  buildArgs(
    absPath: string | readonly string[],
    isolatedConfigDir?: string,
    configFlags?: readonly string[],
  ): string[];
  /**
   * The argv for text given on standard input, reported as if it stood at `absPath` (so the
   * project's per-file settings apply): review_changes lints a file's base version this way,
   * never writing it to disk. Absent for a linter that cannot read standard input.
   */
  stdinArgs?(absPath: string, configFlags?: readonly string[]): string[];
  /** The COMPLETE child environment, given the server's PATH; nothing else is inherited. */
  env(pathValue: string): Record<string, string>;
  /** Diagnostics for `relPath`, or a short reason when the run was a real failure. Never throws. */
  parse(stdout: string, stderr: string, code: number | null, relPath: string): ParseResult;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 2 * 1024 * 1024;

/**
 * Files a caller must create (with this content) in `isolatedConfigDir` when it passes
 * one to buildArgs. Without a directory, pylint reads /dev/null as its configuration.
 */
export const ISOLATED_CONFIG_FILES: Readonly<Record<string, string>> = Object.freeze({
  pylintrc: "",
});

/**
 * The path operand, checked: absolute, no NUL. A relative path would be resolved
 * against the linter's cwd and could start with "-"; refusing it here keeps the rule
 * "only the resolved absolute path" enforced in one place.
 *
 * @example operand("/proj/-rf.py") === "/proj/-rf.py"; operand("-rf.py") // throws
 */
function operand(absPath: string): string;
function operand(absPath: string | readonly string[]): string[];
function operand(absPath: string | readonly string[]): string | string[] {
  if (typeof absPath !== "string") {
    if (absPath.length === 0) throw new TypeError("linter operands: at least one path");
    return absPath.map((p) => operand(p));
  }
  if (typeof absPath !== "string" || absPath.includes("\0") || !path.isAbsolute(absPath)) {
    throw new TypeError(
      `linter operand must be an absolute path without NUL bytes: ${JSON.stringify(absPath)}`,
    );
  }
  return absPath;
}

/**
 * PATH with only absolute entries: an empty or relative entry ("", ".", "bin") would
 * be looked up from the working directory, which is the reviewed project.
 *
 * @example safePath("/usr/bin::.:bin:/bin") === "/usr/bin:/bin"
 */
export function safePath(pathValue: string): string {
  return pathValue.split(path.delimiter).filter((p) => p !== "" && path.isAbsolute(p)).join(
    path.delimiter,
  );
}

/** PATH and a UTF-8 locale; nothing that could point a tool at other configuration or code. */
function baseEnv(pathValue: string): Record<string, string> {
  return { PATH: safePath(pathValue), LANG: "C.UTF-8" };
}

/** Python tools: UTF-8 on stdout even where the C.UTF-8 locale does not exist. */
function pythonEnv(pathValue: string): Record<string, string> {
  return { ...baseEnv(pathValue), PYTHONIOENCODING: "utf-8" };
}

/**
 * The project's settings as flags, checked once more: each must be one `--name=value` word, so
 * nothing can read as a path, a second option or an @argfile.
 */
function flags(configFlags: readonly string[] | undefined): string[] {
  const out = [...(configFlags ?? [])];
  for (const f of out) {
    if (!/^--[a-z][a-z-]*=[^\0\n]*$/.test(f)) {
      throw new TypeError(`linter config flag must be --name=value: ${JSON.stringify(f)}`);
    }
  }
  return out;
}

/**
 * ruff's inline overrides, checked: each one `--config=<key> = <value>` word on one line, never a
 * path to a configuration file (an override has " = " in it; a file name we never pass).
 */
function ruffConfigFlags(configFlags: readonly string[] | undefined): string[] {
  const out = [...(configFlags ?? [])];
  for (const f of out) {
    if (!/^--config="[^\0\n]* = [^\0\n]*$/.test(f) || /^--config="extend"/.test(f)) {
      throw new TypeError(`ruff config flag must be --config="key" = value: ${JSON.stringify(f)}`);
    }
  }
  return out;
}

/**
 * flake8's `--format` for several files: the path first, then an ASCII unit separator that no
 * path we pass contains, then FLAKE8_FORMAT; src/linters/batch.ts splits on it.
 */
export const FLAKE8_BATCH_FORMAT = "%(path)s\x1f" + FLAKE8_FORMAT;

/** A spec that cannot be changed at run time, extensions included. */
function frozen(spec: LinterSpec): Readonly<LinterSpec> {
  return Object.freeze({ ...spec, extensions: Object.freeze([...spec.extensions]) });
}

const PYTHON_EXTENSIONS = [".py", ".pyi"] as const;
const JS_TS_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"] as const;

/**
 * The allowlist. Each entry's argv is fixed; only the path changes.
 *
 * @example LINTERS.flake8.buildArgs("/proj/a;rm -rf x.py")
 * // ["--isolated", "--format=%(row)d:%(col)d:%(code)s:%(text)s", "--", "/proj/a;rm -rf x.py"]
 */
export const LINTERS: Readonly<Record<SubprocessLinter, LinterSpec>> = Object.freeze(
  {
    "ruff-native": frozen({
      name: "ruff-native",
      binary: "ruff",
      extensions: PYTHON_EXTENSIONS,
      language: "Python",
      timeoutMs: DEFAULT_TIMEOUT_MS,
      maxOutputBytes: DEFAULT_MAX_OUTPUT_BYTES,
      installHint:
        "pipx install ruff, uv tool install ruff or pip install ruff (https://docs.astral.sh/ruff/installation/)",
      // --isolated: no pyproject.toml/ruff.toml/.ruff.toml read by ruff itself (none above the root,
      // no user config); the project's configuration, resolved by us inside the root, comes as
      // `--config=key = value` overrides (src/linters/ruff/native_args.ts); --no-cache: no
      // .ruff_cache written into the project; --no-fix overrides any fix setting.
      buildArgs: (absPath, _dir, configFlags) => [
        "check",
        "--isolated",
        "--no-cache",
        "--no-fix",
        "--output-format=json",
        ...ruffConfigFlags(configFlags),
        "--",
        ...[operand(absPath)].flat(),
      ],
      env: baseEnv,
      parse: parseRuff,
    }),
    flake8: frozen({
      name: "flake8",
      binary: "flake8",
      extensions: PYTHON_EXTENSIONS,
      language: "Python",
      timeoutMs: DEFAULT_TIMEOUT_MS,
      maxOutputBytes: DEFAULT_MAX_OUTPUT_BYTES,
      installHint: "apt-get install flake8 (Debian/Ubuntu) or pipx install flake8",
      // --isolated: setup.cfg, tox.ini and .flake8 are not read, so neither are their
      // [flake8:local-plugins] (which import code from the project) nor their settings.
      buildArgs: (absPath, _dir, configFlags) => [
        "--isolated",
        `--format=${typeof absPath === "string" ? FLAKE8_FORMAT : FLAKE8_BATCH_FORMAT}`,
        ...flags(configFlags),
        "--",
        ...[operand(absPath)].flat(),
      ],
      // "-" after "--" is flake8's standard input; the display name carries the real path.
      stdinArgs: (absPath, configFlags) => [
        "--isolated",
        `--format=${FLAKE8_FORMAT}`,
        ...flags(configFlags),
        `--stdin-display-name=${operand(absPath)}`,
        "--",
        "-",
      ],
      env: pythonEnv,
      parse: parseFlake8,
    }),
    pylint: frozen({
      name: "pylint",
      binary: "pylint",
      extensions: [".py"],
      language: "Python",
      timeoutMs: DEFAULT_TIMEOUT_MS,
      maxOutputBytes: DEFAULT_MAX_OUTPUT_BYTES,
      installHint: "apt-get install pylint (Debian/Ubuntu) or pipx install pylint",
      // An explicit --rcfile stops pylint from looking for pylintrc, .pylintrc,
      // pyproject.toml, setup.cfg or tox.ini (whose init-hook and load-plugins run code);
      // --persistent=n: no stats read from or written to the cache.
      buildArgs: (absPath, isolatedConfigDir, configFlags) => [
        `--rcfile=${isolatedConfigDir ? path.join(isolatedConfigDir, "pylintrc") : "/dev/null"}`,
        "--persistent=n",
        "--output-format=json",
        ...flags(configFlags),
        "--",
        ...[operand(absPath)].flat(),
      ],
      // --from-stdin: the module's text comes from standard input, named by the one path.
      stdinArgs: (absPath, configFlags) => [
        "--rcfile=/dev/null",
        "--persistent=n",
        "--output-format=json",
        ...flags(configFlags),
        "--from-stdin",
        "--",
        operand(absPath),
      ],
      env: pythonEnv,
      parse: parsePylint,
    }),
    shellcheck: frozen({
      name: "shellcheck",
      binary: "shellcheck",
      extensions: [".sh", ".bash", ".ksh"],
      language: "Shell",
      timeoutMs: DEFAULT_TIMEOUT_MS,
      maxOutputBytes: DEFAULT_MAX_OUTPUT_BYTES,
      installHint:
        "apt-get install shellcheck (Debian/Ubuntu), brew install shellcheck (macOS), or see https://github.com/koalaman/shellcheck#installing",
      // --norc: no .shellcheckrc (which can enable external-sources and disable checks);
      // no -x: sourced files, which may lie outside the project, are not opened.
      buildArgs: (absPath) => ["--norc", "--format=json1", "--", ...[operand(absPath)].flat()],
      // The dialect comes from the text's shebang (a .bash or .ksh name without one is not seen).
      stdinArgs: (absPath) => {
        operand(absPath);
        return ["--norc", "--format=json1", "--", "-"];
      },
      env: baseEnv,
      parse: parseShellcheck,
    }),
    "deno-lint": frozen({
      name: "deno-lint",
      binary: "deno",
      extensions: JS_TS_EXTENSIONS,
      language: "JavaScript/TypeScript",
      timeoutMs: DEFAULT_TIMEOUT_MS,
      maxOutputBytes: DEFAULT_MAX_OUTPUT_BYTES,
      installHint:
        "npm install -g deno, or see https://docs.deno.com/runtime/getting_started/installation/",
      // --no-config: no deno.json(c), so no lint plugins (JavaScript run by the linter)
      // and no rule settings. No "--": deno lint ignores files placed after it and lints
      // the whole working directory instead; the absolute path cannot read as an option.
      buildArgs: (absPath) => ["lint", "--no-config", "--json", ...[operand(absPath)].flat()],
      // "-" is standard input; --ext gives it the path's syntax (a .tsx base parses as TSX).
      stdinArgs: (absPath) => [
        "lint",
        "--no-config",
        "--json",
        `--ext=${extensionOf(operand(absPath)).slice(1) || "ts"}`,
        "-",
      ],
      env: (pathValue) => ({ ...baseEnv(pathValue), NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" }),
      parse: parseDenoLint,
    }),
  } satisfies Record<SubprocessLinter, LinterSpec>,
);

/** Lower-case extension of the last path component, "" when there is none (".bashrc" has none). */
function extensionOf(filePath: string): string {
  return path.extname(filePath.replace(/\\/g, "/")).toLowerCase();
}

const DEFAULT_BY_EXTENSION: Readonly<Record<string, SubprocessLinter>> = Object.freeze({
  ".py": "flake8",
  ".pyi": "flake8",
  ".sh": "shellcheck",
  ".bash": "shellcheck",
  ".ksh": "shellcheck",
  ...Object.fromEntries(JS_TS_EXTENSIONS.map((e) => [e, "deno-lint" as const])),
});

/**
 * The default subprocess linter for a file, by extension (case-insensitive).
 *
 * @example linterForExtension("src/app.py") === "flake8"; linterForExtension("run.sh") === "shellcheck"
 */
export function linterForExtension(filePath: string): SubprocessLinter | undefined {
  const ext = extensionOf(filePath);
  return Object.hasOwn(DEFAULT_BY_EXTENSION, ext) ? DEFAULT_BY_EXTENSION[ext] : undefined;
}

/**
 * True when `linter` takes this kind of file (its extension, case-insensitive).
 *
 * @example acceptsFile("shellcheck", "/p/run.sh") === true; acceptsFile("shellcheck", "/p/app.py") === false
 */
export function acceptsFile(linter: SubprocessLinter, filePath: string): boolean {
  if (!Object.hasOwn(LINTERS, linter)) return false;
  return LINTERS[linter].extensions.includes(extensionOf(filePath));
}
