/**
 * One severity scale and one documentation link per finding, whichever linter produced it.
 *
 * | severity | means | examples |
 * | --- | --- | --- |
 * | error | the code does not run as written, or leaks a credential | syntax errors, E9, F63, F7, F82 (undefined names), PLE, pylint fatal/error, shellcheck error, hard-coded secrets, bidi controls (Trojan Source) |
 * | warning | a likely bug or security smell | other pyflakes F (F401, F841), pycodestyle E/W, bugbear B, bandit S, PLW, pylint warning, shellcheck warning, deno lint rules, zero-width and invisible characters |
 * | info | style, naming, documentation, modernisation | pydocstyle D, isort I, pyupgrade UP, complexity C90, naming N, pylint convention/refactor/info, shellcheck info/style |
 *
 * The same code gets the same severity from ruff (built in or installed), flake8 and pylint's
 * own levels are mapped onto the same scale, so F401 is a warning everywhere.
 */
import type { Severity } from "./types.ts";

/**
 * Severity of a flake8/ruff rule code (see the table above).
 *
 * @example pythonCodeSeverity("F821") === "error"; pythonCodeSeverity("F401") === "warning"; pythonCodeSeverity("D100") === "info"
 */
export function pythonCodeSeverity(code: string): Severity {
  const c = code.toUpperCase();
  if (/^(E9|F63|F7|F82|PLE)/.test(c) || c.includes("SYNTAX")) return "error";
  if (/^(E|W|F|B|S|PLW)\d/.test(c)) return "warning";
  return "info";
}

/** pylint message types: fatal/error, warning, then convention/refactor/info. */
export function pylintSeverity(type: string | undefined): Severity {
  if (type === "fatal" || type === "error") return "error";
  if (type === "warning") return "warning";
  return "info";
}

/** shellcheck levels: error, warning, then info/style. */
export function shellcheckSeverity(level: string | undefined): Severity {
  if (level === "error") return "error";
  if (level === "warning") return "warning";
  return "info";
}

/**
 * ruff's rule index, searched for the code: ruff's per-rule pages are named after the rule,
 * which the built-in engine does not report (an installed ruff reports the exact URL).
 *
 * @example ruffRuleUrl("S608") === "https://docs.astral.sh/ruff/rules/?q=S608"
 */
export function ruffRuleUrl(code: string): string | undefined {
  return /^[A-Z]+\d+$/.test(code) ? `https://docs.astral.sh/ruff/rules/?q=${code}` : undefined;
}

/**
 * flake8's codes: pycodestyle's E/W table, flake8's own list of pyflakes F codes, mccabe C901.
 *
 * @example flake8RuleUrl("F401") === "https://flake8.pycqa.org/en/latest/user/error-codes.html"
 */
export function flake8RuleUrl(code: string): string | undefined {
  if (/^[EW]\d/.test(code)) return "https://pycodestyle.pycqa.org/en/latest/intro.html#error-codes";
  if (/^F\d/.test(code)) return "https://flake8.pycqa.org/en/latest/user/error-codes.html";
  if (code === "C901") return "https://github.com/PyCQA/mccabe#readme";
  return undefined;
}

/**
 * pylint's page for a message, from its type and symbol.
 *
 * @example pylintRuleUrl("warning", "unused-import") === "https://pylint.readthedocs.io/en/stable/user_guide/messages/warning/unused-import.html"
 */
export function pylintRuleUrl(
  type: string | undefined,
  symbol: string | undefined,
): string | undefined {
  if (symbol === undefined || !/^[a-z0-9-]+$/.test(symbol)) return undefined;
  if (!["fatal", "error", "warning", "convention", "refactor", "info"].includes(type ?? "")) {
    return undefined;
  }
  return `https://pylint.readthedocs.io/en/stable/user_guide/messages/${type}/${symbol}.html`;
}

/** @example shellcheckRuleUrl("SC2086") === "https://www.shellcheck.net/wiki/SC2086" */
export function shellcheckRuleUrl(code: string): string | undefined {
  return /^SC\d+$/.test(code) ? `https://www.shellcheck.net/wiki/${code}` : undefined;
}

/** @example denoLintRuleUrl("no-unused-vars") === "https://docs.deno.com/lint/rules/no-unused-vars" */
export function denoLintRuleUrl(code: string): string | undefined {
  return /^[a-z0-9-]+$/.test(code) && code !== "syntax-error"
    ? `https://docs.deno.com/lint/rules/${code}`
    : undefined;
}
