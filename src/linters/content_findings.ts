/**
 * Findings of the server's own, added to every linter's on a file: hard-coded secrets (by
 * output/redact.ts's rules) and invisible or bidirectional Unicode (output/unicode.ts). The
 * value of a secret is never in the finding, only its kind and place. Multi-file linting
 * calls contentFindings once per file.
 */
import { redactSecrets } from "../output/redact.ts";
import { escapeInvisible, type InvisibleKind } from "../output/unicode.ts";
import type { Diagnostic } from "./types.ts";

/** Rule codes of the server's own findings. */
export const CONTENT_CODES = {
  secret: "hardcoded-secret",
  bidi: "bidi-control",
  zeroWidth: "zero-width-character",
  invisible: "invisible-character",
} as const;

const SECRET_URL = "https://cwe.mitre.org/data/definitions/798.html";
const BIDI_URL = "https://nvd.nist.gov/vuln/detail/CVE-2021-42574";
const INVISIBLE_URL = "https://www.unicode.org/reports/tr36/#Invisible_Characters";

/**
 * Secrets and invisible code points in one file's text, as findings on their lines: one per
 * secret, one per line and kind of invisible code point (listing the code points).
 *
 * @example contentFindings('key = "AKIA…"', "app.py")
 * // [{ file: "app.py", line: 1, column: 8, code: "hardcoded-secret", severity: "error",
 * //    message: "Hard-coded aws-access-key-id (value redacted): move it to the environment or a secret store", ... }]
 */
export function contentFindings(text: string, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const redacted = redactSecrets(text);
  if (redacted.redactions.length > 0) {
    // Columns: where each marker stands in the redacted text's line.
    const lines = redacted.text.split("\n");
    const seenOnLine = new Map<number, number>();
    for (const r of redacted.redactions) {
      const lineText = lines[r.line - 1] ?? "";
      const marker = `[REDACTED ${r.kind}]`;
      const from = seenOnLine.get(r.line) ?? 0;
      const at = lineText.indexOf(marker, from);
      seenOnLine.set(r.line, at === -1 ? from : at + marker.length);
      out.push({
        file,
        line: r.line,
        column: at === -1 ? 1 : [...lineText.slice(0, at)].length + 1,
        code: CONTENT_CODES.secret,
        severity: "error",
        message:
          `Hard-coded ${r.kind} (value redacted): move it to the environment or a secret store, and rotate it`,
        url: SECRET_URL,
      });
    }
  }
  const { found } = escapeInvisible(text);
  const byLine = new Map<
    string,
    { line: number; column: number; kind: InvisibleKind; points: string[] }
  >();
  for (const f of found) {
    // A byte order mark at the very start of a file is an encoding marker, not hidden text.
    if (f.codePoint === "U+FEFF" && f.line === 1 && f.column === 1) continue;
    const key = `${f.line}:${f.kind}`;
    const g = byLine.get(key);
    if (g === undefined) {
      byLine.set(key, { line: f.line, column: f.column, kind: f.kind, points: [f.codePoint] });
    } else g.points.push(f.codePoint);
  }
  for (const g of byLine.values()) {
    const list = [...new Set(g.points)].map((p) => `<${p}>`).join(" ");
    const n = g.points.length;
    if (g.kind === "bidi") {
      out.push({
        file,
        line: g.line,
        column: g.column,
        code: CONTENT_CODES.bidi,
        severity: "error",
        message: `${n} bidirectional control character${
          n === 1 ? "" : "s"
        } (${list}): the code may not run as it reads (Trojan Source)`,
        url: BIDI_URL,
      });
    } else {
      out.push({
        file,
        line: g.line,
        column: g.column,
        code: g.kind === "zero-width" ? CONTENT_CODES.zeroWidth : CONTENT_CODES.invisible,
        severity: "warning",
        message: `${n} invisible character${
          n === 1 ? "" : "s"
        } (${list}): hidden text or look-alike identifiers`,
        url: INVISIBLE_URL,
      });
    }
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}
