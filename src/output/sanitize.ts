/**
 * The one pass every text a tool shows goes through: credential-shaped strings redacted
 * (redact.ts), then invisible and bidi code points escaped (unicode.ts). Redaction runs first
 * so that an escape can never split a secret past the detector.
 */
import { describeRedactions, type Redaction, type RedactOptions, redactSecrets } from "./redact.ts";
import { describeInvisible, escapeInvisible, type InvisibleFound } from "./unicode.ts";

export interface Sanitized {
  text: string;
  redactions: Redaction[];
  invisible: InvisibleFound[];
}

/**
 * Redacts secrets and escapes invisible code points in `text`, whose first line is
 * `firstLine` of its source (so reported lines are the source's lines).
 *
 * @example sanitizeText('k = "ghp_…36 chars…"\u202E') // text 'k = "[REDACTED github-token]"<U+202E>', one of each
 */
export function sanitizeText(text: string, firstLine = 1, options: RedactOptions = {}): Sanitized {
  const r = redactSecrets(text, firstLine, options);
  const e = escapeInvisible(r.text, firstLine);
  return { text: e.text, redactions: r.redactions, invisible: e.found };
}

/** One line saying what sanitizing changed, or "" when nothing: for a header or footer. */
export function sanitizeNote(s: Pick<Sanitized, "redactions" | "invisible">): string {
  return [describeRedactions(s.redactions), describeInvisible(s.invisible)].filter((x) => x !== "")
    .join("; ");
}

/** Counts for structured output: `{ redactions: 2, invisible_characters: 1 }`. */
export function sanitizeCounts(
  s: Pick<Sanitized, "redactions" | "invisible">,
): { redactions: number; invisible_characters: number } {
  return { redactions: s.redactions.length, invisible_characters: s.invisible.length };
}
