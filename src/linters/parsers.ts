/**
 * Output parsers for the subprocess linters: each turns one run's stdout, stderr and
 * exit code into diagnostics for the file the model asked about, or into a short
 * reason when the run was a real failure. They never throw, whatever the input.
 *
 * Positions follow src/linters/types.ts: lines and columns are 1-based; an end
 * column, when present, is exclusive (the column just after the flagged text).
 */
import {
  denoLintRuleUrl,
  flake8RuleUrl,
  pylintRuleUrl,
  pylintSeverity,
  pythonCodeSeverity,
  ruffRuleUrl,
  shellcheckRuleUrl,
  shellcheckSeverity,
} from "./severity.ts";
import type { Diagnostic, ParseResult } from "./types.ts";

/** The same signature for every parser, so a linter spec can point at one directly. */
export type OutputParser = (
  stdout: string,
  stderr: string,
  code: number | null,
  relPath: string,
) => ParseResult;

/**
 * flake8's `--format` template: no path (we know the file; a path may hold colons),
 * the message last so colons inside it stay part of the message.
 */
export const FLAKE8_FORMAT = "%(row)d:%(col)d:%(code)s:%(text)s";

const FLAKE8_LINE = /^(\d+):(\d+):([A-Za-z]+[0-9]*):(.*)$/;
const MAX_REASON_CHARS = 300;

/**
 * Parses flake8 output printed with {@link FLAKE8_FORMAT}. Exit 0: clean; exit 1:
 * findings; anything else, or exit 1 with nothing on stdout (a crash), is a failure.
 *
 * @example parseFlake8("3:80:E501:line too long (107 > 79 characters)\n", "", 1, "a.py")
 * // { ok: true, value: [{ file: "a.py", line: 3, column: 80, code: "E501", severity: "warning", ... }] }
 */
export function parseFlake8(
  stdout: string,
  stderr: string,
  code: number | null,
  relPath: string,
): ParseResult {
  if (code !== 0 && code !== 1) return failure("flake8", code, stderr, stdout);
  const diagnostics: Diagnostic[] = [];
  for (const line of splitLines(stdout)) {
    const m = FLAKE8_LINE.exec(line);
    if (m) {
      const [, row, col, ruleCode, text] = m as unknown as [string, string, string, string, string];
      diagnostics.push({
        file: relPath,
        line: atLeastOne(Number(row)),
        column: atLeastOne(Number(col)),
        code: ruleCode,
        severity: pythonCodeSeverity(ruleCode),
        message: text.trim(),
        ...withUrl(flake8RuleUrl(ruleCode)),
      });
    } else if (line.trim() === "") {
      continue;
    } else if (diagnostics.length > 0) {
      // A message that itself contained a line break: keep it with its finding.
      const last = diagnostics[diagnostics.length - 1]!;
      last.message = `${last.message}\n${line}`;
    } else {
      return {
        ok: false,
        reason: `flake8 printed output that is not a finding: ${firstLine(line)}`,
      };
    }
  }
  if (code === 1 && diagnostics.length === 0) return failure("flake8", code, stderr, stdout);
  return { ok: true, value: diagnostics };
}

/** pylint's exit status is a bit field; 32 means a usage error, nothing above 63 is defined. */
const PYLINT_USAGE_ERROR = 32;

/**
 * Parses pylint `--output-format=json`. Exit bits 1-16 say which kinds of messages
 * were emitted; bit 32 (usage error), a signal or output that is not a JSON array is
 * a failure. pylint's columns are 0-based and converted here.
 *
 * @example parsePylint('[{"type":"warning","line":1,"column":0,"message-id":"W0611",...}]', "", 4, "a.py")
 * // { ok: true, value: [{ line: 1, column: 1, code: "W0611", severity: "warning", ... }] }
 */
export function parsePylint(
  stdout: string,
  stderr: string,
  code: number | null,
  relPath: string,
): ParseResult {
  if (code === null || code < 0 || code > 63 || (code & PYLINT_USAGE_ERROR) !== 0) {
    return failure("pylint", code, stderr, stdout);
  }
  const json = parseJson(stdout);
  if (!Array.isArray(json)) {
    return failure("pylint", code, stderr, stdout, "output is not a JSON array");
  }
  const diagnostics: Diagnostic[] = [];
  for (const item of json) {
    if (!isRecord(item)) {
      return { ok: false, reason: "pylint output has an entry that is not an object" };
    }
    const line = num(item.line);
    const column = num(item.column);
    const message = str(item.message);
    const id = str(item["message-id"]);
    if (line === undefined || column === undefined || message === undefined || id === undefined) {
      return {
        ok: false,
        reason: "pylint output has an entry without line, column, message-id or message",
      };
    }
    const symbol = str(item.symbol);
    const d: Diagnostic = {
      file: relPath,
      line: atLeastOne(line),
      column: atLeastOne(column + 1),
      code: id,
      severity: pylintSeverity(str(item.type)),
      message: symbol && symbol !== id ? `${message} (${symbol})` : message,
      ...withUrl(pylintRuleUrl(str(item.type), symbol)),
    };
    const endLine = num(item.endLine);
    const endColumn = num(item.endColumn);
    if (endLine !== undefined) d.end_line = atLeastOne(endLine);
    if (endLine !== undefined && endColumn !== undefined) d.end_column = atLeastOne(endColumn + 1);
    diagnostics.push(d);
  }
  if (code !== 0 && diagnostics.length === 0) {
    return failure(
      "pylint",
      code,
      stderr,
      stdout,
      "exit status reports messages but none were printed",
    );
  }
  return { ok: true, value: diagnostics };
}

/**
 * Parses shellcheck `--format=json1` (`{"comments": [...]}`, 1-based columns, a tab
 * counting as one). Exit 0 and 1 carry results; 2 (file not processed), 3 and 4 (bad
 * options) are failures.
 *
 * @example parseShellcheck('{"comments":[{"line":3,"column":7,"level":"info","code":2086,"message":"Double quote..."}]}', "", 1, "a.sh")
 * // { ok: true, value: [{ line: 3, column: 7, code: "SC2086", severity: "info", ... }] }
 */
export function parseShellcheck(
  stdout: string,
  stderr: string,
  code: number | null,
  relPath: string,
): ParseResult {
  if (code !== 0 && code !== 1) return failure("shellcheck", code, stderr, stdout);
  const json = parseJson(stdout);
  if (!isRecord(json) || !Array.isArray(json.comments)) {
    return failure("shellcheck", code, stderr, stdout, "output is not shellcheck's json1 format");
  }
  const diagnostics: Diagnostic[] = [];
  for (const c of json.comments) {
    if (!isRecord(c)) {
      return { ok: false, reason: "shellcheck output has a comment that is not an object" };
    }
    const line = num(c.line);
    const column = num(c.column);
    const message = str(c.message);
    const ruleCode = num(c.code);
    if (
      line === undefined || column === undefined || message === undefined || ruleCode === undefined
    ) {
      return {
        ok: false,
        reason: "shellcheck output has a comment without line, column, code or message",
      };
    }
    const d: Diagnostic = {
      file: relPath,
      line: atLeastOne(line),
      column: atLeastOne(column),
      code: `SC${ruleCode}`,
      severity: shellcheckSeverity(str(c.level)),
      message,
      ...withUrl(shellcheckRuleUrl(`SC${ruleCode}`)),
    };
    const endLine = num(c.endLine);
    const endColumn = num(c.endColumn);
    if (endLine !== undefined) d.end_line = atLeastOne(endLine);
    if (endLine !== undefined && endColumn !== undefined) d.end_column = atLeastOne(endColumn);
    diagnostics.push(d);
  }
  if (code === 1 && diagnostics.length === 0) {
    return failure(
      "shellcheck",
      code,
      stderr,
      stdout,
      "exit status reports findings but none were printed",
    );
  }
  return { ok: true, value: diagnostics };
}

/** "…\n    at file:///p/a.ts:3:7" at the end of a deno lint syntax error. */
const DENO_ERROR_POSITION = /:(\d+):(\d+)\s*$/;

/**
 * Parses `deno lint --json` (`{diagnostics, errors}`): rule findings become warnings
 * with the rule's hint as `fix`; files deno could not parse become "syntax-error"
 * errors. Deno's columns are 0-based and converted here. Exit 0 and 1 carry results.
 *
 * @example parseDenoLint('{"version":1,"diagnostics":[{"range":{"start":{"line":1,"col":6},...},"code":"no-unused-vars",...}],"errors":[]}', "", 1, "a.ts")
 * // { ok: true, value: [{ line: 1, column: 7, code: "no-unused-vars", severity: "warning", ... }] }
 */
export function parseDenoLint(
  stdout: string,
  stderr: string,
  code: number | null,
  relPath: string,
): ParseResult {
  if (code !== 0 && code !== 1) return failure("deno lint", code, stderr, stdout);
  const json = parseJson(stdout);
  if (!isRecord(json) || !Array.isArray(json.diagnostics)) {
    return failure("deno lint", code, stderr, stdout, "output is not deno lint's JSON format");
  }
  const diagnostics: Diagnostic[] = [];
  for (const item of json.diagnostics) {
    const range = isRecord(item) && isRecord(item.range) ? item.range : undefined;
    const start = range && isRecord(range.start) ? range.start : undefined;
    const end = range && isRecord(range.end) ? range.end : undefined;
    const line = num(start?.line);
    const col = num(start?.col);
    const message = isRecord(item) ? str(item.message) : undefined;
    const ruleCode = isRecord(item) ? str(item.code) : undefined;
    if (
      line === undefined || col === undefined || message === undefined || ruleCode === undefined
    ) {
      return {
        ok: false,
        reason: "deno lint output has a diagnostic without range, code or message",
      };
    }
    const d: Diagnostic = {
      file: relPath,
      line: atLeastOne(line),
      column: atLeastOne(col + 1),
      code: ruleCode,
      severity: "warning",
      message,
      ...withUrl(denoLintRuleUrl(ruleCode)),
    };
    const endLine = num(end?.line);
    const endCol = num(end?.col);
    if (endLine !== undefined) d.end_line = atLeastOne(endLine);
    if (endLine !== undefined && endCol !== undefined) d.end_column = atLeastOne(endCol + 1);
    const hint = isRecord(item) ? str(item.hint) : undefined;
    if (hint) d.fix = hint;
    diagnostics.push(d);
  }
  const errors = Array.isArray(json.errors) ? json.errors : [];
  for (const e of errors) {
    const message = isRecord(e) ? str(e.message) : undefined;
    if (message === undefined) {
      return { ok: false, reason: "deno lint output has an error without a message" };
    }
    const pos = DENO_ERROR_POSITION.exec(message);
    diagnostics.push({
      file: relPath,
      line: pos ? atLeastOne(Number(pos[1])) : 1,
      column: pos ? atLeastOne(Number(pos[2])) : 1,
      code: "syntax-error",
      severity: "error",
      message: firstLine(message),
    });
  }
  if (code === 1 && diagnostics.length === 0) {
    return failure(
      "deno lint",
      code,
      stderr,
      stdout,
      "exit status reports problems but none were printed",
    );
  }
  return { ok: true, value: diagnostics };
}

/**
 * Parses `ruff check --output-format=json` (an array; 1-based `location`/`end_location`).
 * A null code is a syntax error (newer ruff); E999 is the older spelling. Exit 0 and 1
 * carry results; 2 is ruff's abnormal termination.
 *
 * @example parseRuff('[{"code":"F401","location":{"row":1,"column":8},"message":"`os` imported but unused",...}]', "", 1, "a.py")
 * // { ok: true, value: [{ line: 1, column: 8, code: "F401", severity: "warning", ... }] }
 */
export function parseRuff(
  stdout: string,
  stderr: string,
  code: number | null,
  relPath: string,
): ParseResult {
  if (code !== 0 && code !== 1) return failure("ruff", code, stderr, stdout);
  const json = parseJson(stdout);
  if (!Array.isArray(json)) {
    return failure("ruff", code, stderr, stdout, "output is not a JSON array");
  }
  const diagnostics: Diagnostic[] = [];
  for (const item of json) {
    const loc = isRecord(item) && isRecord(item.location) ? item.location : undefined;
    const endLoc = isRecord(item) && isRecord(item.end_location) ? item.end_location : undefined;
    const line = num(loc?.row);
    const column = num(loc?.column);
    const message = isRecord(item) ? str(item.message) : undefined;
    if (!isRecord(item) || line === undefined || column === undefined || message === undefined) {
      return { ok: false, reason: "ruff output has an entry without location or message" };
    }
    const ruleCode = str(item.code) ?? "syntax-error";
    const d: Diagnostic = {
      file: relPath,
      line: atLeastOne(line),
      column: atLeastOne(column),
      code: ruleCode,
      severity: ruleCode === "syntax-error" ? "error" : pythonCodeSeverity(ruleCode),
      message,
      ...withUrl(str(item.url) ?? ruffRuleUrl(ruleCode)),
    };
    const endLine = num(endLoc?.row);
    const endColumn = num(endLoc?.column);
    if (endLine !== undefined) d.end_line = atLeastOne(endLine);
    if (endLine !== undefined && endColumn !== undefined) d.end_column = atLeastOne(endColumn);
    const fixMessage = isRecord(item.fix) ? str(item.fix.message) : undefined;
    if (fixMessage) d.fix = fixMessage;
    diagnostics.push(d);
  }
  if (code === 1 && diagnostics.length === 0) {
    return failure(
      "ruff",
      code,
      stderr,
      stdout,
      "exit status reports findings but none were printed",
    );
  }
  return { ok: true, value: diagnostics };
}

export { pythonCodeSeverity };

/** `{ url }` when there is one, for spreading into a Diagnostic. */
function withUrl(url: string | undefined): { url?: string } {
  return url !== undefined && /^https:\/\//.test(url) ? { url } : {};
}

/**
 * A short reason for a real failure: the tool, the exit status, and the first (and
 * last, when different: a usage line or a traceback's exception) line of stderr.
 */
function failure(
  tool: string,
  code: number | null,
  stderr: string,
  stdout: string,
  what?: string,
): ParseResult {
  const status = code === null ? "was killed by a signal" : `exited with code ${code}`;
  const lines = splitLines(stripAnsi(stderr)).map((l) => l.trim()).filter((l) => l !== "");
  let detail = "";
  if (lines.length > 0) {
    const first = clip(lines[0]!);
    const last = clip(lines[lines.length - 1]!);
    detail = lines.length > 1 && last !== first ? `: ${first} … ${last}` : `: ${first}`;
  } else if (stdout.trim() === "") {
    detail = " and printed nothing";
  } else {
    detail = `: ${clip(firstLine(stripAnsi(stdout.trim())))}`;
  }
  const reason = what ? `${tool} ${status} (${what})${detail}` : `${tool} ${status}${detail}`;
  return { ok: false, reason: reason };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function atLeastOne(n: number): number {
  return Number.isFinite(n) && n >= 1 ? Math.floor(n) : 1;
}

function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

function firstLine(text: string): string {
  return splitLines(text)[0] ?? "";
}

function clip(text: string): string {
  return text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS)}…` : text;
}

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}
