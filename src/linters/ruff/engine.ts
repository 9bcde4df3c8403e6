/**
 * The built-in ruff engine: ruff compiled to WebAssembly, run in-process, so Python linting
 * needs no installed binary and no run permission. Loads on first use (or warmUp()), needs
 * no permission to load, and maps ruff's findings onto the shared Diagnostic shape.
 */
import { pythonCodeSeverity, ruffRuleUrl } from "../severity.ts";
import {
  type Diagnostic as RuffDiagnostic,
  initSync,
  PositionEncoding,
  Workspace,
} from "@astral-sh/ruff-wasm-web";
import type { Diagnostic, ParseResult, Severity } from "../types.ts";
import { cloneTable, DEFAULT_RUFF_SETTINGS, type RuffSettings } from "./config.ts";
import {
  appliesTo,
  GlobError,
  isTable,
  type PerFileIgnore,
  readPerFileIgnoresTable,
} from "./per_file_ignores.ts";
import type { ResultWith } from "../../result.ts";

export { RUFF_ENGINE_VERSION } from "./version.ts";

/** ruff's own name for a syntax error in the checked file (older engines gave no code at all). */
export const SYNTAX_ERROR_CODE = "invalid-syntax";

/** How many configured Workspaces stay alive; one per distinct settings object. */
const WORKSPACE_CACHE_CAP = 16;

/** Characters of a fix's replacement text shown before it is elided. */
const FIX_CONTENT_PREVIEW = 400;

/**
 * A per-file-ignores key no path can match: selectors of entries that do not apply to the
 * file go here, so that ruff still validates them (an unknown code is an error) without effect.
 */
const VALIDATION_ONLY_PATTERN = "code-review-mcp-validation-only/never-matches";

/** The engine's answer, telling settings the engine rejects apart from the engine failing. */
export type EngineOutcome = ResultWith<Diagnostic[], { kind: "settings" | "engine" }>;

let loading: Promise<void> | undefined;
let loaded = false;
/** The compiled module: given (shareModule) or compiled here on first use. */
let compiled: WebAssembly.Module | undefined;
const workspaces = new Map<string, Workspace>();

/**
 * Uses a module another engine worker compiled already (WebAssembly.Module passes between workers
 * in one process): the second engine then skips decoding the 11 MB module again, whose transient
 * peak was about 17 MiB. Must come before the first check.
 */
export function shareModule(module: WebAssembly.Module): void {
  if (loading === undefined) compiled = module;
}

/** Loads the engine; its compiled module (to hand to the next engine worker), or undefined when loading failed. */
export async function loadEngineModule(): Promise<WebAssembly.Module | undefined> {
  try {
    await loadEngine();
    return compiled;
  } catch {
    return undefined; // the check that follows reports the failure
  }
}

/** Instantiates the wasm once; concurrent callers share the same promise, a failure may be retried. */
function loadEngine(): Promise<void> {
  if (loading === undefined) {
    loading = (async () => {
      compiled ??= (await import("./wasm_module.js")).default;
      initSync({ module: compiled });
      loaded = true;
    })();
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}

/** Whether the wasm is instantiated (for status and tests; checking never requires calling this). */
export function isEngineLoaded(): boolean {
  return loaded;
}

/**
 * Loads the engine and runs one small check with the default settings, so that the first
 * real request does not pay for compilation. Safe to call in the background, more than once;
 * never rejects (a load failure is reported by the next check instead).
 */
export async function warmUp(): Promise<void> {
  try {
    await runEngine(
      "import os\n\n\ndef f(a=[]):\n    return a\n",
      DEFAULT_RUFF_SETTINGS,
      "warm_up.py",
    );
  } catch {
    // runEngine reports failures as outcomes; nothing else can reach here
  }
}

/**
 * Checks Python source with ruff options (ruff.toml keys; per-file-ignores patterns relative to
 * the project root) plus already-resolved per-file-ignores. relPath is the file's path from the
 * root: it is reported in each Diagnostic and matched against per-file-ignores.
 * Never throws: rejected settings and engine failures come back as { ok: false, reason, kind }.
 */
export async function checkSource(
  source: string,
  settings: RuffSettings,
  relPath: string,
  perFileIgnores: readonly PerFileIgnore[] = [],
): Promise<ParseResult> {
  const outcome = await runEngine(source, settings, relPath, perFileIgnores);
  if (outcome.ok) return outcome;
  return {
    ok: false,
    reason: outcome.kind === "settings"
      ? `ruff rejected the settings: ${outcome.reason}`
      : outcome.reason,
  };
}

/** checkSource, with the kind of failure kept apart so callers can name the configuration file. */
export async function runEngine(
  source: string,
  settings: RuffSettings,
  relPath: string,
  perFileIgnores: readonly PerFileIgnore[] = [],
): Promise<EngineOutcome> {
  return (await runEngineBatch([{ source, relPath }], settings, perFileIgnores))[0]!;
}

/** One file of a batch: its text and its path from the root. */
export interface BatchFile {
  source: string;
  relPath: string;
}

/**
 * runEngine on many files that share settings, one outcome per file in their order: the
 * settings are read once per batch and the engine's options built once per distinct set of
 * per-file-ignores that applies (most files of a project share one).
 */
export async function runEngineBatch(
  files: readonly BatchFile[],
  settings: RuffSettings,
  perFileIgnores: readonly PerFileIgnore[] = [],
): Promise<EngineOutcome[]> {
  let prepared: PreparedOptions;
  try {
    prepared = prepareOptions(settings, perFileIgnores);
  } catch (e) {
    const failure: EngineOutcome = { ok: false, reason: errorText(e), kind: "settings" };
    return files.map(() => failure);
  }
  try {
    await loadEngine();
  } catch (e) {
    const failure: EngineOutcome = {
      ok: false,
      reason: `The built-in ruff engine could not be loaded: ${errorText(e)}`,
      kind: "engine",
    };
    return files.map(() => failure);
  }
  const bySignature = new Map<string, Workspace | EngineOutcome>();
  return files.map(({ source, relPath }) => {
    let workspace: Workspace | EngineOutcome;
    try {
      const applying = applyingEntries(prepared.entries, relPath);
      const signature = applying.join(",");
      let cached = bySignature.get(signature);
      if (cached === undefined) {
        try {
          cached = workspaceFor(optionsFor(prepared, applying));
        } catch (e) {
          cached = { ok: false, reason: errorText(e), kind: "settings" };
        }
        bySignature.set(signature, cached);
      }
      workspace = cached;
    } catch (e) {
      return { ok: false, reason: errorText(e), kind: "settings" };
    }
    if (!(workspace instanceof Workspace)) return workspace;
    let raw: RuffDiagnostic[];
    try {
      raw = workspace.check(source) as RuffDiagnostic[];
    } catch (e) {
      // A Rust panic traps the wasm; drop the Workspaces it may have left half-updated.
      workspaces.clear();
      bySignature.clear();
      return {
        ok: false,
        reason: `The built-in ruff engine failed on this file: ${errorText(e)}`,
        kind: "engine",
      };
    }
    const diagnostics = raw.map((d) => toDiagnostic(d, relPath));
    diagnostics.sort((a, b) => a.line - b.line || a.column - b.column || compare(a.code, b.code));
    return { ok: true, value: diagnostics };
  });
}

/** Settings read once for a batch: the options less per-file-ignores, and every per-file-ignores entry. */
interface PreparedOptions {
  options: RuffSettings;
  entries: PerFileIgnore[];
}

function prepareOptions(
  settings: RuffSettings,
  extra: readonly PerFileIgnore[],
): PreparedOptions {
  if (!isTable(settings)) throw new Error("settings must be an object of ruff options");
  const options = cloneTable(settings);
  const lint = isTable(options.lint) ? options.lint : undefined;
  const entries: PerFileIgnore[] = [];
  for (const key of ["per-file-ignores", "extend-per-file-ignores"] as const) {
    const value = lint?.[key] ?? options[key];
    if (value !== undefined) {
      const read = readPerFileIgnoresTable(value, "", key);
      if (typeof read === "string") throw new Error(read);
      entries.push(...read);
    }
    if (lint !== undefined) delete lint[key];
    delete options[key];
  }
  entries.push(...extra);
  return { options, entries };
}

/** The indexes of the entries that apply to the file (a glob error is the settings' failure). */
function applyingEntries(entries: readonly PerFileIgnore[], relPath: string): number[] {
  const out: number[] = [];
  entries.forEach((entry, i) => {
    let applies: boolean;
    try {
      applies = appliesTo(entry, relPath);
    } catch (e) {
      if (e instanceof GlobError) throw new Error(`per-file-ignores: ${e.message}`);
      throw e;
    }
    if (applies) out.push(i);
  });
  return out;
}

/**
 * The options handed to the wasm: per-file-ignores (from the settings, relative to the root, and
 * the resolved ones) reduced to those that apply to this file under the "*" pattern, the others
 * kept only for validation; rule codes always reported as codes, never as preview rule names.
 */
function optionsFor(prepared: PreparedOptions, applyingIndexes: readonly number[]): RuffSettings {
  const options = cloneTable(prepared.options);
  const lint = isTable(options.lint) ? options.lint : undefined;
  const applying: string[] = [];
  const validating: string[] = [];
  const applies = new Set(applyingIndexes);
  prepared.entries.forEach((entry, i) => {
    (applies.has(i) ? applying : validating).push(...entry.selectors);
  });
  if (applying.length + validating.length > 0) {
    const table: Record<string, string[]> = {};
    if (applying.length > 0) table["*"] = applying;
    if (validating.length > 0) table[VALIDATION_ONLY_PATTERN] = validating;
    if (lint !== undefined) lint["per-file-ignores"] = table;
    else if (options.lint === undefined) options.lint = { "per-file-ignores": table };
    // a `lint` that is not a table is left for the engine to reject
  }
  options["output-prefer-rule-codes"] = true;
  return options;
}

/** A Workspace per distinct options, least recently used evicted (and freed) past the cap. */
function workspaceFor(options: RuffSettings): Workspace {
  const key = stableKey(options);
  const cached = workspaces.get(key);
  if (cached !== undefined) {
    workspaces.delete(key);
    workspaces.set(key, cached);
    return cached;
  }
  // Columns in code points, 1-based: what ruff's CLI and flake8 print.
  const workspace = new Workspace(options, PositionEncoding.Utf32);
  workspaces.set(key, workspace);
  if (workspaces.size > WORKSPACE_CACHE_CAP) {
    const [oldestKey, oldest] = workspaces.entries().next().value as [string, Workspace];
    workspaces.delete(oldestKey);
    oldest.free();
  }
  return workspace;
}

function stableKey(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (!isTable(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = v[k];
    return sorted;
  });
}

/** Severity of a ruff code: the one table every linter shares (linters/severity.ts). */
export function severityOf(code: string): Severity {
  return code === SYNTAX_ERROR_CODE ? "error" : pythonCodeSeverity(code);
}

function toDiagnostic(d: RuffDiagnostic, file: string): Diagnostic {
  const code = d.code ?? SYNTAX_ERROR_CODE;
  const diagnostic: Diagnostic = {
    file,
    line: d.start_location.row,
    column: d.start_location.column,
    end_line: d.end_location.row,
    end_column: d.end_location.column,
    code,
    severity: severityOf(code),
    message: d.message,
  };
  const url = ruffRuleUrl(code);
  if (url !== undefined) diagnostic.url = url;
  const fix = describeFix(d.fix);
  if (fix !== undefined) diagnostic.fix = fix;
  return diagnostic;
}

type Location = { row: number; column: number };

/**
 * A fix as text for the model: ruff's description, then each edit with its 1-based range
 * (end exclusive) and the replacement quoted as a JSON string. Describes, never applies.
 */
export function describeFix(fix: RuffDiagnostic["fix"]): string | undefined {
  if (fix === null || fix === undefined) return undefined;
  const lines = [fix.message ?? "Suggested fix"];
  for (const edit of fix.edits) {
    const from = at(edit.location);
    const range = `${from}-${at(edit.end_location)}`;
    const empty = edit.location.row === edit.end_location.row &&
      edit.location.column === edit.end_location.column;
    const content = edit.content ?? "";
    if (content === "") lines.push(`- delete ${range}`);
    else if (empty) lines.push(`- insert at ${from}: ${quote(content)}`);
    else lines.push(`- replace ${range} with ${quote(content)}`);
  }
  return lines.join("\n");
}

function at(location: Location): string {
  return `${location.row}:${location.column}`;
}

function quote(content: string): string {
  const chars = [...content];
  if (chars.length <= FIX_CONTENT_PREVIEW) return JSON.stringify(content);
  const shown = chars.slice(0, FIX_CONTENT_PREVIEW).join("");
  return `${JSON.stringify(shown)} (+${chars.length - FIX_CONTENT_PREVIEW} more characters)`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The engine's error text without wasm-bindgen's doubled "Error: " and ruff's CLI wording. */
function errorText(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.replace(/^(?:Error:\s*)+/, "").replace(/ from the CLI\b/g, "").trim();
}
