/**
 * Credential-shaped strings never reach the model: each is replaced by a marker that keeps
 * its kind, e.g. `[REDACTED aws-access-key-id]`, and reported with its line, so a review can
 * still say "hard-coded secret on line 12". Detection is secretlint's recommended rule set
 * (@secretlint/secretlint-rule-preset-recommend: AWS, GCP, GitHub, GitLab, Slack, Stripe,
 * OpenAI, Anthropic, npm, SendGrid, private keys, passwords in URLs and connection strings,
 * and more), pinned in deno.json, plus Google API keys, which it does not cover, and generic
 * secrets (a credential-named key assigned a literal, a password in a URL) by the rule kept as
 * data in policy/secret_rules.ts.
 * The reviewed project cannot switch it off: secretlint's comment directives are not loaded.
 */
import { rules as recommendedRules } from "@secretlint/secretlint-rule-preset-recommend";
import { KEY_MARKER } from "./key_blocks.ts";
import { findGenericSecrets } from "../policy/secret_rules.ts";

export { keyBlockOpenAfter } from "./key_blocks.ts";

export interface Redaction {
  /** Kebab-case kind, e.g. "aws-access-key-id", "github-token", "private-key". */
  kind: string;
  /** 1-based line where the secret starts (plus firstLine - 1); 0 with `header`. */
  line: number;
  /** In a diff: the line is the old version's (a removed line). */
  old?: boolean;
  /** In a diff: the secret is in a file's header line (its name), not in the file. */
  header?: boolean;
}

export interface Redacted {
  text: string;
  redactions: Redaction[];
}

/** A reviewed project must not be able to switch detection off with `secretlint-disable` comments. */
const EXCLUDED_RULES = new Set(["@secretlint/secretlint-rule-filter-comments"]);
/** Per-rule options: the AWS rule reports access key ids only when asked. */
const RULE_OPTIONS: Record<string, Record<string, unknown>> = {
  "@secretlint/secretlint-rule-aws": { enableIDScanRule: true },
};

interface Report {
  range: readonly [number, number];
  messageId: string;
  data: unknown;
}

interface RuleLike {
  meta: { id: string; supportedContentTypes?: readonly string[] };
  // deno-lint-ignore no-explicit-any
  create(context: any, options: any): { file?: (source: unknown) => unknown };
}

/**
 * Runs the preset's rules through secretlint's documented rule API (create(context) ->
 * { file(source) }, context.report, context.createTranslator) without @secretlint/core, whose
 * `debug` dependency enumerates the whole environment at load and would need a blanket
 * --allow-env. Every text rule is synchronous, so redaction is too.
 */
function runRules(content: string): Report[] {
  const reports: Report[] = [];
  const source = { content, filePath: undefined, ext: "", contentType: "text" };
  for (const rule of recommendedRules as unknown as RuleLike[]) {
    if (EXCLUDED_RULES.has(rule.meta.id)) continue;
    const types = rule.meta.supportedContentTypes ?? ["text"];
    if (!types.includes("text") && !types.includes("all")) continue;
    const context = {
      sharedOptions: {},
      createTranslator: () => (messageId: string, data: unknown) => ({
        message: messageId,
        messageId,
        data,
      }),
      report: (
        d: { message: { messageId: string; data: unknown }; range: readonly [number, number] },
      ) => reports.push({ range: d.range, messageId: d.message.messageId, data: d.message.data }),
      ignore: () => {},
    };
    const handlers = rule.create(context, RULE_OPTIONS[rule.meta.id] ?? {});
    const r = handlers.file?.(source);
    // A rule that answers later (only binary formats do) has nothing to say about text.
    if (r instanceof Promise) r.catch(() => {});
  }
  return reports;
}

/** Google API keys (gitleaks' gcp-api-key), which the preset does not cover. */
const GOOGLE_API_KEY = /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g;

/** Kinds named by secretlint's message ids that read better under a shorter name. */
const KIND_NAMES: Record<string, string> = {
  "a-w-s-access-key-i-d": "aws-access-key-id",
  "a-w-s-secret-access-key": "aws-secret-access-key",
  "a-w-s-account-i-d": "aws-account-id",
};

/** "AWSAccessKeyID" -> "aws-access-key-id", "GITHUB_TOKEN" -> "github-token", "BasicAuth" -> "basic-auth". */
export function kindName(messageId: string): string {
  const k = messageId.includes("_") || messageId === messageId.toUpperCase()
    ? messageId.toLowerCase().replaceAll("_", "-")
    : messageId.replace(/([a-z0-9])([A-Z])/g, "$1-$2").replace(/([A-Z])([A-Z][a-z])/g, "$1-$2")
      .toLowerCase();
  return KIND_NAMES[k] ?? k;
}

interface Span {
  start: number;
  end: number;
  kind: string;
}

/** The marker that stands for a secret of `kind`. */
export function redactionMarker(kind: string): string {
  return `[REDACTED ${kind}]`;
}

/** Cheap pre-check: text with none of these cannot hold anything the rules report. */
const MAYBE_SECRET =
  /[A-Za-z0-9_\-+/=]{16,}|:\/\/[^\s/@]*:[^\s/@]+@|PRIVATE KEY|pass|pwd|pw|secret|token|key|auth|cred/i;

/**
 * Replaces every credential-shaped string in `text` by `[REDACTED <kind>]`. Lines are kept:
 * a secret spanning several lines (a private key block) leaves its newlines in place, so line
 * numbers computed on the original still hold. `firstLine` numbers a page from its place.
 *
 * @example redactSecrets('key = "AKIA2E0A8F3B244C9986"')
 * // { text: 'key = "[REDACTED aws-access-key-id]"', redactions: [{ kind: "aws-access-key-id", line: 1 }] }
 */
export function redactSecrets(text: string, firstLine = 1, options: RedactOptions = {}): Redacted {
  const open = options.startsInKeyBlock === true;
  if (text === "" || (!open && !MAYBE_SECRET.test(text))) return { text, redactions: [] };
  const spans: Span[] = [];
  for (const m of runRules(text)) {
    spans.push(secretSpan(text, m.range[0], m.range[1], m.data, kindName(m.messageId)));
  }
  for (const m of text.matchAll(GOOGLE_API_KEY)) {
    spans.push({ start: m.index, end: m.index + m[0].length, kind: "google-api-key" });
  }
  // After the token formats, so that a known format's kind wins where both see the same value.
  spans.push(...findGenericSecrets(text));
  spans.push(...partialKeyBlocks(text, open));
  if (spans.length === 0) return { text, redactions: [] };
  return apply(text, mergeSpans(spans), firstLine);
}

export interface RedactOptions {
  /**
   * The text starts inside a private key block (a page whose earlier lines hold its BEGIN and
   * no END): everything up to the block's END, or the whole text, is the key.
   */
  startsInKeyBlock?: boolean;
}

/**
 * Private key blocks cut by a page: a BEGIN without its END (the page stops inside the key)
 * runs to the end of the text; an END without its BEGIN (the page starts inside it) runs from
 * the start. The rules only recognise whole blocks, and a page boundary is the reader's choice.
 */
function partialKeyBlocks(text: string, startsInKeyBlock: boolean): Span[] {
  if (startsInKeyBlock && !text.includes("PRIVATE KEY")) {
    return [{ start: 0, end: text.length, kind: "private-key" }];
  }
  if (!text.includes("PRIVATE KEY")) return [];
  const out: Span[] = [];
  let open = startsInKeyBlock ? 0 : -1;
  let covered = 0;
  for (const m of text.matchAll(KEY_MARKER)) {
    const end = m.index + m[0].length;
    if (m[1] === "BEGIN") {
      if (open === -1) open = m.index;
    } else {
      out.push({ start: open === -1 ? covered : open, end, kind: "private-key" });
      open = -1;
      covered = end;
    }
  }
  if (open !== -1) out.push({ start: open, end: text.length, kind: "private-key" });
  return out;
}

/**
 * Narrows a reported range to the secret value itself when the rule names it in its data
 * (some rules report the whole `key = value` match): the value's first occurrence inside the
 * range wins; otherwise the whole range is redacted.
 */
function secretSpan(text: string, start: number, end: number, data: unknown, kind: string): Span {
  if (data !== null && typeof data === "object") {
    for (const field of ["KEY", "ID", "TOKEN", "CREDENTIAL", "SECRET", "PASSWORD"]) {
      const v = (data as Record<string, unknown>)[field];
      if (typeof v !== "string" || v.length < 8) continue;
      const at = text.indexOf(v, start);
      if (at !== -1 && at <= end) return { start: at, end: at + v.length, kind };
    }
  }
  // A rule whose match runs on to the closing quote of the string it sits in (connection
  // strings do) would take the quote with it: the marker keeps the code's own punctuation.
  const opener = text[start - 1];
  if (
    end - start > 1 && (opener === '"' || opener === "'" || opener === "`") &&
    text[end - 1] === opener
  ) end--;
  return { start, end: Math.max(end, start + 1), kind };
}

/** Sorts spans and merges overlapping ones (the first kind found at a place wins). */
function mergeSpans(spans: Span[]): Span[] {
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Span[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last !== undefined && s.start < last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

function apply(text: string, spans: Span[], firstLine: number): Redacted {
  const redactions: Redaction[] = [];
  let out = "";
  let pos = 0;
  let line = firstLine;
  for (const s of spans) {
    const before = text.slice(pos, s.start);
    line += countNewlines(before);
    const secret = text.slice(s.start, s.end);
    redactions.push({ kind: s.kind, line });
    const newlines = countNewlines(secret);
    out += before + redactionMarker(s.kind) + "\n".repeat(newlines);
    line += newlines;
    pos = s.end;
  }
  out += text.slice(pos);
  return { text: out, redactions };
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf("\n"); i !== -1; i = s.indexOf("\n", i + 1)) n++;
  return n;
}

/** "2 secrets redacted (aws-access-key-id on line 3, github-token on line 9)" or "". */
export function describeRedactions(redactions: readonly Redaction[]): string {
  if (redactions.length === 0) return "";
  const where = (r: Redaction) =>
    r.header ? "in the file header" : `on line ${r.line}${r.old ? " of the old version" : ""}`;
  const shown = redactions.slice(0, 5).map((r) => `${r.kind} ${where(r)}`).join(", ");
  const more = redactions.length > 5 ? `, and ${redactions.length - 5} more` : "";
  return `${redactions.length} secret${
    redactions.length === 1 ? "" : "s"
  } redacted (${shown}${more})`;
}
