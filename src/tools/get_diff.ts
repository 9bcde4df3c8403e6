/**
 * get_diff: the unified diff of the same scope as review_changes, as text only (a text
 * payload reaches the model once, whichever field its host reads). Hunks carry old and new
 * line numbers; binary files are named with their sizes; one file's diff is capped so it
 * cannot crowd out the others; pages continue by cursor. Diff text is sanitized: credentials
 * redacted, invisible Unicode shown as escapes.
 */
import { z } from "zod";
import { budgetNote, fitRecords, utf8Length } from "../output/budget.ts";
import { cursorPosition, decodeCursor, encodeCursor, queryKey } from "../output/cursor.ts";
import { sanitizeNote, sanitizeText } from "../output/sanitize.ts";
import { redactionsInFile } from "../output/diff_lines.ts";
import type { FileRecord } from "../git/review.ts";
import { cannot, defineTool } from "./types.ts";
import {
  baseArg,
  checkPaths,
  cursorArg,
  gitRequest,
  pathsArg,
  scopeLine,
  STATUS_LETTER,
} from "./git_common.ts";

export const getDiff = defineTool({
  name: "get_diff",
  title: "Get diff",
  description:
    "The unified diff of a change: uncommitted changes against HEAD (no base), or everything since the merge base " +
    'with `base` (e.g. "main") plus uncommitted changes. Hunks show old and new line numbers; binary files are ' +
    "named with sizes; each file's diff is capped. Paged: pass the cursor from the footer to continue.",
  inputSchema: {
    base: baseArg,
    paths: pathsArg,
    context_lines: z.number().int().min(0).max(50).default(3).describe(
      "Unchanged lines shown around each change (0-50, default 3)",
    ),
    cursor: cursorArg,
  },
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  async handler(args, ctx) {
    const { base, paths, context_lines, cursor } = args;
    const key = queryKey({ base, paths, context_lines });
    let start = 0;
    let startHunk = 0;
    if (cursor !== undefined) {
      const d = decodeCursor("get_diff", key, cursor);
      if (!d.ok) return cannot("continue", "cursor", d.reason);
      start = cursorPosition(d.value, "i");
      startHunk = cursorPosition(d.value, "h");
    }
    const checked = checkPaths(ctx.config.root, paths);
    if (!checked.ok) return cannot("diff", checked.path, checked.reason);
    const budget = ctx.config.maxOutputBytes;
    const perFile = Math.max(2048, Math.floor(budget / 4));
    const r = await ctx.sandbox.gitReview(
      gitRequest({
        base,
        paths: checked.value,
        includeUntracked: true,
        mode: "diff",
        contextLines: context_lines,
        start,
        startHunk,
        maxBytes: budget,
        maxFileDiffBytes: perFile,
        allowSecretFiles: ctx.config.allowSecretFiles,
      }),
      ctx.signal,
    );
    if (!r.ok) return cannot("diff", base ?? ".", r.reason);
    const v = r.value;
    let redactions = 0;
    const notes: string[] = [];
    const blocks = v.files.map((f) => {
      const block = renderFile(f);
      const s = sanitizeText(block);
      redactions += s.redactions.length;
      // Notes name the file's own lines, not the block's.
      const note = sanitizeNote({ ...s, redactions: redactionsInFile(block, s.redactions) });
      if (note) notes.push(`${f.path}: ${note}`);
      return s.text;
    });
    const header = `Diff: ${scopeLine(v)}; ${v.files_total} changed file(s)`;
    const overhead = utf8Length(header) + 800 + notes.reduce((a, n) => a + utf8Length(n) + 1, 0);
    const fit = fitRecords(blocks, 0, Math.max(1024, budget - overhead), (b) => utf8Length(b) + 1);
    const shown = blocks.slice(0, fit.end);
    let end = v.start + fit.end;
    // The last file shown was cut at its per-file cap: the cursor continues it at its next hunk.
    const lastShown = fit.end > 0 ? v.files[fit.end - 1] : undefined;
    const nextHunk = lastShown?.next_hunk;
    if (nextHunk !== undefined) end--;
    const footer: string[] = [];
    if (v.files_total === 0) footer.push("No changes.");
    else {
      footer.push(
        `[Files ${v.start + 1}-${Math.max(end, v.start + fit.end)} of ${v.files_total}]`,
      );
    }
    if (end < v.files_total) {
      const next = encodeCursor(
        "get_diff",
        key,
        nextHunk !== undefined
          ? { i: end, h: nextHunk }
          : fit.end === 0 && startHunk > 0
          ? { i: end, h: startHunk }
          : { i: end },
      );
      const rest = nextHunk !== undefined
        ? `the rest of ${lastShown!.path} (hunk ${nextHunk + 1} of ${lastShown!.hunks_total}) and ${
          v.files_total - end - 1
        } more file(s)`
        : `${v.files_total - end} more file(s)`;
      footer.push(
        budgetNote(
          budget,
          `${rest}: call get_diff again with the same arguments and cursor "${next}"`,
        ),
      );
    }
    for (const n of notes) footer.push(`Note: ${n}`);
    if (redactions > 0) {
      footer.push(
        "Credential-shaped strings are replaced by markers; the files themselves are unchanged.",
      );
    }
    for (const w of v.warnings) footer.push(`Note: ${w}`);
    return { content: [{ type: "text", text: [header, "", ...shown, ...footer].join("\n") }] };
  },
});

function renderFile(f: FileRecord): string {
  const name = f.old_path ? `${f.old_path} -> ${f.path}` : f.path;
  const counts = f.added === null ? "" : ` +${f.added} -${f.removed}`;
  const head = `--- ${STATUS_LETTER[f.status]} ${name}${counts}${
    f.untracked ? " (untracked)" : ""
  }${f.first_hunk ? " (continued)" : ""}`;
  const lines = [head];
  if (f.kind === "binary" || f.kind === "too-large" || f.kind === "submodule") {
    const sizes = f.kind === "submodule"
      ? ""
      : ` (${f.old_size ?? "-"} -> ${f.new_size ?? "-"} bytes)`;
    lines.push(
      `${
        f.kind === "binary"
          ? "Binary file, not shown"
          : f.kind === "submodule"
          ? "Submodule"
          : "Not diffed"
      }${sizes}`,
    );
  }
  for (const n of f.notes ?? []) lines.push(`# ${n}`);
  if (f.diff) lines.push(f.diff);
  return lines.join("\n") + "\n";
}
