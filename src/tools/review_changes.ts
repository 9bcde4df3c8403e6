/**
 * review_changes: "review my change" in one call. The scope, the commits in range, every changed
 * file with its status and line counts, then the findings of the linters the project itself
 * configures on the changed files, each tagged `new` (not there before: matched against the
 * base version's findings through the diff) or `existing`, summarised first.
 */
import { z } from "zod";
import type { LinterName } from "../linters/registry.ts";
import type { Diagnostic } from "../linters/types.ts";
import {
  MATCH_BASES,
  matchFindings,
  tagAddedFile,
  tagByTouchedLines,
  type Tagged,
} from "../linters/baseline.ts";
import {
  languageOf,
  type LinterChoice,
  lintersForFile,
  type ProjectLinters,
} from "../linters/project_linters.ts";
import { readProjectLinters } from "./lint_choice.ts";
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
  new: z.number().int().describe("Not there before the change"),
  existing: z.number().int().describe("There before the change"),
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
    "new: not there before this change; existing: the base version had it too",
  ),
  basis: z.enum(MATCH_BASES as [string, ...string[]]).describe(
    "Why: changed (touches an added/modified line), not-in-base, added-file; base-line (same code at the line mapped through the diff), moved (same code and source line elsewhere), unchanged-lines (base not linted)",
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
    "and lines added/removed, and the findings of the linters the project configures (the server's own rules where it " +
    "configures none) on the changed files, tagged new (not in the base version) or existing, counted per severity and rule. Follow with get_diff for the diff text. Paged by next_cursor.",
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
      new: z.number().int().describe("Findings not there before the change"),
      existing: z.number().int().describe("Findings the base version had too"),
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
    linters: z.array(
      z.object({
        linter: z.string().describe("Linter"),
        config: z.string().describe(
          "The configuration file that chose it, or the server's own rules",
        ),
        files: z.number().int().describe("Changed files it checked"),
        new: z.number().int().describe("New findings"),
        existing: z.number().int().describe("Existing findings"),
        baseline: z.string().describe(
          "How its tags were decided: base versions linted in memory, or why not",
        ),
      }),
    ).describe("Each group of findings: which linter, which configuration, how tagged"),
    files: z.array(fileSchema).describe("Changed files on this page, in path order"),
    findings: z.array(findingSchema).describe(
      "Findings on this page: new ones first, then existing",
    ),
    notes: z.array(z.string()).describe(
      "How findings were matched, limits reached, skipped entries, linters that could not run",
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
      start = cursorPosition(d.value, "i");
    }
    const checked = checkPaths(ctx.config.root, paths);
    if (!checked.ok) return cannot("review", checked.path, checked.reason);
    await ctx.progress(0, 2, "reading the repository");
    // The project's linter configuration is read while the repository is (one round trip less).
    const plan = readProjectLinters(ctx);
    plan.catch(() => {}); // awaited below; a refusal of the review must not leave it unhandled
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
    const lint = await lintChanged(
      v.files,
      base,
      ctx,
      await plan,
      notes,
      complexityFindingsOf(v.files),
    );
    if (lint.findings.length > 0) notes.push(TAGS_NOTE);
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
      linters: lint.groups,
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
    linters: Group[];
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
  for (const g of h.linters) {
    out.push(
      `Linter ${g.linter} (${g.config}) on ${g.files} file(s): ${g.new} new, ${g.existing} existing; ${g.baseline}`,
    );
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
  } ${d.file}:${d.line}:${d.column}: ${d.code} [${d.severity}] ${d.message} (${d.linter}; ${d.basis})`;
}

/** How findings were matched, once per answer (each finding's basis says which rule decided it). */
const TAGS_NOTE =
  "tags: new = not there before. Each changed file's base version is linted in memory with the same linter " +
  "and configuration; a finding is existing when the base has the same code on the line mapped through the diff, " +
  "or on the same source line moved elsewhere; new when it spans an added or modified line, or the base lacks it";

type Summary = {
  new: number;
  existing: number;
  by_severity: Record<string, { new: number; existing: number }>;
  by_rule: { code: string; new: number; existing: number }[];
  files_linted: number;
};

type Group = {
  linter: string;
  config: string;
  files: number;
  new: number;
  existing: number;
  baseline: string;
};

/** One linter run on one changed file. */
interface Job {
  f: FileRecord;
  choice: LinterChoice;
}

/**
 * Runs the linters the project configures on the changed text files and tags each finding
 * against the base version's findings (src/linters/baseline.ts); a configured linter that is not
 * installed gives way to the server's own rules, and the answer says so.
 */
async function lintChanged(
  files: readonly FileRecord[],
  base: string | undefined,
  ctx: ToolContext,
  plan: ProjectLinters,
  notes: string[],
  extra: readonly Finding[] = [],
): Promise<{ findings: Finding[]; summary: Summary; groups: Group[] }> {
  notes.push(...plan.notes);
  const lintable = files.filter((f) =>
    f.status !== "deleted" && f.kind === "text" && f.secret !== true &&
    lintersForFile(plan, f.path).length > 0
  );
  if (lintable.length > GIT_LIMITS.maxLintFiles) {
    notes.push(
      `linted the first ${GIT_LIMITS.maxLintFiles} of ${lintable.length} lintable changed files; narrow with paths for the rest`,
    );
  }
  const jobs: Job[] = lintable.slice(0, GIT_LIMITS.maxLintFiles).flatMap((f) =>
    lintersForFile(plan, f.path).map((choice) => ({ f, choice }))
  );
  // A few linters at once over stdio; over HTTP the call holds one linter slot, so one at a time.
  // Imported here, not at the top: start-up loads every tool module, and p-queue is some 4 ms of it.
  const { default: PQueue } = await import("p-queue");
  const queue = new PQueue({ concurrency: ctx.config.transport === "http" ? 1 : 4 });
  const run = (f: FileRecord, linter: LinterName) =>
    ctx.sandbox.runLinter({
      path: f.path,
      linter,
      pathEnv: ctx.config.linterPath,
      timeoutMs: ctx.config.linterTimeoutMs,
      maxOutputBytes: LIMITS.linterMaxOutputBytes,
      maxFileBytes: LIMITS.maxFileBytes,
    }, ctx.signal);
  const missing = new Set<string>();
  const results = await Promise.all(jobs.map((job) =>
    queue.add(async () => {
      let r = await run(job.f, job.choice.linter);
      let choice = job.choice;
      const fallback = plan.fallback[languageOf(job.f.path)!];
      // A configured linter that is not installed: the server's own rules, unless they run already.
      if (
        !r.ok && r.reason.includes("is not installed") && fallback !== undefined &&
        !jobs.some((j) => j.f === job.f && j.choice.linter === fallback.linter)
      ) {
        if (!missing.has(job.choice.linter)) {
          missing.add(job.choice.linter);
          notes.push(
            `${job.choice.linter} (${job.choice.source}) is not installed here: its files got ${fallback.source}`,
          );
        }
        choice = fallback;
        r = await run(job.f, fallback.linter);
      }
      return { ...job, choice, r };
    })
  ));
  // The base versions of modified and renamed files, linted in memory inside the sandbox.
  const ran = results.filter((x) => x !== undefined && x.r.ok);
  const baseFiles = ran.filter((x) => x!.f.status !== "added").map((x) => ({
    path: x!.f.path,
    oldPath: x!.f.old_path ?? x!.f.path,
    linter: x!.choice.linter,
  }));
  const baseLints = baseFiles.length === 0 ? [] : await ctx.sandbox.lintBase({
    ...(base !== undefined ? { base } : {}),
    files: baseFiles,
    timeoutMs: GIT_LIMITS.timeoutMs,
    maxObjectBytes: GIT_LIMITS.maxObjectBytes,
    maxFileBytes: GIT_LIMITS.maxFileBytes,
    allowSecretFiles: ctx.config.allowSecretFiles,
    // Linters run as programs get the base text on standard input, as many at once as above.
    pathEnv: ctx.config.linterPath,
    linterTimeoutMs: ctx.config.linterTimeoutMs,
    maxOutputBytes: LIMITS.linterMaxOutputBytes,
    concurrency: ctx.config.transport === "http" ? 1 : 4,
  }, ctx.signal);
  const baseOf = new Map(baseLints.map((b) => [`${b.linter}:${b.path}`, b]));
  const findings: Finding[] = [...extra];
  const groups = new Map<
    string,
    Group & { reasons: Set<string>; matched: number; added: number }
  >();
  const linted = new Set<string>();
  for (const x of results) {
    if (!x) continue;
    const { f, choice, r } = x;
    if (!r.ok) {
      notes.push(`${choice.linter} could not check ${f.path}: ${r.reason}`);
      continue;
    }
    linted.add(f.path);
    const key = `${choice.linter}\0${choice.source}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        linter: choice.linter,
        config: choice.source,
        files: 0,
        new: 0,
        existing: 0,
        baseline: "",
        reasons: new Set(),
        matched: 0,
        added: 0,
      };
      groups.set(key, g);
    }
    g.files++;
    let tagged: Tagged<Diagnostic>[];
    const b = baseOf.get(`${choice.linter}:${f.path}`);
    if (f.status === "added") {
      g.added++;
      tagged = tagAddedFile(r.value.diagnostics);
    } else if (b?.ok) {
      g.matched++;
      tagged = matchFindings({
        baseText: b.value.baseText,
        baseFindings: b.value.baseDiagnostics,
        newText: b.value.newText,
        newFindings: r.value.diagnostics,
        map: b.value.map,
      });
    } else {
      if (b && !b.ok) g.reasons.add(b.reason);
      tagged = tagByTouchedLines(r.value.diagnostics, f.added_lines ?? []);
    }
    for (const t of tagged) {
      findings.push(toFinding(t, choice.linter));
      g[t.tag]++;
    }
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
      files_linted: linted.size,
    },
    groups: [...groups.values()].map(({ reasons, matched, added, ...g }) => ({
      ...g,
      baseline: baselineLine(g.files, matched, added, reasons),
    })),
  };
}

/** How one group's tags were decided, in one phrase. */
function baselineLine(
  files: number,
  matched: number,
  added: number,
  reasons: Set<string>,
): string {
  const parts: string[] = [];
  if (added > 0) {
    parts.push(
      `${added === files ? "" : `${added} of ${files} files: `}added files, every finding new`,
    );
  }
  if (matched > 0) {
    parts.push(
      `${
        matched === files ? "" : `${matched} of ${files} files: `
      }base versions linted in memory and findings matched through the diff`,
    );
  }
  if (reasons.size > 0) {
    parts.push(
      `${
        parts.length > 0 ? "others " : ""
      }tagged by changed lines only, new when on an added or modified line (${
        [...reasons].join("; ")
      })`,
    );
  }
  return parts.join("; ");
}

function toFinding(t: Tagged<Diagnostic>, linter: string): Finding {
  const d = t.finding;
  return {
    tag: t.tag,
    basis: t.basis,
    file: d.file,
    line: d.line,
    column: d.column,
    code: d.code,
    severity: d.severity,
    message: sanitizeText(d.message).text,
    linter,
  };
}
