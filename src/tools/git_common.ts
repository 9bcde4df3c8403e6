/**
 * What review_changes and get_diff share: their base/paths arguments, checking paths against
 * the root, the sandbox request, and the one-line scope both answers start with.
 */
import { z } from "zod";
import { LIMITS } from "../config.ts";
import { lexicalCandidate, relativeToRoot } from "../policy/paths.ts";
import type { GitReviewRequest } from "../sandbox/git.ts";
import type { ReviewData } from "../git/review.ts";
import type { ResultWith } from "../result.ts";

/** Bounds of one git read (stated in answers when reached). */
export const GIT_LIMITS = {
  maxEntries: 200_000,
  maxUntracked: 2_000,
  maxHashBytes: 32 * 1024 * 1024,
  maxObjectBytes: 32 * 1024 * 1024,
  maxFileBytes: LIMITS.maxFileBytes,
  maxCommits: 50,
  timeoutMs: 60_000,
  /** Most changed files whose findings review_changes collects in one call. */
  maxLintFiles: 50,
} as const;

export const baseArg = z.string().min(1).max(256).regex(
  /^[^\0\s]+$/,
  "a branch, tag or commit without spaces",
).optional()
  .describe(
    'Branch, tag or commit to compare with (e.g. "main", "HEAD~3"): everything since the merge base of HEAD and it, plus uncommitted changes. Omit for the uncommitted changes only',
  );

export const pathsArg = z.array(z.string().min(1).max(LIMITS.maxPathLength)).max(100).optional()
  .describe(
    'Files, folders or globs relative to the project root to narrow to (e.g. "src", "src/**/*.py", "*.md")',
  );

export const cursorArg = z.string().max(2048).optional()
  .describe(
    "The cursor from a previous answer (next_cursor, or the footer of get_diff), to continue exactly where it stopped; repeat the same other arguments",
  );

/** Paths made relative to the root with "/" separators, or the first refusal. */
export function checkPaths(
  root: string,
  paths: readonly string[] | undefined,
): ResultWith<string[] | undefined, { path: string }> {
  if (!paths || paths.length === 0) return { ok: true, value: undefined };
  const out: string[] = [];
  for (const p of paths) {
    const c = lexicalCandidate(root, p);
    if (!c.ok) return { ok: false, reason: c.reason, path: p };
    const rel = relativeToRoot(root, c.value).split("\\").join("/");
    out.push(rel === "." ? "" : rel);
  }
  return { ok: true, value: out };
}

export function gitRequest(o: {
  base: string | undefined;
  paths: string[] | undefined;
  includeUntracked: boolean;
  mode: "summary" | "diff";
  contextLines?: number;
  start?: number;
  startHunk?: number;
  maxBytes?: number;
  maxFileDiffBytes?: number;
  allowSecretFiles: boolean;
}): Omit<GitReviewRequest, "root"> {
  return {
    ...(o.base !== undefined ? { base: o.base } : {}),
    ...(o.paths !== undefined ? { paths: o.paths } : {}),
    includeUntracked: o.includeUntracked,
    mode: o.mode,
    contextLines: o.contextLines ?? 3,
    start: o.start ?? 0,
    ...(o.startHunk ? { startHunk: o.startHunk } : {}),
    maxBytes: o.maxBytes ?? 0,
    maxFileBytes: GIT_LIMITS.maxFileBytes,
    maxFileDiffBytes: o.maxFileDiffBytes ?? 0,
    maxCommits: GIT_LIMITS.maxCommits,
    limits: {
      maxEntries: GIT_LIMITS.maxEntries,
      maxUntracked: GIT_LIMITS.maxUntracked,
      maxHashBytes: GIT_LIMITS.maxHashBytes,
    },
    timeoutMs: GIT_LIMITS.timeoutMs,
    maxObjectBytes: GIT_LIMITS.maxObjectBytes,
    allowSecretFiles: o.allowSecretFiles,
  };
}

/** "HEAD 27fbd37 on feature; base main (b438951), merge base b438951" */
export function scopeLine(v: ReviewData): string {
  const head = v.head.id === null ? "no commits yet" : `HEAD ${v.head.id}`;
  const on = v.head.branch === null ? " (detached)" : ` on ${v.head.branch}`;
  const base = v.base
    ? `; base ${v.base.name} (${v.base.id}), merge base ${v.merge_base ?? "none"}`
    : "; uncommitted changes against HEAD";
  return `${head}${on}${base}`;
}

/** One-letter status as git shows it. */
export const STATUS_LETTER: Record<string, string> = {
  added: "A",
  modified: "M",
  deleted: "D",
  renamed: "R",
  "type-changed": "T",
};
