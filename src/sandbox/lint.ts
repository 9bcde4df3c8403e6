/**
 * run_linter's effect, inside the worker: resolve the path by the path policy, check
 * that the linter takes that kind of file, then run it (the built-in ruff engine, or
 * an allowlisted binary with its fixed argv and a cleared environment).
 */
import type { Diagnostic } from "../linters/types.ts";
import { linterAccepts, type LinterName, RUFF_EXTENSIONS } from "../linters/registry.ts";
import { acceptsFile, LINTERS } from "../policy/commands.ts";
import { formatBytes, isInside, resolveInsideRoot } from "../policy/paths.ts";
import { runCommand } from "./run_command.ts";
import { readFile, secretFileRefusal } from "./files.ts";
import { contentFindings } from "../linters/content_findings.ts";
import { denoProjectFs, ruffCheck, RuffProject } from "../linters/ruff/mod.ts";
import { nativeConfigFlags } from "../linters/ruff/native_args.ts";
import {
  type ConfigText,
  describeConfig,
  FLAKE8_CONFIG_NAMES,
  flake8Config,
  PYLINT_CONFIG_NAMES,
  pylintConfig,
  type PythonLinterConfig,
} from "../linters/python_config.ts";
import * as path from "node:path";
import type { Result } from "../result.ts";

export interface LintRequest {
  root: string;
  path: string;
  linter: LinterName;
  /** PATH handed to the linter process (the only variable it inherits). */
  pathEnv: string;
  timeoutMs: number;
  maxOutputBytes: number;
  /** Largest file the built-in engine reads. */
  maxFileBytes: number;
  /** The operator's --allow-secret-files; otherwise credential files are refused. */
  allowSecretFiles?: boolean;
}

/** ruff's view of the project at `root` for one check (configurations, packages, first party). */
export function ruffProject(root: string): RuffProject {
  return new RuffProject(
    root,
    (p: string) => readConfigText(root, p),
    denoProjectFs(root, (abs) => isInside(root, abs)),
  );
}

export type LintOutcome = Result<{
  linter: LinterName;
  rel: string;
  diagnostics: Diagnostic[];
  durationMs: number;
  /** Engine version for the built-in ruff; the config file it used, if any. */
  engineVersion?: string;
  configFile?: string;
}>;

export async function runLinter(req: LintRequest, signal?: AbortSignal): Promise<LintOutcome> {
  const r = resolveInsideRoot(req.root, req.path);
  if (!r.ok) return r;
  const refused = secretFileRefusal(req.root, req.path, r.value.rel, req.allowSecretFiles === true);
  if (refused !== undefined) return { ok: false, reason: refused };
  if (r.value.kind !== "file") return { ok: false, reason: "is a directory, not a file" };
  const started = performance.now();
  if (req.linter === "ruff") {
    if (!linterAccepts("ruff", r.value.real)) {
      return {
        ok: false,
        reason: `ruff does not check this kind of file (it takes ${RUFF_EXTENSIONS.join(", ")})`,
      };
    }
    const text = await readFile({
      root: req.root,
      path: r.value.real,
      maxBytes: req.maxFileBytes,
      maxOutputBytes: req.maxFileBytes,
      allowSecretFiles: req.allowSecretFiles === true,
    });
    if (!text.ok) return text;
    // The project's view of the file (first-party modules, its package), as a project lint has it.
    const project = ruffProject(req.root);
    const config = await project.engineConfig(r.value.rel);
    const result = await ruffCheck({
      absPath: r.value.real,
      relPath: r.value.rel,
      root: req.root,
      source: text.value.text,
      readTextFile: (p: string) => readConfigText(req.root, p),
      signal,
      config,
    });
    if (!result.ok) return { ok: false, reason: result.reason };
    return {
      ok: true,
      value: {
        linter: "ruff",
        rel: r.value.rel,
        diagnostics: [
          ...project.withPathRules(r.value.rel, text.value.text, result.value, config),
          ...contentFindings(text.value.text, r.value.rel),
        ],
        durationMs: performance.now() - started,
        engineVersion: result.engineVersion,
        ...(result.configFile ? { configFile: result.configFile } : {}),
      },
    };
  }
  const spec = LINTERS[req.linter];
  if (!acceptsFile(req.linter, r.value.real)) {
    return {
      ok: false,
      reason: `${req.linter} does not check this kind of file (it takes ${
        spec.extensions.join(", ")
      })`,
    };
  }
  const cfg = req.linter === "flake8" || req.linter === "pylint"
    ? pythonLinterConfig(req.linter, req.root)
    : undefined;
  let configFile = cfg ? describeConfig(cfg) : undefined;
  let flags = cfg?.flags ?? [];
  let cwd = req.root;
  if (req.linter === "ruff-native") {
    // The project's resolved configuration, as overrides from its folder (native_args.ts).
    const dir = path.posix.dirname(r.value.rel);
    const c = await ruffProject(req.root).configForDir(dir === "." ? "" : dir);
    if (!c.ok) return { ok: false, reason: c.reason };
    flags = nativeConfigFlags(c.value);
    if (c.value.configDir !== "") cwd = path.join(req.root, c.value.configDir);
    configFile = c.value.configFile;
  }
  const result = await runCommand({
    op: "runCommand",
    binary: spec.binary,
    args: spec.buildArgs(r.value.real, undefined, flags),
    env: spec.env(req.pathEnv),
    cwd,
    timeoutMs: req.timeoutMs,
    maxOutputBytes: Math.min(req.maxOutputBytes, spec.maxOutputBytes),
  }, signal);
  if (result.notFound) {
    return {
      ok: false,
      reason: `${req.linter} is not installed on this machine: install it with ${spec.installHint}`,
    };
  }
  if (result.timedOut) {
    return {
      ok: false,
      reason: `${req.linter} did not finish within ${
        formatDuration(req.timeoutMs)
      } and was stopped`,
    };
  }
  if (result.truncated) {
    return {
      ok: false,
      reason: `${req.linter} printed more than ${
        formatBytes(Math.min(req.maxOutputBytes, spec.maxOutputBytes))
      } and was stopped`,
    };
  }
  if (signal?.aborted) return { ok: false, reason: "cancelled" };
  const parsed = spec.parse(result.stdout, result.stderr, result.code, r.value.rel);
  if (!parsed.ok) return { ok: false, reason: `${req.linter} failed: ${parsed.reason}` };
  const own = await ownFindings(req, r.value.real, r.value.rel);
  return {
    ok: true,
    value: {
      linter: req.linter,
      rel: r.value.rel,
      diagnostics: [...parsed.value, ...own],
      durationMs: performance.now() - started,
      ...(configFile ? { configFile } : {}),
    },
  };
}

/**
 * The project's own flake8 or pylint settings (from the root's configuration files, read under
 * the path policy), reduced to the safe flags of src/linters/python_config.ts.
 */
export function pythonLinterConfig(linter: "flake8" | "pylint", root: string): PythonLinterConfig {
  const names = linter === "flake8" ? FLAKE8_CONFIG_NAMES : PYLINT_CONFIG_NAMES;
  const files: ConfigText[] = names.map((name) => ({ name, text: readRootConfig(root, name) }));
  return linter === "flake8" ? flake8Config(files) : pylintConfig(files);
}

function readRootConfig(root: string, name: string): string | null {
  const r = resolveInsideRoot(root, path.join(root, name));
  if (!r.ok || r.value.kind !== "file" || r.value.info.size > 1024 * 1024) return null;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Deno.readFileSync(r.value.real));
  } catch {
    return null;
  }
}

/** The server's own findings (secrets, invisible Unicode) on a file a subprocess linter checked. */
async function ownFindings(req: LintRequest, absPath: string, rel: string): Promise<Diagnostic[]> {
  const text = await readFile({
    root: req.root,
    path: absPath,
    maxBytes: req.maxFileBytes,
    maxOutputBytes: req.maxFileBytes,
    allowSecretFiles: req.allowSecretFiles === true,
  });
  return text.ok ? contentFindings(text.value.text, rel) : [];
}

function formatDuration(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

/** Reads a configuration file for the ruff engine; null when absent, outside the root or not a text file. */
export async function readConfigText(root: string, absPath: string): Promise<string | null> {
  if (!isInside(root, absPath)) return null;
  const r = await readFile({
    root,
    path: absPath,
    maxBytes: 1024 * 1024,
    maxOutputBytes: 1024 * 1024,
  });
  return r.ok ? r.value.text : null;
}
