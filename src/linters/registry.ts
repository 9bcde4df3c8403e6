/**
 * Every linter the server knows: the built-in ruff engine and the allowlisted
 * subprocess linters. The names form the `linter` enum a model may choose from.
 */
import * as path from "node:path";
import { acceptsFile, LINTERS } from "../policy/commands.ts";

export const ALL_LINTERS = [
  "ruff",
  "ruff-native",
  "flake8",
  "pylint",
  "shellcheck",
  "deno-lint",
] as const;
export type LinterName = typeof ALL_LINTERS[number];

/** Files the built-in ruff engine checks. */
export const RUFF_EXTENSIONS: readonly string[] = [".py", ".pyi"];

/** The order in which linters are tried when the model names none. */
const PREFERENCE: readonly LinterName[] = [
  "ruff",
  "flake8",
  "pylint",
  "ruff-native",
  "shellcheck",
  "deno-lint",
];

/** True when the linter checks files like this one (by extension, case-insensitively). */
export function linterAccepts(linter: LinterName, filePath: string): boolean {
  if (linter === "ruff") return RUFF_EXTENSIONS.includes(path.extname(filePath).toLowerCase());
  return acceptsFile(linter, filePath);
}

/** The extensions some linter handles, for messages. */
export const LINTABLE_EXTENSIONS: readonly string[] = [
  ...new Set([...RUFF_EXTENSIONS, ...Object.values(LINTERS).flatMap((s) => s.extensions)]),
];

/**
 * The linter for a file when none is named: the first enabled one that takes its extension.
 *
 * @example defaultLinterFor("src/app.py", ["flake8", "shellcheck"]) === "flake8"
 */
export function defaultLinterFor(
  filePath: string,
  enabled: readonly LinterName[],
): LinterName | undefined {
  return PREFERENCE.find((l) => enabled.includes(l) && linterAccepts(l, filePath));
}
