/**
 * The output budget: every answer a tool gives fits in `Config.maxOutputBytes` (UTF-8 bytes).
 * A list is cut at a record boundary (a line, an entry, a finding, a hunk) and says how to go
 * on; a single record larger than the budget is cut by `cutText` at a line or character boundary.
 */

/** The budget's default and range: written once, in the option table (--max-output-bytes). */
export {
  DEFAULT_MAX_OUTPUT_BYTES,
  MAX_MAX_OUTPUT_BYTES,
  MIN_MAX_OUTPUT_BYTES,
} from "../options.ts";

/**
 * UTF-8 length of a string without encoding it.
 *
 * @example utf8Length("é€😀") === 2 + 3 + 4
 */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

export interface FitResult {
  /** Index after the last record taken (records[start, end) fit). */
  end: number;
  /** Bytes the taken records use, by sizeOf. */
  usedBytes: number;
  /** True when every record from start on was taken. */
  complete: boolean;
}

/**
 * Takes records from `start` while their sizes add up to at most `budgetBytes`. Always takes
 * at least one record when one is left (the caller cuts a single oversized one with cutText),
 * so a paged walk always advances.
 *
 * @example fitRecords(["aa", "bb", "cc"], 0, 5, (r) => r.length) // { end: 2, usedBytes: 4, complete: false }
 */
export function fitRecords<T>(
  records: readonly T[],
  start: number,
  budgetBytes: number,
  sizeOf: (r: T) => number,
): FitResult {
  let used = 0;
  let end = Math.max(0, start);
  while (end < records.length) {
    const size = sizeOf(records[end]!);
    if (end > start && used + size > budgetBytes) break;
    used += size;
    end++;
  }
  return { end, usedBytes: used, complete: end >= records.length };
}

export interface CutResult {
  /** The text kept: at most maxBytes UTF-8 bytes. */
  text: string;
  /** True when something was cut off. */
  cut: boolean;
  /** UTF-8 bytes of `text`. */
  bytes: number;
}

/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes: after the last newline that fits when there is
 * one (unless `atLine` is false), otherwise at the last whole character (never inside a UTF-8
 * sequence or a surrogate pair).
 *
 * @example cutText("ab\ncd\nef", 7) // { text: "ab\ncd\n", cut: true, bytes: 6 }
 * @example cutText("€€€", 7)        // { text: "€€", cut: true, bytes: 6 }
 */
export function cutText(text: string, maxBytes: number, atLine = true): CutResult {
  const limit = Math.max(0, Math.floor(maxBytes));
  // Fast path: UTF-8 needs at least one byte per UTF-16 unit and at most three.
  if (text.length * 3 <= limit) return { text, cut: false, bytes: utf8Length(text) };
  let n = 0;
  let i = 0;
  let lastNewlineEnd = -1;
  let bytesAtNewline = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    let w: number;
    let units = 1;
    if (c < 0x80) w = 1;
    else if (c < 0x800) w = 2;
    else if (
      c >= 0xd800 && c <= 0xdbff && i + 1 < text.length &&
      (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00
    ) {
      w = 4;
      units = 2;
    } else w = 3;
    if (n + w > limit) break;
    n += w;
    i += units;
    if (c === 0x0a) {
      lastNewlineEnd = i;
      bytesAtNewline = n;
    }
  }
  if (i >= text.length) return { text, cut: false, bytes: n };
  if (atLine && lastNewlineEnd > 0) {
    return { text: text.slice(0, lastNewlineEnd), cut: true, bytes: bytesAtNewline };
  }
  return { text: text.slice(0, i), cut: true, bytes: n };
}

/**
 * The standard note for an answer cut by the budget, e.g.
 * "[Cut at 80 KB (--max-output-bytes); continue with cursor=\"…\"]".
 */
export function budgetNote(budgetBytes: number, howToContinue: string): string {
  return `[Output cut to fit ${
    formatBudget(budgetBytes)
  } (the server's --max-output-bytes); ${howToContinue}]`;
}

/** 80000 -> "80 KB"; 4096 -> "4.1 KB"; 2000000 -> "2 MB" (decimal units, as budgets are set). */
export function formatBudget(bytes: number): string {
  if (bytes >= 1_000_000) return `${trim(bytes / 1_000_000)} MB`;
  if (bytes >= 1_000) return `${trim(bytes / 1_000)} KB`;
  return `${bytes} bytes`;
}

function trim(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}
