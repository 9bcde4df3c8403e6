/**
 * Line diffs of two versions of one file, from the `diff` library: counts of added and
 * removed lines, the new-side line numbers this change added or modified, and unified
 * hunks with old and new line numbers. Binary content is recognised and never diffed.
 */
import { diffLines, structuredPatch } from "diff";

/** Git's own rule: a NUL byte in the first 8000 bytes makes a file binary. */
export function isBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8000);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return true;
  return false;
}

export interface Decoded {
  text: string;
  /** True when the bytes were not valid UTF-8 and invalid sequences became U+FFFD. */
  replaced: boolean;
}

/** Decodes as UTF-8; non-UTF-8 text is decoded with replacement characters and says so. */
export function decodeText(bytes: Uint8Array): Decoded {
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), replaced: false };
  } catch {
    return { text: new TextDecoder("utf-8").decode(bytes), replaced: true };
  }
}

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Lines prefixed " ", "+", "-", or "\\" (no newline at end of file). */
  lines: string[];
}

export interface LineDiff {
  added: number;
  removed: number;
  /** New-side line numbers (1-based) this change added or modified, ascending. */
  addedLines: number[];
  hunks: Hunk[];
  /** True when the diff library gave up (time limit): the file is shown as wholly replaced. */
  gaveUp: boolean;
}

function lineCount(text: string): number {
  if (text === "") return 0;
  let n = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n++;
  return text.endsWith("\n") ? n : n + 1;
}

/**
 * Diffs two texts line by line. `context` is the number of unchanged lines around each
 * change; `timeoutMs` bounds the library's search, after which the whole file counts as replaced.
 *
 * @example lineDiff("a\nb\n", "a\nc\n", 0).addedLines // [2]
 */
export function lineDiff(
  oldText: string,
  newText: string,
  context: number,
  timeoutMs = 2_000,
): LineDiff {
  const patch = structuredPatch("a", "b", oldText, newText, undefined, undefined, {
    context,
    timeout: timeoutMs,
  });
  if (patch === undefined) {
    const oldN = lineCount(oldText);
    const newN = lineCount(newText);
    return {
      added: newN,
      removed: oldN,
      addedLines: Array.from({ length: newN }, (_, i) => i + 1),
      hunks: [],
      gaveUp: true,
    };
  }
  let added = 0;
  let removed = 0;
  const addedLines: number[] = [];
  for (const h of patch.hunks) {
    let newLine = h.newStart;
    for (const l of h.lines) {
      const c = l[0];
      if (c === "+") {
        added++;
        addedLines.push(newLine++);
      } else if (c === "-") removed++;
      else if (c === " ") newLine++;
    }
  }
  return { added, removed, addedLines, hunks: patch.hunks, gaveUp: false };
}

/** "@@ -old,n +new,m @@" as git writes it: an empty side names the line before the change. */
export function hunkHeader(h: Hunk): string {
  const o = h.oldLines === 0 ? h.oldStart - 1 : h.oldStart;
  const n = h.newLines === 0 ? h.newStart - 1 : h.newStart;
  return `@@ -${o},${h.oldLines} +${n},${h.newLines} @@`;
}

/**
 * Renders hunks in unified form: "@@ -old,n +new,m @@" headers, then the lines. A CR before
 * the newline is dropped from each shown line (the file's CRLF endings are stated once instead).
 */
export function renderHunks(hunks: readonly Hunk[]): string {
  const out: string[] = [];
  for (const h of hunks) {
    out.push(hunkHeader(h));
    for (const l of h.lines) out.push(l.endsWith("\r") ? l.slice(0, -1) : l);
  }
  return out.join("\n");
}

/**
 * How alike two texts are, by lines (git's rename rule in spirit): twice the unchanged lines
 * over all lines, from 0 (nothing shared) to 1 (identical). 0 when the library gives up.
 *
 * @example similarity("a\nb\nc\nd\n", "a\nb\nc\nx\n") === 0.75
 */
export function similarity(a: string, b: string, timeoutMs = 200): number {
  const total = lineCount(a) + lineCount(b);
  if (total === 0) return 1;
  const parts = diffLines(a, b, { timeout: timeoutMs });
  if (parts === undefined) return 0;
  let same = 0;
  for (const p of parts) if (!p.added && !p.removed) same += p.count ?? lineCount(p.value);
  return (2 * same) / total;
}

/**
 * Splits each hunk whose rendered text is over `maxBytes` into consecutive hunks of at most
 * that size (at least one line each), each with its own correct header, so a long file's diff
 * can be paged hunk by hunk without cutting a hunk in the middle.
 *
 * @example splitHunks([oneHunkOf(1000 lines)], 2048) // several hunks covering the same lines
 */
export function splitHunks(hunks: readonly Hunk[], maxBytes: number): Hunk[] {
  const out: Hunk[] = [];
  const enc = new TextEncoder();
  for (const h of hunks) {
    const size = h.lines.reduce((a, l) => a + enc.encode(l).length + 1, 40);
    if (size <= maxBytes) {
      out.push(h);
      continue;
    }
    let oldAt = h.oldStart;
    let newAt = h.newStart;
    let i = 0;
    while (i < h.lines.length) {
      const piece: Hunk = { oldStart: oldAt, oldLines: 0, newStart: newAt, newLines: 0, lines: [] };
      let bytes = 40;
      while (i < h.lines.length) {
        const l = h.lines[i]!;
        const b = enc.encode(l).length + 1;
        // A "\ No newline" marker stays with the line it speaks of.
        if (piece.lines.length > 0 && bytes + b > maxBytes && l[0] !== "\\") break;
        piece.lines.push(l);
        bytes += b;
        i++;
        if (l[0] === " " || l[0] === "-") piece.oldLines++;
        if (l[0] === " " || l[0] === "+") piece.newLines++;
      }
      oldAt += piece.oldLines;
      newAt += piece.newLines;
      out.push(piece);
    }
  }
  return out;
}
