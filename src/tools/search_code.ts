import { z } from "zod";
import { LIMITS } from "../config.ts";
import { describeSkips, PROJECT_LIMITS } from "../policy/walk.ts";
import { budgetNote, fitRecords, utf8Length } from "../output/budget.ts";
import { cursorPosition, decodeCursor, encodeCursor, queryKey } from "../output/cursor.ts";
import { sanitizeText } from "../output/sanitize.ts";
import type { SearchMatch } from "../sandbox/search.ts";
import { cannot, defineTool, type ToolContext } from "./types.ts";
import { isParsable } from "../symbols/languages.ts";

const NAME = "search_code";

const match = z.object({
  file: z.string().describe("File, relative to the project root"),
  line: z.number().int().describe("Line, 1-based"),
  column: z.number().int().describe("Column of the first match on the line, 1-based"),
  text: z.string().describe('The line (long lines cut around the match with "…")'),
  before: z.array(z.string()).optional().describe("Lines before, when context_lines was asked"),
  after: z.array(z.string()).optional().describe("Lines after, when context_lines was asked"),
  symbol: z.string().optional().describe("Enclosing function or class"),
});

const STOP_WORDS: Readonly<Record<string, string>> = {
  time: `the ${PROJECT_LIMITS.searchTimeBudgetMs / 1000} s time budget ran out`,
  matches: `the ${PROJECT_LIMITS.searchMaxMatches} matching-line cap was reached`,
  files: "the file cap was reached",
  bytes: "the total size cap was reached",
  entries: "the folder-entry cap was reached",
};

/** Files on a page whose matches get their enclosing symbol; beyond it, and past the time, none do. */
const ENCLOSING_MAX_FILES = 50;
const ENCLOSING_TIME_MS = 2_000;

/** A post-step: each match on the page gets the innermost definition around it (src/sandbox/symbols.ts). */
async function withEnclosingSymbols(
  page: (SearchMatch & { symbol?: string })[],
  ctx: ToolContext,
): Promise<void> {
  const byFile = new Map<string, number[]>();
  for (const m of page) {
    if (!isParsable(m.file)) continue;
    const lines = byFile.get(m.file) ?? [];
    lines.push(m.line);
    byFile.set(m.file, lines);
  }
  if (byFile.size === 0 || byFile.size > ENCLOSING_MAX_FILES) return;
  const names = await ctx.sandbox.enclosingSymbols({
    files: [...byFile].map(([file, lines]) => ({ file, lines })),
    timeBudgetMs: ENCLOSING_TIME_MS,
    allowSecretFiles: ctx.config.allowSecretFiles,
  }, ctx.signal);
  const seen = new Map<string, number>();
  for (const m of page) {
    const i = seen.get(m.file) ?? 0;
    const name = names[m.file]?.[i];
    if (names[m.file]) seen.set(m.file, i + 1);
    if (name) m.symbol = sanitizeText(name).text;
  }
}

export const searchCode = defineTool({
  name: NAME,
  title: "Search code",
  description:
    "Search the project's files for literal text (default) or a regular expression (RE2 syntax: no lookaround " +
    "or backreferences) and return each matching line: file, line, column, the line, optional context. Files " +
    "are chosen as rg would (.gitignore honoured; binary, minified and credential files skipped). " +
    "Results are paged by `cursor`; a search that hits its time or size cap says it is partial.",
  inputSchema: {
    query: z.string().min(1).max(1000).describe(
      "Text to find, or a regular expression when regex is true",
    ),
    regex: z.boolean().default(false).describe(
      "Treat query as an RE2 regular expression (default: literal text)",
    ),
    path: z.string().max(LIMITS.maxPathLength).optional()
      .describe(
        'Folder, file or glob to search, relative to the project root (default ".", the whole project)',
      ),
    glob: z.string().max(500).optional()
      .describe('Only files matching this glob, e.g. "*.py" (any depth) or "src/**/*.ts"'),
    case_sensitive: z.boolean().default(false).describe(
      "Match case exactly (default: ignore case)",
    ),
    context_lines: z.number().int().min(0).max(5).default(0).describe(
      "Lines of context before and after each match, 0 to 5",
    ),
    cursor: z.string().max(2048).optional()
      .describe(
        "next_cursor from the previous answer, to get the next page (same other arguments)",
      ),
  },
  outputSchema: {
    query: z.string().describe("The query"),
    path: z.string().describe("What was searched, relative to the project root"),
    matches: z.array(match).describe("This page of matching lines, in path order"),
    total_matches: z.number().int().describe("Matching lines found in all pages"),
    files_searched: z.number().int().describe("Files searched"),
    files_with_matches: z.number().int().describe("Files with at least one match"),
    partial: z.boolean().describe(
      "True when the search stopped early (see stopped): more matches may exist",
    ),
    stopped: z.string().optional().describe("Why the search stopped early"),
    skipped: z.record(z.string(), z.number().int()).describe("Files left out, per reason"),
    redactions: z.number().int().optional().describe(
      "Credential-shaped strings replaced by markers on this page",
    ),
    invisible_characters: z.number().int().optional().describe(
      "Invisible or bidi characters shown as escapes on this page",
    ),
    offset: z.number().int().optional().describe("Index of this page's first match"),
    next_cursor: z.string().optional().describe(
      "Pass as `cursor` to get the next page; absent on the last page",
    ),
  },
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  async handler(args, ctx) {
    const { query, regex, glob, case_sensitive, context_lines, cursor } = args;
    const target = args.path ?? ".";
    const key = queryKey({ query, regex, path: target, glob, case_sensitive, context_lines });
    let offset = 0;
    if (cursor !== undefined) {
      const c = decodeCursor(NAME, key, cursor);
      if (!c.ok) return cannot("search", query, c.reason);
      offset = cursorPosition(c.value, "offset");
    }
    const r = await ctx.sandbox.searchCode({
      query,
      regex,
      caseSensitive: case_sensitive,
      path: target,
      ...(glob !== undefined ? { glob } : {}),
      contextLines: context_lines,
      maxMatches: PROJECT_LIMITS.searchMaxMatches,
      timeBudgetMs: PROJECT_LIMITS.searchTimeBudgetMs,
      maxLineChars: PROJECT_LIMITS.searchMaxLineChars,
      allowSecretFiles: ctx.config.allowSecretFiles,
    }, ctx.signal);
    if (!r.ok) return cannot("search", regex ? query : target, r.reason);
    const v = r.value;
    const start = Math.min(offset, v.matches.length);
    // Every shown line goes through the shared sanitizer as well: invisible characters escaped
    // (and secrets redacted, which the worker did on the whole file before matching).
    let redactions = 0;
    let invisible = 0;
    const clean = (s: string, line: number) => {
      const out = sanitizeText(s, line);
      redactions += out.redactions.length;
      invisible += out.invisible.length;
      return out.text;
    };
    const render = (m: SearchMatch & { symbol?: string }) => {
      const parts = [
        `${m.file}:${m.line}:${m.column}: ${m.text}${m.symbol ? `  (in ${m.symbol})` : ""}`,
      ];
      if (m.before?.length || m.after?.length) {
        parts.unshift(
          ...(m.before ?? []).map((l, i) => `${m.file}-${m.line - (m.before!.length - i)}- ${l}`),
        );
        parts.push(...(m.after ?? []).map((l, i) => `${m.file}-${m.line + i + 1}- ${l}`), "--");
      }
      return parts.join("\n");
    };
    const stopped = v.stopped ? STOP_WORDS[v.stopped] : undefined;
    const skippedText = describeSkips(v.skipped);
    const head = [
      `${v.matches.length}${v.stopped ? "+" : ""} matching line${
        v.matches.length === 1 ? "" : "s"
      } in ${v.filesWithMatches} of ${v.filesSearched} files searched (${target})` +
      (v.stopped ? `; partial: ${stopped}, narrow with path or glob` : ""),
      ...(skippedText ? [`Skipped: ${skippedText}`] : []),
    ].join("\n");
    const overhead = utf8Length(head) + 800;
    const budget = Math.max(1024, ctx.config.maxOutputBytes - overhead);
    // Sizes are measured on the raw records; sanitizing only shortens or slightly lengthens lines.
    const fit = fitRecords(
      v.matches,
      start,
      budget,
      // A match in a parsable file may gain its enclosing symbol (withEnclosingSymbols): room for it.
      (m) =>
        Math.max(utf8Length(JSON.stringify(m)), utf8Length(render(m))) + 16 +
        (isParsable(m.file) ? 80 : 0),
    );
    const page = v.matches.slice(start, fit.end).map((m): SearchMatch => {
      // The worker searched and cut the redacted text; it counts the redactions on the lines shown.
      const { redactions: shownRedactions, ...rest } = m;
      redactions += shownRedactions ?? 0;
      const out: SearchMatch = { ...rest, text: clean(m.text, m.line) };
      if (m.before) out.before = m.before.map((l, i) => clean(l, m.line - m.before!.length + i));
      if (m.after) out.after = m.after.map((l, i) => clean(l, m.line + i + 1));
      return out;
    });
    await withEnclosingSymbols(page, ctx);
    const next = fit.complete ? undefined : encodeCursor(NAME, key, { offset: fit.end });
    const lines = [head];
    if (page.length === 0 && v.matches.length === 0) lines.push("No matches.");
    if (start > 0 || next) lines.push(`Matches ${start + 1}-${fit.end} of ${v.matches.length}:`);
    lines.push(...page.map(render));
    if (redactions > 0) {
      lines.push(`(${redactions} credential-shaped string${redactions === 1 ? "" : "s"} redacted)`);
    }
    if (invisible > 0) {
      lines.push(
        `(${invisible} invisible character${invisible === 1 ? "" : "s"} shown as escapes)`,
      );
    }
    if (next) lines.push(budgetNote(ctx.config.maxOutputBytes, `continue with cursor="${next}"`));
    return {
      content: [{ type: "text", text: lines.join("\n") }],
      structuredContent: {
        query,
        path: v.target,
        matches: page,
        total_matches: v.matches.length,
        files_searched: v.filesSearched,
        files_with_matches: v.filesWithMatches,
        partial: v.stopped !== undefined,
        ...(stopped ? { stopped } : {}),
        skipped: v.skipped as Record<string, number>,
        ...(redactions > 0 ? { redactions } : {}),
        ...(invisible > 0 ? { invisible_characters: invisible } : {}),
        ...(start > 0 || next ? { offset: start } : {}),
        ...(next ? { next_cursor: next } : {}),
      },
    };
  },
});
