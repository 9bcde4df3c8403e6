/**
 * A change as a review sees it: the scope (HEAD, base, merge base), the commits in range, and
 * each changed file with its status and line counts, plus either the new-side lines the change
 * touched (for tagging findings) or its unified diff text. Pure logic over a RepoCtx; the
 * sandbox worker supplies the file system view and the bounds.
 */
import {
  type Change,
  changesSince,
  type Limits,
  MODE_GITLINK,
  MODE_LINK,
  readWorktree,
  type Side,
} from "./changes.ts";
import { decodeText, isBinary, lineDiff, renderHunks, similarity, splitHunks } from "./diff.ts";
import { breathe, checkBudget, GitLimitError } from "./fs_view.ts";
import { secretFileRule } from "../policy/secrets.ts";
import {
  type CommitLine,
  commitsBetween,
  mergeBase,
  readCommit,
  readHead,
  readObject,
  type RepoCtx,
  resolveCommitish,
} from "./log.ts";

import type { ChangedSymbol } from "../symbols/changed.ts";
import type { ResultWith } from "../result.ts";

export interface ReviewOptions {
  base?: string;
  /** Files or folders, relative to the root, "/"-separated, already checked to be inside it. */
  paths?: string[];
  includeUntracked: boolean;
  mode: "summary" | "diff";
  contextLines: number;
  /** diff mode: the first file to render, and roughly how many bytes of diff text to produce. */
  start: number;
  /** diff mode: the first hunk of the first file (continuing a file cut at its per-file cap). */
  startHunk?: number;
  maxBytes: number;
  /** Largest version of one file that is diffed (bytes). */
  maxFileBytes: number;
  /** Most diff text for one file in one answer (bytes); the rest continues from `next_hunk`. */
  maxFileDiffBytes: number;
  maxCommits: number;
  limits: Limits;
  /** The operator's --allow-secret-files: credential files' diffs are shown. */
  allowSecretFiles?: boolean;
  /**
   * Summary mode: called with both versions' text of each diffed file (not credential files);
   * its answer becomes the record's `symbols` (the worker passes src/symbols/changed.ts).
   */
  onTextPair?: (path: string, oldText: string, newText: string) => Promise<FileRecord["symbols"]>;
}

export interface FileRecord {
  path: string;
  old_path?: string;
  status: "added" | "modified" | "deleted" | "renamed" | "type-changed";
  kind: "text" | "binary" | "symlink" | "submodule" | "too-large";
  untracked?: boolean;
  added: number | null;
  removed: number | null;
  old_size?: number;
  new_size?: number;
  /** Notes: non-UTF-8 text decoded with replacement, CRLF line endings, mode change, caps. */
  notes?: string[];
  /** summary mode: new-side lines (1-based) this change added or modified. */
  added_lines?: number[];
  /** diff mode: the unified diff text of this file (hunks with old and new line numbers). */
  diff?: string;
  /** diff mode: the hunks shown are first_hunk..next_hunk-1 of hunks_total (set when cut or continued). */
  first_hunk?: number;
  next_hunk?: number;
  hunks_total?: number;
  /** True for a credential file: listed with its counts, its content never shown. */
  secret?: boolean;
  /** summary mode, when asked: the functions and classes added, removed or modified. */
  symbols?: { symbols: ChangedSymbol[]; more: number };
}

export interface ReviewData {
  head: { id: string | null; branch: string | null };
  base?: { name: string; id: string };
  merge_base?: string | null;
  commits: CommitLine[];
  commits_total: number;
  commits_capped: boolean;
  /** summary mode: every changed file; diff mode: the files from `start` on, as far as maxBytes reached. */
  files: FileRecord[];
  files_total: number;
  /** diff mode: index of the first file returned. */
  start: number;
  warnings: string[];
  /** Index entries, and tracked files hashed because their stat data differed from the index's. */
  stats: { indexed: number; hashed: number };
}

export type ReviewOutcome = ResultWith<ReviewData, { notRepo?: boolean }>;

function commitTree(r: RepoCtx, oid: string): string {
  return readCommit(r, oid).tree;
}

function readSide(
  r: RepoCtx,
  side: Side,
  rel: string,
  maxBytes: number,
): Uint8Array | { tooLarge: number; hardLink?: string } | null {
  checkBudget(r.budget);
  if (side.source === "worktree") {
    const w = readWorktree(r.dir, rel, maxBytes);
    if (w === null) return null;
    return "tooLarge" in w ? w : w.bytes;
  }
  if (side.oid === null) return { tooLarge: side.size ?? 0 };
  if (side.size !== undefined && side.size > maxBytes) return { tooLarge: side.size };
  const blob = readObject(r, side.oid, "blob").data;
  if (blob.length > maxBytes) return { tooLarge: blob.length };
  return blob;
}

const EMPTY = new Uint8Array(0);

/** Computes one file's record: kind, counts, and either touched lines or diff text. */
async function fileRecord(
  r: RepoCtx,
  c: Change,
  o: ReviewOptions,
  startHunk = 0,
): Promise<FileRecord> {
  const rec: FileRecord = {
    path: c.path,
    ...(c.oldPath ? { old_path: c.oldPath } : {}),
    status: c.status,
    kind: "text",
    ...(c.untracked ? { untracked: true } : {}),
    added: null,
    removed: null,
  };
  const notes: string[] = [];
  const modes = [c.old?.mode, c.new?.mode];
  if (modes.includes(MODE_GITLINK)) {
    rec.kind = "submodule";
    rec.notes = [
      `submodule commit ${c.old?.oid?.slice(0, 7) ?? "none"} -> ${
        c.new?.oid?.slice(0, 7) ?? "none"
      }`,
    ];
    return rec;
  }
  if (modes.includes(MODE_LINK)) rec.kind = "symlink";
  if (c.old && c.new && c.old.mode !== c.new.mode && c.status !== "type-changed") {
    notes.push(`mode ${c.old.mode.toString(8)} -> ${c.new.mode.toString(8)}`);
  }
  let oldBytes: ReturnType<typeof readSide>;
  let newBytes: ReturnType<typeof readSide>;
  try {
    oldBytes = c.old ? readSide(r, c.old, c.oldPath ?? c.path, o.maxFileBytes) : EMPTY;
    newBytes = c.new ? readSide(r, c.new, c.path, o.maxFileBytes) : EMPTY;
  } catch (err) {
    // An object over the inflation cap is this file's problem, not the whole review's.
    if (!(err instanceof GitLimitError) || !err.message.includes("inflates")) throw err;
    rec.kind = "too-large";
    rec.notes = [...notes, err.message];
    return rec;
  }
  const sizeOf = (b: typeof oldBytes) =>
    b === null ? undefined : b instanceof Uint8Array ? b.length : b.tooLarge;
  const os = c.old ? sizeOf(oldBytes) : undefined;
  const ns = c.new ? sizeOf(newBytes) : undefined;
  if (os !== undefined) rec.old_size = os;
  if (ns !== undefined) rec.new_size = ns;
  if (!(oldBytes instanceof Uint8Array) || !(newBytes instanceof Uint8Array)) {
    rec.kind = "too-large";
    const hardLink = [oldBytes, newBytes].map((
      b,
    ) => (b !== null && !(b instanceof Uint8Array) ? b.hardLink : undefined)).find((h) =>
      h !== undefined
    );
    notes.push(
      hardLink !== undefined
        ? `not shown: the work tree file ${hardLink}`
        : `over the ${o.maxFileBytes}-byte diff limit: read it with read_file and a line range`,
    );
    rec.notes = notes;
    return rec;
  }
  if (rec.kind !== "symlink" && (isBinary(oldBytes) || isBinary(newBytes))) {
    rec.kind = "binary";
    if (notes.length > 0) rec.notes = notes;
    else delete rec.notes;
    return rec;
  }
  const oldT = decodeText(oldBytes);
  const newT = decodeText(newBytes);
  if (oldT.replaced || newT.replaced) notes.push("not valid UTF-8: invalid bytes shown as U+FFFD");
  if (newT.text.includes("\r\n") || oldT.text.includes("\r\n")) {
    notes.push("CRLF line endings (CRs not shown)");
  }
  if (rec.kind === "symlink") {
    notes.push(
      `link target ${JSON.stringify(oldT.text)} -> ${
        JSON.stringify(newT.text)
      } (links are never followed)`,
    );
  }
  const d = lineDiff(oldT.text, newT.text, o.mode === "diff" ? o.contextLines : 0);
  rec.added = d.added;
  rec.removed = d.removed;
  if (d.gaveUp) notes.push("the diff took too long: shown as wholly replaced");
  // A rename is judged on both names: `.env` renamed to `settings.txt` still diffs the credential file's text.
  const secretOpts = { allowSecretFiles: o.allowSecretFiles === true };
  const rule = secretFileRule(c.path, secretOpts) ??
    (c.oldPath !== undefined ? secretFileRule(c.oldPath, secretOpts) : undefined);
  if (rule !== undefined) {
    rec.secret = true;
    notes.push(
      `credential file (rule "${rule}"): its content is not shown; the operator can allow it with --allow-secret-files`,
    );
  } else if (o.mode === "summary") {
    rec.added_lines = d.addedLines;
    const symbols = await o.onTextPair?.(c.path, oldT.text, newT.text);
    if (symbols) rec.symbols = symbols;
  } else {
    // Whole hunks up to the per-file cap; a hunk over it is split into smaller ones first.
    const pieces = splitHunks(d.hunks, Math.max(64, Math.floor(o.maxFileDiffBytes / 2)));
    const from = Math.min(startHunk, pieces.length);
    let to = from;
    let bytes = 0;
    const enc = new TextEncoder();
    while (to < pieces.length) {
      const size = enc.encode(renderHunks([pieces[to]!])).length + 1;
      if (to > from && bytes + size > o.maxFileDiffBytes) break;
      bytes += size;
      to++;
    }
    rec.diff = renderHunks(pieces.slice(from, to));
    if (from > 0 || to < pieces.length) {
      rec.first_hunk = from;
      rec.hunks_total = pieces.length;
      if (to < pieces.length) rec.next_hunk = to;
      notes.push(
        `hunks ${from + 1}-${to} of ${pieces.length}` +
          (to < pieces.length
            ? ` (per-file cap of ${o.maxFileDiffBytes} bytes): the next page continues this file`
            : ""),
      );
    }
  }
  if (notes.length > 0) rec.notes = notes;
  return rec;
}

/** Most deleted × added pairs compared for renames, and the largest file compared. */
const RENAME_MAX_PAIRS = 400;
const RENAME_MAX_BYTES = 256 * 1024;

/**
 * Pairs a deleted and an added text file whose contents are at least half alike into a rename
 * (exact renames are paired already), best matches first, within a bounded number of pairs.
 */
function pairSimilarRenames(r: RepoCtx, changes: Change[]): Change[] {
  const plain = (m: number | undefined) => m !== undefined && m !== MODE_LINK && m !== MODE_GITLINK;
  const dels = changes.filter((c) => c.status === "deleted" && plain(c.old?.mode));
  const adds = changes.filter((c) => c.status === "added" && plain(c.new?.mode));
  if (dels.length === 0 || adds.length === 0 || dels.length * adds.length > RENAME_MAX_PAIRS) {
    return changes;
  }
  const text = (side: Side, rel: string): string | null => {
    try {
      const b = readSide(r, side, rel, RENAME_MAX_BYTES);
      if (!(b instanceof Uint8Array) || isBinary(b)) return null;
      return decodeText(b).text;
    } catch (err) {
      if (err instanceof GitLimitError && err.message.includes("inflates")) return null;
      throw err;
    }
  };
  const oldTexts = dels.map((c) => text(c.old!, c.path));
  const newTexts = adds.map((c) => text(c.new!, c.path));
  const pairs: Array<{ d: number; a: number; score: number }> = [];
  for (let d = 0; d < dels.length; d++) {
    for (let a = 0; a < adds.length; a++) {
      const x = oldTexts[d];
      const y = newTexts[a];
      if (x == null || y == null) continue;
      if (Math.min(x.length, y.length) < 0.5 * Math.max(x.length, y.length)) continue;
      const score = similarity(x, y);
      if (score >= 0.5) pairs.push({ d, a, score });
    }
  }
  pairs.sort((p, q) => q.score - p.score);
  const usedD = new Set<number>();
  const usedA = new Set<number>();
  const renamed = new Map<Change, Change>();
  const dropped = new Set<Change>();
  for (const p of pairs) {
    if (usedD.has(p.d) || usedA.has(p.a)) continue;
    usedD.add(p.d);
    usedA.add(p.a);
    const del = dels[p.d]!;
    const add = adds[p.a]!;
    renamed.set(add, {
      path: add.path,
      oldPath: del.path,
      status: "renamed",
      old: del.old!,
      new: add.new!,
      ...(add.untracked ? { untracked: true } : {}),
    });
    dropped.add(del);
  }
  return changes.filter((c) => !dropped.has(c)).map((c) => renamed.get(c) ?? c);
}

/** Reads a review's scope and files; refusals (unknown base, no commits) come back as reasons. */
export async function review(r: RepoCtx, o: ReviewOptions): Promise<ReviewOutcome> {
  const head = await readHead(r);
  let baseTree: string | null = null;
  let base: ReviewData["base"];
  let mb: string | null | undefined;
  let range = { commits: [] as CommitLine[], total: 0, capped: false };
  if (o.base !== undefined) {
    const baseId = await resolveCommitish(r, o.base);
    if (baseId === null) {
      return {
        ok: false,
        reason: `no branch, tag or commit named ${JSON.stringify(o.base)} in this repository`,
      };
    }
    if (head.oid === null) {
      return {
        ok: false,
        reason: "the repository has no commits yet, so there is nothing to compare with a base",
      };
    }
    base = { name: o.base, id: baseId.slice(0, 7) };
    mb = await mergeBase(r, head.oid, baseId);
    if (mb === null) {
      return { ok: false, reason: `HEAD and ${JSON.stringify(o.base)} have no common history` };
    }
    baseTree = await commitTree(r, mb);
    range = await commitsBetween(r, head.oid, mb, o.maxCommits);
  } else if (head.oid !== null) {
    baseTree = await commitTree(r, head.oid);
  }
  const set = await changesSince(r, baseTree, {
    filters: o.paths,
    includeUntracked: o.includeUntracked,
    limits: o.limits,
    ...(o.base !== undefined && head.oid !== null ? { nearTree: commitTree(r, head.oid) } : {}),
  });
  set.changes = pairSimilarRenames(r, set.changes);
  const files: FileRecord[] = [];
  let bytes = 0;
  const start = o.mode === "diff" ? Math.min(o.start, set.changes.length) : 0;
  // Files in small batches, letting cancellation in between; diff mode stops once the page is full.
  const BATCH = 8;
  outer: for (let i = start; i < set.changes.length; i += BATCH) {
    if (r.budget.signal.aborted) throw new DOMException("cancelled", "AbortError");
    await breathe(r.budget);
    const recs: FileRecord[] = [];
    for (const [k, c] of set.changes.slice(i, i + BATCH).entries()) {
      recs.push(await fileRecord(r, c, o, i + k === start ? o.startHunk ?? 0 : 0));
    }
    for (const rec of recs) {
      files.push(rec);
      if (o.mode === "diff") {
        bytes += (rec.diff?.length ?? 0) + 200;
        // A file cut at its cap ends the page: the next one continues it.
        if (bytes >= o.maxBytes || rec.next_hunk !== undefined) break outer;
      }
    }
  }
  return {
    ok: true,
    value: {
      head: { id: head.oid?.slice(0, 7) ?? null, branch: head.branch },
      ...(base ? { base, merge_base: mb?.slice(0, 7) ?? null } : {}),
      commits: range.commits,
      commits_total: range.total,
      commits_capped: range.capped,
      files,
      files_total: set.changes.length,
      start,
      warnings: set.warnings,
      stats: set.stats,
    },
  };
}

export { GitLimitError };
