/**
 * The rules whose answer depends on where a file lies, which the WebAssembly engine (handed text
 * only, checking every file as a plain module) cannot decide: INP001 (a file outside any
 * package), N999 (an invalid module name), D104 (an `__init__.py` without a docstring is a
 * package, which the engine reports as the module rule D100), F822 (not checked in an
 * `__init__.py` outside preview), EXE001/EXE002 (the executable bit), and the missing-docstring
 * rules, which ruff never applies to stubs. The project lint knows the path and the packages, so these
 * are decided here, after the engine, with ruff's rule selection, per-file-ignores and noqa.
 * Pure: paths are root-relative, "/"-separated.
 */
import type { Diagnostic } from "../types.ts";
import { pythonCodeSeverity, ruffRuleUrl } from "../severity.ts";
import { appliesTo, isTable, type PerFileIgnore } from "./per_file_ignores.ts";
import type { RuffSettings } from "./config.ts";

/**
 * Of the rules decided here, those in ruff 0.16.9's default rule set (413 rules, listed by
 * `ruff check --isolated --show-settings`), which applies when a configuration has no `select`.
 */
const DEFAULT_ENABLED: ReadonlySet<string> = new Set(["EXE001", "EXE002", "N999"]);

/** The letters a code starts with: its linter's prefix ("INP001" -> "INP", "D104" -> "D"). */
function linterPrefix(code: string): string {
  return /^[A-Z]+/u.exec(code)?.[0] ?? "";
}

/**
 * How specifically a selector names a code, or -1 when it does not: ALL, the linter, then
 * longer prefixes, then the code itself (ruff's RuleSelector specificity).
 */
export function selectorSpecificity(selector: string, code: string): number {
  if (selector === "ALL") return 0;
  if (selector === code) return 100;
  const letters = linterPrefix(code);
  if (!code.startsWith(selector) || selector.length < letters.length) return -1;
  return 1 + selector.length - letters.length;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/**
 * Whether the settings enable rule `code`: the most specific matching selector among select,
 * extend-select, ignore and extend-ignore decides; at equal specificity ignoring wins.
 *
 * @example ruleEnabled({ lint: { select: ["ALL"], ignore: ["D1"] } }, "D104") === false
 */
export function ruleEnabled(settings: RuffSettings, code: string): boolean {
  const lint = isTable(settings.lint) ? settings.lint : {};
  const select = [...strings(lint.select), ...strings(lint["extend-select"])];
  const ignore = [...strings(lint.ignore), ...strings(lint["extend-ignore"])];
  const best = (list: string[]) => Math.max(-1, ...list.map((s) => selectorSpecificity(s, code)));
  const chosen = best(select);
  const ignored = best(ignore);
  // Without `select`, the default set is the start and the user's selectors update it.
  if (lint.select === undefined && chosen < 0 && ignored < 0) return DEFAULT_ENABLED.has(code);
  return chosen >= 0 && chosen > ignored;
}

/** Whether a per-file-ignores entry that applies to the file names `code`. */
function ignoredForFile(entries: readonly PerFileIgnore[], rel: string, code: string): boolean {
  return entries.some((e) => {
    try {
      return appliesTo(e, rel) && e.selectors.some((s) => selectorSpecificity(s, code) >= 0);
    } catch {
      return false; // an invalid glob: the engine reports the configuration error
    }
  });
}

const NOQA = /#\s*noqa(?::\s*([A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?/iu;
const FILE_NOQA = /#\s*(?:ruff|flake8)\s*:\s*noqa(?::\s*([A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?/iu;

function codesIn(list: string | undefined): string[] | "all" {
  return list === undefined ? "all" : list.split(/[\s,]+/u).filter((c) => c !== "");
}

/**
 * The line a finding at the file's start is suppressed from: line 1, or, when the file starts
 * with a string spanning lines (a module docstring), the line the string ends on (ruff's noqa
 * mapping for multi-line strings).
 */
function noqaLineOfStart(lines: string[]): number {
  const m = /^[rRuU]?("""|''')/u.exec(lines[0] ?? "");
  if (m === null) return 0;
  const quote = m[1]!;
  const first = lines[0]!.indexOf(quote, m[0].length);
  if (first !== -1) return 0;
  for (let i = 1; i < lines.length; i++) if (lines[i]!.includes(quote)) return i;
  return 0;
}

/** Whether a `# noqa` for the file's first position, or a file-level exemption, covers `code`. */
export function suppressedAtStart(text: string, code: string): boolean {
  return suppressionAtStart(text, code) !== undefined;
}

/**
 * What suppresses a finding of `code` at the file's start: a file-level exemption, the 1-based
 * line of a `# noqa` that covers it, or undefined.
 */
function suppressionAtStart(text: string, code: string): "file" | number | undefined {
  const lines = text.split(/\r\n|\r|\n/u);
  for (const line of lines) {
    const m = FILE_NOQA.exec(line);
    if (m === null) continue;
    const codes = codesIn(m[1]);
    if (codes === "all" || codes.includes(code)) return "file";
  }
  const at = noqaLineOfStart(lines);
  const m = NOQA.exec(lines[at] ?? "");
  if (m === null || FILE_NOQA.test(m[0])) return undefined;
  const codes = codesIn(m[1]);
  return codes === "all" || codes.includes(code) ? at + 1 : undefined;
}

/**
 * The codes an engine RUF100 finding calls unused, when that is all it says ("Unused `noqa`
 * directive (unused: `INP001`)"); undefined for other kinds (non-enabled, unknown, duplicated).
 */
function unusedNoqaCodes(message: string): string[] | undefined {
  const m = /\(unused: ((?:`[A-Z]+[0-9]+`(?:, )?)+)\)$/u.exec(message);
  return m === null ? undefined : [...m[1]!.matchAll(/`([A-Z]+[0-9]+)`/gu)].map((x) => x[1]!);
}

/** ruff's pep8-naming module name: lower case letters, digits and "_", not starting with a digit. */
function isModuleName(name: string, migration: boolean): boolean {
  return migration ? /^[a-z0-9_]+$/u.test(name) : /^[a-z_][a-z0-9_]*$/u.test(name);
}

/** Whether the text starts (after comments and blank lines) with a string: a docstring. */
function hasDocstring(text: string): boolean {
  const body = text.replace(/^\uFEFF/u, "").replace(/^(?:[ \t]*(?:#[^\n]*)?\r?\n)*/u, "");
  return /^[ \t]*[rRuU]?("""|'''|"|')/u.test(body);
}

export interface PathRuleInput {
  /** The file, root-relative. */
  rel: string;
  text: string;
  /** The settings the engine ran with (rule selection). */
  settings: RuffSettings;
  /** The per-file-ignores the engine was given (those that apply to the file count). */
  perFileIgnores: readonly PerFileIgnore[];
  /** The folder of the file's top-level package, root-relative; undefined outside any package. */
  packageRoot: string | undefined;
  /** The governing configuration's folder (ruff's project root for the file). */
  projectRoot: string;
  /** `src`, root-relative. */
  src: readonly string[];
  /** Whether the file has an executable bit; undefined when unknown (no EXE001/EXE002 then). */
  executable?: boolean | undefined;
}

function parentOf(rel: string): string {
  const i = rel.lastIndexOf("/");
  return i === -1 ? "" : rel.slice(0, i);
}

function finding(rel: string, code: string, message: string): Diagnostic {
  const d: Diagnostic = {
    file: rel,
    line: 1,
    column: 1,
    end_line: 1,
    end_column: 1,
    code,
    severity: pythonCodeSeverity(code),
    message,
  };
  const url = ruffRuleUrl(code);
  if (url !== undefined) d.url = url;
  return d;
}

/**
 * In a stub, ruff defers annotations and class bases, so a name bound later in the file may be
 * used there before it is defined; the engine, which checks every file as a module, reports it
 * as F821. This says whether an F821 is such a forward reference: the name is bound somewhere in
 * the file (def, class, assignment, import) and the use is not in an assignment's value (which
 * ruff evaluates at once, stub or not).
 */
function stubForwardReference(text: string): (d: Diagnostic) => boolean {
  const bound = new Set<string>();
  for (
    const m of text.matchAll(
      /^[ \t]*(?:(?:async[ \t]+)?def|class)[ \t]+([A-Za-z_]\w*)|^[ \t]*([A-Za-z_]\w*)[ \t]*(?::|=(?!=))|\bimport[ \t]+([^#\n]+)/gmu,
    )
  ) {
    if (m[1] ?? m[2]) bound.add((m[1] ?? m[2])!);
    // `import a.b as c, d` and `from m import (x as y, z)` (one line): the names they bind.
    for (const part of (m[3] ?? "").replace(/[()\\]/gu, "").split(",")) {
      const words = part.trim().split(/\s+/u);
      const name = words.length >= 3 && words[1] === "as" ? words[2] : words[0]?.split(".")[0];
      if (name) bound.add(name);
    }
  }
  const lines = text.split("\n");
  return (d) => {
    const name = /`([^`]+)`/u.exec(d.message)?.[1];
    if (name === undefined || !bound.has(name)) return false;
    const before = (lines[d.line - 1] ?? "").slice(0, Math.max(0, d.column - 1));
    // In `X = ...` or `x: T = ...` the value is evaluated now: not deferred, unless it is an
    // explicit type alias (`X: TypeAlias = ...`), which ruff reads as a type, deferred in a stub.
    const assigned = /^[ \t]*[A-Za-z_][\w.]*[ \t]*(?::([^=]*))?=(?!=)/u.exec(before);
    return assigned === null || /^\s*(?:[\w.]+\.)?TypeAlias\s*$/u.test(assigned[1] ?? "");
  };
}

/**
 * The engine's findings for one file, corrected for its path: D1 findings dropped in a stub,
 * forward references in a stub's annotations and class bases not reported (F821),
 * D100 of an `__init__.py` reported as D104 and its F822 dropped (unless preview), and INP001, N999, EXE001 and EXE002 (from the
 * file's executable bit) added where ruff reports them.
 */
export function applyPathRules(engine: readonly Diagnostic[], input: PathRuleInput): Diagnostic[] {
  const { rel, text, settings } = input;
  const name = rel.slice(rel.lastIndexOf("/") + 1);
  const isStub = name.endsWith(".pyi");
  const isInit = name === "__init__.py";
  // A `# noqa` that suppresses one of these rules is used, which the engine (not seeing the rule
  // fire) reports as unused (RUF100): those RUF100 findings are dropped below.
  const usedNoqa = new Map<number, Set<string>>();
  const reports = (code: string) => {
    if (!ruleEnabled(settings, code) || ignoredForFile(input.perFileIgnores, rel, code)) {
      return false;
    }
    const by = suppressionAtStart(text, code);
    if (typeof by === "number") usedNoqa.set(by, (usedNoqa.get(by) ?? new Set()).add(code));
    return by === undefined;
  };
  const lint = isTable(settings.lint) ? settings.lint : {};
  const preview = lint.preview === true || settings.preview === true;
  const forward = isStub ? stubForwardReference(text) : undefined;
  let out = engine.filter((d) =>
    !(isStub && /^D1\d\d$/u.test(d.code)) &&
    !(forward !== undefined && d.code === "F821" && forward(d)) &&
    // An `__init__.py` may export its submodules by name: F822 is a preview check there.
    !(isInit && d.code === "F822" && !preview)
  );
  const added: Diagnostic[] = [];
  if (isInit) {
    const engineSawNoDocstring = out.some((d) => d.code === "D100");
    out = out.filter((d) => d.code !== "D100");
    if ((engineSawNoDocstring || !hasDocstring(text)) && reports("D104")) {
      added.push(finding(rel, "D104", "Missing docstring in public package"));
    }
  }
  const dir = parentOf(rel);
  if (
    input.packageRoot === undefined && name.endsWith(".py") && dir !== input.projectRoot &&
    !input.src.includes(dir) && !text.startsWith("#!") && !/^# \/\/\/ script$/mu.test(text) &&
    reports("INP001")
  ) {
    added.push(
      finding(
        rel,
        "INP001",
        `File \`${rel}\` is part of an implicit namespace package. Add an \`__init__.py\`.`,
      ),
    );
  }
  if (input.packageRoot !== undefined) {
    const module = isInit
      ? input.packageRoot.slice(input.packageRoot.lastIndexOf("/") + 1)
      : name.replace(/\.pyi?$/u, "");
    const parentName = dir.slice(dir.lastIndexOf("/") + 1);
    const migration = parentName === "versions" || parentName === "migrations";
    if (!isModuleName(module, migration) && !ignoredName(settings, module) && reports("N999")) {
      added.push(finding(rel, "N999", `Invalid module name: '${module}'`));
    }
  }
  const shebang = text.replace(/^\uFEFF/u, "").startsWith("#!");
  if (input.executable === false && shebang && reports("EXE001")) {
    added.push(finding(rel, "EXE001", "Shebang is present but file is not executable"));
  }
  if (input.executable === true && !shebang && reports("EXE002")) {
    added.push(finding(rel, "EXE002", "The file is executable but no shebang is present"));
  }
  if (usedNoqa.size > 0) {
    out = out.filter((d) => {
      const used = d.code === "RUF100" ? usedNoqa.get(d.line) : undefined;
      const unused = used === undefined ? undefined : unusedNoqaCodes(d.message);
      return unused === undefined || !unused.every((c) => used!.has(c));
    });
  }
  return [...added, ...out].sort((a, b) =>
    a.line - b.line || a.column - b.column || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)
  );
}

/** pep8-naming `ignore-names` (globs over the name). */
function ignoredName(settings: RuffSettings, module: string): boolean {
  const lint = isTable(settings.lint) ? settings.lint : {};
  const naming = isTable(lint["pep8-naming"]) ? lint["pep8-naming"] : {};
  const names = [...strings(naming["ignore-names"]), ...strings(naming["extend-ignore-names"])];
  return names.some((g) =>
    new RegExp(
      `^${g.replace(/[.+^${}()|[\]\\]/gu, "\\$&").replace(/\*/gu, ".*").replace(/\?/gu, ".")}$`,
      "u",
    ).test(
      module,
    )
  );
}
