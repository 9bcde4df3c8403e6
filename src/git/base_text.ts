/**
 * The base version of changed files, as text, for linting in memory: the commit a review
 * compares with (HEAD, or the merge base of HEAD and a named base, as src/git/review.ts
 * chooses it) and a file's blob in that commit's tree. Nothing is written to disk.
 */
import { checkBudget } from "./fs_view.ts";
import { safeEntryName } from "./changes.ts";
import { decodeText, isBinary } from "./diff.ts";
import {
  mergeBase,
  readCommit,
  readHead,
  readObject,
  readTree,
  type RepoCtx,
  resolveCommitish,
} from "./log.ts";
import type { Result } from "../result.ts";

/** The commit whose tree is the review's old side, or null (no commits; unknown base). */
export async function reviewBaseCommit(r: RepoCtx, base?: string): Promise<string | null> {
  const head = await readHead(r);
  if (head.oid === null) return null;
  if (base === undefined) return head.oid;
  const baseId = await resolveCommitish(r, base);
  return baseId === null ? null : await mergeBase(r, head.oid, baseId);
}

/** A file's text in a commit, or why there is none. */
export type BaseText = Result<string, "absent" | "not-text" | "too-large">;

/**
 * A file's text in a commit's tree, found component by component (each name checked like any
 * tree entry); absent, a link or submodule, binary, or over `maxBytes` come back as reasons.
 */
export function readBaseText(
  r: RepoCtx,
  commit: string,
  filepath: string,
  maxBytes: number,
): BaseText {
  const parts = filepath.split("/");
  if (!parts.every(safeEntryName)) return { ok: false, reason: "absent" };
  checkBudget(r.budget);
  let tree = readCommit(r, commit).tree;
  for (let i = 0; i < parts.length; i++) {
    const e = readTree(r, tree).find((x) => x.path === parts[i]);
    if (e === undefined) return { ok: false, reason: "absent" };
    if (i < parts.length - 1) {
      if (e.type !== "tree") return { ok: false, reason: "absent" };
      tree = e.oid;
      continue;
    }
    if (e.type !== "blob" || e.mode === "120000") return { ok: false, reason: "not-text" };
    // An object over the inflation cap throws GitLimitError ("inflates"): the caller says too-large.
    const blob = readObject(r, e.oid, "blob").data;
    if (blob.length > maxBytes) return { ok: false, reason: "too-large" };
    if (isBinary(blob)) return { ok: false, reason: "not-text" };
    return { ok: true, value: decodeText(blob).text };
  }
  return { ok: false, reason: "absent" };
}
