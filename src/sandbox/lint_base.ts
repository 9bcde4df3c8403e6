/**
 * review_changes' baseline, inside the worker: the base version of each changed file is read
 * from git objects and linted in memory (never written to disk) with the built-in ruff engine
 * and the server's own content rules, under the same configuration as the current version; the
 * current version is read too, and the line map of the two is computed here, off the main thread.
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
import { readConfigText } from "./lint.ts";
import type { Result } from "../result.ts";

/** Linters that can check text in memory; the others read files, so their base is not linted. */
export const IN_MEMORY_LINTERS: readonly LinterName[] = ["ruff"];

export interface LintBaseRequest {
  root: string;
  base?: string;
  /** Changed files (not added, not deleted): current path, base path, the linter of the current run. */
  files: { path: string; oldPath: string; linter: LinterName }[];
  timeoutMs: number;
  maxObjectBytes: number;
  maxFileBytes: number;
  allowSecretFiles?: boolean;
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
  const memory = req.files.filter((f) => IN_MEMORY_LINTERS.includes(f.linter));
  const out: BaseLint[] = req.files.filter((f) => !IN_MEMORY_LINTERS.includes(f.linter)).map((
    f,
  ) => ({
    path: f.path,
    linter: f.linter,
    ok: false,
    reason: `${f.linter} reads files from disk, so the base version was not linted`,
  }));
  if (memory.length === 0) return out;
  const texts = await gitBaseTexts({
    root: req.root,
    ...(req.base !== undefined ? { base: req.base } : {}),
    paths: memory.map((f) => f.oldPath),
    timeoutMs: req.timeoutMs,
    maxObjectBytes: req.maxObjectBytes,
    maxFileBytes: req.maxFileBytes,
  }, signal);
  for (const f of memory) {
    if (signal.aborted) throw new DOMException("cancelled", "AbortError");
    if (!texts.ok) {
      out.push({
        path: f.path,
        linter: f.linter,
        ok: false,
        reason: `the base version could not be read (${texts.reason})`,
      });
      continue;
    }
    const t = texts.value[f.oldPath];
    if (t === undefined || !t.ok) {
      out.push({
        path: f.path,
        linter: f.linter,
        ok: false,
        reason: `the base version is ${
          t?.reason === "too-large" ? "too large" : t?.reason ?? "absent"
        }`,
      });
      continue;
    }
    const current = await readFile({
      root: req.root,
      path: f.path,
      maxBytes: req.maxFileBytes,
      maxOutputBytes: req.maxFileBytes,
      allowSecretFiles: req.allowSecretFiles === true,
    });
    if (!current.ok) {
      out.push({
        path: f.path,
        linter: f.linter,
        ok: false,
        reason: `the current version: ${current.reason}`,
      });
      continue;
    }
    const r = resolveInsideRoot(req.root, f.path);
    // The base text is checked as if it stood at the current path: the same configuration applies.
    const absPath = r.ok ? r.value.real : path.join(req.root, f.path);
    const checked = await ruffCheck({
      absPath,
      relPath: f.path,
      root: req.root,
      source: t.value,
      readTextFile: (p: string) => readConfigText(req.root, p),
      signal,
    });
    if (!checked.ok) {
      out.push({
        path: f.path,
        linter: f.linter,
        ok: false,
        reason: `ruff on the base version: ${checked.reason}`,
      });
      continue;
    }
    out.push({
      path: f.path,
      linter: f.linter,
      ok: true,
      value: {
        baseText: t.value,
        newText: current.value.text,
        baseDiagnostics: [...checked.value, ...contentFindings(t.value, f.path)],
        map: mapLines(t.value, current.value.text),
      },
    });
  }
  return out;
}
