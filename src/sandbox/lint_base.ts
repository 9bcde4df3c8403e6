/**
 * review_changes' baseline, inside the worker: the base version of each changed file is read
 * from git objects and linted in memory (never written to disk): by the built-in ruff engine, or
 * given on standard input to the allowlisted linter (flake8, pylint, shellcheck), with the same
 * configuration as the current version, plus the server's own content rules. The current
 * version is read too, and the line map of the two is computed here, off the main thread.
 */
import * as path from "node:path";
import type { Diagnostic } from "../linters/types.ts";
import type { LinterName } from "../linters/registry.ts";
import { type LineMap, mapLines } from "../linters/baseline.ts";
import { contentFindings } from "../linters/content_findings.ts";
import { ruffCheck } from "../linters/ruff/mod.ts";
import { resolveInsideRoot } from "../policy/paths.ts";
import { readFile } from "./files.ts";
import { gitBaseTexts } from "./git.ts";
import type { BaseText } from "../git/base_text.ts";
import { pythonLinterConfig, readConfigText, ruffProject } from "./lint.ts";
import type { RuffProject } from "../linters/ruff/project.ts";
import { LINTERS, type SubprocessLinter } from "../policy/commands.ts";
import { runCommand } from "./run_command.ts";
import type { Result } from "../result.ts";

/** True when the linter can check a base version without a file: in memory or on stdin. */
export function lintsBaseText(linter: LinterName): boolean {
  return linter === "ruff" ||
    (Object.hasOwn(LINTERS, linter) && LINTERS[linter as SubprocessLinter].stdinArgs !== undefined);
}

export interface LintBaseRequest {
  root: string;
  base?: string;
  /** Changed files (not added, not deleted): current path, base path, the linter of the current run. */
  files: { path: string; oldPath: string; linter: LinterName }[];
  timeoutMs: number;
  maxObjectBytes: number;
  maxFileBytes: number;
  allowSecretFiles?: boolean;
  /** For linters run as programs: PATH, their time limit and output cap (as run_linter's). */
  pathEnv?: string;
  linterTimeoutMs?: number;
  maxOutputBytes?: number;
  /** Base versions checked at once (default 1: one linter process at a time). */
  concurrency?: number;
}

/** One per file and linter: which, and the base version's findings or why there are none. */
export type BaseLint =
  & { path: string; linter: LinterName }
  & Result<{
    baseText: string;
    newText: string;
    baseDiagnostics: Diagnostic[];
    map: LineMap;
  }>;

export async function lintBase(req: LintBaseRequest, signal: AbortSignal): Promise<BaseLint[]> {
  const can = (l: LinterName) => lintsBaseText(l) && (l === "ruff" || req.pathEnv !== undefined);
  const checkable = req.files.filter((f) => can(f.linter));
  const out: BaseLint[] = req.files.filter((f) => !can(f.linter)).map((f) => ({
    path: f.path,
    linter: f.linter,
    ok: false,
    reason: `${f.linter} cannot check text without a file, so the base version was not linted`,
  }));
  if (checkable.length === 0) return out;
  const texts = await gitBaseTexts({
    root: req.root,
    ...(req.base !== undefined ? { base: req.base } : {}),
    paths: checkable.map((f) => f.oldPath),
    timeoutMs: req.timeoutMs,
    maxObjectBytes: req.maxObjectBytes,
    maxFileBytes: req.maxFileBytes,
  }, signal);
  if (!texts.ok) {
    for (const f of checkable) {
      out.push({
        path: f.path,
        linter: f.linter,
        ok: false,
        reason: `the base version could not be read (${texts.reason})`,
      });
    }
    return out;
  }
  // One view of the project for the whole request: its configurations are resolved once.
  let project: RuffProject | undefined;
  const projectView = () => (project ??= ruffProject(req.root));
  let next = 0;
  const lane = async () => {
    while (next < checkable.length) {
      if (signal.aborted) throw new DOMException("cancelled", "AbortError");
      const f = checkable[next++]!;
      out.push(await lintOne(req, f, texts.value[f.oldPath], projectView, signal));
    }
  };
  const lanes = Math.max(1, Math.min(req.concurrency ?? 1, checkable.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  return out;
}

/** One changed file's base version, linted, with the current version's text and the line map. */
async function lintOne(
  req: LintBaseRequest,
  f: LintBaseRequest["files"][number],
  t: BaseText | undefined,
  projectView: () => RuffProject,
  signal: AbortSignal,
): Promise<BaseLint> {
  const fail = (reason: string): BaseLint => ({
    path: f.path,
    linter: f.linter,
    ok: false,
    reason,
  });
  if (t === undefined || !t.ok) {
    return fail(
      `the base version is ${t?.reason === "too-large" ? "too large" : t?.reason ?? "absent"}`,
    );
  }
  const current = await readFile({
    root: req.root,
    path: f.path,
    maxBytes: req.maxFileBytes,
    maxOutputBytes: req.maxFileBytes,
    allowSecretFiles: req.allowSecretFiles === true,
  });
  if (!current.ok) return fail(`the current version: ${current.reason}`);
  const r = resolveInsideRoot(req.root, f.path);
  // The base text is checked as if it stood at the current path: the same configuration applies.
  const absPath = r.ok ? r.value.real : path.join(req.root, f.path);
  const checked = f.linter === "ruff"
    ? await ruffOnText(req, projectView(), f.path, absPath, t.value, signal)
    : await programOnText(req, f.linter as SubprocessLinter, f.path, absPath, t.value, signal);
  if (!checked.ok) return fail(`${f.linter} on the base version: ${checked.reason}`);
  return {
    path: f.path,
    linter: f.linter,
    ok: true,
    value: {
      baseText: t.value,
      newText: current.value.text,
      baseDiagnostics: [...checked.value, ...contentFindings(t.value, f.path)],
      map: mapLines(t.value, current.value.text),
    },
  };
}

type TextCheck = Result<Diagnostic[]>;

async function ruffOnText(
  req: LintBaseRequest,
  project: RuffProject,
  rel: string,
  absPath: string,
  text: string,
  signal: AbortSignal,
): Promise<TextCheck> {
  // The same view of the project as the current version's check (src/sandbox/lint.ts): first-party
  // modules and the rules decided by the file's path, so both sides are found alike.
  const config = await project.engineConfig(rel);
  const c = await ruffCheck({
    absPath,
    relPath: rel,
    root: req.root,
    source: text,
    readTextFile: (p: string) => readConfigText(req.root, p),
    signal,
    config,
  });
  return c.ok
    ? { ok: true, value: project.withPathRules(rel, text, c.value, config) }
    : { ok: false, reason: c.reason };
}

/**
 * The allowlisted linter on the base text, given on standard input and named by the current
 * path, with the project's safe settings (as src/sandbox/lint.ts runs it on the file).
 */
async function programOnText(
  req: LintBaseRequest,
  linter: SubprocessLinter,
  rel: string,
  absPath: string,
  text: string,
  signal: AbortSignal,
): Promise<TextCheck> {
  const spec = LINTERS[linter];
  const cfg = linter === "flake8" || linter === "pylint"
    ? pythonLinterConfig(linter, req.root)
    : undefined;
  const maxOutputBytes = Math.min(req.maxOutputBytes ?? spec.maxOutputBytes, spec.maxOutputBytes);
  const result = await runCommand({
    op: "runCommand",
    binary: spec.binary,
    args: spec.stdinArgs!(absPath, cfg?.flags ?? []),
    env: spec.env(req.pathEnv!),
    cwd: req.root,
    timeoutMs: req.linterTimeoutMs ?? spec.timeoutMs,
    maxOutputBytes,
    stdin: text,
  }, signal);
  if (result.notFound) return { ok: false, reason: "not installed" };
  if (result.timedOut) return { ok: false, reason: "did not finish in time" };
  if (result.truncated) return { ok: false, reason: "printed too much" };
  if (signal.aborted) throw new DOMException("cancelled", "AbortError");
  const parsed = spec.parse(result.stdout, result.stderr, result.code, rel);
  return parsed.ok ? parsed : { ok: false, reason: parsed.reason };
}
