/** What the three symbol tools (outline, find_symbol, find_references) share: limits, kinds, notes. */
import { z } from "zod";
import { describeSkips, type SkipReason } from "../policy/walk.ts";
import { sanitizeText } from "../output/sanitize.ts";
import { DEFINITION_KINDS } from "../symbols/queries.ts";
import { supportedLanguageList } from "../symbols/languages.ts";
import type { ScopeResult } from "../sandbox/symbols.ts";

export const SYMBOL_LIMITS = Object.freeze({
  /** Indexing time within one call; what is left is indexed by the next call (the answer says so). */
  timeBudgetMs: 20_000,
  /** find_symbol hits returned. */
  maxHits: 50,
  /** find_references references collected. */
  maxReferences: 2_000,
});

export const kindSchema = z.enum(DEFINITION_KINDS);

const SYMBOL_SKIP_WORDS: Readonly<Record<string, string>> = {
  "parse-timeout": "not parsed in time",
};

/** Notes about the walk: skipped files, caps, a partial index, syntax errors. */
export function scopeNotes(
  v: Pick<ScopeResult, "skipped" | "pending" | "capped">,
  syntaxErrorFiles = 0,
): string[] {
  const notes: string[] = [];
  const walkSkips: Partial<Record<SkipReason, number>> = {};
  const own: string[] = [];
  for (const [k, n] of Object.entries(v.skipped)) {
    if (!n) continue;
    if (k in SYMBOL_SKIP_WORDS) own.push(`${n} ${SYMBOL_SKIP_WORDS[k]}`);
    else walkSkips[k as SkipReason] = n;
  }
  const skipped = [describeSkips(walkSkips), ...own].filter((s) => s !== "").join(", ");
  if (skipped) notes.push(`Skipped: ${skipped}`);
  if (v.capped) notes.push(`The walk stopped at its ${v.capped} cap: narrow with path`);
  if (v.pending > 0) {
    notes.push(
      `Partial: ${v.pending} files not indexed yet (time budget); call again to continue`,
    );
  }
  if (syntaxErrorFiles > 0) {
    notes.push(`${syntaxErrorFiles} files have syntax errors; their symbols may be incomplete`);
  }
  return notes;
}

/** The refusal for a file in a language we do not parse: named, never guessed. */
export function unsupportedReason(language: string | null): string {
  return `${
    language ? `${language} files are` : "this file type is"
  } not supported for symbols (supported: ${supportedLanguageList()})`;
}

/** Repository text shown to the model: secrets redacted, invisible characters escaped. */
export function clean(s: string, line?: number): string {
  return sanitizeText(s, line).text;
}
