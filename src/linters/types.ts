import type { Result } from "../result.ts";

/**
 * The shape every linter's findings take, whatever produced them (a subprocess
 * linter's JSON, or the built-in ruff engine), so that tools and tests see one format.
 */

/** Severity as the model sees it; one table for every linter (linters/severity.ts). */
export type Severity = "error" | "warning" | "info";

/** One finding. Lines and columns are 1-based, as linters print them. */
export interface Diagnostic {
  /** The path the model asked about, relative to the project root. */
  file: string;
  line: number;
  column: number;
  end_line?: number;
  end_column?: number;
  /** The linter's rule code, e.g. "E501", "SC2086", "W0611", "no-unused-vars". */
  code: string;
  severity: Severity;
  message: string;
  /** A suggested fix as text, when the linter offers one. Never applied. */
  fix?: string;
  /** The rule's documentation, when the linter has a page for it (linters/severity.ts). */
  url?: string;
}

/** What a parser returns: findings, or a reason the output could not be understood. */
export type ParseResult = Result<Diagnostic[]>;
