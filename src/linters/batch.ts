/**
 * One linter process, many files: its output split back into one output per file, in the
 * linter's own format, so each file's part goes through the same parser as a single-file run
 * (src/linters/parsers.ts). Pure; never throws.
 */
import * as path from "node:path";
import type { SubprocessLinter } from "../policy/commands.ts";
import type { Result } from "../result.ts";

/** Each file's share of the output, keyed by absolute path, plus whether the share holds findings. */
export type SplitOutput = Result<Map<string, string>>;

/** What a linter prints for a file without findings (what its parser reads as "clean"). */
export const EMPTY_OUTPUT: Readonly<Record<SubprocessLinter, string>> = Object.freeze({
  "ruff-native": "[]",
  flake8: "",
  pylint: "[]",
  shellcheck: '{"comments":[]}',
  "deno-lint": '{"diagnostics":[],"errors":[]}',
});

/** The exit code a single-file run with findings would have had. */
export const FINDINGS_CODE: Readonly<Record<SubprocessLinter, number>> = Object.freeze({
  "ruff-native": 1,
  flake8: 1,
  pylint: 4,
  shellcheck: 1,
  "deno-lint": 1,
});

const SEP = "\x1f";

function fileKey(root: string, p: unknown): string | undefined {
  if (typeof p !== "string" || p === "") return undefined;
  const s = p.startsWith("file://") ? decodeURIComponent(new URL(p).pathname) : p;
  return path.resolve(root, s);
}

function group<T>(
  items: readonly T[],
  keyOf: (item: T) => string | undefined,
  known: ReadonlySet<string>,
): Map<string, T[]> | string {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    if (k === undefined || !known.has(k)) {
      return `a finding names a file that was not asked about (${JSON.stringify(k ?? null)})`;
    }
    let list = out.get(k);
    if (!list) out.set(k, list = []);
    list.push(item);
  }
  return out;
}

function rec(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v)
    ? v as Record<string, unknown>
    : undefined;
}

/**
 * Splits a batch run's stdout by file. `absPaths` are the operands as passed; `root` is the
 * linter's working directory (pylint prints paths relative to it).
 *
 * @example splitByFile("flake8", "/p/a.py\x1f1:1:F401:'os' imported but unused\n", "/p", ["/p/a.py"])
 * // { ok: true, value: Map { "/p/a.py" => "1:1:F401:'os' imported but unused" } }
 */
export function splitByFile(
  linter: SubprocessLinter,
  stdout: string,
  root: string,
  absPaths: readonly string[],
): SplitOutput {
  const known = new Set(absPaths);
  const parts = new Map<string, string>();
  try {
    if (linter === "flake8") {
      const lines = new Map<string, string[]>();
      let current: string[] | undefined;
      for (const line of stdout.split(/\r?\n/)) {
        const at = line.indexOf(SEP);
        if (at === -1) {
          if (line.trim() === "") continue;
          if (!current) {
            return {
              ok: false,
              reason: `flake8 printed output that is not a finding: ${line.slice(0, 200)}`,
            };
          }
          current.push(line); // a message continued on the next line
          continue;
        }
        const k = path.resolve(root, line.slice(0, at));
        if (!known.has(k)) {
          return {
            ok: false,
            reason: `flake8 named a file that was not asked about: ${
              JSON.stringify(line.slice(0, at))
            }`,
          };
        }
        let list = lines.get(k);
        if (!list) lines.set(k, list = []);
        list.push(line.slice(at + 1));
        current = list;
      }
      for (const [k, v] of lines) parts.set(k, v.join("\n") + "\n");
      return { ok: true, value: parts };
    }
    const json: unknown = JSON.parse(stdout);
    if (linter === "pylint" || linter === "ruff-native") {
      if (!Array.isArray(json)) {
        return { ok: false, reason: `${linter} output is not a JSON array` };
      }
      const field = linter === "pylint" ? "path" : "filename";
      const g = group(json, (i) => fileKey(root, rec(i)?.[field]), known);
      if (typeof g === "string") return { ok: false, reason: `${linter}: ${g}` };
      for (const [k, v] of g) parts.set(k, JSON.stringify(v));
      return { ok: true, value: parts };
    }
    if (linter === "shellcheck") {
      const comments = rec(json)?.comments;
      if (!Array.isArray(comments)) {
        return { ok: false, reason: "output is not shellcheck's json1 format" };
      }
      const g = group(comments, (c) => fileKey(root, rec(c)?.file), known);
      if (typeof g === "string") return { ok: false, reason: `shellcheck: ${g}` };
      for (const [k, v] of g) parts.set(k, JSON.stringify({ comments: v }));
      return { ok: true, value: parts };
    }
    const o = rec(json);
    if (!o || !Array.isArray(o.diagnostics)) {
      return { ok: false, reason: "output is not deno lint's JSON format" };
    }
    const errors = Array.isArray(o.errors) ? o.errors : [];
    const d = group(o.diagnostics, (x) => fileKey(root, rec(x)?.filename), known);
    if (typeof d === "string") return { ok: false, reason: `deno lint: ${d}` };
    const e = group(errors, (x) => fileKey(root, rec(x)?.file_path ?? rec(x)?.filename), known);
    if (typeof e === "string") return { ok: false, reason: `deno lint: ${e}` };
    for (const k of new Set([...d.keys(), ...e.keys()])) {
      parts.set(
        k,
        JSON.stringify({ version: 1, diagnostics: d.get(k) ?? [], errors: e.get(k) ?? [] }),
      );
    }
    return { ok: true, value: parts };
  } catch (err) {
    return { ok: false, reason: `${linter} output could not be read: ${(err as Error).message}` };
  }
}
