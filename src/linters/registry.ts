/**
 * Every linter the server knows: the built-in ruff engine and the allowlisted
 * subprocess linters. The names form the `linter` enum a model may choose from.
 */
export const ALL_LINTERS = ["ruff", "ruff-native", "flake8", "pylint", "shellcheck", "deno-lint"] as const;
export type LinterName = typeof ALL_LINTERS[number];

/** Preference order per file extension when the model names no linter. */
const BY_EXTENSION: Record<string, readonly LinterName[]> = {
  ".py": ["ruff", "flake8", "pylint", "ruff-native"],
  ".pyi": ["ruff", "flake8", "ruff-native"],
  ".sh": ["shellcheck"],
  ".bash": ["shellcheck"],
  ".ts": ["deno-lint"],
  ".tsx": ["deno-lint"],
  ".js": ["deno-lint"],
  ".jsx": ["deno-lint"],
  ".mjs": ["deno-lint"],
  ".cjs": ["deno-lint"],
  ".mts": ["deno-lint"],
  ".cts": ["deno-lint"],
};

/** The extensions some linter handles, for messages. */
export const LINTABLE_EXTENSIONS = Object.keys(BY_EXTENSION);

/**
 * The linter for a file when none is named: the first enabled one for its extension.
 *
 * @example defaultLinterFor("src/app.py", ["flake8", "shellcheck"]) === "flake8"
 */
export function defaultLinterFor(filePath: string, enabled: readonly LinterName[]): LinterName | undefined {
  const dot = filePath.lastIndexOf(".");
  const slash = Math.max(filePath.lastIndexOf("/"), filePath.lastIndexOf("\\"));
  if (dot <= slash + 1) return undefined;
  const ext = filePath.slice(dot).toLowerCase();
  return BY_EXTENSION[ext]?.find((l) => enabled.includes(l));
}
