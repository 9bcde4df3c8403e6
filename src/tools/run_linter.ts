import { z } from "zod";
import { LIMITS } from "../config.ts";
import { ALL_LINTERS, defaultLinterFor, LINTABLE_EXTENSIONS } from "../linters/registry.ts";
import type { Diagnostic } from "../linters/types.ts";
import { budgetNote, fitRecords, utf8Length } from "../output/budget.ts";
import { decodeCursor, encodeCursor, queryKey } from "../output/cursor.ts";
import { sanitizeText } from "../output/sanitize.ts";
import { cannot, defineTool, toolError } from "./types.ts";

const diagnostic = z.object({
  file: z.string().describe("File, relative to the project root"),
  line: z.number().int().describe("Line, 1-based"),
  column: z.number().int().describe("Column, 1-based"),
  end_line: z.number().int().optional().describe("End line, when known"),
  end_column: z.number().int().optional().describe("End column, when known"),
  code: z.string().describe("Rule code, e.g. F401, SC2086, hardcoded-secret, bidi-control"),
  severity: z.enum(["error", "warning", "info"]).describe("Severity, on one scale for every linter (see the README)"),
  message: z.string().describe("What the linter says"),
  fix: z.string().optional().describe("A suggested fix, as text (never applied)"),
  url: z.string().optional().describe("The rule's documentation, when the linter has a page for it"),
});

/** Bytes kept back from the budget for the summary, the footer and the structured fields around the findings. */
const FRAME_BYTES = 1536;

export const runLinter = defineTool({
  name: "run_linter",
  title: "Run linter",
  description:
    "Run an allowlisted linter on one file inside the project under review and return its findings " +
    "(file, line, column, code, severity, message, documentation url), plus the server's own findings for hard-coded " +
    "secrets and invisible/bidi Unicode. Without `linter`, the file's extension chooses: " +
    "Python -> ruff (built in), shell -> shellcheck, JavaScript/TypeScript -> deno lint. " +
    "Linters run with their own isolated configuration and never modify files. Many findings come in pages (next_cursor).",
  inputSchema: {
    file_path: z.string().min(1).max(LIMITS.maxPathLength)
      .describe("File to lint, relative to the project root (e.g. \"src/app.py\") or absolute inside it"),
    linter: z.enum(ALL_LINTERS).optional()
      .describe("Linter to run; omit to choose by file extension. ruff is built in; ruff-native runs an installed ruff"),
    cursor: z.string().max(2048).optional().describe("next_cursor from the previous page of the same call"),
  },
  outputSchema: {
    linter: z.string().describe("The linter that ran"),
    file: z.string().describe("The file, relative to the project root"),
    summary: z.object({
      error: z.number().int().describe("Findings of severity error"),
      warning: z.number().int().describe("Findings of severity warning"),
      info: z.number().int().describe("Findings of severity info"),
    }).describe("Findings per severity, over all pages"),
    diagnostics: z.array(diagnostic).describe("Findings of this page, in the linter's order, then the server's own"),
    count: z.number().int().describe("Number of findings over all pages"),
    offset: z.number().int().describe("Position of this page's first finding (0-based)"),
    next_cursor: z.string().optional().describe("Pass as cursor to get the next page of findings"),
    redactions: z.number().int().describe("Secrets redacted from messages and fixes on this page"),
    duration_ms: z.number().describe("How long the linter took"),
    engine_version: z.string().optional().describe("Version of the built-in engine, for ruff"),
    config_file: z.string().optional().describe("Project configuration the linter honoured, relative to the root"),
  },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler({ file_path, linter, cursor }, ctx) {
    const enabled = ctx.config.linters;
    const chosen = linter ?? defaultLinterFor(file_path, enabled);
    if (chosen === undefined) {
      return cannot("lint", file_path, `no enabled linter handles this kind of file (known extensions: ${LINTABLE_EXTENSIONS.join(" ")}); name one with "linter"`);
    }
    if (!enabled.includes(chosen)) {
      return toolError(`Cannot lint ${JSON.stringify(file_path)}: the linter ${chosen} is not enabled on this server (enabled: ${enabled.join(", ")})`);
    }
    const key = queryKey({ file_path, linter });
    let offset = 0;
    if (cursor !== undefined) {
      const c = decodeCursor("run_linter", key, cursor);
      if (!c.ok) return cannot("lint", file_path, c.reason);
      const o = c.state["offset"];
      if (typeof o !== "number" || !Number.isSafeInteger(o) || o < 0) return cannot("lint", file_path, "the cursor is not one this server gave out");
      offset = o;
    }
    await ctx.progress(0, 1, `running ${chosen}`);
    const r = await ctx.sandbox.runLinter({
      path: file_path,
      linter: chosen,
      pathEnv: ctx.config.linterPath,
      timeoutMs: ctx.config.linterTimeoutMs,
      maxOutputBytes: LIMITS.linterMaxOutputBytes,
      maxFileBytes: LIMITS.maxFileBytes,
      allowSecretFiles: ctx.config.allowSecretFiles,
    }, ctx.signal);
    if (!r.ok) return cannot("lint", file_path, r.reason);
    const v = r.value;
    await ctx.progress(1, 1, "done");
    const all = v.diagnostics;
    const summary = { error: 0, warning: 0, info: 0 };
    for (const d of all) summary[d.severity]++;
    let redactions = 0;
    const rest = all.slice(Math.min(offset, all.length)).map((d) => {
      const s = sanitizeDiagnostic(d);
      redactions += s.redactions;
      return s.diagnostic;
    });
    const budget = ctx.config.maxOutputBytes;
    // The JSON of a finding is larger than its text line, so fitting the JSON fits both views.
    const fit = fitRecords(rest, 0, budget - FRAME_BYTES, (d) => utf8Length(JSON.stringify(d)) + 1);
    const page = rest.slice(0, fit.end);
    const next = offset + page.length;
    const nextCursor = next < all.length ? encodeCursor("run_linter", key, { offset: next }) : undefined;
    const counts = `${summary.error} error${summary.error === 1 ? "" : "s"}, ${summary.warning} warning${summary.warning === 1 ? "" : "s"}, ${summary.info} info`;
    const who = `${v.linter}${v.engineVersion ? ` ${v.engineVersion}` : ""}${v.configFile ? ` with ${v.configFile}` : ""}`;
    const head = all.length === 0
      ? `No issues found. (${who} on ${v.rel})`
      : `${who} found ${all.length} issue${all.length === 1 ? "" : "s"} in ${v.rel} (${counts})` +
        (offset > 0 || nextCursor !== undefined ? `; findings ${offset + 1}-${next}:` : ":");
    const lines = [head, ...page.map(formatDiagnostic)];
    if (nextCursor !== undefined) lines.push(budgetNote(budget, `${all.length - next} more findings; continue with cursor="${nextCursor}"`));
    if (redactions > 0) lines.push(`[${redactions} secret${redactions === 1 ? "" : "s"} redacted from messages and fixes]`);
    return {
      content: [{ type: "text", text: lines.join("\n") }],
      structuredContent: {
        linter: v.linter,
        file: v.rel,
        summary,
        diagnostics: page,
        count: all.length,
        offset,
        ...(nextCursor !== undefined ? { next_cursor: nextCursor } : {}),
        redactions,
        duration_ms: Math.round(v.durationMs * 10) / 10,
        ...(v.engineVersion ? { engine_version: v.engineVersion } : {}),
        ...(v.configFile ? { config_file: v.configFile } : {}),
      },
    };
  },
});

/** A finding's message and fix with secrets redacted and invisible code points escaped. */
function sanitizeDiagnostic(d: Diagnostic): { diagnostic: Diagnostic; redactions: number } {
  const message = sanitizeText(d.message);
  const out: Diagnostic = { ...d, message: message.text };
  let redactions = message.redactions.length;
  if (d.fix !== undefined) {
    const fix = sanitizeText(d.fix);
    out.fix = fix.text;
    redactions += fix.redactions.length;
  }
  return { diagnostic: out, redactions };
}

function formatDiagnostic(d: Diagnostic): string {
  const fix = d.fix ? `\n    fix: ${d.fix.split("\n").join("\n    ")}` : "";
  const url = d.url ? `\n    docs: ${d.url}` : "";
  return `${d.file}:${d.line}:${d.column}: ${d.code} [${d.severity}] ${d.message}${fix}${url}`;
}
