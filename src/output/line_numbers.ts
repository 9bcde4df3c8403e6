/**
 * Line numbers for file text, so that a model can cite "file:line" without counting.
 * Format (as `cat -n`): the number right-aligned to the width of the largest number, then a
 * tab, then the line. "     9\tdef f():" / "    10\t    return 1".
 */

/** The separator between a line number and the line. */
export const LINE_NUMBER_SEPARATOR = "\t";

/**
 * Prefixes each line of `text` with its number, the first being `firstLine`. The width comes
 * from `totalLines` when given (so every page of a file aligns alike). A final newline is kept
 * and does not count as a line.
 *
 * @example numberLines("a\nb\n", 9, 10) // " 9\ta\n10\tb\n"
 */
export function numberLines(text: string, firstLine: number, totalLines?: number): string {
  if (text === "") return "";
  const endsWithNewline = text.endsWith("\n");
  const lines = (endsWithNewline ? text.slice(0, -1) : text).split("\n");
  const last = firstLine + lines.length - 1;
  const width = String(Math.max(last, totalLines ?? 0)).length;
  let out = "";
  for (let i = 0; i < lines.length; i++) {
    out += String(firstLine + i).padStart(width) + LINE_NUMBER_SEPARATOR + lines[i] +
      (i < lines.length - 1 || endsWithNewline ? "\n" : "");
  }
  return out;
}

/** Bytes the prefixes add to `lineCount` lines numbered up to `maxLine`. */
export function lineNumberOverhead(lineCount: number, maxLine: number): number {
  return lineCount * (String(maxLine).length + LINE_NUMBER_SEPARATOR.length);
}
