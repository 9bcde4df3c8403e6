/**
 * review_changes: "review my change" in one call. The scope, the commits in range, every changed
 * file with its status and line counts, then the enabled linters' findings on the changed files,
 * each tagged `new` (on a line this change added or modified) or `existing`, summarised first.
 */
import { z } from "zod";
import { defaultLinterFor } from "../linters/registry.ts";
import type { Diagnostic } from "../linters/types.ts";
import type { FileRecord } from "../git/review.ts";
import { fitRecords, utf8Length } from "../output/budget.ts";
import { cursorPosition, decodeCursor, encodeCursor, queryKey } from "../output/cursor.ts";
import { sanitizeText } from "../output/sanitize.ts";
import { LIMITS } from "../config.ts";
import { cannot, defineTool, type ToolContext } from "./types.ts";
import {
  changedSymbolsSchema,
  complexityFindingsOf,
  renderChangedSymbols,
} from "./changed_symbols.ts";
import {
  baseArg,
  checkPaths,
  cursorArg,
  GIT_LIMITS,
  gitRequest,
  pathsArg,
  scopeLine,
  STATUS_LETTER,
} from "./git_common.ts";

const severity = z.enum(["error", "warning", "info"]);
const counts = z.object({
  new: z.number().int().describe("On lines this change added or modified"),
  existing: z.number().int().describe("Elsewhere"),
});

const fileSchema = z.object({
  path: z.string().describe("File, relative to the project root"),
  old_path: z.string().optional().describe("Former path, for a rename"),
  status: z.enum(["added", "modified", "deleted", "renamed", "type-changed"]).describe(
    "What happened to the file",
  ),
  kind: z.enum(["text", "binary", "symlink", "submodule", "too-large"]).describe(
    "text is diffed; the others are named with sizes",
  ),
  untracked: z.boolean().optional().describe("True for a file git does not track yet"),
  added: z.number().int().nullable().describe("Lines added (null when not diffed)"),
  removed: z.number().int().nullable().describe("Lines removed (null when not diffed)"),
  old_size: z.number().int().optional().describe("Bytes before"),
  new_size: z.number().int().optional().describe("Bytes after"),
  notes: z.array(z.string()).optional().describe("Encoding, line endings, mode change, limits"),
  symbols: changedSymbolsSchema.optional(),
});

const findingSchema = z.object({
  tag: z.enum(["new", "existing"]).describe(
    "new: on a line this change added or modified; existing: there before",
  ),
  file: z.string().describe("File, relative to the project root"),
  line: z.number().int().describe("Line, 1-based"),
  column: z.number().int().describe("Column, 1-based"),
  code: z.string().describe("Rule code"),
  severity: severity.describe("Severity"),
  message: z.string().describe("What the linter says"),
  linter: z.string().describe("The linter that reported it"),
});

type FileOut = z.infer<typeof fileSchema>;
type Finding = z.infer<typeof findingSchema>;
type Rec = { type: "file"; value: FileOut } | { type: "finding"; value: Finding };

export const reviewChanges = defineTool({
  name: "review_changes",
  title: "Review changes",
  description:
    "Review a change in one call: the uncommitted changes (no base), or a branch since its merge base with `base` " +
    '(e.g. "main") plus uncommitted changes. Returns the scope, the commits in range, each changed file with status ' +
    "and lines added/removed, and the enabled linters' findings on the changed files tagged new (on a changed line) " +
    "or existing, counted per severity and rule. Follow with get_diff for the diff text. Paged by next_cursor.",
  inputSchema: {
    base: baseArg,
    paths: pathsArg,
    include_untracked: z.boolean().default(true).describe(
      "Include files git does not track yet (not ignored ones); default true",
    ),
    cursor: cursorArg,
  },
  outputSchema: {
    scope: z.string().describe(
      "HEAD's short id and branch, the base and the merge base, in one line",
    ),
    commits: z.array(
      z.object({
        id: z.string().describe("Short id"),
        subject: z.string().describe("First line of the message"),
      }),
    )
      .describe(
        `Commits in the range, newest first (at most ${GIT_LIMITS.maxCommits}; on the first page only)`,
      ),
    commits_total: z.number().int().describe("Commits in the range"),
    files_total: z.number().int().describe("Changed files"),
    findings_summary: z.object({
      new: z.number().int().describe("Findings on changed lines"),
      existing: z.number().int().describe("Findings elsewhere in the changed files"),
      by_severity: z.record(z.string(), counts).describe("Counts per severity"),
      by_rule: z.array(
        z.object({
          code: z.string().describe("Rule code"),
          new: z.number().int().describe("New"),
          existing: z.number().int().describe("Existing"),
        }),
      )
        .describe("Counts per rule, most new findings first"),
      files_linted: z.number().int().describe("Changed files a linter checked"),
    }).describe("Findings counted before they are listed"),
    files: z.array(fileSchema).describe("Changed files on this page, in path order"),
    findings: z.array(findingSchema).describe(
      "Findings on this page: new ones first, then existing",
    ),
    notes: z.array(z.string()).describe(
      "Limits reached, skipped entries, linters that could not run",
    ),
    next_cursor: z.string().optional().describe(
      "Pass as cursor to get the rest; absent on the last page",
    ),
  },
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  async handler(args, ctx) {
    const { base, paths, include_untracked, cursor } = args;
    const key = queryKey({ base, paths, include_untracked });
    let start = 0;
    if (cursor !== undefined) {
      const d = decodeCursor("review_changes", key, cursor);
      if (!d.ok) return cannot("continue", "cursor", d.reason);
      start = cursorPosition(d.state, "i");
    }
    const checked = checkPaths(ctx.config.root, paths);
    if (!checked.ok) return cannot("review", checked.path, checked.reason);
    await ctx.progress(0, 2, "reading the repository");
    const r = await ctx.sandbox.gitReview(
      {
        symbols: true,
        ...gitRequest({
          base,
          paths: checked.value,
          includeUntracked: include_untracked,
          mode: "summary",
          allowSecretFiles: ctx.config.allowSecretFiles,
        }),
      },
      ctx.signal,
    );
    if (!r.ok) return cannot("review changes in", base ?? ".", r.reason);
    const v = r.value;
    await ctx.progress(1, 2, "running linters on the changed files");
    const notes = [...v.warnings];
    if (v.commits_capped) {
      notes.push(`commit walk stopped at its limit: at least ${v.commits_total} commits in range`);
    }
    const lint = await lintChanged(v.files, ctx, notes, complexityFindingsOf(v.files));
    const files: FileOut[] = v.files.map(({ added_lines: _l, diff: _d, secret: _s, ...rest }) =>
      rest
    );
    const records: Rec[] = [
      ...files.map((value): Rec => ({ type: "file", value })),
      ...lint.findings.map((value): Rec => ({ type: "finding", value })),
    ];
    // Later pages continue the files and findings; the commits were listed on the first.
    const head = {
      scope: scopeLine(v),
      // Commit subjects are the reviewed repository's text: redacted and escaped like every shown text.
      commits: start === 0
        ? v.commits.map((c) => ({ ...c, subject: sanitizeText(c.subject).text }))
        : [],
      commits_total: v.commits_total,
      files_total: v.files_total,
      findings_summary: lint.summary,
    };
    let headText = renderHead(head, notes);
    const headBytes = () =>
      Math.max(utf8Length(JSON.stringify({ ...head, notes })), utf8Length(headText));
    // The summary part takes at most half the budget: fewer commits shown (still counted), then fewer rules.
    while (
      headBytes() > ctx.config.maxOutputBytes / 2 &&
      (head.commits.length > 0 || head.findings_summary.by_rule.length > 10)
    ) {
      if (head.commits.length > 0) {
        head.commits = head.commits.slice(0, Math.floor(head.commits.length / 2));
      } else {
        notes.push(
          `counts shown for the 10 rules with most findings of ${head.findings_summary.by_rule.length}`,
        );
        head.findings_summary = {
          ...head.findings_summary,
          by_rule: head.findings_summary.by_rule.slice(0, 10),
        };
      }
      headText = renderHead(head, notes);
    }
    const overhead = headBytes() + 600;
    const budget = Math.max(1024, ctx.config.maxOutputBytes - overhead);
    const fit = fitRecords(
      records,
      Math.min(start, records.length),
      budget,
      (rec) =>
        Math.max(utf8Length(JSON.stringify(rec.value)) + 1, utf8Length(renderRecord(rec)) + 1),
    );
    const page = records.slice(Math.min(start, records.length), fit.end);
    const next = fit.complete ? undefined : encodeCursor("review_changes", key, { i: fit.end });
    await ctx.progress(2, 2, "done");
    const pageFiles = page.filter((x) => x.type === "file").map((x) => x.value as FileOut);
    const pageFindings = page.filter((x) => x.type === "finding").map((x) => x.value as Finding);
    const lines = [headText];
    if (pageFiles.length > 0) {
      lines.push(
        `Files (${start + 1}-${start + pageFiles.length} of ${v.files_total}):`,
        ...pageFiles.map((f) => renderRecord({ type: "file", value: f })),
      );
    }
    if (pageFindings.length > 0) {
      lines.push(
        "Findings:",
        ...pageFindings.map((f) => renderRecord({ type: "finding", value: f })),
      );
    }
    if (v.files_total === 0) lines.push("No changes.");
    if (next) {
      lines.push(
        `[More: ${
          records.length - fit.end
        } more files and findings; call review_changes again with the same arguments and cursor "${next}"]`,
      );
    }
    return {
      content: [{ type: "text", text: lines.join("\n") }],
      structuredContent: {
        ...head,
        files: pageFiles,
        findings: pageFindings,
        notes,
        ...(next ? { next_cursor: next } : {}),
      },
    };
  },
});

function renderHead(
  h: {
    scope: string;
    commits: { id: string; subject: string }[];
    commits_total: number;
    files_total: number;
    findings_summary: Summary;
  },
  notes: string[],
): string {
  const out = [`Scope: ${h.scope}`];
  if (h.commits_total > 0 && h.commits.length === 0) {
    out.push(`Commits: ${h.commits_total} (listed on the first page)`);
  } else if (h.commits_total > 0) {
    out.push(
      `Commits (${h.commits_total}${
        h.commits_total > h.commits.length ? `, newest ${h.commits.length} shown` : ""
      }):`,
    );
    for (const c of h.commits) out.push(`  ${c.id} ${c.subject}`);
  }
  out.push(`Changed files: ${h.files_total}`);
  const s = h.findings_summary;
  if (s.files_linted > 0) {
    const sev = Object.entries(s.by_severity).map(([k, c]) =>
      `${k} ${c.new} new/${c.existing} existing`
    ).join(", ");
    const rules = s.by_rule.map((r) => `${r.code} ${r.new}/${r.existing}`).join(", ");
    out.push(
      `Findings in ${s.files_linted} linted file(s): ${s.new} new, ${s.existing} existing${
        sev ? ` (${sev})` : ""
      }`,
    );
    if (rules) out.push(`By rule (new/existing): ${rules}`);
  }
  for (const n of notes) out.push(`Note: ${n}`);
  return out.join("\n");
}

function renderRecord(rec: Rec): string {
  if (rec.type === "file") {
    const f = rec.value;
    const name = f.old_path ? `${f.old_path} -> ${f.path}` : f.path;
    const lines = f.added === null ? "" : ` +${f.added} -${f.removed}`;
    const kind = f.kind === "text"
      ? ""
      : ` [${f.kind}${
        f.old_size !== undefined || f.new_size !== undefined
          ? ` ${f.old_size ?? "-"} -> ${f.new_size ?? "-"} bytes`
          : ""
      }]`;
    const extra = [f.untracked ? "untracked" : "", ...(f.notes ?? [])].filter((x) => x !== "");
    return `  ${STATUS_LETTER[f.status]} ${name}${lines}${kind}${
      extra.length > 0 ? ` (${extra.join("; ")})` : ""
    }${renderChangedSymbols(f.symbols)}`;
  }
  const d = rec.value;
  return `  ${
    d.tag === "new" ? "new     " : "existing"
  } ${d.file}:${d.line}:${d.column}: ${d.code} [${d.severity}] ${d.message} (${d.linter})`;
}

type Summary = {
  new: number;
  existing: number;
  by_severity: Record<string, { new: number; existing: number }>;
  by_rule: { code: string; new: number; existing: number }[];
  files_linted: number;
};

/** Runs the enabled linters on the changed text files they handle and tags each finding. */
async function lintChanged(
  files: readonly FileRecord[],
  ctx: ToolContext,
  notes: string[],
  extra: readonly Finding[] = [],
): Promise<{ findings: Finding[]; summary: Summary }> {
  const candidates = files.filter((f) =>
    f.status !== "deleted" && f.kind === "text" && f.secret !== true
  )
    .map((f) => ({ f, linter: defaultLinterFor(f.path, ctx.config.linters) }))
    .filter((x) => x.linter !== undefined);
  if (candidates.length > GIT_LIMITS.maxLintFiles) {
    notes.push(
      `linted the first ${GIT_LIMITS.maxLintFiles} of ${candidates.length} lintable changed files; narrow with paths for the rest`,
    );
  }
  const findings: Finding[] = [...extra];
  let linted = 0;
  // A few linters at once over stdio; over HTTP the call holds one linter slot, so one at a time.
  // Imported here, not at the top: start-up loads every tool module, and p-queue is some 4 ms of it.
  const { default: PQueue } = await import("p-queue");
  const queue = new PQueue({ concurrency: ctx.config.transport === "http" ? 1 : 4 });
  const results = await Promise.all(
    candidates.slice(0, GIT_LIMITS.maxLintFiles).map(({ f, linter }) =>
      queue.add(async () => ({
        f,
        linter: linter!,
        r: await ctx.sandbox.runLinter({
          path: f.path,
          linter: linter!,
          pathEnv: ctx.config.linterPath,
          timeoutMs: ctx.config.linterTimeoutMs,
          maxOutputBytes: LIMITS.linterMaxOutputBytes,
          maxFileBytes: LIMITS.maxFileBytes,
        }, ctx.signal),
      }))
    ),
  );
  for (const x of results) {
    if (!x) continue;
    const { f, linter, r } = x;
    if (!r.ok) {
      notes.push(`${linter} could not check ${f.path}: ${r.reason}`);
      continue;
    }
    linted++;
    const changed = new Set(f.added_lines ?? []);
    for (const d of r.value.diagnostics) findings.push(tagged(d, changed, linter));
  }
  findings.sort((a, b) =>
    (a.tag === b.tag ? 0 : a.tag === "new" ? -1 : 1) || a.file.localeCompare(b.file) ||
    a.line - b.line || a.column - b.column
  );
  const by_severity: Summary["by_severity"] = {};
  const rules = new Map<string, { new: number; existing: number }>();
  for (const d of findings) {
    (by_severity[d.severity] ??= { new: 0, existing: 0 })[d.tag]++;
    const r = rules.get(d.code) ?? { new: 0, existing: 0 };
    r[d.tag]++;
    rules.set(d.code, r);
  }
  const by_rule = [...rules].map(([code, c]) => ({ code, ...c })).sort((a, b) =>
    b.new - a.new || b.existing - a.existing || a.code.localeCompare(b.code)
  );
  const nNew = findings.filter((d) => d.tag === "new").length;
  return {
    findings,
    summary: {
      new: nNew,
      existing: findings.length - nNew,
      by_severity,
      by_rule,
      files_linted: linted,
    },
  };
}

/** A finding is new when the line it sits on was added or modified by this change. */
function tagged(d: Diagnostic, changed: Set<number>, linter: string): Finding {
  const tag = changed.has(d.line) ? "new" : "existing";
  return {
    tag,
    file: d.file,
    line: d.line,
    column: d.column,
    code: d.code,
    severity: d.severity,
    message: sanitizeText(d.message).text,
    linter,
  };
}
