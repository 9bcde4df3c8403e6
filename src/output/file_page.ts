/**
 * One page of file text as a model reads it: a header line (what it is, which lines of how
 * many), the lines (numbered by default), and a footer when the page is cut or something was
 * redacted or escaped. The page fits the budget; a cut page says which start_line continues.
 * Used by read_file, fetch_github_file and the file:// resource.
 */
import { cutText, fitRecords, formatBudget, utf8Length } from "./budget.ts";
import { numberLines } from "./line_numbers.ts";
import { sanitizeNote, sanitizeText } from "./sanitize.ts";
import type { Redaction } from "./redact.ts";
import type { InvisibleFound } from "./unicode.ts";

/** Bytes kept back from the budget for the header and footer lines. */
export const PAGE_FRAME_BYTES = 1024;

export interface FilePageInput {
  /** What the text is, e.g. "src/app.py" or "owner/repo@main:src/app.py". */
  label: string;
  /** The lines read, from firstLine on (a final newline optional). */
  text: string;
  firstLine: number;
  /** Lines in the whole file; undefined when not counted. */
  totalLines?: number;
  lineNumbers: boolean;
  budgetBytes: number;
  /** The text's only line was already cut short by the reader (a line longer than the budget). */
  lineCut?: boolean;
  /** The reader stopped before the end of the range asked for (its own byte cap). */
  truncated?: boolean;
  /** The lines before firstLine leave a private key block open: the page starts inside it. */
  startsInKeyBlock?: boolean;
  /** Leave out the header line (the file:// resource, whose text is the file itself). */
  noHeader?: boolean;
  /** How to ask for the page starting at `line`, e.g. `read_file with start_line=1835`. */
  continueWith: (line: number) => string;
}

export interface FilePage {
  /** Header, lines and footer: at most budgetBytes UTF-8 bytes. */
  text: string;
  /** Lines shown (0 and 0 when none). */
  firstShown: number;
  lastShown: number;
  /** The line to continue from, when lines after lastShown exist. */
  nextLine?: number;
  redactions: Redaction[];
  invisible: InvisibleFound[];
}

/** Splits text into lines that keep their newline; "" has none. */
function splitKeep(text: string): string[] {
  if (text === "") return [];
  const out: string[] = [];
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf("\n", pos);
    if (nl === -1) {
      out.push(text.slice(pos));
      break;
    }
    out.push(text.slice(pos, nl + 1));
    pos = nl + 1;
  }
  return out;
}

/**
 * Renders a page of file text within the budget.
 *
 * @example renderFilePage({ label: "a.py", text: "x = 1\n", firstLine: 1, totalLines: 1, lineNumbers: true, budgetBytes: 80_000, continueWith })
 * // { text: "[a.py: lines 1-1 of 1]\n1\tx = 1\n", firstShown: 1, lastShown: 1, ... }
 */
export function renderFilePage(input: FilePageInput): FilePage {
  const { label, firstLine, totalLines, budgetBytes } = input;
  const sanitized = sanitizeText(input.text, firstLine, {
    startsInKeyBlock: input.startsInKeyBlock === true,
  });
  const lines = splitKeep(sanitized.text);
  const widest = Math.max(totalLines ?? 0, firstLine + lines.length - 1);
  const shown = input.lineNumbers
    ? lines.map((l, i) => numberLines(l, firstLine + i, widest))
    : lines;
  const room = Math.max(1, budgetBytes - PAGE_FRAME_BYTES);
  const fit = fitRecords(shown, 0, room, utf8Length);
  let body = shown.slice(0, fit.end).join("");
  let lineCut = input.lineCut === true;
  if (fit.usedBytes > room) {
    // A single line over the budget: show its beginning.
    body = cutText(body, room, false).text;
    lineCut = true;
  }
  const count = fit.end;
  const firstShown = count === 0 ? 0 : firstLine;
  const lastShown = count === 0 ? 0 : firstLine + count - 1;
  const cutShort = fit.end < lines.length || input.truncated === true;
  const nextLine = count > 0 && cutShort && (totalLines === undefined || lastShown < totalLines)
    ? lastShown + 1
    : undefined;
  const of = totalLines === undefined ? "" : ` of ${totalLines}`;
  const header = count === 0
    ? `[${label}: ${totalLines === 0 ? "empty file" : "no lines"}${totalLines === 0 ? "" : of}]`
    : `[${label}: lines ${firstShown}-${lastShown}${of}]`;
  const notes: string[] = [];
  if (lineCut) {
    notes.push(
      `[Line ${lastShown} is longer than ${
        formatBudget(budgetBytes)
      } (the server's --max-output-bytes) and is cut; the rest of that line is not shown]`,
    );
  }
  if (nextLine !== undefined) {
    const rest = totalLines !== undefined
      ? `lines ${nextLine}-${totalLines} not shown`
      : "more lines not shown";
    notes.push(
      `[${rest} (answers are limited to ${formatBudget(budgetBytes)}); continue with ${
        input.continueWith(nextLine)
      }]`,
    );
  }
  const keptRedactions = sanitized.redactions.filter((r) => r.line <= lastShown);
  const keptInvisible = sanitized.invisible.filter((f) => f.line <= lastShown);
  const note = sanitizeNote({ redactions: keptRedactions, invisible: keptInvisible });
  if (note !== "") notes.push(`[${note}]`);
  const sep = body === "" || body.endsWith("\n") ? "" : "\n";
  const text = `${input.noHeader ? "" : header + "\n"}${body}${
    notes.length > 0 ? sep + notes.join("\n") + "\n" : ""
  }`;
  return {
    text,
    firstShown,
    lastShown,
    ...(nextLine !== undefined ? { nextLine } : {}),
    redactions: keptRedactions,
    invisible: keptInvisible,
  };
}

/**
 * Lines start..end (1-based, inclusive) of an in-memory text, the text's line count (a final
 * line without a newline counts; "" has none), and the text before the slice.
 *
 * @example sliceLines("a\nb\nc", 2, 3) // { text: "b\nc", totalLines: 3, before: "a\n" }
 */
export function sliceLines(
  text: string,
  start: number,
  end = Number.MAX_SAFE_INTEGER,
): { text: string; totalLines: number; before: string } {
  let line = 1;
  let from = start <= 1 ? 0 : -1;
  let to = -1;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) {
    if (line === end) to = i + 1;
    line++;
    if (line === start) from = i + 1;
  }
  const totalLines = text === "" ? 0 : text.endsWith("\n") ? line - 1 : line;
  if (from === -1 || from >= text.length) return { text: "", totalLines, before: text };
  return {
    text: text.slice(from, to === -1 ? text.length : to),
    totalLines,
    before: text.slice(0, from),
  };
}
