/**
 * "New" means "not there before": a change's findings matched against the findings of the base
 * version of the same file, the way SonarQube's new code, Semgrep's --baseline-commit and
 * reviewdog's diff filters do. Pure: both texts and both finding lists come from the caller.
 *
 * A finding is `new` when its lines include a line the change added or modified (a moved line
 * does not count), or when no finding of the base version matches it; `existing` when a base
 * finding with the same code sits on the line mapped through the diff, or (moved code) has the
 * same code on the same normalized source line.
 */
import { diffLines } from "diff";

/** What the matching needs of a finding; lines are 1-based. */
export interface MatchableFinding {
  code: string;
  line: number;
  column: number;
  end_line?: number;
  message?: string;
}

/**
 * Why a finding got its tag:
 * - changed: its lines include a line the change added or modified (new)
 * - not-in-base: the base version has no such finding; the change caused it (new)
 * - added-file: the file is new in this change (new)
 * - base-line: same code on the base line mapped through the diff (existing)
 * - moved: same code on the same source line, moved elsewhere (existing)
 * - unchanged-lines: the base version was not linted; on lines the change did not touch (existing)
 */
export type MatchBasis =
  | "changed"
  | "not-in-base"
  | "added-file"
  | "base-line"
  | "moved"
  | "unchanged-lines";

export const MATCH_BASES: readonly MatchBasis[] = [
  "changed",
  "not-in-base",
  "added-file",
  "base-line",
  "moved",
  "unchanged-lines",
];

export interface Tagged<T> {
  finding: T;
  tag: "new" | "existing";
  basis: MatchBasis;
}

/**
 * How the lines of two versions correspond: `oldToNew[i]` is the new line of old line i, 0 when
 * the line was removed; `added` are the new lines the diff added or modified; `touched` are those
 * of them whose text was not merely moved (no removed line has the same normalized text).
 */
export interface LineMap {
  oldToNew: number[];
  added: number[];
  touched: number[];
  /** True when the diff gave up (time limit): every line counts as replaced, moves still match. */
  gaveUp: boolean;
}

/** Lines of a text without their line endings; a final newline ends the last line. */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
}

/**
 * A source line as a fingerprint sees it: surrounding whitespace dropped, inner runs of
 * whitespace made one space, so re-indented (moved into a block) code still matches.
 *
 * @example normalizeLine("    x  =\t1  ") === "x = 1"
 */
export function normalizeLine(line: string): string {
  return line.trim().replace(/\s+/g, " ");
}

/** The line correspondence of two versions, from a line diff (the same library git reads use). */
export function mapLines(baseText: string, newText: string, timeoutMs = 2_000): LineMap {
  const oldLines = splitLines(baseText);
  const newLines = splitLines(newText);
  const oldToNew = new Array<number>(oldLines.length + 1).fill(0);
  const added: number[] = [];
  const removed: number[] = [];
  const parts = diffLines(baseText, newText, { timeout: timeoutMs });
  let gaveUp = false;
  if (parts === undefined) {
    gaveUp = true;
    for (let i = 1; i <= oldLines.length; i++) removed.push(i);
    for (let j = 1; j <= newLines.length; j++) added.push(j);
  } else {
    let i = 1;
    let j = 1;
    for (const p of parts) {
      const n = p.count ?? splitLines(p.value).length;
      if (p.added) {
        for (let k = 0; k < n; k++) added.push(j++);
      } else if (p.removed) {
        for (let k = 0; k < n; k++) removed.push(i++);
      } else {
        for (let k = 0; k < n; k++) oldToNew[i++] = j++;
      }
    }
  }
  // A line counts as moved when a removed line had the same text; each removed line pairs once.
  const pool = new Map<string, number>();
  for (const i of removed) {
    const t = normalizeLine(oldLines[i - 1] ?? "");
    pool.set(t, (pool.get(t) ?? 0) + 1);
  }
  const touched: number[] = [];
  for (const j of added) {
    const t = normalizeLine(newLines[j - 1] ?? "");
    const left = pool.get(t) ?? 0;
    if (left > 0) pool.set(t, left - 1);
    else touched.push(j);
  }
  return { oldToNew, added, touched, gaveUp };
}

function lastLine(f: MatchableFinding): number {
  return Math.max(f.line, f.end_line ?? f.line);
}

/** True when the finding's lines (first to last) include one of `lines`. */
function spans(f: MatchableFinding, lines: ReadonlySet<number>): boolean {
  for (let l = f.line; l <= lastLine(f); l++) if (lines.has(l)) return true;
  return false;
}

/**
 * Tags the current version's findings against the base version's.
 *
 * @example
 * // base "import os\nos.getcwd()\n" had no F401; the change deletes line 2, and F401 appears
 * // on the untouched line 1: not in the base, so new.
 * matchFindings({ baseText: "import os\nos.getcwd()\n", baseFindings: [],
 *   newText: "import os\n", newFindings: [{ code: "F401", line: 1, column: 8 }] })[0].basis
 * // === "not-in-base"
 */
export function matchFindings<T extends MatchableFinding>(o: {
  baseText: string;
  baseFindings: readonly MatchableFinding[];
  newText: string;
  newFindings: readonly T[];
  /** The line map when the caller computed it already (inside the sandbox worker). */
  map?: LineMap;
}): Tagged<T>[] {
  const map = o.map ?? mapLines(o.baseText, o.newText);
  const touched = new Set(map.touched);
  const baseLines = splitLines(o.baseText);
  const newLines = splitLines(o.newText);
  const out: (Tagged<T> | undefined)[] = o.newFindings.map((f) =>
    spans(f, touched) ? { finding: f, tag: "new", basis: "changed" } : undefined
  );
  const used = new Set<number>();
  // Base findings by (code, mapped line), each list in column order.
  const byLine = new Map<string, number[]>();
  o.baseFindings.forEach((b, i) => {
    const to = map.oldToNew[b.line] ?? 0;
    if (to === 0) return;
    const k = `${b.code}\0${to}`;
    const list = byLine.get(k) ?? [];
    list.push(i);
    byLine.set(k, list);
  });
  const pick = (candidates: number[] | undefined, f: MatchableFinding): number | undefined => {
    const free = (candidates ?? []).filter((i) => !used.has(i));
    if (free.length === 0) return undefined;
    // Prefer the same column and message, then the same message, then the first.
    const same = (i: number) => o.baseFindings[i]!;
    return free.find((i) => same(i).column === f.column && same(i).message === f.message) ??
      free.find((i) => same(i).message === f.message) ?? free[0];
  };
  // Pass 1: the line mapped through the diff.
  o.newFindings.forEach((f, n) => {
    if (out[n] !== undefined) return;
    const hit = pick(byLine.get(`${f.code}\0${f.line}`), f);
    if (hit === undefined) return;
    used.add(hit);
    out[n] = { finding: f, tag: "existing", basis: "base-line" };
  });
  // Pass 2: a fingerprint of code and normalized source line, for code that moved.
  const byPrint = new Map<string, number[]>();
  o.baseFindings.forEach((b, i) => {
    if (used.has(i)) return;
    const k = `${b.code}\0${normalizeLine(baseLines[b.line - 1] ?? "")}`;
    const list = byPrint.get(k) ?? [];
    list.push(i);
    byPrint.set(k, list);
  });
  o.newFindings.forEach((f, n) => {
    if (out[n] !== undefined) return;
    const hit = pick(byPrint.get(`${f.code}\0${normalizeLine(newLines[f.line - 1] ?? "")}`), f);
    if (hit === undefined) return;
    used.add(hit);
    out[n] = { finding: f, tag: "existing", basis: "moved" };
  });
  return o.newFindings.map((f, n) => out[n] ?? { finding: f, tag: "new", basis: "not-in-base" });
}

/** Every finding of a file the change added is new. */
export function tagAddedFile<T>(findings: readonly T[]): Tagged<T>[] {
  return findings.map((finding) => ({ finding, tag: "new", basis: "added-file" }));
}

/**
 * The fallback where the base version could not be linted: new when its lines include a line
 * the change added or modified, existing otherwise. Findings the change caused on untouched
 * lines are missed; the answer says so.
 */
export function tagByTouchedLines<T extends MatchableFinding>(
  findings: readonly T[],
  touched: readonly number[],
): Tagged<T>[] {
  const set = new Set(touched);
  return findings.map((finding) =>
    spans(finding, set)
      ? { finding, tag: "new", basis: "changed" }
      : { finding, tag: "existing", basis: "unchanged-lines" }
  );
}
