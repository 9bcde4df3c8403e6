/**
 * Invisible and bidirectional Unicode made visible. Bidi controls reorder what a reviewer
 * sees (Trojan Source, CVE-2021-42574), zero-width and other invisible code points hide text
 * (homoglyph identifiers, smuggled instructions in tag characters). Each one is replaced by a
 * visible escape such as `<U+202E>` and reported with its line and column.
 */

export type InvisibleKind = "bidi" | "zero-width" | "invisible";

export interface InvisibleFound {
  /** "U+202E" */
  codePoint: string;
  /** 1-based line in the text given (plus firstLine - 1). */
  line: number;
  /** 1-based column, in code points. */
  column: number;
  kind: InvisibleKind;
}

/** Bidi embedding, override and isolate controls, and the implicit marks (ALM, LRM, RLM). */
const BIDI = "\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069";
/** Zero-width space, joiners, word joiner, byte order mark. */
const ZERO_WIDTH = "\u200B-\u200D\u2060\uFEFF";
/**
 * Other code points that render as nothing: C0/C1 controls other than tab, newline and
 * carriage return, soft hyphen, combining grapheme joiner, Hangul and Mongolian fillers,
 * invisible operators, deprecated format controls, variation selectors other than the emoji
 * ones (U+FE0E, U+FE0F), interlinear annotation marks, Braille blank, tag characters and the
 * supplementary variation selectors. Format characters (\p{Cf}) not listed above count too.
 */
const INVISIBLE =
  "\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u00AD\\u034F\\u115F\\u1160\\u17B4\\u17B5\\u180B-\\u180F" +
  "\\u2061-\\u2064\\u206A-\\u206F\\u2800\\u3164\\uFE00-\\uFE0D\\uFFA0\\uFFF9-\\uFFFB\\u{E0000}-\\u{E007F}\\u{E0100}-\\u{E01EF}\\p{Cf}";

const ANY = new RegExp(`[${BIDI}${ZERO_WIDTH}${INVISIBLE}]`, "u");
const ANY_G = new RegExp(`[${BIDI}${ZERO_WIDTH}${INVISIBLE}]`, "gu");
const IS_BIDI = new RegExp(`^[${BIDI}]$`, "u");
const IS_ZERO_WIDTH = new RegExp(`^[${ZERO_WIDTH}]$`, "u");

/** "U+202E" for a one-code-point string. */
function codePointName(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Which class a code point found by the scanner belongs to. */
export function invisibleKind(ch: string): InvisibleKind {
  if (IS_BIDI.test(ch)) return "bidi";
  if (IS_ZERO_WIDTH.test(ch)) return "zero-width";
  return "invisible";
}

/** True when `text` holds at least one code point escapeInvisible would escape. */
export function hasInvisible(text: string): boolean {
  return ANY.test(text);
}

/**
 * Replaces each bidi control, zero-width and invisible code point by `<U+XXXX>` and lists them
 * with line and column. Tabs, newlines and carriage returns are left alone. `firstLine`
 * numbers the lines of a page from its place in the file.
 *
 * @example escapeInvisible("a\u202Eb")
 * // { text: "a<U+202E>b", found: [{ codePoint: "U+202E", line: 1, column: 2, kind: "bidi" }] }
 */
export function escapeInvisible(
  text: string,
  firstLine = 1,
): { text: string; found: InvisibleFound[] } {
  if (!ANY.test(text)) return { text, found: [] };
  const found: InvisibleFound[] = [];
  // Line starts, found lazily as matches come in order.
  let line = firstLine;
  let lineStart = 0;
  let scanned = 0;
  const out = text.replace(ANY_G, (ch: string, offset: number) => {
    for (
      let i = text.indexOf("\n", scanned);
      i !== -1 && i < offset;
      i = text.indexOf("\n", i + 1)
    ) {
      line++;
      lineStart = i + 1;
    }
    scanned = offset;
    const column = countCodePoints(text, lineStart, offset) + 1;
    const name = codePointName(ch);
    found.push({ codePoint: name, line, column, kind: invisibleKind(ch) });
    return `<${name}>`;
  });
  return { text: out, found };
}

function countCodePoints(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < to && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    n++;
  }
  return n;
}

/** "2 invisible code points escaped (1 bidi, 1 zero-width)" or "" when none. */
export function describeInvisible(found: readonly InvisibleFound[]): string {
  if (found.length === 0) return "";
  const by = new Map<InvisibleKind, number>();
  for (const f of found) by.set(f.kind, (by.get(f.kind) ?? 0) + 1);
  const parts = [...by].map(([k, n]) => `${n} ${k}`).join(", ");
  return `${found.length} invisible code point${
    found.length === 1 ? "" : "s"
  } shown as <U+XXXX> (${parts})`;
}
