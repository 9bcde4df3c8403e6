/**
 * File line numbers for the lines of a rendered diff block, so that a note about a redaction
 * names the file's own line ("line 1160"), not its place in the block ("line 17").
 */
import type { Redaction } from "./redact.ts";

/** Where a block line comes from: a line of the new version, of the old one, or neither (headers). */
export type DiffLineSource = { line: number; old: boolean } | undefined;

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/**
 * For each line of `block` (index 0 = block line 1): the file line it shows. Context and added
 * lines count in the new version, removed lines in the old one; headers map to nothing.
 *
 * @example diffLineSources("--- M a.py\n@@ -9,2 +9,2 @@\n x\n-y\n+z")
 * // [undefined, undefined, { line: 9, old: false }, { line: 10, old: true }, { line: 10, old: false }]
 */
export function diffLineSources(block: string): DiffLineSource[] {
  const out: DiffLineSource[] = [];
  let oldLine = 0, newLine = 0, inHunk = false;
  for (const l of block.split("\n")) {
    const h = HUNK.exec(l);
    if (h !== null) {
      // An empty side's header names the line before the change: the next line is one after it.
      oldLine = Number(h[2] === "0" ? Number(h[1]) + 1 : h[1]);
      newLine = Number(h[4] === "0" ? Number(h[3]) + 1 : h[3]);
      inHunk = true;
      out.push(undefined);
    } else if (inHunk && l.startsWith("+")) out.push({ line: newLine++, old: false });
    else if (inHunk && l.startsWith("-")) out.push({ line: oldLine++, old: true });
    else if (inHunk && l.startsWith(" ")) {
      out.push({ line: newLine++, old: false });
      oldLine++;
    } else {
      // "\ No newline at end of file", a file header, a note, the empty line after a block.
      if (!l.startsWith("\\")) inHunk = false;
      out.push(undefined);
    }
  }
  return out;
}

/**
 * Redactions found in a diff block (numbered by block line from 1) renumbered to their files'
 * lines; one in a header keeps no line and says so.
 */
export function redactionsInFile(block: string, redactions: readonly Redaction[]): Redaction[] {
  if (redactions.length === 0) return [];
  const sources = diffLineSources(block);
  return redactions.map((r) => {
    const s = sources[r.line - 1];
    if (s === undefined) return { kind: r.kind, line: 0, header: true };
    return s.old ? { kind: r.kind, line: s.line, old: true } : { kind: r.kind, line: s.line };
  });
}
